"""In-memory preparation (_prepare/memory.py), with no estimator behind it."""

import numpy as np
import pytest

from sklearn_l2m._prepare.groups import codes_for
from sklearn_l2m._prepare.in_memory import Task, check_training_data, hold_out
from sklearn_l2m._prepare.loss_source import choose_loss_source
from sklearn_l2m._prepare.target import ClassTarget

NO_VALIDATION = (None, None, None, None)


def _task(**kw):
    seen = []
    task = Task(
        is_classifier=True,
        estimator_name="Learn2MixClassifier",
        target=ClassTarget(),
        check_X=lambda X, name: np.asarray(X, dtype=float),
        record_features=lambda X, reset: seen.append((X.shape[1], reset)),
        choose_signal=lambda counts, explicit_validation: choose_loss_source(
            counts,
            loss_source="auto",
            validation_fraction=0.1,
            early_stopping=False,
            explicit_validation=explicit_validation,
        ),
        **kw,
    )
    return task, seen


def _data(n=400):
    rng = np.random.RandomState(0)
    return rng.randn(n, 3), np.repeat(["x", "y"], [n * 3 // 4, n // 4])


def test_checked_data_are_encoded_and_the_features_recorded():
    X, y = _data()
    task, seen = _task()
    checked = check_training_data(X, y, None, None, task)
    assert task.target.classes.tolist() == ["x", "y"]
    assert checked.group_labels.tolist() == ["x", "y"] and checked.weight.sum() == 400
    assert seen == [(3, True)]
    with pytest.raises(ValueError, match="X has 400, y has 3"):
        check_training_data(X, y[:3], None, None, task)


def test_a_stratified_part_is_held_out_when_every_group_is_large_enough():
    X, y = _data()
    task, _ = _task(split_seed=3)
    data, source = hold_out(check_training_data(X, y, None, None, task), None, NO_VALIDATION, task)
    assert source == "validation" and data.holds_out_rows_of_X
    assert data.validation_counts.tolist() == [30, 10]


def test_small_groups_train_on_every_row_from_training_losses():
    X, y = _data(120)
    task, _ = _task()
    data, source = hold_out(check_training_data(X, y, None, None, task), None, NO_VALIDATION, task)
    assert source == "train" and not data.has_validation and data.n_train == 120


def test_an_explicit_validation_set_is_checked_and_encoded():
    X, y = _data()
    task, seen = _task()
    checked = check_training_data(X, y, None, None, task)
    validation = (X[:10], np.array(["y"] * 10), None, None)
    data, source = hold_out(checked, None, validation, task)
    assert source == "validation" and data.y_val.tolist() == [1] * 10
    assert seen[-1] == (3, False)  # the feature count is checked, not reset
    with pytest.raises(ValueError, match="X_val has 10, y_val has 2"):
        hold_out(checked, None, (X[:10], np.array(["y", "x"]), None, None), task)


@pytest.mark.parametrize(
    ("labels", "values", "unseen"),
    [(["a", "b"], [1, 2], r"\[1, 2\]"), ([1, 2], [1, 3], r"\[3\]"), (["a", "b"], ["b", "c"], "c")],
)
def test_validation_labels_of_another_kind_are_named_as_unseen(labels, values, unseen):
    """Strings against numbers compare row by row on every numpy (an older one
    answered with one scalar and a FutureWarning)."""
    with pytest.raises(ValueError, match=rf"groups_val contains labels not seen .*{unseen}"):
        codes_for(np.array(labels), np.array(values), input_name="groups_val")
