"""Warnings that guard a fit against settings or data that would surprise the user:
groups too small to measure, and a budget other than the inner model's own."""

from __future__ import annotations

import numpy as np

from .._warnings import warn_user

#: a group with fewer rows (training and held-out together) is too small to measure
MIN_GROUP_ROWS = 20


def warn_small_groups(labels, group_weight, validation_counts, mixer) -> None:
    """Warn once, naming every group with fewer than :data:`MIN_GROUP_ROWS` rows,
    when the mixer can move a group's weight away from its natural share."""
    if not (mixer.moves or mixer.offline or not _is_natural(mixer)):
        return
    rows = np.asarray(group_weight, dtype=np.float64)
    if validation_counts is not None:
        rows = rows + np.asarray(validation_counts, dtype=np.float64)
    small = rows < MIN_GROUP_ROWS
    if not small.any():
        return
    named = ", ".join(
        f"{label!r} ({size:.0f} rows)"
        for label, size in zip(np.asarray(labels)[small].tolist()[:10], rows[small])
    )
    if mixer.max_weight is not None:
        bound = (
            f"their weight stays within [{mixer.min_weight:g}, {mixer.max_weight:g}] x their "
            "natural shares (the mixer's min_weight / max_weight)"
        )
    else:
        bound = "nothing bounds its weight (the mixer's max_weight is None)"
    warn_user(
        f"Groups {named} have fewer than {MIN_GROUP_ROWS} rows: their losses are too "
        f"noisy to measure, and a few rows (or one mislabelled row) can be up-weighted; "
        f"{bound}. Merge small groups into larger ones, or compare against the plain "
        "model on your worst group (sklearn_l2m.model_selection.compare) before you "
        "rely on the mixture.",
        UserWarning,
    )


def _is_natural(mixer) -> bool:
    from ..mixers import NaturalMixer

    return isinstance(mixer, NaturalMixer)


def warn_budget_replaced(total_steps: int, budget: int, n_rounds, steps_per_round, unit) -> None:
    """``n_rounds`` x ``steps_per_round`` replaced the inner model's own budget."""
    warn_user(
        f"n_rounds={n_rounds} x steps_per_round={steps_per_round} trains "
        f"{total_steps} {unit}s, but the inner model's own budget is {budget}; the "
        f"fit trains {total_steps}. To keep the inner model's budget, set only one of "
        "n_rounds and steps_per_round (the other 'auto').",
        UserWarning,
    )
