"""Progress over rounds: a tqdm bar when tqdm is installed, plain lines otherwise."""

from __future__ import annotations

import contextlib
import sys

import numpy as np


@contextlib.contextmanager
def attach_progress(controller, n_rounds: int, verbose: int, name: str):
    """Report each finished round while the block runs (``verbose > 0``)."""
    if not verbose:
        yield
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: the core needs only numpy / scipy / sklearn
        tqdm = None
    bar = tqdm(total=n_rounds, desc=name, unit="round", file=sys.stderr) if tqdm else None

    def report(ctrl):
        worst = (
            np.nanmax(ctrl.loss_history[-1]) if np.any(~np.isnan(ctrl.loss_history[-1])) else np.nan
        )
        info = {"worst_group_loss": f"{worst:.4g}"}
        if ctrl.objective_history:
            info["val_loss"] = f"{ctrl.objective_history[-1]:.4g}"
        if bar is not None:
            bar.set_postfix(info, refresh=False)
            bar.update(1)
        else:
            round_no = len(ctrl.loss_history)
            print(
                f"[{name}] round {round_no}/{n_rounds} "
                + " ".join(f"{k}={v}" for k, v in info.items()),
                file=sys.stderr,
            )

    controller.callbacks.append(report)
    try:
        yield
    finally:
        controller.callbacks.remove(report)
        if bar is not None:
            bar.close()
