"""Update rules: exact values, simplex, floor, hostile losses, resolution."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_l2m.mixers import (
    BalancedMixer,
    BoundedGroupLoss,
    DoReMi,
    FixedMixer,
    GroupDRO,
    Learn2Mix,
    MixMin,
    NaturalMixer,
    apply_bounds,
    apply_floor,
    check_mixer,
    pool_group_losses,
)

#: the paper's plain rule: no shrinkage, no bounds, no pooling of small groups
PLAIN = dict(shrinkage=0.0, min_weight=0.0, max_weight=None, pooled_rows=0.0)
UNGUARDED = dict(min_weight=0.0, max_weight=None, pooled_rows=0.0)

ADAPTIVE = [
    Learn2Mix(0.3, **PLAIN),
    Learn2Mix(0.3),
    GroupDRO(step_size=0.5),
    DoReMi(step_size=1.0),
    BoundedGroupLoss(step_size=1.0),
]
ALL = [*ADAPTIVE, NaturalMixer(), BalancedMixer(), FixedMixer([0.2, 0.3, 0.5]), MixMin()]


def test_learn2mix_matches_hand_computed_rule():
    mixer = Learn2Mix(mixing_rate=0.1, **PLAIN)
    np.testing.assert_allclose(mixer.start([60, 30, 10]), [0.6, 0.3, 0.1])
    # L / sum(L) = [0.1, 0.3, 0.6]; alpha + 0.1 * (shares - alpha)
    np.testing.assert_allclose(mixer.update([1.0, 3.0, 6.0]), [0.55, 0.30, 0.15])
    # second step from [0.55, 0.30, 0.15] towards [0.25, 0.25, 0.5]
    np.testing.assert_allclose(mixer.update([2.0, 2.0, 4.0]), [0.52, 0.295, 0.185])


def test_learn2mix_rate_zero_keeps_natural_and_rate_one_jumps():
    still = Learn2Mix(mixing_rate=0.0, **PLAIN)
    natural = still.start([5, 15])
    for losses in ([1, 9], [100, 0.1], [0, 0]):
        np.testing.assert_array_equal(still.update(losses), natural)
    jump = Learn2Mix(mixing_rate=1.0, **PLAIN)
    jump.start([5, 15])
    np.testing.assert_allclose(jump.update([1.0, 3.0]), [0.25, 0.75])


def test_shrinkage_moves_the_fixed_point_towards_natural():
    mixer = Learn2Mix(mixing_rate=1.0, **{**PLAIN, "shrinkage": 0.5})
    mixer.start([75, 25])
    # target = 0.5 * [0.25, 0.75] + 0.5 * [0.75, 0.25]
    np.testing.assert_allclose(mixer.update([1.0, 3.0]), [0.5, 0.5])


@pytest.mark.parametrize(
    "start_balance, expected", [(0.0, [0.8, 0.2]), (0.5, [0.65, 0.35]), (1.0, [0.5, 0.5])]
)
def test_start_balance_starts_between_natural_and_balanced(start_balance, expected):
    mixer = Learn2Mix(mixing_rate=0.5, start_balance=start_balance, **PLAIN)
    np.testing.assert_allclose(mixer.start([80, 20]), expected)
    # the rule itself is unchanged: half way to the loss shares (0.25, 0.75)
    np.testing.assert_allclose(mixer.update([1.0, 3.0]), 0.5 * np.add(expected, [0.25, 0.75]))


def test_start_balance_out_of_range_is_rejected():
    with pytest.raises(ValueError, match="start_balance"):
        Learn2Mix(start_balance=1.5).start([1, 1])


def test_learn2mix_converges_to_loss_shares():
    mixer = Learn2Mix(mixing_rate=0.2, **PLAIN)
    mixer.start([1, 1, 1, 1])
    for _ in range(200):
        alpha = mixer.update([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(alpha, [0.1, 0.2, 0.3, 0.4], atol=1e-9)


def test_floor_keeps_every_group_alive():
    mixer = Learn2Mix(mixing_rate=1.0, **{**PLAIN, "min_weight": 0.15})
    mixer.start([1, 1, 1])
    alpha = mixer.update([0.0, 0.0, 5.0])
    np.testing.assert_allclose(mixer.floor_, [0.05, 0.05, 0.05])
    assert alpha.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(alpha, [0.05, 0.05, 0.9])


def test_ceiling_caps_a_group_at_max_weight_times_its_share():
    """A one-row group cannot take over: its multiplier stops at max_weight."""
    sizes = [500, 499, 1]
    for mixer in (
        Learn2Mix(mixing_rate=1.0, **{**PLAIN, "max_weight": 5.0}),
        GroupDRO(step_size=5.0, **{**UNGUARDED, "max_weight": 5.0}),
        BalancedMixer(),
    ):
        mixer.start(sizes)
        for _ in range(5):
            alpha = mixer.update([0.1, 0.1, 10.0])
        ratio = alpha / (np.array(sizes) / 1000)
        if isinstance(mixer, BalancedMixer):  # a static mixture is what the user asked for
            assert ratio[2] > 300
        else:
            assert ratio[2] == pytest.approx(5.0)
            assert alpha.sum() == pytest.approx(1.0)


def test_apply_bounds_keeps_both_bounds_and_the_simplex():
    out = apply_bounds([0.1, 0.1, 0.8], [0.05, 0.05, 0.05], [1.0, 1.0, 0.5])
    np.testing.assert_allclose(out, [0.25, 0.25, 0.5])
    rng = np.random.RandomState(0)
    for _ in range(200):
        n = rng.randint(2, 8)
        natural = rng.dirichlet(np.ones(n))
        alpha = rng.dirichlet(np.ones(n) * 0.2)
        out = apply_bounds(alpha, 0.1 * natural, 5.0 * natural)
        assert out.sum() == pytest.approx(1.0)
        assert np.all(out >= 0.1 * natural - 1e-12) and np.all(out <= 5.0 * natural + 1e-12)


def test_pooling_shrinks_a_small_groups_loss_toward_the_pooled_loss():
    losses = np.array([1.0, 1.0, 9.0])
    pooled = pool_group_losses(losses, np.array([500.0, 500.0, 2.0]), 10.0)
    assert pooled[0] == pytest.approx(1.0, abs=0.05)
    # the 2-row group keeps 2 / 12 of its own loss: (2 * 9 + 10 * 1.016) / 12
    assert pooled[2] == pytest.approx((2 * 9 + 10 * (1000 + 18) / 1002) / 12)
    np.testing.assert_array_equal(pool_group_losses(losses, np.ones(3), 0.0), losses)
    assert np.isnan(pool_group_losses(np.array([1.0, np.nan]), np.ones(2), 10.0)[1])


def test_a_small_groups_noisy_loss_moves_the_mixture_less_when_pooled():
    raw, pooled = (
        Learn2Mix(mixing_rate=0.5, **{**PLAIN, "pooled_rows": rows}) for rows in (0.0, 10.0)
    )
    for mixer in (raw, pooled):
        mixer.start([500, 500, 3], loss_sizes=[50, 50, 1])
        mixer.update([0.5, 0.5, 5.0])  # one validation row, one bad prediction
    assert pooled.mixture_[2] < 0.6 * raw.mixture_[2]


@pytest.mark.parametrize(
    "mixer",
    [
        Learn2Mix(mixing_rate=0.0),
        GroupDRO(step_size=0.0),
        DoReMi(step_size=0.0),
        BoundedGroupLoss(step_size=0.0),
    ],
    ids=lambda m: type(m).__name__,
)
def test_a_zero_rate_keeps_the_natural_mixture_for_every_adaptive_mixer(mixer):
    natural = mixer.start([70, 20, 10])
    np.testing.assert_allclose(natural, [0.7, 0.2, 0.1])
    assert not mixer.moves
    for _ in range(3):
        np.testing.assert_array_equal(mixer.update([0.1, 1.0, 5.0]), natural)


def test_bounded_group_loss_raises_groups_over_the_bound_until_they_meet_it():
    mixer = BoundedGroupLoss(upper_bound=1.0, step_size=1.0, **UNGUARDED)
    mixer.start([80, 20])
    np.testing.assert_allclose(mixer.update([0.5, 2.0]), [0.4, 0.6])  # lambda = [0, 1]
    np.testing.assert_allclose(mixer.multipliers_, [0.0, 1.0])
    # the group now meets its bound: its multiplier stays, the other's stays at 0
    np.testing.assert_allclose(mixer.update([0.5, 1.0]), [0.4, 0.6])
    # under the bound: it gives weight back
    mixer.update([0.5, 0.5])
    np.testing.assert_allclose(mixer.multipliers_, [0.0, 0.5])


def test_apply_floor_is_identity_above_floor_and_exact_below():
    alpha = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(apply_floor(alpha, 0.1), alpha)
    out = apply_floor(np.array([0.98, 0.01, 0.01]), np.array([0.0, 0.1, 0.2]))
    np.testing.assert_allclose(out, [0.7, 0.1, 0.2])


@pytest.mark.parametrize("mixer", ALL, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize(
    "losses",
    [
        [0, 0, 0],
        [1, 1, 1],
        [1e300, 1e300, 1],
        [np.inf, 1, 2],
        [np.inf, np.inf, 0],
        [np.nan, 1, 2],
        [np.nan, np.nan, np.nan],
        [1e-300, 0, 0],
        [1.7e308, 1.7e308, 1.7e308],
    ],
)
def test_hostile_losses_never_break_the_simplex(mixer, losses):
    mixer.start([50, 30, 20])
    with np.errstate(over="raise", invalid="raise"):
        for _ in range(3):
            alpha = mixer.update(losses)
    assert np.all(np.isfinite(alpha))
    assert alpha.sum() == pytest.approx(1.0)
    assert np.all(alpha >= mixer.floor_ - 1e-12)
    if mixer.ceiling_ is not None:
        assert np.all(alpha <= mixer.ceiling_ + 1e-12)


def test_nan_loss_keeps_that_groups_share():
    mixer = Learn2Mix(mixing_rate=0.5, **PLAIN)
    mixer.start([40, 40, 20])
    alpha = mixer.update([1.0, 3.0, np.nan])
    assert alpha[2] == pytest.approx(0.2)
    # the other two share 0.8 by their losses: targets 0.2 / 0.6
    np.testing.assert_allclose(alpha[:2], [0.3, 0.5])


def test_negative_losses_and_wrong_shapes_are_rejected():
    mixer = Learn2Mix()
    mixer.start([1, 1])
    with pytest.raises(ValueError, match="non-negative"):
        mixer.update([-1.0, 1.0])
    with pytest.raises(ValueError, match="one loss per group"):
        mixer.update([1.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match="start"):
        Learn2Mix().update([1.0])
    with pytest.raises(ValueError, match="min_weight"):
        Learn2Mix(min_weight=1.0).start([1, 1])
    with pytest.raises(ValueError, match="max_weight"):
        Learn2Mix(max_weight=0.5).start([1, 1])


def test_group_dro_moves_weight_to_the_worst_group():
    mixer = GroupDRO(step_size=0.5, start_from="uniform", **UNGUARDED)
    np.testing.assert_allclose(mixer.start([900, 100]), [0.5, 0.5])
    for _ in range(50):
        alpha = mixer.update([0.2, 1.0])
    assert alpha[1] > 0.95
    # hand-computed single step: q * exp(eta * L / L_pooled) normalised
    one = GroupDRO(step_size=1.0, start_from="uniform", **UNGUARDED)
    one.start([1, 1])
    expected = np.exp([0.0, 2.0]) / np.exp([0.0, 2.0]).sum()  # pooled loss 0.5
    np.testing.assert_allclose(one.update([0.0, 1.0]), expected)
    # the natural start: step 0 is the plain model, a step moves from pi
    natural = GroupDRO(step_size=1.0, **UNGUARDED)
    np.testing.assert_allclose(natural.start([900, 100]), [0.9, 0.1])


def test_group_dro_is_free_of_the_loss_scale():
    """Squared errors in dollars or in thousands of dollars give one mixture."""
    small, large = GroupDRO(step_size=0.3), GroupDRO(step_size=0.3)
    for mixer, scale in ((small, 1.0), (large, 1e6)):
        mixer.start([60, 30, 10])
        for _ in range(5):
            mixer.update(scale * np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(small.mixture_, large.mixture_)


def test_group_dro_generalization_adjustment_favours_small_groups():
    mixer = GroupDRO(
        step_size=1.0, generalization_adjustment=1.0, start_from="uniform", **UNGUARDED
    )
    mixer.start([400, 4])
    alpha = mixer.update([1.0, 1.0])  # equal losses: only C / sqrt(n) differs
    assert alpha[1] > alpha[0]


def test_doremi_uses_excess_loss_over_reference():
    mixer = DoReMi(step_size=1.0, smoothing=0.0, **UNGUARDED)
    mixer.start([1, 1])
    first = mixer.update([5.0, 1.0])  # first round: becomes the reference
    np.testing.assert_allclose(first, [0.5, 0.5])
    # group 0 stays at its reference (excess 0), group 1 got worse by 1
    second = mixer.update([5.0, 2.0])
    np.testing.assert_allclose(second, np.exp([0, 1]) / np.exp([0, 1]).sum())


def test_static_mixers():
    np.testing.assert_allclose(NaturalMixer().start([3, 1]), [0.75, 0.25])
    np.testing.assert_allclose(BalancedMixer().start([3, 1]), [0.5, 0.5])
    fixed = FixedMixer({"b": 0.9, "a": 0.1})
    np.testing.assert_allclose(fixed.start([3, 1], groups=["a", "b"]), [0.1, 0.9])
    np.testing.assert_allclose(fixed.update([1, 100]), [0.1, 0.9])


@pytest.mark.parametrize(
    "mixture, groups, match",
    [
        ({"c": 1.0}, ["a", "b"], "unknown groups"),
        ({"a": 0.5, "b": 0.6}, ["a", "b"], "sum to 1"),
        ([0.5, 0.6], None, "sum to 1"),
        ([1.0], None, "2 groups"),
        ([1.5, -0.5], None, "non-negative"),
        (None, None, "needs a mixture"),
    ],
)
def test_fixed_mixture_errors(mixture, groups, match):
    with pytest.raises(ValueError, match=match):
        FixedMixer(mixture).start([1, 1], groups=groups)


def test_check_mixer_resolves_every_spelling():
    assert isinstance(check_mixer("learn2mix"), Learn2Mix)
    assert check_mixer("learn2mix").get_params() == Learn2Mix().get_params()
    assert isinstance(check_mixer("bounded_group_loss"), BoundedGroupLoss)
    assert isinstance(check_mixer("balanced"), BalancedMixer)
    assert isinstance(check_mixer({"a": 1.0}), FixedMixer)
    assert isinstance(check_mixer([0.2, 0.8]), FixedMixer)
    user = GroupDRO(step_size=0.3)
    resolved = check_mixer(user)
    assert resolved is not user and resolved.step_size == 0.3
    with pytest.raises(ValueError, match="Unknown mixer 'learn2max'"):
        check_mixer("learn2max")
    with pytest.raises(TypeError, match="mixer must be"):
        check_mixer(3.5)


@settings(max_examples=60, deadline=None)
@given(
    sizes=arrays(np.float64, st.integers(2, 8), elements=st.floats(1, 1e4)),
    data=st.data(),
    rate=st.floats(0, 1),
    min_weight=st.floats(0, 0.9),
)
def test_property_every_mixer_stays_on_simplex_above_floor(sizes, data, rate, min_weight):
    n = sizes.size
    losses = data.draw(
        arrays(np.float64, n, elements=st.one_of(st.floats(0, 1e300), st.just(np.inf)))
    )
    natural = sizes / sizes.sum()
    floor = min_weight * natural
    bounds = dict(min_weight=min_weight, max_weight=5.0)
    for mixer in (
        Learn2Mix(rate, **bounds),
        GroupDRO(step_size=rate * 10, **bounds),
        DoReMi(step_size=rate, **bounds),
        BoundedGroupLoss(step_size=rate, **bounds),
    ):
        mixer.start(sizes)
        for _ in range(3):
            alpha = mixer.update(losses)
        assert np.all(np.isfinite(alpha))
        assert abs(alpha.sum() - 1) < 1e-9
        assert np.all(alpha >= floor * (1 - 1e-9))
        assert np.all(alpha <= 5.0 * natural * (1 + 1e-9))


@settings(max_examples=60, deadline=None)
@given(
    alpha=arrays(np.float64, st.integers(1, 6), elements=st.floats(1e-6, 1)),
    losses_seed=st.integers(0, 2**31 - 1),
    rate=st.floats(0, 1),
)
def test_property_learn2mix_is_a_convex_step(alpha, losses_seed, rate):
    alpha = alpha / alpha.sum()
    losses = np.random.RandomState(losses_seed).exponential(size=alpha.size)
    mixer = Learn2Mix(rate, **PLAIN)
    mixer.start(alpha)
    new = mixer.update(losses)
    expected = alpha + rate * (losses / losses.sum() - alpha)
    np.testing.assert_allclose(new, expected, atol=1e-12)
