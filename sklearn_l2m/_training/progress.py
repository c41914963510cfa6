"""Progress over rounds: a tqdm bar when tqdm is installed, plain lines otherwise."""

from __future__ import annotations

import contextlib
import sys

import numpy as np


def _print(line: str) -> None:
    print(line, file=sys.stderr)


@contextlib.contextmanager
def attach_progress(controller, n_rounds: int, verbose: int, name: str):
    """Report each finished round while the block runs (``verbose > 0``).

    1: a tqdm bar (plain lines without tqdm); 2 and above: also one line per
    round with the mixture and the group losses.
    """
    if not verbose:
        yield
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: the core needs only numpy / scipy / sklearn
        tqdm = None
    bar = tqdm(total=n_rounds, desc=name, unit="round", file=sys.stderr) if tqdm else None
    detailed = verbose >= 2 or bar is None

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
        if detailed:
            round_no = len(ctrl.loss_history)
            line = f"[{name}] round {round_no}/{n_rounds} " + " ".join(
                f"{k}={v}" for k, v in info.items()
            )
            if verbose >= 2:
                line += (
                    f" mixture={np.array2string(ctrl.mixture, precision=3)}"
                    f" group_loss={np.array2string(ctrl.loss_history[-1], precision=3)}"
                )
            if bar is not None:
                tqdm.write(line, file=sys.stderr)  # above the bar
            else:
                _print(line)

    controller.callbacks.append(report)
    try:
        yield
    finally:
        controller.callbacks.remove(report)
        if bar is not None:
            bar.close()
