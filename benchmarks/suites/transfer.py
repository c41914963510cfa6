"""Mixing for a target: one group with few labels, many related sources.

    python -m benchmarks transfer [--tasks moleculeace tabular] [--assays 20]
        [--sizes 30 100 300] [--seeds 5] [--families xgboost hgb] [--leak] [--out DIR]

Every cell is one (task, target, family, n_target): the library's own
``compare(..., target=t, n_target=n)`` splits the target's rows (25% test),
keeps ``n`` of its training rows, trains every source row, and scores each
model on the target's test rows, paired by seed. The models, all built from
the family's inner model:

* the built-in baselines: ``natural pool`` (the reference), ``target only``,
  ``tuned target weight`` (the target's weight chosen from 1-100 on held-out
  target rows, then refitted);
* ``group feature``, ``stacking``, ``blend`` and ``pooled blend`` (its third member
  the pool with the target up-weighted), ``pooled blend 1se`` (its blend picked by
  the one-standard-error rule), ``continued blend`` (its third member the
  sources' model continued on the target's rows), ``pooled continued blend``
  (both members) and ``target share`` (the pooled member alone: one fit)
  (:mod:`sklearn_l2m.transfer`);
* ``continued boosting``: the pool for half the budget, then the target alone
  (XGBoost's ``xgb_model``; a HistGradientBoosting regressor: a second model of
  the residuals, as its ``warm_start`` re-bins the features on new rows);
* ``mixmin``: MixMin's source weights for the target;
* ``targetmix``: the in-run mixer, ``TargetMix`` at :data:`RECOMMENDED` (its
  defaults); ``targetmix pool or target``: with the shares of
  :data:`POOL_OR_TARGET`, its first default; ``targetmix sampled``: with
  :data:`SAMPLED` (the schedule decided on a sample of the sources' rows).

The setting the guide recommends for a target is ``pooled blend``: ``TargetBlend``'s defaults.

Tasks (:mod:`benchmarks.data.transfer`): MoleculeACE leave-one-assay-out (pKi
regression, RMSE; and active / inactive at 100 nM, average precision), and real
tabular tables whose rows come from sites, regions or countries. On MoleculeACE a molecule
can be measured in several assays: by default the sources' rows of the
target's molecules are dropped (the headline: transfer to new molecules);
``--leak`` keeps them.

Families (``--families``): ``xgboost`` and ``hgb`` by default; ``mlp``, a skorch
net (:func:`inner_model`), runs the candidates a net with a fixed input width
can (not :data:`NOT_FOR_NETS`). On CPU it is by far the slowest: one MoleculeACE
cell at 3 seeds took 80 minutes on a 2-core machine beside another run.
"""

from __future__ import annotations

import json
import time
import warnings
from functools import cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import Bunch

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import MixMin, TargetMix
from sklearn_l2m.model_selection import TARGET_BASELINES, Comparison, compare
from sklearn_l2m.transfer import (
    GroupFeature,
    PoolStacking,
    TargetBlend,
    TargetShare,
    target_rows,
)

from ..common import OUT_OPTION, REPORT_ONLY_OPTION, SEEDS_OPTION, suite_parser, versions
from ..data.transfer import TABULAR, load_tabular, moleculeace_cells
from ..models import make_model
from ..report import write_section

#: TargetMix's setting in the suite (a change re-measures its cells): the defaults
RECOMMENDED: dict = {}
#: TargetMix's first default, until graded weights were measured better: the natural pool
#: (share 0) or the target alone (1), and the natural pool with too few target rows
POOL_OR_TARGET = {"shares": (0.0, 1.0), "fallback_share": None}
#: TargetMix deciding its schedule on a sample of each source's rows (then the replay)
SAMPLED = {"source_sample": 0.15}
#: TargetBlend with two members: the sources' model and the target's
BLEND = {"pooled_share": None, "cv": 5}
#: TargetBlend's third member: the pool with the target's rows at this share of the weight
POOLED_BLEND = {"pooled_share": 0.35, "cv": 3}
#: the same, its blend picked by the one-standard-error rule (the most sources' weight
#: within one SE of the lowest out-of-fold loss)
POOLED_BLEND_1SE = {**POOLED_BLEND, "selection": "one_se"}
#: TargetBlend's continued member: the sources' model continued on the target's rows
CONTINUED_BLEND = {**BLEND, "continued": True}
#: both: the pooled member and the continued one
POOLED_CONTINUED_BLEND = {**POOLED_BLEND, "continued": True}
OUT = Path("benchmarks/results/transfer")
RESULTS = Path("benchmarks/RESULTS.md")


