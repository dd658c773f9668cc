"""Claims of docs/vanishing/why-sigmoid-gradients-vanish.md, checked across seeds against theory."""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

GRID_STEP = 0.01  # sigmoid_derivative evaluates on linspace(-8, 8, 1601)
DEPTH, WIDTH = 10, 64  # layer_gradient_norms: the signal crosses DEPTH − 1 = 9 layers from layer 10 to 1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_derivative_peaks_at_a_quarter_at_zero(published, seed):
    # σ′ = σ(1 − σ) with σ + (1 − σ) = 1: the product is largest, 1/4, when σ = 1/2, i.e. at x = 0.
    # The snippet differentiates with the tape in float64, so only rounding separates it from 1/4.
    values = published("sigmoid_derivative", seed)
    assert values["peak_derivative"] == pytest.approx(0.25, abs=1e-9)
    assert abs(values["peak_location"]) <= GRID_STEP / 2
    # Saturation: σ′(5) = e⁻⁵ / (1 + e⁻⁵)² ≈ 0.00665, 4 % of the peak (the grid contains x = 5).
    assert values["derivative_at_5"] == pytest.approx(math.exp(-5) / (1 + math.exp(-5)) ** 2, rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_sigmoid_backward_factor_chi_is_at_most_a_sixteenth(published, seed):
    # χ = n·Var(w)·E[σ′(z)²]. Glorot uniform at fan_in = fan_out = 64 sets n·Var(w) = 1; the empirical
    # mean square of 4096 uniform draws has relative spread √(0.8/4096) ≈ 1.4 %, so ≤ 1.06 at 4σ.
    # σ′ ≤ ¼ gives χ ≤ 1.06/16 ≈ 0.066. From below: h = σ(z) ∈ (0, 1), so the pre-activation variance
    # n·Var(w)·E[h²] is < 1.06, and E[σ′(z)²] for z ~ N(0, 1.06) is ≈ 0.046; 0.04 leaves room for the
    # distribution of z not being exactly normal. So Glorot is not variance-preserving for sigmoid.
    chi = published("layer_gradient_norms", seed)["sigmoid_chi"]
    assert 0.04 <= chi <= 1.06 / 16


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_backward_signal_shrinks_by_root_chi_per_layer(published, seed):
    # Mean-field theory (Schoenholz et al. 2017): the backward signal's mean square is multiplied by χ
    # per layer, so its norm by √χ, with χ taken from the same network's measured activations. Over
    # 9 layers of 64 units the geometric-mean factor may deviate by the fluctuation band to the 1/9.
    values = published("layer_gradient_norms", seed)
    band = fluctuation_band(WIDTH * 0.95, DEPTH - 1) ** (1 / (DEPTH - 1))
    ratio = values["sigmoid_signal_factor"] / values["sigmoid_predicted_signal_factor"]
    assert 1 / band <= ratio <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_kernel_gradients_vanish_with_the_backward_signal(published, seed):
    # ∂L/∂W_l = h_{l−1}ᵀ δ_l: the kernel gradient is the input times the signal at the pre-activation.
    # The inputs of layers 1 and 10 have rms 1 (x ~ N(0, 1)) and ≈ 0.5 (sigmoid outputs), and δ_l is the
    # signal times σ′ ≤ ¼ in both layers, so the kernel ratio equals the backward-signal ratio up to
    # these factors and the alignment of the batch rows: within 10× either way.
    values = published("layer_gradient_norms", seed)
    assert 0.1 <= values["sigmoid_ratio"] / values["sigmoid_signal_ratio"] <= 10
    # So the kernel ratio is ≈ √χ⁹ ≤ (1.06/16)^4.5 ≈ 5e-6 (χ bound above), up to the same factor 10.
    assert values["sigmoid_ratio"] <= 10 * (1.06 / 16) ** 4.5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("config, dof_fraction", [("tanh", 0.75), ("relu", 0.4)])
def test_tanh_and_relu_backward_signal_follows_mean_field(published, seed, config, dof_fraction):
    # The first/last backward-signal ratio against √(χ₂⋯χ₁₀) from the same network's activations.
    # Degrees of freedom per layer (see fluctuation_band): 0.75·64 for tanh, 0.4·64 for ReLU. He et al. (2015) make ReLU's χ = 1 on average; Glorot makes tanh's χ < 1
    # as its pre-activations spread, so both predictions are of order 1 and the measurement must
    # match them within the fluctuation band (Hanin 2018).
    values = published("layer_gradient_norms", seed)
    band = fluctuation_band(WIDTH * dof_fraction, DEPTH - 1)
    ratio = values[f"{config}_signal_ratio"] / values[f"{config}_predicted_signal_ratio"]
    assert 1 / band <= ratio <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_he_keeps_the_backward_signal_of_order_one(published, seed):
    # He et al. (2015), eq. 14: Var(w) = 2/fan_in gives χ = 1 in expectation, so ‖∂L/∂h₁‖/‖∂L/∂h₁₀‖ is
    # log-normal around 1 (Hanin 2018) with the spread of fluctuation_band for ReLU (0.4·64 degrees of freedom).
    values = published("layer_gradient_norms", seed)
    band = fluctuation_band(WIDTH * 0.4, DEPTH - 1)
    assert 1 / band <= values["relu_signal_ratio"] <= band
    # The kernel ratio also depends on how the batch rows of input and signal align: the last hidden
    # layer's signal is rank one (every row is a multiple of the readout's weights), which can add
    # a coherent-sum factor of up to √256 = 16 either way against the first layer's.
    assert 1 / (16 * band) <= values["relu_ratio"] <= 16 * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tanh_kernel_ratio_is_the_signal_ratio_over_the_activation_shrinkage(published, seed):
    # The page notes that tanh's kernel ratio looks flatter than its backward signal. Layer 1's input
    # is x (rms 1); layer 10's is a tanh output whose mean square follows q ← E[tanh(√q z)²], ≈ 0.1
    # after 9 layers (rms ≈ 0.3), a factor ≈ 3 in favour of the first kernel. Against it, δ_l carries
    # tanh′(z_l): E[tanh′²] ≈ 0.46 at layer 1 (z ~ N(0, 1)) and ≈ 0.8 at layer 10, a factor ≈ 0.76.
    # Net ≈ 2.5, times the row-alignment factor (≤ 16 either way, as for ReLU below):
    # kernel/signal between 2.5/16 and 2.5·16.
    values = published("layer_gradient_norms", seed)
    assert 2.5 / 16 <= values["tanh_ratio"] / values["tanh_signal_ratio"] <= 2.5 * 16
