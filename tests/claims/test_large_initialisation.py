"""Claims of docs/exploding/large-initialisation.md, checked across seeds against theory."""

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

SCALE = 3.0  # σ / σ_He in both snippets
DEPTH, WIDTH = 10, 64  # hidden layers and their width


# ReLU: 0.4·64 degrees of freedom per layer; the signal crosses 9 layers from hidden layer 10 to 1.
BAND = fluctuation_band(WIDTH * 0.4, DEPTH - 1)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_backward_signal_grows_by_sigma_over_he_per_layer(published, seed):
    # ReLU layer with N(0, σ²) weights and n units: E‖Wᵀ(δ ⊙ 1[z>0])‖² = n σ² · ½ ‖δ‖², a gain of
    # σ / σ_He per layer. From hidden layer 10 back to 1 the signal crosses 9 layers: 3⁹ ≈ 19683,
    # log-normal around it with the band of 9 ReLU layers (≈ 3.5×).
    expected = SCALE ** (DEPTH - 1)
    ratio = published("large_init_layer_gradients", seed)["large_signal_ratio"]
    assert expected / BAND < ratio < expected * BAND


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_forward_signal_grows_by_the_same_factor(published, seed):
    # Forward, E‖ReLU(W h)‖² = n σ² · ½ ‖h‖²: the activations' rms grows by σ / σ_He per layer as
    # well, 3⁹ from layer 1 to layer 10, within the same band; with He's σ it stays of order 1.
    values = published("large_init_layer_gradients", seed)
    assert SCALE ** (DEPTH - 1) / BAND < values["large_forward_ratio"] < SCALE ** (DEPTH - 1) * BAND
    assert 1 / BAND < values["he_forward_ratio"] < BAND


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_initialisation_keeps_the_signal(published, seed):
    # He et al. (2015): σ² = 2 / fan_in makes the per-layer gain 1, so the ratio is log-normal
    # around 1 with the band of 9 ReLU layers (Hanin 2018).
    assert 1 / BAND < published("large_init_layer_gradients", seed)["he_signal_ratio"] < BAND


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_kernel_gradients_are_equally_large_across_layers(published, seed):
    # ∂L/∂W_l = h_{l-1}ᵀ ∂L/∂z_l: activations grow forwards by 3^(l-1) while the signal grows
    # backwards by 3^(L-l); the product is 3^(L-1) for every layer, so the first/last ratio is O(1)
    # instead of 3⁹: within the forward and backward bands together, times the alignment of the batch
    # rows (the last layer's signal is rank one, a coherent sum up to √256 = 16 larger).
    ratio = published("large_init_layer_gradients", seed)["large_kernel_ratio"]
    assert 1 / (16 * BAND**2) < ratio < BAND**2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_init_kernel_gradient_dwarfs_he(published, seed):
    # Relative to the He network, the output (11 kernels, ReLU homogeneous, zero biases) is 3¹¹
    # larger, so is the MSE error, and the backward pass to layer 1 multiplies by another 3¹⁰:
    # about 3²¹ ≈ 1e10. Both networks' products fluctuate (band² each way), and the He network's
    # error is not its output (the target is of the same size): allow 100× on top.
    values = published("large_init_layer_gradients", seed)
    ratio = values["large_first_kernel_gradient"] / values["he_first_kernel_gradient"]
    assert SCALE**21 / (100 * BAND**2) < ratio < SCALE**21 * 100 * BAND**2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_init_diverges_within_a_few_steps(published, seed):
    values = published("large_init_divergence", seed)
    # lr · ‖∂L/∂W‖ / ‖W‖ with a gradient ~1e10 times He's (whose relative step is ~1e-3): the first
    # step is many times the weight itself (> 1 means the step leaves the region the gradient describes).
    assert values["large_first_relative_update"] > 1
    assert values["diverged"] is True
    assert 1 <= values["nan_step"] <= 5
    # The starting loss is ≈ 3²² times the He network's (output 3¹¹ times larger, squared).
    assert SCALE**22 / (100 * BAND**2) < values["large_first_loss"] / values["he_first_loss"] < SCALE**22 * 100 * BAND**2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_network_trains_at_the_same_learning_rate(published, seed):
    values = published("large_init_divergence", seed)
    # He's gain of 1 keeps lr · gradient a small fraction of the weights: never 10 % in one step.
    assert values["he_diverged"] is False
    assert values["he_largest_relative_update"] < 0.1
    # Descent lemma: steps this small relative to the weights lower the loss at every step.
    assert values["he_increasing_steps"] == 0
    # And it learns something a constant cannot: it ends below the best constant predictor's MSE,
    # Var(y) ≈ 1 (y is a unit-variance linear function of x), from a start at about that level.
    assert values["he_final_loss"] < values["constant_predictor_loss"]