# -- the inner models ------------------------------------------------------------------
def inner_model(family: str, classification: bool, seed: int = 0, n_in: int = 1024):
    """XGBoost (100 trees, depth 6, lr 0.1: MixMin's bioassay setting),
    HistGradientBoosting (100 iterations) or a skorch MLP (two hidden layers of
    64, Adam, 10 epochs, on ``n_in`` float32 features; on CPU the slowest family
    by far on MoleculeACE), the same budget for every model of a cell."""
    if family == "mlp":
        n_out = 2 if classification else None  # (every classification task is binary)
        return make_model("mlp", seed, n_in, n_out, 10, regression=not classification, hidden=64)
    settings = {"xgboost": dict(max_depth=6, learning_rate=0.1), "hgb": {}}
    if family not in settings:
        raise ValueError(f"unknown family {family!r}; use xgboost, hgb or mlp")
    return make_model(family, seed, budget=100, regression=not classification, **settings[family])


#: candidates a net cannot run: its input width is fixed (the group feature and
#: stacking add a column), it has no trees to continue, and MixMin's proxies are boosted
NOT_FOR_NETS = (
    "group feature", "stacking", "continued boosting", "continued blend",
    "pooled continued blend", "mixmin",
)  # fmt: skip


class ContinuedBoosting(BaseEstimator):
    """The pool for ``switch`` of the budget, then the target's rows alone (the
    boosting continues from the pool's model).

    XGBoost continues its booster (``xgb_model``). HistGradientBoosting cannot:
    its ``warm_start`` re-bins the features on the new rows while its trees keep
    the old bins, so the target's trees fit wrong residuals. A regressor
    continues as a second model of the residuals (what boosting at squared loss
    does); a classifier has no way to start from the pool's log-odds and is
    left out (:func:`candidates`).
    """

    def __init__(self, estimator, target, switch=0.5):
        self.estimator = estimator
        self.target = target
        self.switch = switch

    def fit(self, X, y, groups=None):
        y = np.asarray(y)
        mask = target_rows(groups, self.target, len(y))
        model = clone(self.estimator)
        key = "n_estimators" if "n_estimators" in model.get_params() else "max_iter"
        budget = model.get_params()[key]
        first = max(1, int(round(self.switch * budget)))
        model.set_params(**{key: first}).fit(X, y)
        self.residual_ = None
        if key == "n_estimators":  # XGBoost: continue the booster on the target's rows
            model.set_params(n_estimators=budget - first)
            model.fit(X[mask], y[mask], xgb_model=model.get_booster())
        else:  # HistGradientBoosting regressor: the rest of the budget on the residuals
            self.residual_ = clone(self.estimator).set_params(max_iter=budget - first)
            self.residual_.fit(X[mask], y[mask] - model.predict(X[mask]))
        self.estimator_ = model
        return self

    def predict(self, X):
        if self.residual_ is not None:
            return self.estimator_.predict(X) + self.residual_.predict(X)
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)

    @property
    def classes_(self):
        return self.estimator_.classes_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = clone(self.estimator).__sklearn_tags__().estimator_type
        return tags


def candidates(inner, target, classification: bool, only=None) -> dict:
    """Every model of a cell but the built-in baselines (``compare`` adds those);
    ``only``: these names alone."""
    meta = Learn2MixClassifier if classification else Learn2MixRegressor
    models = {
        "group feature": GroupFeature(inner, target),
        "stacking": PoolStacking(inner, target),
        "blend": TargetBlend(inner, target, random_state=0, **BLEND),
        "pooled blend": TargetBlend(inner, target, random_state=0, **POOLED_BLEND),
        "pooled blend 1se": TargetBlend(inner, target, random_state=0, **POOLED_BLEND_1SE),
        "continued blend": TargetBlend(inner, target, random_state=0, **CONTINUED_BLEND),
        "target share": TargetShare(inner, target, share=POOLED_BLEND["pooled_share"]),
        "pooled continued blend": TargetBlend(
            inner, target, random_state=0, **POOLED_CONTINUED_BLEND
        ),
        "continued boosting": ContinuedBoosting(inner, target),
        "mixmin": meta(inner, mixer=MixMin(target=target)),
        "targetmix": meta(inner, mixer=TargetMix(target, **RECOMMENDED), refit=True),
        "targetmix pool or target": meta(
            inner, mixer=TargetMix(target, **POOL_OR_TARGET), refit=True
        ),
        "targetmix sampled": meta(inner, mixer=TargetMix(target, **SAMPLED), refit=True),
    }
    if classification and not _takes_margin(inner):
        for name in ("continued blend", "pooled continued blend", "continued boosting"):
            del models[name]  # a classifier continues from a base margin only
    if _is_net(inner):
        models = {name: m for name, m in models.items() if name not in NOT_FOR_NETS}
    return {name: m for name, m in models.items() if only is None or name in only}


