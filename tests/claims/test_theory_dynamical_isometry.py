"""Claims of docs/theory/dynamical-isometry.md, checked across seeds against random-matrix and mean-field theory.

The snippet (jacobian_spectrum) builds six 24-layer networks of width 128 in float64 and computes the
input–output Jacobian J at one input. Quantities:
- mean σ² = ‖J‖²_F / n, whose expectation is χ^L = 1 for every network here (mean field);
- mean ln σ², exact from log-determinants: ln|det J| = Σ_l (ln|det W_l| + Σ_i ln|φ′(z_li)|);
- the isometry gap ln(mean σ²) − mean(ln σ²) ≥ 0, zero only when all singular values are equal.
"""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.claims.mean_field_tanh import gaussian_log_det, gaussian_mean, tanh_derivative_sq, tanh_jensen_gap, tanh_kurtosis
from tests.conftest import CLAIM_SEEDS

WIDTH, DEPTH, Q_STAR = 128, 24, 1 / 64
# Critical tanh at q*: σ_w² = 1/E[tanh′²], so χ₁ = 1 (Pennington, Schoenholz & Ganguli 2017's set-up).
TANH_SW2 = 1 / gaussian_mean(tanh_derivative_sq, Q_STAR)
LOG_DET_MEAN, LOG_DET_VARIANCE = gaussian_log_det(WIDTH)  # of WᵀW, W with N(0, 1/n) entries
WISHART_GAP = -LOG_DET_MEAN / WIDTH  # per Gaussian layer: ln mean λ(WᵀW) = 0, mean ln λ = this (≈ 1.02)
TANH_GAP = tanh_jensen_gap(Q_STAR)  # per tanh layer at q*: ≈ 9.1e-4
NETWORKS = ("linear_orthogonal", "linear_gaussian", "tanh_orthogonal", "tanh_gaussian", "relu_orthogonal", "relu_gaussian")


