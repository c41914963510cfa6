"""Routing fit parameters to the inner model (_routing.py)."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import SGDClassifier

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m._routing import inner_fit_params


def test_without_routing_every_fit_parameter_goes_to_the_inner_model():
    meta = Learn2MixClassifier(SGDClassifier())
    assert inner_fit_params(meta, {"coef_init": None}, np.zeros((4, 2))) == {"coef_init": None}
    assert inner_fit_params(meta, {}, np.zeros((4, 2))) == {}


def test_with_routing_only_requested_parameters_go_and_groups_stay_ours():
    with sklearn.config_context(enable_metadata_routing=True):
        inner = SGDClassifier().set_fit_request(coef_init=True)
        meta = Learn2MixClassifier(inner)
        routing = meta.get_metadata_routing()
        assert routing.consumes("fit", ["groups"]) == {"groups"}  # this estimator's own
        coef = np.zeros((1, 2))
        routed = inner_fit_params(meta, {"coef_init": coef}, np.zeros((4, 2)))
        assert routed.keys() == {"coef_init"} and routed["coef_init"] is coef
        with pytest.raises((TypeError, ValueError), match="intercept_init"):
            inner_fit_params(meta, {"intercept_init": np.zeros(1)}, np.zeros((4, 2)))
