"""Claims of docs/reference/faq.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

# Mean-field backward factor of one sigmoid layer (Poole et al. 2016; Schoenholz et al. 2017):
# ‖∂L/∂h_(l−1)‖² / ‖∂L/∂h_l‖² ≈ χ = fan_in · Var(w) · E[σ′(z)²], with σ′ ≤ 1/4 so E[σ′²] ≤ 1/16.
SIGMOID_SLOPE_SQUARED = 1 / 16


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_a_sigmoid_network_starves_its_first_layer_within_a_few_layers(published, seed):
    # Backward-signal ratio first/last at L hidden layers ≈ (√χ)^(L−1) with √χ ≤ 1/4 (Glorot,
    # square layers: fan_in · Var(w) = 1). Two layers: ≈ √χ ≥ 0.19 ≫ 1 %. Three: ≈ χ ≥ 0.035
    # (below), 3.5 times the line, more than two factors fluctuate at width 32 (≈ 25 %), so the
    # crossing is at L ≥ 4; with √χ ≤ 1/4, by L = 6 the ratio is ≤ 4⁻⁵ ≈ 1e-3, ten times under
    # the line, so it is at L ≤ 6.
    values = published("faq_sigmoid_depth_limit", seed)
    assert 4 <= values["depth_below_one_percent"] <= 6
    assert 4 <= values["kernel_depth_below_one_percent"] <= 6
    # At 12 layers: (√χ)¹¹ with √χ ∈ [0.19, 0.26] (χ ∈ [0.035, 0.07]) lies in [1e-8, 4e-7].
    assert 1e-9 < values["ratio_depth_12"] < 1e-6
    assert 1e-9 < values["kernel_ratio_depth_12"] < 1e-5  # times an O(1) ratio of input scales


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_gives_a_sigmoid_layer_chi_below_one_sixteenth(published, seed):
    # Glorot uniform on 32 → 32: Var(w) = 2/64, so fan_in · Var(w) = 1 (±10 % for 1024 draws) and
    # χ = E[σ′²] ≤ 1/16. The pre-activations' std is ≈ √(E[h²]) ≈ 0.5, where σ′ ≥ 0.2 for most
    # units, so E[σ′²] ≥ 0.035. LeCun normal (Var = 1/fan_in) is the same for square layers.
    values = published("faq_sigmoid_depth_limit", seed)
    for name in ("glorot", "lecun"):
        assert 0.035 < values[f"chi_{name}"] < 1.1 * SIGMOID_SLOPE_SQUARED
    # The per-layer shrink of the backward-signal norm is √χ, about a quarter: ≈ 4× per layer.
    assert 0.5 < values["shrink_per_layer"] / math.sqrt(values["chi_glorot"]) < 1.5
    assert values["shrink_per_layer"] < 0.3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("initialiser", ["glorot", "lecun", "he", "unit_normal"])
def test_chi_predicts_the_measured_backward_factor(published, seed, initialiser):
    # The mean-field χ is an expectation at infinite width; at width 32 the geometric mean of 11
    # measured squared factors lies within 2× of it (each factor fluctuates by ~1/√32 ≈ 18 %).
    values = published("faq_sigmoid_depth_limit", seed)
    ratio = values[f"measured_factor_{initialiser}"] / values[f"chi_{initialiser}"]
    assert 0.5 < ratio < 2.0
    assert values[f"measured_factor_{initialiser}"] < 1.0  # every initialiser loses signal


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_doubles_chi_and_stays_far_below_one(published, seed):
    # He: fan_in · Var(w) = 2, so χ = 2 E[σ′²] ≤ 1/8; wider pre-activations (std ≈ 0.7) lower
    # E[σ′²] a little, to ≥ 0.035. No unit saturates (|z| > 2.9 is a > 3.5σ event).
    values = published("faq_sigmoid_depth_limit", seed)
    assert 0.07 < values["chi_he"] < 1.1 * 2 * SIGMOID_SLOPE_SQUARED
    assert values["saturated_he"] < 0.01 and values["saturated_glorot"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_weights_raise_chi_only_by_saturating_the_units(published, seed):
    # N(0, 1) at width 32: fan_in · Var(w) = 32 and pre-activations of std s ≈ √(32 · E[h²]) ≈ 4.
    # For large s, E[σ′²] ≈ ∫σ′² dz / (√(2π) s) = (1/6) / (2.5 s) ≈ 0.017, so χ ≈ 0.5: far above
    # Glorot's, still below 1. The share of units with |z| > 2.9 is P(|N(0,1)| > 2.9/4) ≈ 0.47.
    values = published("faq_sigmoid_depth_limit", seed)
    assert 0.25 < values["chi_unit_normal"] < 1.0
    assert values["chi_unit_normal"] > 4 * values["chi_glorot"]
    assert 0.3 < values["saturated_unit_normal"] < 0.7
