"""Claims of docs/remedies/optimisers.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

BETA_1, BETA_2 = 0.9, 0.999  # Keras's Adam defaults
DEPTH = 8


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sgd_leaves_the_first_layer_behind(published, seed):
    # SGD's displacement is lr × accumulated gradient, and between hidden layers 1 and 8 the gradient
    # crosses 7 sigmoid derivatives (each ≤ 1/4) with Glorot weights of gain ≈ 1: ≲ 4⁻⁷ ≈ 6e-5.
    # Layers 1 and 8 have the same shape and initial scale, so the relative-change ratio is the same
    # order; "orders of magnitude less" is the claim, and 0.01 leaves a factor ~150 above 4⁻⁷ for
    # operator-norm slack and the input scale.
    assert published("optimiser_layer_updates", seed)["sgd_ratio"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adam_moves_first_and_last_layers_comparably(published, seed):
    # Kingma & Ba (2015), §2.1: Adam's step is ≈ α per parameter whatever the gradient's scale, so
    # equal-shaped layers with equal initial scale move by comparable relative amounts: ratio O(1),
    # a factor 10 either way for different sign consistency of the gradients across steps.
    values = published("optimiser_layer_updates", seed)
    assert 0.1 < values["adam_ratio"] < 10
    assert values["adam_ratio"] > 100 * values["sgd_ratio"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adam_step_obeys_kingma_and_ba_bound(published, seed):
    # |Δθ| ≤ α (1 − β₁) / √(1 − β₂) when (1 − β₁) > √(1 − β₂): 3.16 α with Keras's defaults; ε only
    # makes steps smaller. 1 % slack for float32.
    bound = (1 - BETA_1) / math.sqrt(1 - BETA_2)
    assert published("optimiser_layer_updates", seed)["adam_largest_step_over_rate"] <= bound * 1.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_rmsprop_epsilon_inside_the_root_switches_scaling_off(published, seed):
    # Keras's RMSprop step is lr·g/√(v + ε): with ε = 1e-7 the denominator is ≥ 3.2e-4, far above the
    # first layer's RMS gradient (≲ 1e-6), so the first layer moves like SGD (ratio ≪ 1). With ε = 1e-20
    # the denominator is ≈ |g| for every layer and the ratio is O(1), like Adam's. The default's first
    # layer is damped by ≈ 3.2e-4 / 1e-7 ≈ 3e3 relative to the tiny-ε run; claim ≥ 100×.
    values = published("optimiser_layer_updates", seed)
    assert values["rmsprop_ratio"] < 0.05
    assert 0.1 < values["rmsprop_tiny_epsilon_ratio"] < 10
    assert values["rmsprop_tiny_epsilon_ratio"] > 100 * values["rmsprop_ratio"]


# Keras's Adam.update_step: θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε), with uncorrected m and v.
# Dividing numerator and denominator by √(1 − β₂ᵗ) gives lr · m̂ / (√v̂ + ε/√(1 − β₂ᵗ)); for a gradient
# g that is the same at every step m̂ = g and √v̂ = g, so the step is lr · g / (g + ε_t) and halves at
# g = ε_t = ε / √(1 − β₂ᵗ). The page's old claim (ε itself, 1e-7) is off by √1000 ≈ 31.6 at step 1.
EPSILON = 1e-7  # Keras's Adam default


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("step", [1, 10, 100, 1000, 10000])
def test_adam_damps_gradients_below_epsilon_over_root_one_minus_beta2_power(published, seed, step):
    values = published("adam_epsilon_threshold", seed)
    expected = EPSILON / math.sqrt(1 - BETA_2**step)
    # Measured by log-log interpolation on a grid of 20 points per decade: 2 % covers the
    # interpolation error of a smooth curve; float32 rounding of g and ε is far smaller.
    assert values[f"half_step_gradient_step_{step}"] == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adam_step_is_the_learning_rate_for_gradients_far_above_epsilon(published, seed):
    # g = 1e-3: lr · g / (g + ε_t) = lr / (1 + 3.16e-3) at step 1 and lr / (1 + 1e-4) at step 10000.
    values = published("adam_epsilon_threshold", seed)
    assert values["large_gradient_step_over_rate_step_1"] == pytest.approx(1 / (1 + EPSILON / math.sqrt(1 - BETA_2) / 1e-3), rel=1e-3)
    assert values["large_gradient_step_over_rate_step_10000"] == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_first_layer_receives_a_vanishing_backward_signal(published, seed):
    # Between hidden layers 1 and 8 the backward signal crosses 7 sigmoid derivatives (≤ 1/4 each,
    # ≈ 0.2 in practice) and 7 Glorot kernels (gain ≈ 1): about 4⁻⁷ ≈ 6e-5, within a factor ~30 either
    # way for the weights' spectra. The kernel gradient adds the input activations, which for sigmoid
    # layers are all ≈ 0.5 in scale, so the two ratios agree within a factor 3 (the page says so).
    values = published("optimiser_layer_updates", seed)
    assert 2e-6 < values["signal_first_over_last"] < 2e-3
    assert 1 / 3 < values["kernel_gradient_first_over_last"] / values["signal_first_over_last"] < 3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adams_default_epsilon_damps_the_first_layer(published, seed):
    # The first layer's gradient entries (RMS) lie below ε_t for t ≤ 100 (ε/√(1 − β₂¹⁰⁰) = 3.2e-7), so
    # its steps are lr·g/(g + ε_t) < lr/2; with ε = 1e-20 they are ≈ lr. The first layer must then
    # move farther with the tiny ε (by more than 1.5×, the factor g + ε_t over g is ≥ 2 at the start),
    # but not more than the factor ε_1/g allows at the very first step.
    values = published("optimiser_layer_updates", seed)
    assert values["first_kernel_gradient_rms"] < values["adam_effective_epsilon_last_step"]
    ratio = values["adam_tiny_epsilon_first_over_default_first"]
    assert 1.5 < ratio < 1 + values["adam_effective_epsilon_step_1"] / values["first_kernel_gradient_rms"]
