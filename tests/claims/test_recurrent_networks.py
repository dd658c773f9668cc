"""Claims of docs/exploding/recurrent-networks.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

STEPS = 50  # rnn_gradient_vs_lag: the first input is STEPS - 1 = 49 steps back


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize(("rho", "key"), [(0.8, "08"), (1.2, "12")])
def test_linear_log_slope_is_log_rho(published, seed, rho, key):
    # Linear SimpleRNN, U = ρQ, W orthogonal: ∂L/∂x_{T-lag} = ∂L/∂h_T (Uᵀ)^lag Wᵀ, and Uᵀ scales every
    # vector's norm by exactly ρ, so the log-norm is a line of slope log ρ (Pascanu et al. 2013).
    values = published("rnn_gradient_vs_lag", seed)
    assert values[f"linear_slope_{key}"] == pytest.approx(math.log(rho), rel=0.10)
    assert values[f"linear_ratio_{key}"] == pytest.approx(rho ** (STEPS - 1), rel=0.10)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_rho_above_one_grows_and_below_one_shrinks(published, seed):
    values = published("rnn_gradient_vs_lag", seed)
    assert values["linear_ratio_12"] > 1000  # 1.2⁴⁹ ≈ 7.6e3
    assert values["linear_ratio_08"] < 1e-3  # 0.8⁴⁹ ≈ 1.8e-5
    assert abs(values["linear_slope_10"]) < 0.01  # ρ = 1: orthogonal, norm preserved


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tanh_never_exceeds_rho_to_the_lag(published, seed):
    # Each backward step multiplies by diag(tanh′) ≤ 1 before Uᵀ, so ‖·‖ ≤ ρ^lag exactly
    # (Pascanu et al. 2013, with γ = 1 for tanh); 0.01 % slack for float32 rounding.
    values = published("rnn_gradient_vs_lag", seed)
    assert values["tanh_pairs"] == 3 * (STEPS - 1)
    assert values["tanh_pairs_above_bound"] == 0
    assert values["tanh_ratio_08"] <= 0.8 ** (STEPS - 1) * 1.0001


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_saturated_tanh_does_not_explode_at_rho_1_2(published, seed):
    # ρ > 1 is necessary but not sufficient for explosion: the state grows until tanh saturates,
    # and saturated units contribute tanh′ ≪ 1/ρ. The first step's gradient stays below the last's
    # (and far below the linear network's 1.2⁴⁹).
    values = published("rnn_gradient_vs_lag", seed)
    assert values["tanh_ratio_12"] < 1
    assert values["tanh_ratio_12"] < values["linear_ratio_12"] / 1000