def _is_net(model) -> bool:
    """Whether ``model`` is a skorch net (or a subclass of one)."""
    return any(cls.__module__.split(".")[0] == "skorch" for cls in type(model).__mro__)


def _takes_margin(model) -> bool:
    """Whether ``model`` can start from the sources' log-odds (XGBoost, LightGBM)."""
    return type(model).__module__.split(".")[0] in ("xgboost", "lightgbm")


@cache
def setting(model: str) -> str:
    """What a row of ``model`` was measured with: a cell is measured again when this
    changes (the recommended TargetMix setting; the other models are fixed)."""
    if model != "targetmix":
        return ""
    params = TargetMix(**RECOMMENDED).get_params()
    return ", ".join(f"{k}={v}" for k, v in params.items() if k != "target") + ", refit=True"


# -- one cell ----------------------------------------------------------------------------
def run_cell(
    task: Bunch, family: str, n_target: int, seeds: int, only=None, baselines=None
) -> list[dict]:
    """The rows of one cell: ``only`` these candidates (all by default), with the
    built-in baselines unless ``baselines=False`` (by default: with all candidates
    only; a rerun of some candidates reuses the cell's baselines)."""
    classification = task.kind != "regression"
    scoring = "average_precision" if classification else "root_mean_squared_error"
    X, width = task.X, {}
    if family == "mlp":  # torch's dtype, and the net's input width
        X = np.asarray(task.X, dtype=np.float32)
        width = {"n_in": X.shape[1]}
    inner = inner_model(family, classification, **width)
    models = candidates(inner, task.target, classification, only)
    if not models:  # a rerun of a model that this family cannot run here
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(
            models, X, task.y,
            groups=task.groups, target=task.target, n_target=n_target, seeds=seeds,
            scoring=scoring, baselines=only is None if baselines is None else baselines,
        )  # fmt: skip
    rows = []
    for record in result.scores.to_dict("records"):
        rows.append(
            {
                "task": task.name, "target": str(task.target), "family": family,
                "n_target": n_target, "metric": scoring, "model": record["estimator"],
                "seed": int(record["seed"]), "score": float(record[scoring]),
                "fit_time": float(record["fit_time"]), "setting": setting(record["estimator"]),
            }
        )  # fmt: skip
    return rows


def _models_of_cells(rows: list[dict]) -> dict:
    """(task, family, n_target) -> the models whose rows carry today's setting."""
    have: dict = {}
    for r in rows:
        if r.get("setting", "") == setting(r["model"]):
            have.setdefault((r["task"], r["family"], r["n_target"]), set()).add(r["model"])
    return have


def _measured_cells(rows: list[dict], models) -> set:
    """The cells whose rows of every one of ``models`` carry today's setting."""
    return {cell for cell, names in _models_of_cells(rows).items() if set(models) <= names}


def _done(have: dict, task: Bunch, family: str, n: int, wanted) -> bool:
    """Whether the cell holds every one of ``wanted`` that its family can run (an HGB
    classifier runs no continued model: its cells are done without them)."""
    classification = task.kind != "regression"
    runnable = candidates(inner_model(family, classification), task.target, classification)
    needed = set(wanted) & {*TARGET_BASELINES, *runnable}
    return needed <= have.get((task.name, family, n), set())


def _merge(rows: list[dict], new: list[dict]) -> list[dict]:
    """``rows`` with the new rows' models replaced in their cell; a cell's baselines
    are kept from before where it had them (same seeds, same splits)."""
    cell = lambda r: (r["task"], r["family"], r["n_target"])  # noqa: E731
    old_models = {(cell(r), r["model"]) for r in rows}
    fresh = [r for r in new if r["model"] not in TARGET_BASELINES or
             (cell(r), r["model"]) not in old_models]  # fmt: skip
    replaced = {(cell(r), r["model"]) for r in fresh}
    return [r for r in rows if (cell(r), r["model"]) not in replaced] + fresh


