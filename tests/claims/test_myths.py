"""Claims of docs/reference/myths.md, checked across seeds against arithmetic and theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_backpropagation_through_ten_equal_factors_is_a_tenth_power(published, seed):
    # The chain rule: the input's gradient is W₁ ⋯ W₁₀ times the upstream gradient. A square
    # orthogonal kernel scaled by g multiplies every vector's norm by exactly g (Saxe et al. 2014),
    # so ten of them give g¹⁰: 0.5¹⁰ = 1/1024, 1.5¹⁰ ≈ 57.67. float32 rounding over ten 64 × 64
    # products is ~1e-6 relative; 1e-4 leaves a hundredfold margin.
    values = published("myths_arithmetic", seed)
    assert values["measured_half_gain_10_layers"] == pytest.approx(0.5**10, rel=1e-4)
    assert values["measured_one_and_half_gain_10_layers"] == pytest.approx(1.5**10, rel=1e-4)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tensorflow_sigmoid_derivative_peaks_at_a_quarter_and_vanishes_in_the_tails(published, seed):
    # σ′ = σ(1 − σ): ¼ at x = 0, which the grid linspace(−10, 10, 2001) contains, and
    # e⁻¹⁰ / (1 + e⁻¹⁰)² ≈ 4.5e-5 at x = 10. The values are TensorFlow's autodiff in float64.
    values = published("myths_arithmetic", seed)
    assert values["sigmoid_derivative_max"] == pytest.approx(0.25, rel=1e-9)
    assert values["sigmoid_derivative_at_10"] == pytest.approx(math.exp(-10) / (1 + math.exp(-10)) ** 2, rel=1e-6)
    assert values["sigmoid_min"] == pytest.approx(1 / (1 + math.exp(10)), rel=1e-9)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_half_of_relu_derivatives_are_zero_for_standard_normal_inputs(published, seed):
    # ReLU′(x) = 0 for x < 0 and P(x < 0) = 1/2 for x ~ N(0, 1). With n = 100 000 samples the
    # binomial standard error is 0.5/√n ≈ 0.0016; 0.01 is more than six standard errors.
    values = published("myths_arithmetic", seed)
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
    # min(1, c/‖g‖) ≤ 1 for every c > 0: clipping can only shrink a gradient. The sweep's
    # thresholds (1e-8 … 10) include ones above ‖g‖ ≲ 1e-3, where the factor is exactly 1, so
    # the largest ratio over the sweep is 1 up to float32 rounding.
    assert published("myths_networks", seed)["max_clipped_over_raw_any_threshold"] == pytest.approx(1.0, abs=1e-5)


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
    # With Var(w) = 1/fan_in, E[relu(z)²] = Var(z)/2, so the pre-activation variance halves per
    # layer: 2⁻²⁹ ≈ 1.9e-9 at layer 30 for unit-variance inputs, and the activation's variance is
    # (1/2 − 1/2π) ≈ 0.34 of that, ≈ 6e-10. At width 64 the product of 29 random factors
    # spreads by a few times either way; [1e-11, 1e-7] allows 60× below and 150× above.
    assert 1e-11 < published("myths_networks", seed)["relu_last_variance"] < 1e-7
