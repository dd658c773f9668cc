"""Claims of docs/vanishing/depth-sweep.md, checked across seeds against theory."""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

WIDTH = 32  # depth_sweep: hidden width
FLOAT32_SMALLEST_NORMAL = 1.1754944e-38


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_is_not_variance_preserving_for_sigmoid(published, seed):
    # χ = n·Var(w)·E[σ′(z)²]. Glorot uniform keeps n·Var(w) = 32 · 2/64 = 1 (the weights alone keep
    # the norm on average; the empirical mean square of 1024 uniform draws is within 1 ± 0.11 at 4σ),
    # but σ′ ≤ ¼ caps χ at 1.11/16 ≈ 0.07. From below: h ∈ (0, 1), so the pre-activation variance
    # is < 1.11 and E[σ′(z)²] ≥ 0.04 (z ~ N(0, 1.11) gives ≈ 0.045). χ, averaged over the 29 layers
    # of the 30-layer network, must lie in [0.04, 0.07]: a per-layer norm factor √χ ≈ ¼, not 1.
    assert 0.04 <= published("depth_sweep", seed)["sigmoid_chi"] <= 1.11 / 16


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_loses_the_mean_field_factor_per_extra_layer(published, seed):
    # From depth 5 to depth 30 the first layer's backward signal crosses 25 more sigmoid layers, each
    # multiplying its norm by √χ (Schoenholz et al. 2017). The two networks are independent draws, so
    # the 25-layer product fluctuates by fluctuation_band(0.95·32, 25), plus their top layers differ by a
    # factor of order one: allow band·10, taken to the 1/25 for the per-layer factor.
    values = published("depth_sweep", seed)
    margin = (10 * fluctuation_band(WIDTH * 0.95, 25)) ** (1 / 25)
    predicted = values["sigmoid_predicted_shrink_per_layer"]
    assert predicted / margin <= values["sigmoid_signal_shrink_per_layer"] <= predicted * margin
    # The first-layer kernel gradient is its input x (the same in every network) times the signal
    # at its pre-activation, so it loses the same factor per layer, within the same margin.
    assert predicted / margin <= values["sigmoid_shrink_per_layer"] <= predicted * margin


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("config, dof_fraction", [("sigmoid", 0.95), ("tanh", 0.75), ("relu", 0.4)])
def test_backward_signal_through_30_layers_follows_mean_field(published, seed, config, dof_fraction):
    # Within each 30-layer network, ‖∂L/∂h₁‖/‖∂L/∂h₃₀‖ against √(χ₂⋯χ₃₀) with χ_l from its own weights
    # and activations: the ratio of the two is the finite-width fluctuation of 29 layers of 32 units. For sigmoid the prediction is ≈ 4⁻²⁹ ≈ 1e-18, for tanh (χ < 1 as its
    # activations spread) and ReLU + He (χ = 1 on average) of order one.
    values = published("depth_sweep", seed)
    band = fluctuation_band(WIDTH * dof_fraction, 29)
    ratio = values[f"{config}_depth_30_signal_ratio"] / values[f"{config}_depth_30_predicted_signal_ratio"]
    assert 1 / band <= ratio <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_reaches_the_first_layer_where_sigmoid_does_not(published, seed):
    # At depth 20 the sigmoid signal has crossed 19 layers of norm factor √χ = 1/shrink (the
    # mean-field factor measured at depth 30, ≈ 1/4.2), He-normal ReLU 19 layers of factor 1 (He et
    # al. 2015, eq. 14). Predicted ReLU/sigmoid ratio: shrink¹⁹ ≈ 1e12. Margins: the sigmoid and ReLU
    # products fluctuate by fluctuation_band(0.95·32, 19) ≈ 5 and (0.4·32, 19) ≈ 13, and the two last hidden
    # layers receive signals of the same order from a Glorot readout under BCE (within 10×): 500.
    values = published("depth_sweep", seed)
    predicted = values["sigmoid_predicted_shrink_per_layer"] ** 19
    margin = fluctuation_band(WIDTH * 0.95, 19) * fluctuation_band(WIDTH * 0.4, 19) * 10
    assert predicted / margin <= values["relu_over_sigmoid_signal_depth_20"] <= predicted * margin
    # The kernel gradients are the same input x times these signals times φ′ at layer 1 (σ′ ≤ ¼ for
    # sigmoid, ReLU′ = 1 on about half the units), which can add up to 4× in ReLU's favour.
    assert predicted / margin <= values["relu_over_sigmoid_depth_20"] <= 4 * predicted * margin


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("config, dof_fraction", [("tanh", 0.75), ("relu", 0.4)])
def test_tanh_and_relu_keep_the_first_layer_signal_from_depth_5_to_30(published, seed, config, dof_fraction):
    # He (ReLU) keeps χ = 1 on average; Glorot (tanh) gives χ_l = E[tanh′(z_l)²] → 1 as the
    # activations shrink, and the mean-field product over layers 6–30 falls only polynomially (≈ 5/30
    # in mean square, ≈ 0.4 in norm). Two independent networks, 25 extra layers: the ratio of the
    # first-layer signals lies within 0.4/band … band with band = fluctuation_band(dof, 25)·√2
    # for the two independent draws.
    values = published("depth_sweep", seed)
    band = fluctuation_band(WIDTH * dof_fraction, 25) * math.sqrt(2)
    ratio = values[f"{config}_signal_depth_30"] / values[f"{config}_signal_depth_5"]
    assert 0.4 / band <= ratio <= band
    # The first kernel's gradient is the same input x times the signal at layer 1's pre-activation:
    # it keeps the same order of magnitude with the same margin.
    kernel_ratio = values[f"{config}_depth_30"] / values[f"{config}_depth_5"]
    assert 0.4 / band <= kernel_ratio <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_depth_30_sigmoid_gradient_underflows_float32_squares(published, seed):
    # The warning on the page: the mean square of the first kernel's 32 × 32 gradient entries is below
    # float32's smallest normal number, so a float32 norm works with subnormals (or zeros, where the
    # CPU flushes them). Measured in float64.
    values = published("depth_sweep", seed)
    mean_square = values["sigmoid_depth_30"] ** 2 / WIDTH**2
    assert mean_square < FLOAT32_SMALLEST_NORMAL
    # Not so small that float64 itself would lose it: the mean-field prediction at depth 30 is ≈ 1e-19.
    assert values["sigmoid_depth_30"] > 1e-25
