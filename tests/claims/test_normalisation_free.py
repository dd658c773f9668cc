"""Claims of docs/remedies/normalisation-free.md, checked across seeds against theory.

normfree_residual_gates: 12 blocks h ← h + α·W₂ relu(W₁ relu(h)) of width 32, He-normal kernels, zero biases.
normfree_adaptive_clipping: 8 blocks h ← h + relu(W h)/√8, SGD + momentum 0.9 at lr 0.1, unit-variance target.
"""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

BLOCKS, WIDTH = 12, 32


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_ungated_blocks_grow_about_root_two_per_block_both_ways(published, seed):
    # Mean field: relu(h) has second moment q/2, He W₁ makes it q, relu q/2, He W₂ q: the branch adds
    # variance q, uncorrelated with h, so q doubles per block; backward, E‖(I + J)ᵀg‖² = 2‖g‖² likewise.
    # Block 1 → block 12 is 11 blocks: √2^11 ≈ 45 for both ratios. Width-32 ReLU noise: ≈ 0.4n degrees of
    # freedom per layer (finite_width.py), 11 blocks: a factor fluctuation_band(12.8, 11) ≈ 7 either way.
    values = published("normfree_residual_gates", seed)
    expected, band = 2 ** 5.5, fluctuation_band(0.4 * WIDTH, BLOCKS - 1)
    assert values["blocks"] == BLOCKS
    for key in ("ungated_rms_growth", "ungated_signal_ratio"):
        assert expected / band <= values[key] <= expected * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_a_zero_gate_and_fixup_make_every_block_the_identity(published, seed):
    # α = 0, or a zero last layer, makes f_l contribute exactly 0: h_l = h_0 for every l and the
    # backward Jacobian is I. Both ratios are 1 up to float32 rounding.
    values = published("normfree_residual_gates", seed)
    for key in ("gate_rms_growth", "gate_signal_ratio", "fixup_rms_growth", "fixup_signal_ratio"):
        assert values[key] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_ungated_initial_loss_is_thousands_of_times_the_gated_one(published, seed):
    # The readout sees a stream whose variance grew by ≈ 2^12 (12 doublings) against ≈ 1 gated, so the
    # output variance, and the MSE it dominates, is ≈ 4096× larger; the square of the band above (≈ 50)
    # allows the fluctuation of that variance: ≥ 4096/50 ≈ 80×, and ≤ 4096·50.
    values = published("normfree_residual_gates", seed)
    ratio = values["ungated_initial_loss"] / values["gated_initial_loss"]
    band = fluctuation_band(0.4 * WIDTH, BLOCKS) ** 2
    assert 4096 / band <= ratio <= 4096 * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_ungated_network_diverges_at_every_learning_rate_tried(published, seed):
    # The loss's curvature along the output scales with the stream's variance (≈ 2^12 at init), so the
    # stable SGD step shrinks ≈ 4096-fold against a gated network; with momentum 0.9 even lr 0.001 is
    # above 2(1 + β)/λ_max. Observed: non-finite within a handful of steps (the page says so).
    values = published("normfree_residual_gates", seed)
    assert values["ungated_diverged_runs"] == 3
    assert 1 <= values["ungated_steps_before_nan_lr_0_001"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_gated_and_fixup_networks_learn_at_small_learning_rates(published, seed):
    # "Learns" = ends below the loss of predicting the mean (1, the target has unit variance), having
    # started above it (≈ 2.5, the readout's own error). Both start as the same identity network.
    values = published("normfree_residual_gates", seed)
    for key in ("gate_final_loss_lr_0_001", "fixup_final_loss_lr_0_001", "gate_final_loss_lr_0_01",
                "fixup_final_loss_lr_0_01"):
        assert isinstance(values[key], float) and 0 < values[key] < 1.0, key
    assert values["gated_initial_loss"] > 1.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_both_identity_starts_diverge_at_learning_rate_0_1(published, seed):
    # The page's reading: starting at the identity does not make lr 0.1 (with momentum 0.9) stable.
    values = published("normfree_residual_gates", seed)
    assert values["gate_diverged_lr_0_1"] is True
    assert values["fixup_diverged_lr_0_1"] is True


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_gates_stay_small_and_the_trained_stream_stays_near_the_identity(published, seed):
    # A gate's gradient is ⟨∂L/∂h_l, f_l⟩, of the size of the loss gradient; 80 steps at lr 0.01 with
    # momentum 0.9 move it by at most ≈ 80·0.01·10·|gradient|, so |α| ≪ 1 for gradients of order 1:
    # [0.01, 0.5]. With |α| ≤ 0.5 each block grows the variance by ≤ 1 + α² ≤ 1.25, i.e. ≤ 1.25^5.5 ≈ 3.4
    # over 11 blocks, before the same width noise.
    values = published("normfree_residual_gates", seed)
    assert 0.01 <= values["gate_mean_abs_alpha_lr_0_01"] <= 0.5
    band = fluctuation_band(0.4 * WIDTH, BLOCKS - 1)
    for key in ("trained_gate_rms_growth", "trained_gate_signal_ratio"):
        assert 1 / band <= values[key] <= 1.25 ** 5.5 * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_no_clipping_diverges_within_a_few_steps(published, seed):
    # Global gradient norm ≈ 100 at a loss ≈ 10: a first step of lr·‖g‖ ≈ 10 in weight space, far beyond the
    # weights' own scale; momentum compounds it. The page: non-finite after a few steps.
    values = published("normfree_adaptive_clipping", seed)
    assert values["no_clip_diverged"] is True
    assert 1 <= values["no_clip_steps_to_nonfinite"] <= 20
    # The initial gradient norm the page quotes: ≫ the clipnorm of 1 (why global clipping shrinks steps).
    assert 10 <= values["initial_gradient_norm"] <= 1e4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_agc_trains_where_global_clipping_is_slow(published, seed):
    # AGC: every unit may change by up to lr·λ of its norm per step (× 10 with momentum), so a relative
    # change of order one is within reach in 80 steps for λ ≥ 0.01; global clipping at 1 makes every step
    # of norm ≤ lr = 0.1 while ‖g‖ ≈ 100, i.e. ~1/100 of the unclipped step in every direction.
    # Claims: AGC at each λ ends below predicting the mean (1) and below half of global clipping's loss.
    values = published("normfree_adaptive_clipping", seed)
    assert isinstance(values["global_final_loss"], float)
    for key in ("agc_0_01_final_loss", "agc_0_04_final_loss", "agc_0_16_final_loss"):
        assert isinstance(values[key], float) and 0 < values[key] < 1.0, key
        assert values[key] < values["global_final_loss"] / 2, key


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_agc_is_active_on_most_units_and_the_unclipped_readout_diverges(published, seed):
    # λ = 0.04 with ‖G_i‖/‖W_i‖ of order lr-free gradient ratio ≫ 0.04 early on: most units clipped,
    # a fraction in (0.5, 1]. Leaving the readout unclipped leaves it with the no-clipping instability.
    values = published("normfree_adaptive_clipping", seed)
    assert 0.5 < values["agc_0_04_clipped_fraction"] <= 1.0
    assert values["agc_unclipped_readout_diverged"] is True
    assert 1 <= values["agc_unclipped_readout_steps"] < values["steps"]
    assert math.isclose(values["learning_rate"], 0.1)
