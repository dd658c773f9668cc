"""Claims of docs/foundations/gradient-checking.md, checked across seeds against numerical analysis.

Central differences: n = (L(θ + h) − L(θ − h))/(2h) = L′ + h²L‴/6 + O(h⁴) (truncation), and each loss
carries a rounding error of about eps·|L|, so the quotient is off by about eps·|L|/h (rounding). The sum
h²|L‴|/6 + eps|L|/h is smallest at h* = (3 eps |L|/|L‴|)^(1/3) ∝ eps^(1/3), where it is ∝ eps^(2/3).
"""

import pytest

from tests.conftest import CLAIM_SEEDS

EPS64, EPS32 = 2.220446049250313e-16, 1.1920928955078125e-07


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float64_reaches_the_good_range_and_float32_cannot(published, seed):
    # The optimum error is eps^(2/3) times constants of the loss (|L|, |L′|, |L‴|, the same network in
    # both dtypes): 3.7e-11 in float64, 2.4e-5 in float32. The worst of 49 entries is larger than the
    # typical one (small |L′| entries), so allow it up to the CS231n threshold 1e-7 in float64 and 1e-2
    # in float32, and never below eps^(2/3)/10. float32 must stay above 1e-7: it cannot pass CS231n's "good".
    values = published("gradient_checking", seed)
    assert EPS64 ** (2 / 3) / 10 <= values["float64_best_error"] <= 1e-7
    assert max(1e-7, EPS32 ** (2 / 3) / 10) <= values["float32_best_error"] <= 1e-2
    # Same network and weights, so the constants cancel in the ratio: (eps32/eps64)^(2/3) ≈ 6.6e5, ±10×
    # for the half-decade grid of h and for which entry is worst.
    ratio = values["float32_best_error"] / values["float64_best_error"]
    assert (EPS32 / EPS64) ** (2 / 3) / 10 <= ratio <= (EPS32 / EPS64) ** (2 / 3) * 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_best_step_sits_near_the_cube_root_of_eps(published, seed):
    # h* = (3 eps |L|/|L‴|)^(1/3): eps^(1/3) times a cube root of loss constants of order one; within a
    # factor 30 either way (the grid has half-decade steps; the constant's cube root rarely exceeds 10).
    values = published("gradient_checking", seed)
    assert EPS64 ** (1 / 3) / 30 <= values["float64_best_h"] <= EPS64 ** (1 / 3) * 30
    assert EPS32 ** (1 / 3) / 30 <= values["float32_best_h"] <= EPS32 ** (1 / 3) * 30
    # The two optima are (eps32/eps64)^(1/3) ≈ 810 apart, constants cancelling: within 10×.
    spacing = values["float32_best_h"] / values["float64_best_h"]
    assert (EPS32 / EPS64) ** (1 / 3) / 10 <= spacing <= (EPS32 / EPS64) ** (1 / 3) * 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_v_has_slope_two_then_minus_one(published, seed):
    # Truncation error ∝ h² (slope +2 on log-log axes) where h²|L‴|/6 ≫ eps|L|/h; rounding error ∝ 1/h
    # (slope −1) where the reverse holds. Fitted to the median entry over 5–7 grid points; the rounding
    # side is random, so ±0.3 on the slope (three times the scatter of a 7-point fit to noise of a few
    # tens of per cent per point).
    values = published("gradient_checking", seed)
    assert 1.7 <= values["float64_truncation_slope"] <= 2.3
    assert -1.3 <= values["float64_rounding_slope"] <= -0.7
    assert -1.3 <= values["float32_rounding_slope"] <= -0.7


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float32_at_the_usual_step_looks_like_a_bug(published, seed):
    # At h = 1e-5 the float32 rounding error is ≈ eps32·|L|/(h·|L′|) ≥ 1.2e-2 for the worst entry (|L| is
    # of order one and the smallest gradient entries are below it): past CS231n's "probably wrong" 1e-2,
    # although the gradient is right. In float64 the same step is near its optimum: below 1e-7.
    values = published("gradient_checking", seed)
    assert values["float32_error_at_h_1e_5"] >= EPS32 / 1e-5
    assert values["float64_error_at_h_1e_5"] <= 1e-7


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_check_catches_the_planted_bug_and_localises_it(published, seed):
    # Correct hand-written swish gradient: float64 at h = 1e-5, error ≪ 1e-7 as above. Buggy gradient
    # σ(x) instead of σ(x)(1 + x(1 − σ(x))): the missing term x·σ(x)(1 − σ(x)) is as large as σ(x) for
    # |x| ≈ 1, so the first layer's entries are off by tens of per cent: above 1e-2. The output layer's
    # gradient is a·δ with δ from the loss directly, not through the activation's backward function:
    # it is untouched by the bug, and checks as well as the correct network.
    values = published("gradient_checking", seed)
    assert values["correct_swish_worst_error"] <= 1e-7
    assert values["buggy_first_kernel_error"] >= 1e-2
    assert values["buggy_first_bias_error"] >= 1e-2
    assert values["buggy_output_kernel_error"] <= 1e-7
    assert values["buggy_output_bias_error"] <= 1e-7
