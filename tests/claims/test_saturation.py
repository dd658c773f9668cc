"""Claims of docs/vanishing/saturation.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

SIGMA_W = 1.0  # tanh_saturation: RandomNormal(stddev=1.0)


def normal_tail(z: float) -> float:
    """P(|Z| > z) for a standard normal Z."""
    return math.erfc(z / math.sqrt(2))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tanh_derivative_is_four_sigmoid_derivatives_at_2x(published, seed):
    # tanh(x) = 2σ(2x) − 1 ⇒ tanh′(x) = 4σ′(2x) ≤ 4 · ¼ = 1, equal to 1 at x = 0 (on the grid).
    values = published("tanh_saturation", seed)
    assert values["identity_max_error"] < 1e-12  # float64 autodiff of two exact identities
    assert values["peak_tanh_derivative"] == pytest.approx(1.0, abs=1e-12)
    # tanh′(3) = 1 − tanh²(3) = 4e⁻⁶/(1 + e⁻⁶)² ≈ 0.00987: beyond |x| = 3 less than 1 % passes.
    # The grid contains x = 3 exactly, so only float64 rounding separates the two.
    expected = 4 * math.exp(-6) / (1 + math.exp(-6)) ** 2
    assert values["tanh_derivative_at_threshold"] == pytest.approx(expected, rel=1e-9)
    assert values["tanh_derivative_at_threshold"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_preactivation_spread_follows_fan_in_times_weight_variance(published, seed):
    # z = Σᵢ aᵢwᵢ over n = 64 inputs with wᵢ ~ N(0, σ_w²) independent of a, so for each input row
    # z ~ N(0, σ_w²‖a‖²) and std(z) ≈ √n · σ_w · rms(a). 20 % covers the spread of ‖a‖ across rows.
    values = published("tanh_saturation", seed)
    predicted = math.sqrt(values["width"]) * SIGMA_W * values["large_input_rms"]
    assert values["large_std"] == pytest.approx(predicted, rel=0.2)
    # Glorot uniform: σ_w² = 2/(64 + 64), so √n·σ_w = 1 and std(z) ≈ rms(a).
    assert values["glorot_std"] == pytest.approx(values["glorot_input_rms"], rel=0.2)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_most_units_are_saturated_with_unit_variance_weights(published, seed):
    # With std(z) = s the fraction beyond the threshold t is P(|Z| > t/s). Here s ≈ 8 · rms(a) and
    # rms(a) ≈ 0.95 (the previous layer is itself saturated), giving ≈ 0.69. Assert the prediction
    # within 0.1 and, conservatively, that at least half the pre-activations are saturated.
    values = published("tanh_saturation", seed)
    predicted = normal_tail(values["threshold"] / (math.sqrt(values["width"]) * SIGMA_W * values["large_input_rms"]))
    assert values["large_saturated"] == pytest.approx(predicted, abs=0.1)
    assert values["large_saturated"] >= 0.5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_mean_derivative_of_a_saturated_layer(published, seed):
    # For z ~ N(0, s²) with s ≫ 1, E[tanh′(z)] ≈ φ(0)/s · ∫ sech²(z) dz = 2φ(0)/s ≈ 0.80/s:
    # a unit passes back about a tenth of the gradient it receives when s ≈ 8.
    values = published("tanh_saturation", seed)
    predicted = 2 / math.sqrt(2 * math.pi) / values["large_std"]
    assert values["large_mean_tanh_prime"] == pytest.approx(predicted, rel=0.3)
    assert values["large_mean_tanh_prime"] < 0.2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_keeps_the_layer_unsaturated(published, seed):
    # Glorot uniform: Var(w) = 2/(64 + 64) = 1/64, so std(z) ≈ rms(a) ≤ 1 and |z| > 3 is a
    # ≥ 3-sigma event: P < 0.3 %. Assert below 1 %, and a mean derivative above one half.
    values = published("tanh_saturation", seed)
    assert values["glorot_saturated"] < 0.01
    assert values["glorot_mean_tanh_prime"] > 0.5


def backward_band(degrees_of_freedom: float, layers: int, sigmas: float = 3.0) -> float:
    """Finite-width spread of a product of `layers` backward gains (Hanin 2018): one layer multiplies a
    squared norm by a χ²-like variable with `degrees_of_freedom` (relative spread √(2/dof)); logs add
    over layers and a norm is half a squared norm's log."""
    return math.exp(sigmas * 0.5 * math.sqrt(2 / degrees_of_freedom) * math.sqrt(layers))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_saturated_tanh_layers_still_amplify_the_backward_signal(published, seed):
    # The warning on the page. χ = n·σ_w²·E[tanh′(z)²]; with z ~ N(0, s²), s ≈ 8·0.95, E[sech⁴(z)] ≈
    # (4/3)·φ(0)/s ≈ 0.07 (∫sech⁴ = 4/3), so χ ≈ 64 · 0.07 ≈ 4.5 (±30 % for s varying by layer).
    values = published("tanh_saturation", seed)
    assert values["large_chi"] == pytest.approx(4.5, rel=0.3)
    # From tanh layer 5 back to layer 1 the signal crosses 4 layers: its norm grows by χ² ≈ 20, within
    # the band of 4 layers in which only the ≈ 30 % unsaturated units (|z| < 3) pass a signal.
    band = backward_band(0.3 * values["width"], 4)
    predicted = values["large_chi"] ** 2
    assert predicted / band <= values["large_signal_ratio"] <= predicted * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_tanh_backward_signal_follows_chi(published, seed):
    # Glorot: n·Var(w) = 1, χ = E[tanh′(z)²] below 1 for z of std ≈ 0.5–0.6, between 0.6 and 0.9
    # (tanh′² ≈ 1 − 2z² for small z); the signal's norm over 4 layers is χ² within the band of 4 layers
    # with 0.75·64 degrees of freedom (κ = E[tanh′⁴]/E[tanh′²]² ≤ 1.23: dof = 2n/(3κ − 1)).
    values = published("tanh_saturation", seed)
    assert 0.6 <= values["glorot_chi"] <= 0.9
    band = backward_band(0.75 * values["width"], 4)
    predicted = values["glorot_chi"] ** 2
    assert predicted / band <= values["glorot_signal_ratio"] <= predicted * band
