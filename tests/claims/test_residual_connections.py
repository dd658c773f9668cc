"""Claims of docs/remedies/residual-connections.md, checked across seeds against theory.

Finite-width noise: one block multiplies a squared norm by a sum over n units whose relative spread is
about √(2/n); over k blocks the log of a norm ratio spreads by about ½·√(2/n)·√k. Bounds allow three.
"""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

BLOCKS = 20  # residual_gradient_flow: 20 sigmoid blocks of 64
SCALED_BLOCKS = 32  # residual_branch_scaling: 32 ReLU blocks of 128


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_plain_sigmoid_blocks_lose_the_backward_signal(published, seed):
    # 19 Jacobians diag(σ′)W between block 20 and block 1. Mean field: the squared norm shrinks by
    # χ = n·Var(w)·E[σ′(z)²] = E[σ′²] per block under Glorot, with 0.03 ≤ E[σ′²] ≤ 1/16 (σ′ ≤ ¼; the
    # pre-activations have std ≈ 0.55, where E[σ′²] > 0.03). Over 19 blocks: 0.03^9.5 ≈ 3.5e-15 ≤ ratio
    # ≤ 4⁻¹⁹ ≈ 3.6e-12, times e^±1.2 for width-64 noise (½·√(2/64)·√19 ≈ 0.39, three of them).
    # The kernel gradient adds the input ratio (x rms 1, sigmoid outputs rms ≈ 0.5): ×2 either way.
    values = published("residual_gradient_flow", seed)
    low, high = 0.03 ** 9.5 / math.exp(1.2), 4.0 ** -19 * math.exp(1.2)
    assert low <= values["plain_signal_ratio"] <= high
    assert low / 2 <= values["plain_ratio"] <= high * 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_residual_stack_keeps_the_backward_signal_of_order_one(published, seed):
    # Block Jacobian I + J with J = diag(σ′)W: the squared norm grows by 1 + E‖Jᵀg‖²/‖g‖² = 1 + E[σ′²]
    # ∈ [1, 17/16] per block on average (the cross term 2gᵀJᵀg has mean 0). So 1 ≤ ratio ≤ (17/16)^9.5
    # ≈ 1.78 in expectation; the cross term spreads the log by ≈ 2·¼/8·√19/2 ≈ 0.14 per ratio: e^±0.5.
    values = published("residual_gradient_flow", seed)
    assert math.exp(-0.5) <= values["residual_signal_ratio"] <= (17 / 16) ** 9.5 * math.exp(0.5)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_residual_kernel_gradient_shrinks_only_because_the_inputs_grow(published, seed):
    # Kernel gradient = block input × backward signal. The signal's first/last lies in [0.6, 2.9] (above);
    # block 1's input is x (rms ≈ 1), block 20's is the stream after 19 blocks (rms ≈ 9.5, next test, in
    # [5, 15]). So the kernel first/last is ≈ signal ratio / 9.5, within [0.6/15, 2.9/5] = [0.04, 0.58],
    # widened 2× each way for σ′ at the larger pre-activations of later blocks.
    assert 0.02 <= published("residual_gradient_flow", seed)["residual_ratio"] <= 1.2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_residual_stream_grows_by_about_a_half_per_block(published, seed):
    # Each block adds σ(Wh + b) with pre-activations symmetric about 0 (zero-mean weights, zero bias),
    # so about ½ per unit: BLOCKS/2 = 10 after 20 blocks, plus the zero-mean input. Saturation keeps
    # σ's mean near ½ whichever side each unit ends on; [5, 15] allows ±50 %. The rms is dominated by
    # that mean (the input's rms 1 adds in quadrature), so it lies in the same range.
    values = published("residual_gradient_flow", seed)
    assert 5 <= values["residual_stream_mean_last"] <= 15
    assert 5 <= values["residual_rms_last"] <= 15


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_skips_give_the_first_block_a_million_times_the_plain_gradient(published, seed):
    # first_residual / first_plain = (residual first/last ÷ plain first/last) × (last_residual / last_plain).
    # The first factor is ≥ 0.02 / 2.4e-11 ≈ 8e8 by the tests above. The last blocks' kernel gradients are
    # input × backward signal: the residual block's input is ≈ 20× larger (rms ≈ 9.5 against a sigmoid
    # output's ≈ 0.5), and the backward signals under the readout differ by at most ~10× either way (same
    # loss, Glorot readout; the residual readout's larger input can saturate it). So the last-block ratio
    # lies in [0.1, 10³], and the first block gets ≥ 8e8 × 0.1 ≳ 10⁶ times the plain one's.
    values = published("residual_gradient_flow", seed)
    last_block_ratio = values["residual_over_plain_first"] / (values["residual_ratio"] / values["plain_ratio"])
    assert 0.1 <= last_block_ratio <= 1e3
    assert values["residual_over_plain_first"] >= 1e6


# residual_branch_scaling: h_l = h_{l−1} + α·W relu(h_{l−1}), He-normal W. Mean field: the branch has
# E[(W relu h)_i²] = n·(2/n)·q/2 = q and is uncorrelated with h, so q = E[h²] grows by 1 + α² per block,
# and the squared backward norm grows by the same factor toward the input (E‖(αJ)ᵀg‖² = α²‖g‖² with
# J = W diag(relu′)). Per-block geometric means over 31 blocks at width 128: spread ≈ ½·√(2/64)/√31 ≈ 0.016
# in the log for α = 1.


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unscaled_relu_branches_double_the_variance_per_block(published, seed):
    # α = 1: √2 per block in the norm, forward and backward; ±5 % is three spreads.
    values = published("residual_branch_scaling", seed)
    for key in ("unscaled_rms_factor", "unscaled_signal_factor"):
        assert 0.95 * math.sqrt(2) <= values[key] <= 1.05 * math.sqrt(2)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_branch_scale_one_over_root_depth_keeps_growth_near_e(published, seed):
    # α = 1/√32: log factor per block ½·ln(1 + 1/32) ≈ 0.0154 (a total variance growth (1 + 1/L)^L ≈ e).
    # The noise is now the cross term 2α·hᵀW relu(h)/‖h‖², spread ≈ 2α/√n ≈ 0.031 per block in the squared
    # norm, ≈ 0.0028 on the per-block mean of the log norm: [0.5, 1.5] × 0.0154 is more than three spreads.
    expected_log = 0.5 * math.log(1 + 1 / SCALED_BLOCKS)
    values = published("residual_branch_scaling", seed)
    for key in ("scaled_rms_factor", "scaled_signal_factor"):
        assert 0.5 * expected_log <= math.log(values[key]) <= 1.5 * expected_log
