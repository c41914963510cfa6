"""The skorch backend and the mixture batch sampler."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.backends._samplers import (
    MixtureBatchSampler,
    ShuffledBatchSampler,
    stochastic_counts,
)
from sklearn_l2m.mixers import Learn2Mix

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")
from torch import nn  # noqa: E402


class MLP(nn.Module):
    def __init__(self, n_in=64, n_out=10, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out))

    def forward(self, X):
        return torch.softmax(self.net(X), dim=-1)


class Linear(nn.Module):
    def __init__(self, n_in=64):
        super().__init__()
        self.lin = nn.Linear(n_in, 1)

    def forward(self, X):
        return self.lin(X)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0)[:600], y[:600]


def net(**kw):
    params = dict(
        max_epochs=4,
        batch_size=64,
        optimizer=torch.optim.Adam,
        lr=0.01,
        verbose=0,
        train_split=None,
    )
    params.update(kw)
    return skorch.NeuralNetClassifier(params.pop("module", MLP), **params)


# -- the sampler -----------------------------------------------------------------
def test_stochastic_counts_exact_size_and_unbiased():
    rng = np.random.RandomState(0)
    alpha = np.array([0.905, 0.09, 0.004, 0.001])
    draws = np.array([stochastic_counts(alpha, 100, rng) for _ in range(20000)])
    assert np.all(draws.sum(axis=1) == 100)
    np.testing.assert_allclose(draws.mean(axis=0), alpha * 100, atol=0.02)
    # the group with alpha * M = 0.1 appears in about 10% of batches, never starved
    assert 0.08 < (draws[:, 3] > 0).mean() < 0.12


def test_sampler_batches_follow_the_mixture_and_cover_groups():
    codes = np.repeat([0, 1, 2], [500, 60, 7])
    sampler = MixtureBatchSampler(codes, 50, [0.5, 0.3, 0.2], seed=0)
    assert len(sampler) == 12  # ceil(567 / 50)
    seen = {g: [] for g in range(3)}
    counts = []
    for batch in sampler:
        assert len(batch) == 50
        assert np.array_equal(sampler.claim(), batch)
        batch_codes = codes[batch]
        counts.append(np.bincount(batch_codes, minlength=3))
        for g in range(3):
            seen[g].extend(np.asarray(batch)[batch_codes == g])
    np.testing.assert_allclose(np.mean(counts, axis=0), [25, 15, 10], atol=1)
    # within-group cycling: every row of group 1 (60 rows) once before any repeats
    first_60 = seen[1][:60]
    assert sorted(first_60) == list(range(500, 560))
    # group 2 (7 rows) cycles: each block of 7 is a permutation of its rows
    for start in range(0, len(seen[2]) - 7, 7):
        assert sorted(seen[2][start : start + 7]) == list(range(560, 567))


def test_sampler_reads_the_current_mixture():
    codes = np.repeat([0, 1], [100, 100])
    sampler = MixtureBatchSampler(codes, 10, [1.0, 0.0], seed=0)
    it = iter(sampler)
    assert set(codes[next(it)]) == {0}
    sampler.set_mixture([0.0, 1.0])
    assert set(codes[next(it)]) == {1}


def test_shuffled_sampler_visits_every_row_once():
    sampler = ShuffledBatchSampler(103, 10, seed=1)
    rows = np.concatenate([np.asarray(b) for b in sampler])
    assert sorted(rows) == list(range(103))


# -- the backend -----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["resample", "reweight"])
def test_classifier_trains_in_one_run_and_restores_the_net(digits, mode):
    X, y = digits
    clf = Learn2MixClassifier(net(), mixing_mode=mode, steps_per_round=2, random_state=0)
    clf.fit(X, y)
    assert clf.n_rounds_ == 2 and clf.mixture_history_.shape == (3, 10)
    est = clf.estimator_
    assert isinstance(est, skorch.NeuralNetClassifier)
    assert len(est.history) == 4  # one fit of max_epochs epochs
    assert "criterion__reduction" not in est.get_params()
    assert est.criterion_.reduction == "mean"
    assert all(name != "learn2mix" for name, _ in est.callbacks_)
    assert "iterator_train__batch_sampler" not in est.get_params()
    assert est.train_split is None
    assert clf.score(X, y) > 0.7
    # the mixture and group losses are in the net's own history, epoch by epoch
    mixtures = est.history[:, "learn2mix_mixture"]
    assert len(mixtures) == 4
    np.testing.assert_allclose(mixtures[1], clf.mixture_history_[1])  # round 1 ends at epoch 2
    np.testing.assert_allclose(mixtures[3], clf.mixture_)
    np.testing.assert_allclose(est.history[-1, "learn2mix_group_loss"], clf.group_loss_history_[-1])
    # the trained net works on its own
    np.testing.assert_allclose(est.predict_proba(X.astype(np.float32)), clf.predict_proba(X))


def test_validation_losses_come_from_skorchs_own_validation_pass(digits, monkeypatch):
    X, y = digits
    calls = {"n": 0}
    original = MLP.forward

    def counting_forward(self, X):
        calls["n"] += X.shape[0]
        return original(self, X)

    monkeypatch.setattr(MLP, "forward", counting_forward)
    clf = Learn2MixClassifier(
        net(max_epochs=3), steps_per_round=1, loss_source="validation", random_state=0
    )
    clf.fit(X, y)
    n_val = 60  # 10% of 600, stratified
    n_train = 540
    batches = -(-n_train // 64)
    # per epoch: the training batches (64 rows each) + ONE validation pass
    assert calls["n"] == 3 * (batches * 64 + n_val)
    assert np.all(np.isfinite(clf.group_loss_history_))


def test_train_loss_mode_and_reweight_weights_reach_the_loss(digits):
    X, y = digits
    clf = Learn2MixClassifier(
        net(), loss_source="train", mixing_mode="reweight", validation_fraction=None, random_state=0
    ).fit(X, y)
    assert clf.group_loss_history_.shape == (clf.n_rounds_, 10)
    assert np.all(np.isfinite(clf.group_loss_history_))
    # a fixed mixture is kept exactly: no weight on classes 1..9 leaves them untrained
    only_zero = Learn2MixClassifier(
        net(max_epochs=6),
        mixer={k: (1.0 if k == 0 else 0.0) for k in range(10)},
        mixing_mode="reweight",
        random_state=0,
    ).fit(X, y)
    pred = only_zero.predict(X)
    assert (pred == 0).mean() > 0.9


def test_same_seed_same_net_and_pickle(digits):
    X, y = digits
    a = Learn2MixClassifier(net(), random_state=5).fit(X, y)
    b = Learn2MixClassifier(net(), random_state=5).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))
    again = clone(a).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), a.predict_proba(X))


def test_regressor_with_groups(digits):
    X, y = digits
    reg = Learn2MixRegressor(
        skorch.NeuralNetRegressor(
            Linear, max_epochs=20, lr=0.05, optimizer=torch.optim.Adam, verbose=0, train_split=None
        ),
        mixer=Learn2Mix(mixing_rate=0.05),
        random_state=0,
    ).fit(X, y.astype(float), groups=y % 3)
    assert reg.predict(X).shape == (600,)
    assert reg.mixture_.shape == (3,) and reg.score(X, y) > 0.3


def test_gridsearch_over_mixing_rate_and_lr(digits):
    X, y = digits
    grid = GridSearchCV(
        Learn2MixClassifier(net(max_epochs=2), mixer=Learn2Mix(), random_state=0),
        {"mixer__mixing_rate": [0.0, 0.2], "estimator__lr": [0.01, 0.003]},
        cv=2,
    ).fit(X, y)
    assert set(grid.best_params_) == {"mixer__mixing_rate", "estimator__lr"}
    assert len(grid.cv_results_["params"]) == 4


def test_device_parameter_reaches_the_net(digits):
    X, y = digits
    clf = Learn2MixClassifier(net(device="cpu"), random_state=0).fit(X, y)
    assert clf.estimator_.device == "cpu"
    assert next(clf.estimator_.module_.parameters()).device.type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises((RuntimeError, AssertionError), match="(?i)cuda|nvidia|gpu"):
            Learn2MixClassifier(net(device="cuda"), random_state=0).fit(X, y)


def test_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="resample"):
        Learn2MixClassifier(mixing_mode="resample").fit(X, y)
    with pytest.raises(TypeError, match="NeuralNetClassifier"):
        Learn2MixRegressor(net()).fit(X, y.astype(float))


@pytest.mark.parametrize("mode", ["resample", "reweight"])
def test_training_rows_are_read_from_X_not_copied(digits, monkeypatch, mode):
    from sklearn_l2m._prepare.training_data import TrainingData

    def no_copy(self):
        raise AssertionError("the skorch backend copied the training rows")

    X, y = digits
    params = dict(mixing_mode=mode, loss_source="validation", random_state=0)
    reference = Learn2MixClassifier(net(), **params).fit(X, y)
    monkeypatch.setattr(TrainingData, "X_train", property(no_copy))
    clf = Learn2MixClassifier(net(), **params).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_sampler_maps_positions_to_dataset_rows():
    codes = np.repeat([0, 1], [6, 4])
    rows = np.arange(100, 110)
    sampler = MixtureBatchSampler(codes, 5, [0.6, 0.4], seed=0, row_index=rows)
    batch = next(iter(sampler))
    positions = sampler.claim()
    assert batch == (rows[positions]).tolist()
    assert set(batch) <= set(rows.tolist())


# -- input of any rank, paired seeds, the paper's recipe ---------------------------
class TinyCNN(nn.Module):
    def __init__(self, n_out=10):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2)
        self.out = nn.Linear(4 * 13 * 13, n_out)

    def forward(self, X):
        return torch.softmax(self.out(self.pool(torch.relu(self.conv(X))).flatten(1)), dim=-1)


class TwoInputs(nn.Module):
    def __init__(self, n_out=10):
        super().__init__()
        self.a, self.b = nn.Linear(64, n_out), nn.Linear(3, n_out)

    def forward(self, a, b):
        return torch.softmax(self.a(a) + self.b(b), dim=-1)


@pytest.mark.parametrize("mode", ["resample", "reweight"])
def test_cnn_on_image_tensors(digits, mode):
    X, y = digits
    # (n, 1, 28, 28) images as Fashion-MNIST's, float64: cast to float32
    images = np.pad(
        np.kron(X.reshape(-1, 1, 8, 8), np.ones((3, 3))), [(0, 0), (0, 0), (2, 2), (2, 2)]
    )
    assert images.shape == (len(y), 1, 28, 28)
    model = Learn2MixClassifier(
        net(module=TinyCNN, max_epochs=6),
        mixing_mode=mode,
        loss_source="validation",
        random_state=0,
    ).fit(images, y)
    assert model.n_rounds_ >= 2 and not hasattr(model, "n_features_in_")
    assert len(model.validation_loss_history_) == model.n_rounds_
    assert model.predict(images[:7]).shape == (7,)
    assert model.score(images, y) > 0.5
    # a torch tensor, and an explicit validation set of images, work alike
    tensor = torch.as_tensor(images[:400], dtype=torch.float32)
    model.fit(tensor, y[:400], X_val=images[400:], y_val=y[400:])
    assert model.predict_proba(torch.as_tensor(images[:3], dtype=torch.float32)).shape == (3, 10)


def test_dict_of_inputs_and_its_errors(digits):
    X, y = digits
    rng = np.random.RandomState(0)
    inputs = {"a": X, "b": rng.rand(len(y), 3)}
    net_ = net(module=TwoInputs, max_epochs=3)
    model = Learn2MixClassifier(net_, random_state=0).fit(inputs, y)
    assert model.predict({k: v[:5] for k, v in inputs.items()}).shape == (5,)
    with pytest.raises(ValueError, match="same number of rows"):
        Learn2MixClassifier(net_).fit({"a": X, "b": inputs["b"][:10]}, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Learn2MixClassifier(net_).fit(inputs, y[:10])
    with pytest.raises(ValueError, match="0 sample"):
        Learn2MixClassifier(net_).fit(np.empty((0, 1, 8, 8)), y[:0])


def test_non_net_models_still_need_2d_input(digits):
    X, y = digits
    with pytest.raises(ValueError, match="dim 3"):
        Learn2MixClassifier(random_state=0).fit(X.reshape(-1, 8, 8), y)


class InitialWeights(skorch.callbacks.Callback):
    """Records the module's weights when training begins."""

    seen = []

    def on_train_begin(self, net, **kwargs):
        InitialWeights.seen.append(
            {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        )


def test_plain_net_seeded_with_torch_manual_seed_pairs_with_random_state(digits):
    X, y = digits
    X = X.astype(np.float32)
    plain = net(callbacks=[InitialWeights()])
    InitialWeights.seen.clear()
    torch.manual_seed(7)
    plain.fit(X, y)
    Learn2MixClassifier(
        net(callbacks=[InitialWeights()]), mixer=Learn2Mix(mixing_rate=0), random_state=7
    ).fit(X, y)
    Learn2MixClassifier(net(callbacks=[InitialWeights()]), random_state=8).fit(X, y)
    first, paired, other = InitialWeights.seen
    for key in first:
        torch.testing.assert_close(first[key], paired[key], rtol=0, atol=0)
    assert any(not torch.equal(first[k], other[k]) for k in first)


def test_paper_recipe_updates_every_epoch_from_training_losses(digits):
    X, y = digits
    model = Learn2MixClassifier.paper(net(max_epochs=5), mixing_rate=0.5, random_state=0)
    params = model.get_params()
    mixer = (params["mixer__shrinkage"], params["mixer__min_weight"], params["mixer__max_weight"])
    assert mixer == (0.0, 0.0, None) and params["mixer__pooled_rows"] == 0.0
    assert params["loss_source"] == "train"
    assert params["validation_fraction"] is None and params["mixer__mixing_rate"] == 0.5
    model.fit(X, y)
    assert model.steps_per_round_ == 1 and model.n_rounds_ == 5
    assert model.mixing_mode == "auto" and len(model.validation_loss_history_) == 0
    assert not np.allclose(model.mixture_, model.natural_mixture_)
    assert Learn2MixRegressor.paper(Linear()).mixer.mixing_rate == 0.05
    assert Learn2MixClassifier.paper(n_rounds=3).n_rounds == 3  # overrides win


def test_a_single_round_warns_in_epochs(digits):
    X, y = digits
    with pytest.warns(UserWarning, match=r"single round of 4 epoch.*steps_per_round=1: update"):
        Learn2MixClassifier(net(), steps_per_round=4, random_state=0).fit(X, y)
