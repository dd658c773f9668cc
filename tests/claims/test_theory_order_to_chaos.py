"""Claims of docs/theory/order-to-chaos.md, checked across seeds against mean-field theory.

The snippet (phase_order_to_chaos) measures, in eight 24-layer tanh networks of width 128 with Gaussian
weights N(0, σ_w²/n) and biases N(0, σ_b²), the least-squares slope of ln ‖∂loss/∂h_l‖ per layer,
read toward the input ("rate"). Mean field (Schoenholz et al. 2017): rate = ½ ln χ₁, with χ₁ computed
here from (σ_w², σ_b²) independently of the snippet.

Finite-width noise of the rate: one layer multiplies the squared backward norm by a factor with
relative variance (3κ − 1)/n (finite_width.fluctuation_band), i.e. the log norm takes a step of
standard deviation s = ½·√((3κ − 1)/n). The readout sends every example's gradient along the same
direction, so the batch barely averages this: treat it as one direction. The steps add up along the
network (a random walk), and the least-squares slope of a random walk over 24 layers has standard
deviation s·√0.0502 (Σ_j (Σ_{l ≥ j}(l − l̄))² / (Σ_l (l − l̄)²)², evaluated below). Bounds allow three.
"""

import math

import numpy as np
import pytest

from tests.claims.finite_width import fluctuation_band
from tests.claims.mean_field_tanh import tanh_critical_sw2, tanh_fixed_point, tanh_kurtosis
from tests.conftest import CLAIM_SEEDS

WIDTH, DEPTH = 128, 24
POINTS = {  # published name: (σ_w², σ_b²), as in the snippet
    "ordered_0_5": (0.5, 0.05), "ordered_1_0": (1.0, 0.05), "ordered_1_5": (1.5, 0.05),
    "critical": (tanh_critical_sw2(0.05), 0.05), "chaotic_2_5": (2.5, 0.05), "chaotic_4_0": (4.0, 0.05),
    "ordered_b03": (1.5, 0.3), "critical_b03": (tanh_critical_sw2(0.3), 0.3),
}


def _slope_noise_factor(layers: int) -> float:
    centred = np.arange(layers) - (layers - 1) / 2
    tail_sums = np.array([centred[j:].sum() for j in range(layers)]) / np.sum(centred**2)
    return float(np.sqrt(np.sum(tail_sums**2)))


SLOPE_NOISE = _slope_noise_factor(DEPTH)  # ≈ 0.224


def mean_field(name):
    sw2, sb2 = POINTS[name]
    q_star, chi = tanh_fixed_point(sw2, sb2)
    step = 0.5 * math.sqrt((3 * tanh_kurtosis(q_star) - 1) / WIDTH)
    return chi, step


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_critical_line_positions(published, seed):
    # Bisection on χ₁(σ_w²) = 1 at σ_b² = 0.05 and 0.3, computed here: the snippet's must agree to 1e-6.
    values = published("phase_order_to_chaos", seed)
    assert abs(values["critical_sw2_at_sb2_0_05"] - POINTS["critical"][0]) <= 1e-6
    assert abs(values["critical_sw2_at_sb2_0_3"] - POINTS["critical_b03"][0]) <= 1e-6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("name", POINTS)
def test_backward_growth_per_layer_is_half_log_chi(published, seed, name):
    # rate = ½ ln χ₁ ± 3 · s · 0.224: ordered points (χ₁ < 1) lose the signal toward the input, chaotic
    # ones (χ₁ > 1) amplify it, critical ones (χ₁ = 1) keep it to within the noise.
    values = published("phase_order_to_chaos", seed)
    chi, step = mean_field(name)
    # The snippet's χ₁ uses 101 Gauss–Hermite nodes, this module 121: they agree to ~4e-6 at q* ≈ 2.2.
    assert abs(values[f"{name}_chi"] - chi) <= 1e-4
    assert abs(values[f"{name}_rate"] - 0.5 * math.log(chi)) <= 3 * step * SLOPE_NOISE


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("name", POINTS)
def test_first_layer_signal_is_chi_to_the_l_over_2(published, seed, name):
    # ‖∂loss/∂h_1‖ / ‖∂loss/∂h_24‖ = χ₁^(23/2) in mean field, within the finite-width band over 23 layers
    # with 2n/(3κ − 1) degrees of freedom per layer.
    values = published("phase_order_to_chaos", seed)
    chi, step = mean_field(name)
    dof = 1 / (2 * step**2)  # s = ½√(2/dof)
    band = fluctuation_band(dof, DEPTH - 1)
    predicted = chi ** ((DEPTH - 1) / 2)
    assert predicted / band <= values[f"{name}_first_over_last"] <= predicted * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_gradient_depth_scale(published, seed):
    # ξ = −1/ln χ₁: 1.19 layers at σ_w² = 0.5, 15.8 at σ_w² = 1.5 (σ_b² = 0.05), recomputed here.
    # Measured ξ = −1/(2·rate): at σ_w² = 0.5 the rate bound of the test above (±0.043 around −0.420)
    # puts it within [1/(2·0.463), 1/(2·0.377)] = [1.08, 1.33]; at σ_w² = 1.5 the rate's band reaches past
    # 0, so only a lower bound follows: ξ ≥ 1/(2·(0.0317 + 0.049)) ≈ 6.2.
    values = published("phase_order_to_chaos", seed)
    for name in ("ordered_0_5", "ordered_1_5"):
        chi, step = mean_field(name)
        assert abs(values[f"{name}_depth_scale"] + 1 / math.log(chi)) <= 1e-4
        rate_low = 0.5 * math.log(chi) - 3 * step * SLOPE_NOISE
        rate_high = 0.5 * math.log(chi) + 3 * step * SLOPE_NOISE
        measured = values[f"{name}_measured_depth_scale"]
        if rate_high < 0:
            assert -1 / (2 * rate_low) <= measured <= -1 / (2 * rate_high)
        else:  # a measured rate in (0, rate_high] would give a negative ξ
            assert measured >= -1 / (2 * rate_low) or measured <= -1 / (2 * rate_high)