def values(published, seed):
    return published("jacobian_spectrum", seed)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_jacobian_is_the_chain_rule_product(published, seed):
    # Keras' autodiff Jacobian and the product D_L W_Lᵀ ⋯ D_1 W_1ᵀ are the same matrix; in float64 they
    # differ by round-off only: 24 products of 128-term sums, ≲ 24·√128·1.1e-16 ≈ 3e-14 relative. 1e-13.
    v = values(published, seed)
    for network in NETWORKS:
        assert 0 <= v[f"{network}_keras_vs_chain_rule"] <= 1e-13, network


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_page_quotes_the_theory_computed_here(published, seed):
    # The page's table of per-layer gaps comes from the snippet's own quadrature and digamma sums; they
    # must equal this module's (121 against 101 quadrature nodes: agreement to 1e-6 relative).
    v = values(published, seed)
    assert abs(v["predicted_gap_per_layer_gaussian"] - WISHART_GAP) <= 1e-9
    assert abs(v["predicted_gap_per_layer_tanh"] / TANH_GAP - 1) <= 1e-6
    assert abs(v["tanh_sigma_w2"] - TANH_SW2) <= 1e-9


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_linear_orthogonal_network_is_an_exact_isometry(published, seed):
    # A product of orthogonal matrices is orthogonal: every singular value is 1, up to float64 round-off
    # (≲ 1e-13 after 24 products, as above). Checks the largest, the smallest, the 90/10 percentile ratio.
    v = values(published, seed)
    for key in ("linear_orthogonal_max", "linear_orthogonal_min", "linear_orthogonal_p90_over_p10", "linear_orthogonal_mean_sq"):
        assert abs(v[key] - 1) <= 1e-12, key
    assert abs(v["linear_orthogonal_gap"]) <= 1e-12


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_mean_squared_singular_value_is_near_chi_to_the_l(published, seed):
    # Mean field: E[mean σ²] = χ^L = 1 for all six networks. One network scatters around it: mean σ² is a
    # squared norm, so the fluctuation band (for norms) applies squared. Degrees of freedom per layer
    # (finite_width): n for the Gaussian linear and near-linear tanh layers (κ ≈ 1), 0.4n for ReLU (κ = 2).
    # For the orthogonal tanh network W contributes no noise and q_l is deterministic given ‖x‖; what
    # moves χ^L is the input's realised mean square, off by ≈ √(2/n) relative, which shifts q ≈ q* by
    # δq ≈ q*·√(2/n) and each layer's ln χ by ≈ −2δq: |ln mean σ²| ≤ 2·L·q*·3√(2/n) ≈ 0.28.
    v = values(published, seed)
    for network, dof in (("linear_gaussian", WIDTH), ("tanh_gaussian", WIDTH),
                         ("relu_orthogonal", 0.4 * WIDTH), ("relu_gaussian", 0.4 * WIDTH)):
        band = fluctuation_band(dof, DEPTH) ** 2
        assert 1 / band <= v[f"{network}_mean_sq"] <= band, network
    assert abs(math.log(v["tanh_orthogonal_mean_sq"])) <= 2 * DEPTH * Q_STAR * 3 * math.sqrt(2 / WIDTH)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_gaussian_networks_have_an_isometry_gap_of_about_one_per_layer(published, seed):
    # mean ln σ² = (1/n) Σ_l ln det(W_lᵀW_l) (+ the tanh derivatives): the Wishart log-determinant
    # has mean −n·1.020 and variance 15.3 per layer (mean_field_tanh.gaussian_log_det), so over 24
    # layers mean ln σ² = −24.48 with standard deviation √(24·15.3)/128 ≈ 0.15; allow four.
    # tanh at q*: each layer adds ln σ_w² + E ln tanh′² = −(Jensen gap) at χ₁ = 1, ≈ −9e-4, plus the
    # drift of q_l from q*: |Σ_l 2(q_l − q*)| ≤ 2·L·q* = 0.75 if q_l stays within a factor 2 of q*.
    v = values(published, seed)
    spread = 4 * math.sqrt(DEPTH * LOG_DET_VARIANCE) / WIDTH
    assert abs(v["linear_gaussian_mean_log_sq"] + DEPTH * WISHART_GAP) <= spread
    predicted_tanh = -DEPTH * (WISHART_GAP + TANH_GAP)
    assert abs(v["tanh_gaussian_mean_log_sq"] - predicted_tanh) <= spread + 2 * DEPTH * Q_STAR
    # The gap adds ln mean σ² to −mean ln σ², and |ln mean σ²| is within the band of the previous test.
    band = math.log(fluctuation_band(WIDTH, DEPTH) ** 2)
    for network, predicted in (("linear_gaussian", DEPTH * WISHART_GAP), ("tanh_gaussian", -predicted_tanh)):
        assert abs(v[f"{network}_gap"] - predicted) <= spread + 2 * DEPTH * Q_STAR + band, network


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_orthogonal_tanh_at_criticality_is_nearly_isometric(published, seed):
    # Orthogonal kernels add nothing to the gap; each tanh layer adds its Jensen gap at q*, so mean field
    # predicts L·gap ≈ 0.022. The layer terms are averages over n units of ln tanh′²: relative sampling
    # error ≈ √(2/n) ≈ 0.13 per layer, less over 24 layers, and q_l ≠ q* changes the gap ∝ q²: within a
    # factor 2 covers q_l within ±40 % of q*. Bounds [½, 2] × L·gap.
    v = values(published, seed)
    predicted = DEPTH * TANH_GAP
    assert 0.5 * predicted <= v["tanh_orthogonal_gap"] <= 2 * predicted
    # Its singular values: σ_max ≤ Π‖D_l W_l‖ ≤ σ_w^L exactly (|tanh′| ≤ 1, ‖W‖ = σ_w), and σ_max ≥ the
    # root mean square, ≥ e^(−0.14) by the previous bound on mean σ².
    assert math.exp(-0.14) <= v["tanh_orthogonal_max"] <= TANH_SW2 ** (DEPTH / 2)
    # The spread: in the wide limit JJᵀ's spectrum has variance L·(κ − 1) (free multiplicative
    # convolution adds variances of mean-1 factors; Pennington, Schoenholz & Ganguli 2017), ≈ 0.047 at
    # q* = 1/64, i.e. σ = √λ has standard deviation s ≈ ½√0.047 ≈ 0.11 and p90/p10 ≈ (1 + 1.28s)/(1 − 1.28s)
    # ≈ 1.33. Allow the log of that ratio to be off by a factor 2 either way (finite n and L).
    s = 0.5 * math.sqrt(DEPTH * (tanh_kurtosis(Q_STAR) - 1))
    log_ratio = math.log((1 + 1.2816 * s) / (1 - 1.2816 * s))
    assert 0.5 * log_ratio <= math.log(v["tanh_orthogonal_p90_over_p10"]) <= 2 * log_ratio


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_gaussian_kernels_spread_the_spectrum_a_thousand_times_more(published, seed):
    # At the same critical (σ_w, σ_b), Gaussian kernels add the Wishart gap ≈ 1.02 per layer to the
    # tanh gap ≈ 9e-4: ratio ≈ 1100. With the bounds of the two tests above, at least 24.48·0.9/(2·0.022) > 400.
    ratio = values(published, seed)["gaussian_over_orthogonal_tanh_gap"]
    assert 400 <= ratio <= 5000


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_jacobian_is_singular_whatever_the_kernels(published, seed):
    # ReLU′ is 0 on every unit with z ≤ 0: with zero biases and symmetric kernels that is each unit with
    # probability ½, so the fraction over 24·128 units is ½ ± 3·√(1/(4·3072)) ≈ ½ ± 0.03 if units were
    # independent; layers share the input, so allow ±0.1.
    # rank(J) ≤ min_l (active units of layer l) ≤ active units of layer 1 ≤ 64 + 3·√32 ≈ 81 (binomial), so
    # at least 1 − 81/128 ≈ 0.37 of the singular values are exactly zero (found below 1e-10·σ_max).
    # They cannot all be: rank ≥ 1 whenever any path survives, so the fraction is < 1.
    v = values(published, seed)
    for network in ("relu_orthogonal", "relu_gaussian"):
        assert abs(v[f"{network}_zero_derivatives"] - 0.5) <= 0.1, network
        assert 0.37 <= v[f"{network}_zero_fraction"] < 1, network