def current(rows: list[dict]) -> list[dict]:
    """The rows measured with today's settings (a targetmix row of an earlier
    recommended setting is left out until ``--models targetmix`` measures it again;
    the other models of its cell are judged as before)."""
    return [r for r in rows if r.get("setting", "") == setting(r["model"])]


#: the models whose verdicts the report gives: the in-run mixer and the blends
JUDGED = ("targetmix", "targetmix pool or target", "targetmix sampled", "blend", "pooled blend",
          "pooled blend 1se", "continued blend", "pooled continued blend",
          "target share")  # fmt: skip


def verdicts(rows: list[dict], model: str = "targetmix"):
    """Per cell: ``model`` against the best baseline, with 2 SE (the cells that
    measured it)."""
    import pandas as pd

    frame = pd.DataFrame(current(rows))
    out = []
    for key, cell in frame.groupby(["task", "family", "n_target"], sort=False):
        metric = cell["metric"].iloc[0]
        if model not in set(cell["model"]):
            continue
        scores = cell.rename(columns={"model": "estimator", "score": metric})
        scores["fit_time"] = scores["fit_time"].astype(float)  # NaN: none was kept
        result = Comparison.from_scores(scores, "natural pool", metric).against("best baseline")
        d = result.table.set_index("candidate").loc[model]
        means = scores.groupby("estimator", sort=False)[metric].mean()
        out.append(
            {
                "task": key[0], "family": key[1], "n_target": key[2],
                "metric": "AP" if metric == "average_precision" else "RMSE",
                **means.sort_index().to_dict(),
                "best baseline": result.reference, "difference": d["difference"],
                "se": d["se"], "verdict": d["verdict"], "seeds": int(d["n_seeds"]),
                "vs target only": means[model] - means["target only"],
                "vs natural pool": means[model] - means["natural pool"],
                "time vs pool": _time_ratio(scores, model),
            }
        )  # fmt: skip
    return pd.DataFrame(out)


def _time_ratio(scores, model: str) -> float:
    """``model``'s mean fit time over the natural pool's (NaN where none was kept)."""
    times = scores.groupby("estimator")["fit_time"].mean()
    return times[model] / times["natural pool"]


#: the issue's sizes for its two worst-case rules: many target rows (against target
#: only) and few (against the natural pool)
MANY, FEW = 300, 30


def _size_rules(family: str, part) -> list[str]:
    """The worst-case rules at :data:`MANY` and :data:`FEW` target rows, each met
    or not; a family without cells of that size says so."""
    lines = []
    big = part[part["n_target"] >= MANY]
    if len(big):
        gap = np.where(big["metric"] == "AP", big["vs target only"], -big["vs target only"])
        limit = np.where(big["metric"] == "AP", -0.02, -0.05)
        lines.append(
            f"- {family}, {MANY} target rows: never more than 0.05 RMSE / 0.02 AP worse than "
            f"target only: **{'met' if np.all(gap >= limit) else 'not met'}** "
            f"(worst: {gap.min():+.3f})."
        )
    small = part[part["n_target"] <= FEW]
    if len(small):
        pool_gap = np.where(small["metric"] == "AP", small["vs natural pool"],
                            -small["vs natural pool"])  # fmt: skip
        lines.append(
            f"- {family}, {FEW} target rows: never worse than natural pooling: "
            f"**{'met' if np.all(pool_gap >= 0) else 'not met'}** (worst: {pool_gap.min():+.3f})."
        )
    missing = [str(n) for n, cells in ((MANY, big), (FEW, small)) if not len(cells)]
    if missing:
        lines.append(f"- {family}: no cells of {' or '.join(missing)} target rows measured yet.")
    return lines


