"""Claims of docs/remedies/history.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("depth", [2, 3])
def test_shallow_sigmoid_nets_keep_the_gradient(published, seed, depth):
    # At most 2 sigmoid derivatives separate the first and last hidden layers; for unsaturated units
    # σ′ ≥ 0.1 (|z| < 2.2) and Glorot weights keep ‖Wᵀv‖ ≈ ‖v‖, so the ratio is ≳ 0.1² × O(1) ≈ 1e-2;
    # 1e-3 allows for a few unlucky weights.
    assert published("sigmoid_depth_sweep", seed)[f"ratio_depth_{depth}"] >= 1e-3


def finite_width_margin(layers):
    # Hanin (2018): log‖g‖² over L layers of width 64 has variance ≈ 5·L/64; four standard deviations
    # of log‖g‖.
    return math.exp(4 * math.sqrt(5 * layers / 64) / 2)


# Mean field for sigmoid + Glorot: each layer multiplies the squared backward signal by χ = E[σ′(h)²],
# h ~ N(0, q), with χ ∈ [0.045, 0.056] as q drifts from 1 to ≈ 0.27 (activation_gradient_ratios
# integrates it): √χ ∈ [0.212, 0.236] per layer. A kernel gradient is (input)ᵀ × δ, so the kernel
# ratio also carries RMS(x)/RMS(h) ≈ 1/0.5 = 2 and, with the batch's rows between independent and
# aligned, up to √256 = 16 either way.
SQRT_CHI = (0.212, 0.236)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("depth", [10, 15, 20])
def test_deep_sigmoid_nets_lose_it(published, seed, depth):
    # depth − 1 factors √χ: ≈ 0.22⁹ ≈ 1e-6 at depth 10, ≈ 1e-12 at depth 20.
    ratio = published("sigmoid_depth_sweep", seed)[f"ratio_depth_{depth}"]
    margin = finite_width_margin(depth - 1) * 16
    assert SQRT_CHI[0] ** (depth - 1) / margin <= ratio <= 2 * SQRT_CHI[1] ** (depth - 1) * margin
    assert ratio <= 1e-4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_twenty_layers_lose_more_than_eight_orders_of_magnitude(published, seed):
    # 19 factors √χ ≤ 0.236: ≤ 1.2e-12; even with every margin above (2·16·11.4) the upper end,
    # ≈ 4e-10, is more than eight orders of magnitude below 1.
    ratio = published("sigmoid_depth_sweep", seed)["ratio_depth_20"]
    margin = finite_width_margin(19) * 16
    upper = 2 * SQRT_CHI[1] ** 19 * margin
    assert upper < 1e-8
    assert SQRT_CHI[0] ** 19 / margin <= ratio <= upper


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_each_added_layer_costs_about_the_sigmoid_bound(published, seed):
    # Per layer: mean σ′ over the pre-activations (≈ 0.2 for unit-variance inputs, ≤ 1/4 always) times
    # the weights' gain (≈ 1 for Glorot at fan_in = fan_out); [0.1, 0.35] allows ±40 % for the gain.
    assert 0.1 <= published("sigmoid_depth_sweep", seed)["factor_per_layer"] <= 0.35


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_backward_signal_loses_sqrt_chi_per_sigmoid_layer(published, seed):
    # Mean field: each sigmoid layer with Glorot weights (n·Var(w) = 1) multiplies the squared backward
    # signal by χ = E[σ′(h)²], h ~ N(0, q); q drifts from 1 (layer 1) to ≈ 0.27 deeper, giving
    # χ ∈ [0.045, 0.056] (activation_gradient_ratios integrates it), so √χ ∈ [0.212, 0.236].
    # Finite width: log‖g‖ at depth 20 spreads by ≈ 0.6 (Hanin 2018's 5·L/n); a slope fitted over
    # depths 2…20 moves by ≈ 0.6·√2/18 ≈ 0.05 in log, four of those a factor 1.22 either way.
    margin = 1.22
    factor = published("sigmoid_depth_sweep", seed)["signal_factor_per_layer"]
    assert 0.212 / margin <= factor <= 0.236 * margin


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_backward_signal_at_20_layers_matches_19_factors_of_sqrt_chi(published, seed):
    # 19 factors √χ with χ ∈ [0.045, 0.056]: between 0.212¹⁹ ≈ 1.6e-13 and 0.236¹⁹ ≈ 1.2e-12,
    # widened by the finite-width factor e^(4·0.61) ≈ 11.4 either way.
    ratio = published("sigmoid_depth_sweep", seed)["signal_ratio_depth_20"]
    assert SQRT_CHI[0] ** 19 / finite_width_margin(19) <= ratio <= SQRT_CHI[1] ** 19 * finite_width_margin(19)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_kernel_and_signal_lose_about_the_same_factor_per_layer(published, seed):
    # The page: fitted over all six depths, the kernel-gradient and backward-signal ratios lose about the
    # same factor per layer. At each depth the kernel ratio is the signal ratio times RMS(x)/RMS(h) ≈ 2 and
    # a batch-alignment factor of up to √256 = 16 either way, so log(kernel/signal) moves by at most
    # ln 32 ≈ 3.47 per depth. A least-squares slope over depths 2, 3, 5, 10, 15, 20 (Σ|d − d̄| ≈ 35,
    # Σ(d − d̄)² ≈ 259) then moves by at most 35·3.47/259 ≈ 0.47 in log: a factor e^0.47 ≈ 1.6 either way.
    values = published("sigmoid_depth_sweep", seed)
    assert 1 / 1.6 <= values["factor_per_layer"] / values["signal_factor_per_layer"] <= 1.6
