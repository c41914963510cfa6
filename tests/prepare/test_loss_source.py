"""The loss-source rule (_prepare/loss_source.py), shared by in-memory and distributed fits."""

import numpy as np
import pytest

from sklearn_l2m._prepare.loss_source import MIN_VALIDATION_ROWS, choose_loss_source, needs_signal
from sklearn_l2m.mixers import GroupDRO, Learn2Mix
from sklearn_l2m.mixers import check_mixer as resolve_mixer


def _rule(counts, **kw):
    params = dict(
        loss_source="auto",
        validation_fraction=0.1,
        early_stopping=False,
        explicit_validation=False,
        needs_signal=True,
    )
    params.update(kw)
    return choose_loss_source(np.asarray(counts), **params)


def test_auto_holds_out_only_when_the_rarest_group_gets_enough_rows():
    enough = MIN_VALIDATION_ROWS / 0.1
    assert _rule([1000, enough]) == ("validation", 0.1)
    assert _rule([1000, enough - 1]) == ("train", None)
    assert _rule([1000, enough - 1], early_stopping=True) == ("train", 0.1)


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"explicit_validation": True, "loss_source": "train"}, ("validation", 0.1)),
        ({"needs_signal": False, "loss_source": "validation"}, ("train", None)),
        ({"loss_source": "train"}, ("train", None)),
        ({"loss_source": "validation"}, ("validation", 0.1)),
    ],
    ids=["explicit-set", "fixed-mixture", "train", "validation"],
)
def test_what_holds_rows_out(settings, expected):
    assert _rule([5, 5], **settings) == expected


def test_only_mixtures_that_can_move_or_search_need_a_signal():
    assert needs_signal(resolve_mixer("learn2mix"))
    assert not needs_signal(resolve_mixer(Learn2Mix(mixing_rate=0.0)))
    assert not needs_signal(resolve_mixer(GroupDRO(step_size=0.0)))
    assert not needs_signal(resolve_mixer("balanced"))
    assert needs_signal(resolve_mixer("mixmin"))
