"""The controller alone turns per-group loss sums into the mixer's input."""

import numpy as np
import pytest
from _rounds import end_round, end_round_from_samples

from sklearn_l2m._prepare.training_data import TrainingData
from sklearn_l2m._training.controller import MixingController
from sklearn_l2m.mixers import Learn2Mix, NaturalMixer


class _Recorder(NaturalMixer):
    """A mixer that keeps every loss vector it is given."""

    def update(self, group_losses):
        self.seen_ = [*getattr(self, "seen_", []), np.asarray(group_losses, dtype=float)]
        return super().update(group_losses)


def _controller(loss_source="validation", **kwargs):
    # three groups; only groups 0 and 1 have validation rows
    codes = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    data = TrainingData(
        np.arange(16.0).reshape(8, 2),
        np.zeros(8, dtype=int),
        np.ones(8),
        codes,
        X_val=np.zeros((3, 2)),
        y_val=np.zeros(3, dtype=int),
        weight_val=np.ones(3),
        codes_val=np.array([0, 1, 1]),
        n_groups=3,
        n_classes=1,
    )
    return MixingController(_Recorder(), data, loss_source=loss_source, **kwargs)


def test_means_nan_for_empty_groups_and_the_objective():
    controller = _controller()
    assert controller.missing.tolist() == [False, False, True]
    # validation: group 0 sums 2 over weight 1, group 1 sums 3 over weight 2
    end_round(controller, val=([2.0, 3.0, 0.0], [1.0, 2.0, 0.0]))
    np.testing.assert_array_equal(controller.mixer.seen_[0][:2], [2.0, 1.5])
    assert np.isnan(controller.mixer.seen_[0][2])  # missing and no training sums: NaN
    assert controller.objective_history == [5.0 / 3.0]


def test_groups_without_validation_rows_take_their_training_mean():
    controller = _controller()
    end_round(
        controller, val=([2.0, 3.0, 0.0], [1.0, 2.0, 0.0]), train=([9.0, 9.0, 6.0], [3, 2, 3])
    )
    np.testing.assert_array_equal(controller.mixer.seen_[0], [2.0, 1.5, 2.0])


def test_training_losses_drive_the_mixture_when_asked():
    controller = _controller(loss_source="train")
    assert controller.missing.tolist() == [False, False, False]  # no fallback needed
    end_round(
        controller, val=([1.0, 1.0, 0.0], [1.0, 1.0, 0.0]), train=([3.0, 4.0, 0.0], [3, 2, 0])
    )
    np.testing.assert_array_equal(controller.mixer.seen_[0][:2], [1.0, 2.0])
    assert np.isnan(controller.mixer.seen_[0][2])
    assert controller.objective_history == [1.0]  # validation still scores the round


def test_per_sample_losses_are_summed_the_same_way():
    by_sums, by_samples = _controller(), _controller()
    val = np.array([2.0, 1.0, 2.0])
    train = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    end_round_from_samples(by_samples, val=val, train=train)
    end_round(by_sums, val=([2.0, 3.0, 0.0], [1.0, 2.0, 0.0]), train=([6.0, 9.0, 21.0], [3, 2, 3]))
    np.testing.assert_array_equal(by_samples.mixer.seen_[0], by_sums.mixer.seen_[0])
    assert by_samples.objective_history == by_sums.objective_history


def test_fallback_rows_alone_measure_the_missing_groups():
    controller = _controller()
    fallback = controller.fallback
    assert fallback.rows.tolist() == [5, 6, 7]  # the training rows of group 2
    end_round_from_samples(
        controller, val=np.array([2.0, 1.0, 2.0]), fallback=np.array([1.0, 2.0, 6.0])
    )
    np.testing.assert_array_equal(controller.mixer.seen_[0], [2.0, 1.5, 3.0])


def test_a_missing_signal_is_a_backend_bug():
    with pytest.raises(RuntimeError, match="no train losses"):
        end_round(_controller(loss_source="train"), val=([1.0, 1.0, 0.0], [1.0, 1.0, 0.0]))


