"""Extension points: a registered backend trains its family; bad registrations fail."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.backends import Backend, backend_class, register_backend, unregister_backend
from sklearn_l2m.backends._sklearn import SklearnBackend
from sklearn_l2m.mixers import MIXERS, MixMin, check_mixer


class _MyLogistic(LogisticRegression):
    pass


class _CountingBackend(SklearnBackend):
    trained = 0

    def train(self, data, plan, controller):
        type(self).trained += 1
        return super().train(data, plan, controller)


def test_a_registered_backend_trains_its_family_and_subclasses():
    register_backend(_MyLogistic, _CountingBackend)
    try:
        assert backend_class(_MyLogistic()) is _CountingBackend
        assert backend_class(LogisticRegression()) is SklearnBackend  # the base class is not
        X, y = make_classification(300, random_state=0)
        Learn2MixClassifier(_MyLogistic(), n_rounds=3, random_state=0).fit(X, y)
        assert _CountingBackend.trained == 1
    finally:
        unregister_backend(_MyLogistic)
    assert backend_class(_MyLogistic()) is SklearnBackend


@pytest.mark.parametrize(
    "estimator_class, backend, match",
    [(_MyLogistic, object, "subclass of sklearn_l2m.backends.Backend"),
     (_MyLogistic(), _CountingBackend, "must be a class")],
)  # fmt: skip
def test_bad_registrations_are_refused(estimator_class, backend, match):
    with pytest.raises(TypeError, match=match):
        register_backend(estimator_class, backend)


def test_mixmin_is_in_the_mixer_table():
    assert "mixmin" in MIXERS
    assert isinstance(check_mixer("mixmin"), MixMin)
    with pytest.raises(ValueError, match="'mixmin'"):
        check_mixer("no-such-mixer")


def test_the_backend_base_declares_what_the_estimator_reads():
    for name in ("stochastic", "handles_early_stopping", "mixing_modes", "step_unit",
                 "max_auto_rounds", "input_dtype", "checks_sample_axis_only"):  # fmt: skip
        assert hasattr(Backend, name), name
    backend = SklearnBackend(LogisticRegression(), is_classifier=True, random_state=0)
    assert backend.stop_reason is None and backend.mixing_mode == "reweight"
    assert np.isscalar(backend.init_seed)
