"""Claims of docs/reference/myths.md, checked across seeds against arithmetic and theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_ten_factors_compound_geometrically(published, seed):
    # A product of ten equal factors is a tenth power: 0.5¹⁰ = 1/1024 ≈ 0.098 %, 1.5¹⁰ ≈ 57.67.
    values = published("myths_arithmetic", seed)
    assert values["half_power_10"] == pytest.approx(1 / 1024, rel=1e-12)
    assert values["half_power_10"] < 0.1 / 100  # a hundred times below the myth's "10 %"
    assert values["one_and_half_power_10"] == pytest.approx(1.5**10, rel=1e-12)
    assert values["one_and_half_power_10"] > 3 * 15  # far above the myth's "15"


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_is_bounded_and_flat_unlike_the_logarithm(published, seed):
    # σ(x) = 1/(1 + e⁻ˣ) lies in (0, 1) with σ(±10) = 1/(1 + e^∓10); σ′ = σ(1 − σ) ≤ 1/4 with equality
    # at x = 0, which the grid linspace(−10, 10, 2001) contains. ln is unbounded: ln 0.01 = −4.6 < 0.
    values = published("myths_arithmetic", seed)
    assert 0 < values["sigmoid_min"] < values["sigmoid_max"] < 1
    assert values["sigmoid_at_10"] == pytest.approx(1 / (1 + math.exp(-10)), rel=1e-12)
    assert values["sigmoid_derivative_max"] == pytest.approx(0.25, abs=1e-9)
    assert values["log_at_0_01"] == pytest.approx(math.log(0.01)) and values["log_at_0_01"] < 0
    assert values["log_at_10"] > values["sigmoid_max"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_half_of_relu_derivatives_are_zero_for_standard_normal_inputs(published, seed):
    # ReLU′(x) = 0 for x < 0 and P(x < 0) = 1/2 for x ~ N(0, 1). With n = 100 000 samples the
    # binomial standard error is 0.5/√n ≈ 0.0016; 0.01 is more than six standard errors.
    values = published("myths_arithmetic", seed)
    assert values["relu_samples"] == 100_000
    assert abs(values["relu_zero_derivative_fraction"] - 0.5) < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipnorm_leaves_a_vanishing_first_layer_gradient_unchanged(published, seed):
    # Ten sigmoid layers: the first layer's gradient is ≲ 4⁻⁹ ≈ 4e-6 of the last's (σ′ ≤ 1/4,
    # Glorot keeps ‖Wᵀv‖ ≈ ‖v‖), far below a threshold of 1. clipnorm multiplies by
    # min(1, c/‖g‖) = 1 there, so the update equals the raw gradient up to float32 rounding.
    values = published("myths_networks", seed)
    assert values["raw_first_over_last"] < 1e-3
    assert values["raw_first_norm"] < values["clip_threshold"]
    assert values["clipped_over_raw_first"] == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_no_clipping_threshold_enlarges_the_gradient(published, seed):
    # min(1, c/‖g‖) ≤ 1 for every c > 0: clipping can only shrink a gradient.
    assert published("myths_networks", seed)["max_clipped_over_raw_any_threshold"] <= 1.0 + 1e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_selu_keeps_mean_zero_and_variance_one_without_normalisation(published, seed):
    # Klambauer et al. (2017), Theorem 1: with SELU's α, λ and Var(w) = 1/fan_in the (mean, variance)
    # map has a stable fixed point at (0, 1). A batch estimate over 128 × 64 values at finite width
    # fluctuates around it by a few percent per layer; ±0.15 and ±30 % leave ample room.
    values = published("myths_networks", seed)
    assert abs(values["selu_last_mean"]) < 0.15
    assert values["selu_max_abs_mean"] < 0.15
    assert 0.7 < values["selu_last_variance"] < 1.3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_lecun_weights_has_no_such_fixed_point(published, seed):
    # With Var(w) = 1/fan_in, E[relu(h)²] = Var(h)/2, so the second moment halves per layer:
    # after 30 layers about 2⁻³⁰ ≈ 1e-9 of the input's. 1e-6 leaves three orders of magnitude.
    assert published("myths_networks", seed)["relu_last_variance"] < 1e-6