def reach_text(rows: list[dict], judged: dict | None = None) -> str:
    """What the half-better target asks against what any measured model reaches:
    per family, the cells where at least one model (judged or not) is better than
    the best baseline beyond 2 SE, and the model better on most cells. ``judged``:
    verdict tables already computed (model -> :func:`verdicts`), not computed again."""
    import pandas as pd

    judged = judged or {}
    models = sorted({r["model"] for r in current(rows)} - set(TARGET_BASELINES))
    tables = [t.assign(model=m) for m in models
              if len(t := judged[m] if m in judged else verdicts(rows, m))]  # fmt: skip
    if not tables:
        return ""
    every = pd.concat(tables, ignore_index=True)
    lines = []
    for family, part in every.groupby("family"):
        better = part[part["verdict"] == "better"]
        cells = part.groupby(["task", "n_target"]).ngroups
        reached = better.groupby(["task", "n_target"]).ngroups
        top = better["model"].value_counts()
        most = f"; the most by one model: {top.iloc[0]} ({top.index[0]})" if len(top) else ""
        lines.append(
            f"- {family}: some model is better than the best baseline beyond 2 SE on "
            f"{reached} of {cells} cells{most}."
        )
    return (
        "What the half-better target asks against what the measured models reach (every "
        "candidate of the table, each paired against the cell's best baseline):\n\n"
        + "\n".join(lines)
    )


def chance_text(cells) -> str:
    """What a model no different from the best baseline would be called by chance:
    on a cell of ``n`` paired seeds, a mean difference beyond 2 SE one way has
    probability P(t_{n-1} > 2) (normal differences, mean 0); per family, the
    expected number of such cells and the chance of none."""
    from scipy.stats import t as student

    lines = []
    for family, part in cells.groupby("family"):
        p = student.sf(2.0, part["seeds"].to_numpy(dtype=float) - 1)
        lines.append(
            f"- {family}: {len(part)} cell{'s' * (len(part) != 1)}; expected {p.sum():.1f} "
            "of them called worse (and at most as many better) by chance, none with "
            f"probability {np.prod(1 - p):.2g}."
        )
    return (
        "The chance line: a model no different from the best baseline is still called "
        "better or worse on some cells. With n paired seeds, a mean difference beyond 2 SE "
        "one way has probability P(t with n - 1 degrees of freedom > 2) (0.058 at 5 seeds); "
        "picking the best of three baselines by its mean makes 'worse' more likely than "
        "that. So 'worse on none' over many cells is out of reach of any model that is "
        "merely as good, and a count of 'better' cells means something only well above "
        "this line:\n\n" + "\n".join(lines)
    )


