"""The skorch callback that mixes inside one ``net.fit`` (imports skorch and torch)."""

from __future__ import annotations

import numpy as np
import torch
from skorch.callbacks import Callback

from .._training.round_end import RoundLosses


class _TrainLossSums:
    """Per-group sums of a round's training losses, kept on the net's device."""

    def __init__(self, codes, n_groups: int, device):
        self.codes = torch.as_tensor(codes, device=device)
        self.n_groups = n_groups
        self.loss_sum = torch.zeros(n_groups, dtype=torch.float64, device=device)
        self.count = torch.zeros(n_groups, dtype=torch.float64, device=device)

    def add(self, rows, per_sample) -> None:
        group = self.codes[rows]
        detached = per_sample.detach().to(torch.float64)
        self.loss_sum += torch.bincount(group, weights=detached, minlength=self.n_groups)
        self.count += torch.bincount(group, minlength=self.n_groups).to(torch.float64)

    def take(self) -> tuple:
        """The round's ``(loss_sum, count)`` as arrays; the sums start again at 0."""
        sums = (self.loss_sum.cpu().numpy().copy(), self.count.cpu().numpy().copy())
        self.loss_sum.zero_()
        self.count.zero_()
        return sums


class MixingCallback(Callback):
    """The skorch callback that ends rounds inside one ``net.fit``.

    At the end of every round it hands the round's losses to the controller
    (skorch's own validation pass gives the per-sample validation losses) and
    installs the new mixture: the batch sampler reads it, or (``"reweight"``)
    the per-sample loss weights on the net's device. Each epoch it records the
    mixture and the last group losses in ``net.history`` (``learn2mix_mixture``,
    ``learn2mix_group_loss``), as skorch's own callbacks record their state.

    Parameters
    ----------
    backend : SkorchBackend
    controller : MixingController
    plan : RoundPlan
    sampler : MixtureBatchSampler or ShuffledBatchSampler
        Records which training rows each batch holds.
    """

    def __init__(self, backend, controller, plan, sampler):
        self.backend = backend
        self.controller = controller
        self.plan = plan
        self.sampler = sampler

    def initialize(self):
        controller = self.controller
        self.round_ends = self.plan.round_ends()
        self.last_round_end = max(self.round_ends)
        self.device = self.backend.estimator.device
        self.rows = None
        self.val_losses = []
        self.measure, self.data = controller.measure, controller.data
        #: the controller's last answer (round 0: the first mixture)
        self.step = controller.begin()
        self.train_sums = None
        if self.measure.train_rows:
            data = self.data
            self.train_sums = _TrainLossSums(data.codes_train, data.n_groups, self.device)
        self.weights = None
        if self.backend.mixing_mode == "reweight":
            self.weights = torch.as_tensor(
                self.step.sample_weight(self.data), dtype=torch.float32, device=self.device
            )
        return self

    def _keep_best_round(self, net, step, ends: bool) -> None:
        """With early stopping, keep the module's parameters of the best round so far;
        a run that ends (early, at its budget, or on a non-finite loss) ends with them."""
        if not self.measure.keeps_best:
            return
        if step.diverged:
            if self.best_state is not None:
                net.module_.load_state_dict(self.best_state)
            return
        if step.is_best:
            self.best_state = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        elif ends and self.best_state is not None:  # early stop: the best round's net
            net.module_.load_state_dict(self.best_state)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.epoch = 0
        self.best_state = None
        #: a KeyboardInterrupt from the round end itself (skorch would swallow it)
        self.interrupted = None

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.rows = torch.as_tensor(self.sampler.claim(), device=self.device)

    def reduce(self, per_sample, training):
        """The scalar loss skorch back-propagates and logs."""
        if per_sample.dim() > 1:
            per_sample = per_sample.reshape(per_sample.shape[0], -1).mean(dim=1)
        if not training:
            self.val_losses.append(per_sample.detach())
        elif self.train_sums is not None:
            self.train_sums.add(self.rows, per_sample)
        if training and self.weights is not None:
            return (per_sample * self.weights[self.rows]).mean()
        return per_sample.mean()

    def on_epoch_end(self, net, **kwargs):
        self.epoch += 1
        val, self.val_losses = self.val_losses, []
        stop = False
        if self.epoch in self.round_ends:
            val = torch.cat(val).cpu().numpy().astype(np.float64) if val else None
            train = self.train_sums.take() if self.train_sums is not None else None
            losses = RoundLosses.from_samples(
                self.round_ends[self.epoch], self.data, self.measure, val=val, train_sums=train
            )
            try:
                self.step = step = self.controller.end_round(losses)
            except KeyboardInterrupt as exc:
                self.interrupted = exc
                raise
            stop = step.stop
            self.sampler.set_mixture(step.mixture)
            if self.weights is not None:
                weights = torch.as_tensor(step.sample_weight(self.data), dtype=torch.float32)
                self.weights.copy_(weights)
            # the run ends at a stop or at its last round: either way, the best round's net
            self._keep_best_round(net, step, stop or self.epoch == self.last_round_end)
        net.history.record("learn2mix_mixture", self.step.mixture.tolist())
        if self.step.group_loss is not None:
            net.history.record("learn2mix_group_loss", self.step.group_loss.tolist())
        if stop:
            raise KeyboardInterrupt  # skorch's way to end fit early (as EarlyStopping)
