"""Which losses drive the mixture, and which rows of ``X`` are held out for them.

One rule for in-memory and distributed fits.
"""

from __future__ import annotations

import numpy as np

#: ``loss_source="auto"`` holds out a validation part only if its rarest group
#: gets at least this many rows.
MIN_VALIDATION_ROWS = 10


def needs_signal(mixer) -> bool:
    """Whether ``mixer`` reads losses: it moves during training, or searches offline."""
    return bool(mixer.offline or mixer.moves)


def choose_loss_source(
    group_counts,
    *,
    loss_source: str,
    validation_fraction: float | None,
    early_stopping: bool,
    explicit_validation: bool,
    needs_signal: bool = True,
    needs_validation: bool = False,
):
    """The loss source (``"validation"`` or ``"train"``) and the share of ``X`` to hold
    out (None: train on every row).

    Rows are held out only when something reads them:

    * an explicit ``X_val`` is always used (validation losses);
    * a mixture that cannot move (a fixed mixer, ``mixing_rate=0``) needs no
      signal: nothing is held out unless ``early_stopping`` watches the
      validation loss, so it trains exactly as the plain inner model;
    * ``loss_source="train"`` holds out only for ``early_stopping``;
    * a mixer that ``needs_validation`` (an offline search, a target's loss)
      gets its held-out rows under ``"auto"`` whatever the group sizes;
    * ``"auto"`` holds out ``validation_fraction`` only if the rarest group
      would get at least :data:`MIN_VALIDATION_ROWS` validation rows; below
      that a group's validation loss is noise and the rows are worth more as
      training data, so the training losses of all rows drive the mixture
      (the paper's signal). See benchmarks/RESULTS.md, "Defaults".
    """
    fraction = validation_fraction
    keep = fraction if early_stopping else None
    if explicit_validation:
        return "validation", fraction
    if not needs_signal or loss_source == "train":
        return "train", keep
    if loss_source == "validation" or needs_validation:
        return "validation", fraction
    if fraction is not None and np.min(group_counts) * fraction >= MIN_VALIDATION_ROWS:
        return "validation", fraction
    return "train", keep


def describe_loss_source(loss_source: str, data) -> str:
    """One line saying which losses drive the mixture and why (``verbose >= 1``)."""
    if loss_source == "validation":
        counts = data.validation_counts
        if counts is None:
            return "losses from the held-out rows"
        return (
            f"losses from the held-out rows ({int(np.sum(counts))} rows, the smallest "
            f"group has {int(np.min(counts))})"
        )
    if data.has_validation:
        return "losses from the training rows (rows are held out for early stopping only)"
    return (
        "losses from the training rows, nothing held out (loss_source='train', a mixture "
        f"that cannot move, or a group with fewer than {MIN_VALIDATION_ROWS} validation rows)"
    )
