"""Backend for skorch neural nets (PyTorch, CPU or GPU).

ONE ``net.fit``. For its duration the backend

* feeds the training ``DataLoader`` through a batch sampler of its own
  (``iterator_train__batch_sampler``): :class:`MixtureBatchSampler` composes
  every batch from the current mixture (``mixing_mode="resample"``, the
  paper's way), :class:`ShuffledBatchSampler` shuffles as usual
  (``"reweight"``); either records which rows each batch holds, and draws
  them straight from ``X`` (the validation rows are never drawn), so the
  training rows are not copied; for skorch's own ``Dataset`` on an array the
  loader fetches each batch with one ``dataset[rows]`` lookup instead of one
  lookup per row and a collate;
* runs the criterion with ``reduction="none"``, so the validation pass skorch
  already makes every epoch yields per-sample losses (no second forward
  pass), and in ``"reweight"`` mode multiplies each training sample's loss by
  its mixture weight, kept on the net's device;
* adds a callback that, every ``steps_per_round`` epochs, hands the losses to
  the controller and installs the new mixture.

Afterwards the net's own settings (iterator, criterion reduction, callbacks,
train split) are restored: ``estimator_`` is an ordinary trained skorch net.
"""

from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager

import numpy as np

from .._warnings import warn_user
from ._base import Backend
from ._samplers import MixtureBatchSampler, ShuffledBatchSampler

_OURS = "learn2mix"
#: torch draws initial weights, dropout masks and shuffles from one global
#: generator; seeded fits in several threads would interleave their draws, so
#: the seeded part of every net fit runs under this lock (same seed, same net,
#: in threads as serially)
_TORCH_SEED_LOCK = threading.RLock()
_ITERATOR_KEYS = ("batch_sampler", "batch_size", "shuffle", "sampler", "drop_last")


@contextmanager
def _ctrl_c_recorded():
    """Record SIGINT (Ctrl-C) while the block runs, then let it act as before.

    skorch catches the KeyboardInterrupt and returns a partly trained net; the
    record lets the backend tell a user's Ctrl-C from a callback's stop. Only
    the main thread receives signals: elsewhere nothing is recorded.
    """
    hits: list = []
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (
        signal.SIG_IGN,
        None,
    ):
        yield hits
        return

    def handler(signum, frame):
        hits.append(signum)
        if callable(previous):
            previous(signum, frame)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield hits
    finally:
        signal.signal(signal.SIGINT, previous)


def _fetches_whole_batches(net, X) -> bool:
    """Whether the training loader can take a batch with one ``dataset[rows]``.

    True for skorch's own ``Dataset`` on a dense array or tensor with the
    default ``DataLoader``, and no collate function of the user's.
    """
    import torch
    from skorch.dataset import Dataset

    if net.dataset is not Dataset or net.iterator_train is not torch.utils.data.DataLoader:
        return False
    if hasattr(net, "iterator_train__collate_fn"):
        return False
    if isinstance(X, np.ndarray):
        return X.dtype.kind in "fiub"
    return isinstance(X, torch.Tensor)


def _is_default_split(net, split) -> bool:
    """Whether ``split`` equals the ``train_split`` default of the net's class."""
    import inspect

    for cls in type(net).__mro__:
        init = cls.__dict__.get("__init__")
        param = inspect.signature(init).parameters.get("train_split") if init else None
        if param is not None and param.default is not inspect.Parameter.empty:
            default = param.default
            return type(split) is type(default) and vars(split) == vars(default)
    return False


@contextmanager
def _configured_for_mixing(net, X_fit, sampler, callback, valid):
    """The net's settings for one mixed ``fit``, restored afterwards.

    The sampler feeds the training loader, the criterion runs with
    ``reduction="none"`` (the callback reduces per-sample losses), the mixing
    callback joins the user's, and ``valid`` replaces ``train_split``. After
    the fit, ``net`` is an ordinary trained skorch net with the user's settings.
    """
    ours = [f"iterator_train__{k}" for k in _ITERATOR_KEYS] + ["criterion__reduction"]
    # skorch keeps prefixed settings as attributes: set_params adds them, and
    # deleting the attribute is the only way back to "not set"
    saved = {key: getattr(net, key) for key in ours if hasattr(net, key)}
    saved_callbacks, saved_split = net.callbacks, net.train_split
    for key in saved:
        delattr(net, key)
    if _fetches_whole_batches(net, X_fit):
        # the loader indexes the dataset once per batch with the sampler's
        # rows, instead of once per row followed by a collate
        sampler.emit_arrays = True
        loader = dict(iterator_train__sampler=sampler, iterator_train__batch_size=None)
    else:
        loader = dict(iterator_train__batch_sampler=sampler, iterator_train__batch_size=1)
    net.set_params(
        **loader,
        iterator_train__shuffle=False,
        criterion__reduction="none",
        callbacks=[*(saved_callbacks or []), (_OURS, callback)],
        train_split=valid,
    )
    original_get_loss = net.get_loss

    def get_loss(y_pred, y_true, X=None, training=False):
        per_sample = original_get_loss(y_pred, y_true, X=X, training=training)
        return callback.reduce(per_sample, training)

    net.get_loss = get_loss  # on the instance: the class's own get_loss is untouched
    try:
        yield net
    finally:
        del net.get_loss
        for key in ours:
            if hasattr(net, key):
                delattr(net, key)
        for key, value in saved.items():  # set_params refuses these on a fitted net
            setattr(net, key, value)
        net.set_params(callbacks=saved_callbacks, train_split=saved_split)
        if hasattr(net, "callbacks_"):
            net.callbacks_ = [(n, cb) for n, cb in net.callbacks_ if n != _OURS]
        if getattr(net, "initialized_", False):
            net.initialize_criterion()  # back to the user's reduction


