"""Claims of docs/exploding/large-initialisation.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS

SCALE = 3.0  # σ / σ_He in both snippets
DEPTH = 10  # hidden layers


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_backward_signal_grows_by_sigma_over_he_per_layer(published, seed):
    # ReLU layer with N(0, σ²) weights and n units: E‖Wᵀ(δ ⊙ 1[z>0])‖² = n σ² · ½ ‖δ‖², a gain of
    # σ / σ_He per layer. From hidden layer 10 back to 1 the signal crosses 9 layers: 3⁹ ≈ 19683.
    # Each layer's squared gain fluctuates by ~√(2/64) ≈ 18 %, so a factor 10 either way is generous.
    values = published("large_init_layer_gradients", seed)
    expected = SCALE ** (DEPTH - 1)
    assert values["predicted_signal_ratio"] == pytest.approx(expected)
    assert expected / 10 < values["large_signal_ratio"] < expected * 10
    assert values["large_signal_ratio"] > 10  # the brief's floor, implied by the line above


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_initialisation_keeps_the_signal(published, seed):
    # He et al. (2015): σ² = 2 / fan_in makes the per-layer gain 1, so the ratio is of order 1.
    assert 0.1 < published("large_init_layer_gradients", seed)["he_signal_ratio"] < 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_kernel_gradients_are_equally_large_across_layers(published, seed):
    # ∂L/∂W_l = h_{l-1}ᵀ ∂L/∂z_l: activations grow forwards by 3^(l-1) while the signal grows
    # backwards by 3^(L-l); the product is 3^(L-1) for every layer, so the first/last ratio is O(1)
    # instead of 3⁹. Two orders of magnitude of room below, one above.
    assert 0.01 < published("large_init_layer_gradients", seed)["large_kernel_ratio"] < 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_init_kernel_gradient_dwarfs_he(published, seed):
    # Relative to the He network, the output (11 kernels, ReLU homogeneous, zero biases) is 3¹¹
    # larger, so is the MSE error, and the backward pass to layer 1 multiplies by another 3¹⁰:
    # about 3²¹ ≈ 1e10. Allow a factor 100 below for the He network's error not being its output.
    values = published("large_init_layer_gradients", seed)
    assert values["large_first_kernel_gradient"] / values["he_first_kernel_gradient"] > SCALE**21 / 100


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_init_diverges_within_a_few_steps_and_he_does_not(published, seed):
    values = published("large_init_divergence", seed)
    # lr · ‖∂L/∂W‖ / ‖W‖ with a gradient ~1e10 times He's: the first step is many times the weight
    # itself (> 1 means the step leaves the region the gradient describes).
    assert values["large_first_relative_update"] > 1
    assert values["diverged"] is True
    assert 1 <= values["nan_step"] <= 5
    # He's gain of 1 keeps lr · gradient a small fraction of the weights: never 10 % in one step.
    assert values["he_diverged"] is False
    assert values["he_largest_relative_update"] < 0.1
    assert values["he_final_loss"] < values["he_first_loss"]