def targets_text(table, model: str = "targetmix") -> str:
    """The issue's targets for ``model``, each met or not, from its verdict table."""
    lines = []
    for family, part in table.groupby("family"):
        family = f"{model}, {family}"
        n = len(part)
        better = int((part["verdict"] == "better").sum())
        worse = int((part["verdict"] == "worse").sum())
        met = better * 2 >= n and worse == 0
        lines.append(
            f"- {family}: better than the best of target only / natural pool / tuned target "
            f"weight beyond 2 SE on {better} of {n} cells, worse on {worse}: "
            f"**{'met' if met else 'not met'}** (target: at least half better, none worse)."
        )
        lines += _size_rules(family, part)
        if part["time vs pool"].isna().all():  # NaN: fit times not kept
            lines.append(
                f"- {family}: fit times not kept (measured beside another run, or rerun "
                "against baselines timed in another)."
            )
            continue
        ratio = float(np.nanmedian(part["time vs pool"]))
        lines.append(
            f"- {family}: fit time {ratio:.2f}x one natural-pool fit (median over cells): "
            f"**{'met' if ratio <= 1.2 else 'not met'}** (target: at most 1.2x)."
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = suite_parser(__doc__, SEEDS_OPTION, OUT_OPTION, REPORT_ONLY_OPTION, seeds=5, out=OUT)
    parser.add_argument("--tasks", nargs="+", default=["moleculeace", "tabular"])
    parser.add_argument("--assays", type=int, default=20, help="MoleculeACE targets")
    parser.add_argument("--kinds", nargs="+", default=["regression", "classification"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[30, 100, 300])
    parser.add_argument("--families", nargs="+", default=["xgboost", "hgb"])
    parser.add_argument("--leak", action="store_true", help="keep the target's molecules")
    parser.add_argument("--no-section", action="store_true", help="write no RESULTS section")
    parser.add_argument(
        "--models", nargs="+", default=None,
        help="measure these candidates on the measured cells that lack their rows of "
        "today's setting (the cells' baselines are kept)",
    )  # fmt: skip
    parser.add_argument(
        "--leave-out", nargs="+", default=[], metavar="MODEL",
        help="candidates that new cells do not measure (a later run without it measures "
        "those cells again, whole)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    raw = args.out / f"scores{'-leak' if args.leak else ''}.jsonl"
    rows = [json.loads(line) for line in raw.open()] if raw.exists() else []
    names = list(candidates(None, None, False))
    if set(args.leave_out) - set(names):
        parser.error(f"--leave-out takes candidates' names: {names}; got {args.leave_out}")
    every = [m for m in names if m not in args.leave_out]
    wanted = args.models or [*TARGET_BASELINES, *every]
    have = _models_of_cells(rows)  # resume: the cells measured with today's settings
    measured = _measured_cells(rows, TARGET_BASELINES)
    tasks = []
    measure = [] if args.report_only else args.tasks
    if "tabular" in measure:
        tasks += [load_tabular(t) for t in TABULAR]
    if "moleculeace" in measure:
        tasks += list(moleculeace_cells(args.assays, args.leak, args.kinds))
    began = time.perf_counter()
    for task in tasks:
        for family in args.families:
            for n in args.sizes:
                if _done(have, task, family, n, wanted):
                    continue
                if n >= 0.75 * np.sum(task.groups == task.target):
                    continue  # too few target rows for this size
                if args.models and (task.name, family, n) not in measured:
                    continue  # a rerun adds models to cells measured with their baselines
                chosen = dict(only=args.models) if args.models else dict(only=every, baselines=True)
                new = run_cell(task, family, n, args.seeds, **chosen)
                if args.models:  # its baselines were timed in another run: no time ratio
                    new = [{**r, "fit_time": None} for r in new]
                rows = _merge(rows, new)
                part = raw.with_suffix(".part")
                part.write_text("".join(json.dumps(r) + "\n" for r in rows))
                part.replace(raw)  # never a half-written file
                print(f"{task.name} / {family} / {n}: {time.perf_counter() - began:.0f}s",
                      flush=True)  # fmt: skip
    tables = {model: verdicts(rows, model) for model in JUDGED}
    import pandas as pd

    both = pd.concat([t.assign(judged=m) for m, t in tables.items()], ignore_index=True)
    both.to_csv(args.out / f"verdicts{'-leak' if args.leak else ''}.csv", index=False)
    text = report(tables, args, rows)
    print(text)
    if not args.no_section:
        key, title = "transfer", "Mixing for a target: the transfer suite"
        if args.leak:
            key, title = "transfer-leak", f"{title}, the target's molecules kept (--leak)"
        write_section(RESULTS, key, title, text)
    return 0


def measured(table) -> str:
    """What was measured, per part (MoleculeACE / tabular), read off the cells."""
    parts = []
    for name, part in table.groupby(table["task"].str.startswith("MoleculeACE")):
        parts.append(
            f"{'MoleculeACE' if name else 'tabular'}: {part['task'].nunique()} tasks, "
            f"families {', '.join(sorted(part['family'].unique()))}, target rows "
            f"{', '.join(map(str, sorted(part['n_target'].unique())))}, "
            f"{int(part['seeds'].min())}-{int(part['seeds'].max())} paired seeds"
        )
    return "; ".join(parts)


def pending(rows: list[dict], table) -> str:
    """How many measured cells wait for a rerun of targetmix with today's setting."""
    cells = {(r["task"], r["family"], r["n_target"]) for r in rows}
    waiting = len(cells) - len(table)
    if not waiting:
        return ""
    return (
        f" {waiting} more cells have no `targetmix` row of today's setting (measured "
        "with an earlier `TargetMix`, or not yet): `--models targetmix` measures it there; "
        "`targetmix` is judged without them."
    )


def _settings(params: dict) -> str:
    return ", ".join(f'{k}="{v}"' if isinstance(v, str) else f"{k}={v}" for k, v in params.items())


def models_text() -> str:
    """What each judged model is, in the section's words."""
    return (
        f"`targetmix` is `TargetMix(target)` in `Learn2Mix...(model, refit=True)` "
        f"({setting('targetmix')}: the target rows' share of the training weight graded "
        "from the natural pool (0) to the target alone (1); with fewer than 20 held-out "
        "target rows, as at 30 labels, one fit of every row with the target's rows at "
        "fallback_share of the weight); `targetmix pool or target` is the same with "
        f"{_settings(POOL_OR_TARGET)} (the pool or the target alone, and the natural pool "
        "at 30 labels: its first default); `targetmix sampled` is the same with "
        f"{_settings(SAMPLED)} (the run that decides the schedule trains on that share of "
        f"every source's rows, each weighing 1 / {SAMPLED['source_sample']}; the replay on "
        "every row); "
        f"`blend` is `TargetBlend(model, target, {_settings(BLEND)})` "
        "(`sklearn_l2m.transfer`: a model of the sources and one of the target, blended "
        "with the weight that scores best on the target's rows out of fold); `pooled blend` "
        f"is `TargetBlend(model, target)` at its defaults ({_settings(POOLED_BLEND)}: a third "
        "member, every row pooled, the target's rows holding that share of the weight; the "
        "setting the guide recommends); `pooled blend 1se` is the same with "
        '`selection="one_se"` (of the blends within one standard error of the lowest '
        "out-of-fold loss, the one with the most weight off the target's own model); "
        f"`continued blend` is `TargetBlend(model, target, {_settings(CONTINUED_BLEND)})` "
        "(a third member: the sources' model continued on the target's rows, a model of the "
        "residuals or from the sources' log-odds; XGBoost classifiers and every regressor); "
        f"`pooled continued blend` is `TargetBlend(model, target, "
        f"{_settings(POOLED_CONTINUED_BLEND)})` (four members); `target share` is "
        f"`TargetShare(model, target, share={POOLED_BLEND['pooled_share']})` (the pooled "
        "member alone: one fit). A model is judged on the cells that measured it."
    )


def report(tables: dict, args, rows=()) -> str:
    """The section: what was measured, each judged model's targets, one table of
    every model's mean score per cell with the judged models' verdicts."""
    import pandas as pd

    table = tables["targetmix"]
    keys = ["task", "family", "n_target"]
    # (a model measured on no cell yet has no columns)
    judged = {m: t[[*keys, "verdict"]].rename(columns={"verdict": f"{m} verdict"})
              for m, t in tables.items() if len(t)}  # fmt: skip
    # every cell that some judged model measured, in the order the rows first hold them
    order: dict = {}
    for i, r in enumerate(rows):
        order.setdefault((r["task"], r["family"], r["n_target"]), i)
    cells = pd.concat([t for t in tables.values() if len(t)], ignore_index=True)
    cells = cells.drop_duplicates(keys)
    first = [order.get(tuple(cell), 0) for cell in cells[keys].itertuples(index=False)]
    cells = cells.iloc[np.argsort(first, kind="stable")]
    wide = cells[[c for c in cells if c not in ("verdict", "time vs pool")]]
    for m, part in judged.items():  # every model's means are in each table's rows
        wide = wide.merge(part, on=keys, how="left")
        wide[f"{m} verdict"] = wide[f"{m} verdict"].fillna("")  # a cell that did not measure it
    shown = [*keys, "metric", *TARGET_BASELINES, "group feature", "stacking",
             "continued boosting", "mixmin", *[c for m in JUDGED for c in
             (m, f"{m} verdict")]]  # fmt: skip
    body = wide[[c for c in shown if c in wide]].to_markdown(index=False, floatfmt=".3f")
    targets = "\n".join(targets_text(t, m) for m, t in tables.items() if len(t))
    reach = reach_text(list(rows), tables)
    chance = chance_text(cells)
    leak = "kept (--leak)" if args.leak else "dropped (the headline)"
    csv = f"verdicts{'-leak' if args.leak else ''}.csv"
    return (
        f"`python -m benchmarks transfer --tasks moleculeace tabular --families xgboost hgb "
        f"--sizes 30 100 300 --seeds N{' --leak' if args.leak else ''}` (resumable; "
        f"`--report-only` rereads the cells). Measured: {measured(cells)}.{pending(rows, table)}"
        f" {models_text()} Each one's verdict is against the best (by mean) of the three "
        "built-in baselines, paired by seed, 2 SE. "
        f"The sources' rows of the target's molecules: {leak}. Fit times were measured on "
        "a shared 2-core machine beside other jobs: read them as rough (the cells of a run "
        "that was paused keep no times); each cell's ratio is in "
        f"`{Path(getattr(args, 'out', OUT)).as_posix()}/{csv}`.\n\n"
        f"{targets}\n\n{reach}\n\n{chance}\n\n{body}\n\nVersions: {versions()}\n"
    )
