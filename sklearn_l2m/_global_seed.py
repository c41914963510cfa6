"""numpy's and torch's global generators seeded for a block: how a model without
``random_state`` of its own (a plain skorch net) is made reproducible."""

from __future__ import annotations

import sys
from contextlib import contextmanager, nullcontext

import numpy as np


@contextmanager
def _seeded(seed: int):
    state = np.random.get_state()
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    try:
        if torch is None:
            yield
        else:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                yield
    finally:
        np.random.set_state(state)


def global_seed(seed):
    """numpy's and (if imported) torch's global generators seeded with ``seed`` for
    the block, then restored; nothing for ``seed=None``. A model without
    ``random_state`` (a plain skorch net) then starts from the weights a Learn2Mix
    estimator with ``random_state=seed`` uses."""
    return nullcontext() if seed is None else _seeded(int(seed))