def test_early_stopping_counts_rounds_without_improvement():
    controller = _controller(early_stopping=True, n_iter_no_change=2, tol=0.1)
    objectives = [1.0, 0.5, 0.45, 0.48]  # improves, then twice by less than tol
    stops = [end_round(controller, val=([v, 0.0, 0.0], [1.0, 0.0, 0.0])) for v in objectives]
    assert stops == [False, False, False, True]
    assert controller.stop_reason == "early_stopping"


def test_missing_groups_given_without_data_for_a_distributed_controller():
    controller = MixingController(
        Learn2Mix(mixing_rate=1.0, shrinkage=0.0, min_weight=0.0, max_weight=None, pooled_rows=0),
        None,
        group_weight=np.array([3.0, 1.0]),
        missing=np.array([False, True]),
    )
    end_round(controller, val=([1.0, 0.0], [1.0, 0.0]), train=([6.0, 3.0], [3.0, 1.0]))
    # losses (1, 3): the mixture jumps to the loss shares
    np.testing.assert_allclose(controller.mixture, [0.25, 0.75])


def test_a_detached_copy_leaves_data_and_callbacks_on_the_client():
    controller = _controller()
    controller.callbacks.append(lambda c: None)
    remote = controller.detached()
    assert remote.data is None and remote.fallback is None and remote.callbacks == []
    np.testing.assert_array_equal(remote.missing, controller.missing)
    # the copy moves on its own: the client's histories are untouched
    end_round(remote, val=(np.ones(3), np.ones(3)), train=(np.ones(3), np.ones(3)))
    assert len(remote.loss_history) == 1 and controller.loss_history == []
    assert controller.fallback is not None and len(controller.callbacks) == 1


def test_data_of_any_kind_gives_the_controller_its_totals():
    """The controller reads group weights and validation counts, not rows,
    unless the rows are on this machine (the fallback part)."""

    class Totals:  # what a distributed fit's data offers
        rows_on_client = False
        has_validation = True
        group_weight = np.array([3.0, 2.0, 3.0])
        validation_counts = np.array([1, 2, 0])

    controller = MixingController(_Recorder(), Totals(), loss_source="validation")
    np.testing.assert_allclose(controller.natural, [3 / 8, 2 / 8, 3 / 8])
    assert controller.missing.tolist() == [False, False, True]
    assert controller.fallback is None  # the rows stay where they are
    in_memory = _controller()
    np.testing.assert_allclose(in_memory.natural, controller.natural)
    assert in_memory.fallback.rows.tolist() == [5, 6, 7]


def test_group_scale_weights_rows_as_sample_weight_does():
    """The per-group rule (for rows the controller does not hold) and the
    per-row weights give the same training weights."""
    controller = _controller(loss_source="train")
    controller.mixture = np.array([0.2, 0.5, 0.3])
    data, step = controller.data, controller.begin()
    per_row = step.scale[data.codes_train] * data.weight_train
    np.testing.assert_allclose(per_row, step.sample_weight(data))
    assert per_row.sum() == pytest.approx(data.weight_train.sum())
    np.testing.assert_allclose(
        np.bincount(data.codes_train, per_row) / per_row.sum(), [0.2, 0.5, 0.3]
    )


def test_round_off_below_zero_is_a_zero_loss_and_a_real_negative_loss_an_error():
    """skorch's NLLLoss takes log(p + 1e-12): a perfectly predicted group sums to
    about -1e-12 per row, which is no misconfiguration (found by the broad suite on a
    customer type of 7 rows); a loss negative by O(1) is one."""
    controller = _controller()
    end_round(controller, val=([-3e-12, 3.0, 0.0], [3.0, 2.0, 0.0]))
    assert controller.mixer.seen_[0][0] == 0.0
    with pytest.raises(ValueError, match="loss is negative for groups \\[1\\]"):
        end_round(_controller(), val=([1.0, -0.5, 0.0], [1.0, 2.0, 0.0]))