class SkorchBackend(Backend):
    """Mix inside one skorch training run, by batch composition or loss weights."""

    stochastic = True
    step_unit = "epoch"
    #: "resample" (batch composition, the paper's) or "reweight" (loss weights)
    mixing_modes = ("resample", "reweight")
    #: skorch takes arrays and tensors of any rank, and dicts of them
    checks_sample_axis_only = True
    #: torch modules are float32 by default
    input_dtype = np.float32

    def check(self) -> None:
        from skorch import NeuralNetClassifier, NeuralNetRegressor

        net = self.estimator
        wanted = NeuralNetClassifier if self.is_classifier else NeuralNetRegressor
        if not isinstance(net, wanted):
            raise TypeError(
                f"This meta-estimator needs a skorch {wanted.__name__} as estimator; got "
                f"{type(net).__name__}."
            )
        criterion = net.criterion
        import inspect

        split = net.train_split
        if split is not None and not _is_default_split(net, split):
            warn_user(
                f"The net's train_split={split!r} is replaced during the fit: Learn2Mix "
                "holds out its own validation part (validation_fraction, or X_val / "
                "y_val) and feeds it to skorch as the validation set, so skorch's "
                "valid_loss is measured on it. Pass train_split=None to silence this.",
                UserWarning,
            )

        if isinstance(criterion, type):
            params = inspect.signature(criterion).parameters
            if "reduction" not in params and not any(
                p.kind == p.VAR_KEYWORD for p in params.values()
            ):
                raise TypeError(
                    f"The criterion {criterion.__name__} takes no 'reduction' argument; "
                    "Learn2Mix needs per-sample losses (reduction='none'). Give the "
                    "criterion a reduction parameter, as torch.nn losses have."
                )

    @classmethod
    def inference(cls):
        return _TORCH_SEED_LOCK

    @contextmanager
    def seeded(self):
        import torch

        with _TORCH_SEED_LOCK, torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.init_seed)  # as a plain net after torch.manual_seed
            yield

    def batch_size(self) -> int:
        net = self.estimator
        size = getattr(net, "iterator_train__batch_size", net.batch_size)
        return int(size)

    def budget(self) -> int:
        return int(self.estimator.max_epochs)

    def set_budget(self, total_steps: int) -> None:
        self.estimator.set_params(max_epochs=int(total_steps))

    def updates_per_step(self, n_train: int) -> int:
        size = self.batch_size()
        return 1 if size == -1 else max(1, math.ceil(n_train / size))

    def train(self, data, plan, controller):
        net = self.estimator
        X_fit, y_fit, sampler = self._training_rows(data, controller)
        from ._skorch_callback import MixingCallback  # imports skorch

        callback = MixingCallback(self, controller, plan, sampler)
        with _configured_for_mixing(net, X_fit, sampler, callback, self._validation(data)):
            with self.seeded(), _ctrl_c_recorded() as hits:
                net.fit(X_fit, y_fit, **self.fit_params)
        # skorch ends training on Ctrl-C and returns; here Ctrl-C ends the whole
        # fit, and the estimator keeps its previous model, as for every backend
        if callback.interrupted is not None:
            raise callback.interrupted
        if hits:
            raise KeyboardInterrupt("Ctrl-C during the skorch net's training")
        return net

    def _training_rows(self, data, controller):
        """What ``net.fit`` gets, and the batch sampler that picks the training rows."""
        n_train = data.y_train.shape[0]
        size = self.batch_size()
        size = n_train if size == -1 else size
        # Train on X itself when the validation rows were held out of it: the
        # sampler only ever draws training rows, so they are never copied.
        if data.holds_out_rows_of_X:
            X_fit, y_fit, row_index = data.X, self.net_target(data.y), data.train_rows
        else:
            X_fit, y_fit, row_index = data.X_train, self.net_target(data.y_train), None
        if self.mixing_mode == "resample":
            sampler = MixtureBatchSampler(
                data.codes_train,
                size,
                controller.begin().mixture,  # the callback installs the next ones
                seed=self.random_state,
                row_index=row_index,
            )
        else:
            sampler = ShuffledBatchSampler(
                n_train, size, seed=self.random_state, row_index=row_index
            )
        return X_fit, y_fit, sampler

    def _validation(self, data):
        """Learn2Mix's validation part as skorch's ``train_split`` (None: none)."""
        from skorch.dataset import Dataset
        from skorch.helper import predefined_split

        if not data.has_validation:
            return None
        return predefined_split(Dataset(data.X_val, self.net_target(data.y_val)))

    def net_target(self, y):
        """Targets as nets expect them: int64 classes, float32 column for regression."""
        if self.is_classifier:
            return np.asarray(y, dtype=np.int64)
        y = np.asarray(y, dtype=np.float32)
        return y.reshape(-1, 1) if y.ndim == 1 else y
