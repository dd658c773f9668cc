"""Claims of docs/troubleshooting/update-to-weight-ratio.md, checked across seeds.

update_to_weight_ratio: six sigmoid layers of 64, Glorot uniform, 4-class softmax, minibatches of 64,
200 steps of SGD or Adam (β₁ 0.9, β₂ 0.999, ε 1e-7) from the same weights and batches.
gradient_noise_scale: per-example gradients of a tanh MLP (1633 parameters) on 4096 noisy examples.
"""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7
DEPTH = 6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sgd_update_ratio_is_proportional_to_the_learning_rate(published, seed):
    # Step 1 starts from the same weights and batch, so Δw = −η·g with the same g: the ratio at η = 10 is
    # exactly 10 times the ratio at η = 1 (float32 rounding only).
    values = published("update_to_weight_ratio", seed)
    assert values["sgd_first_step_ratio_10_over_1"] == pytest.approx(10.0, rel=1e-3)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_under_sgd_the_first_layer_moves_far_less_than_the_output_layer(published, seed):
    # SGD's ratio is η‖g_l‖/‖w_l‖. Between the output kernel and the first kernel the backward signal
    # passes six sigmoid layers; mean field: its squared norm shrinks by χ = E[σ′²] ∈ [0.03, 1/16] per
    # Glorot layer, a factor between 1/4⁶ ≈ 2.4e-4 and 0.03³ ≈ 2.7e-5... in the norm 4⁻⁶ ≥ · ≥ 0.03^3.
    # Kernel inputs (x rms 1 vs sigmoid outputs rms ≈ 0.55) and weight norms (‖w₁‖ ≈ 5.1, ‖w₇‖ ≈ 2.7) move it
    # by a few: the median first/output ratio lies in [0.03³/10, 4⁻⁶·10] = [2.7e-6, 2.4e-3].
    values = published("update_to_weight_ratio", seed)
    assert 0.03**3 / 10 <= values["sgd_lr_1_first_over_output_median"] <= 4.0**-6 * 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_trust_ratio_spreads_over_layers_as_the_gradients_vanish(published, seed):
    # ‖w‖/‖g‖ first over output = (‖w₁‖/‖w₇‖)·(‖g₇‖/‖g₁‖): by the same mean-field argument ‖g₇‖/‖g₁‖ lies
    # in [4⁶·0.55, 0.03⁻³·0.55·e^1] (input rms ratio 0.55, a width-64 noise band e^1), and ‖w₁‖/‖w₇‖ ≈ 1.85.
    # So the spread lies in [≈ 4e3/2, ≈ 7e4·2]: require [1e3, 2e5]; the first layer's is the largest.
    values = published("update_to_weight_ratio", seed)
    spread = values["trust_first_layer"] / values["trust_output_layer"]
    assert 1e3 <= spread <= 2e5
    assert values["trust_spread"] == pytest.approx(spread, rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adams_first_step_moves_each_entry_by_about_the_learning_rate(published, seed):
    # Keras Adam, t = 1: step size lr·√(1 − β₂)/(1 − β₁), m = (1 − β₁)g, v = (1 − β₂)g², so each entry moves
    # by lr·|g|/(|g| + ε/√(1 − β₂)) ≤ lr, and ‖Δw‖ ≤ lr·√(entries) with equality when every |g| ≫ 3.2e-6.
    # Output kernel: gradients ≫ 3.2e-6, ratio in [0.98, 1]. First kernel: gradients near 3.2e-6, the
    # measured ratio equals the formula evaluated on its gradient (to float32 precision, 1e-4), below 0.9.
    values = published("update_to_weight_ratio", seed)
    assert 0.98 <= values["adam_first_step_output"] <= 1.0 + 1e-5
    assert values["adam_first_step_first_layer"] == pytest.approx(
        values["adam_first_step_first_layer_predicted"], rel=1e-4
    )
    assert values["adam_first_step_first_layer"] <= 0.9


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adams_step_per_entry_never_exceeds_its_bound(published, seed):
    # Kingma & Ba (2015, §2.1): |Δ| ≤ lr·(1 − β₁)/√(1 − β₂) ≈ 3.16·lr in the worst case (a gradient spike
    # after small ones); a typical step is ≈ lr, so the largest over 200 steps lies in [1, 3.17]·lr.
    values = published("update_to_weight_ratio", seed)
    bound = (1 - BETA1) / math.sqrt(1 - BETA2)
    assert 1.0 <= values["adam_lr_1e_3_largest_entry_step_over_lr"] <= bound * 1.001


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adam_update_ratio_tracks_the_learning_rate_in_every_layer(published, seed):
    # Per-entry steps of at most 3.16·lr (bound above) and Glorot rms weights ≈ 0.16 (output kernel
    # 64 → 4: √(2/68) ≈ 0.17) give ‖Δw‖/‖w‖ ≤ 3.16·lr/0.16 ≈ 20·lr while ‖w‖ has not grown; steps shrink
    # when gradient signs flip, so at lr 1e-3 the median lies in [1e-4, 2e-2]. The per-entry step is
    # lr·|m̂|/(√v̂ + ε), so the ratio rises with lr: 1e-4 < 1e-3 < 1e-2. Per-entry normalisation keeps the
    # first layer within 10× of the output layer (under SGD they differ by 10³ or more, above).
    values = published("update_to_weight_ratio", seed)
    assert 1e-4 <= values["adam_lr_1e_3_median_output"] <= 2e-2
    assert values["adam_lr_1e_4_median_output"] < values["adam_lr_1e_3_median_output"] < values["adam_lr_1e_2_median_output"]
    assert 0.1 <= values["adam_lr_1e_3_first_over_output_median"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_what_each_run_learned(published, seed):
    # Training outcomes after 200 steps, compared with the prior-only loss ≈ ln 4 = 1.386. SGD at η 0.1 and
    # 1, whose first layer moves by < 1e-4 of its norm per step, stays within 5 % of ln 4; Adam at lr 1e-2
    # gets below 0.7·ln 4; SGD at η 10 ends more than 10 % above ln 4, worse than predicting the class
    # frequencies.
    values = published("update_to_weight_ratio", seed)
    chance = values["chance_loss"]
    for lr in ("0_1", "1"):
        assert values[f"sgd_lr_{lr}_final_loss"] >= 0.95 * chance
        assert values[f"sgd_lr_{lr}_median_first"] <= 1e-4
    assert values["adam_lr_1e_2_final_loss"] <= 0.7 * chance
    assert values["adam_lr_1e_2_final_loss"] < values["adam_lr_1e_3_final_loss"] < values["initial_loss"]
    assert values["sgd_lr_10_final_loss"] > 1.1 * chance


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_minibatch_gradient_noise_falls_as_one_over_b(published, seed):
    # E‖g_B − G‖² = tr(Σ)/B·(N − B)/(N − 1) for B distinct examples out of N. Each point is a mean of 100
    # draws of a squared norm; its relative spread is at most √(2/100) ≈ 0.14 for one dominant direction,
    # so measured/predicted within [0.6, 1.5] (three spreads). The fitted slope over B = 1 … 256 is −1 up to
    # the finite-population factor (≥ 0.94) and that noise: ±0.1.
    values = published("gradient_noise_scale", seed)
    assert -1.1 <= values["slope"] <= -0.9
    assert values["measured_over_predicted_min"] >= 0.6
    assert values["measured_over_predicted_max"] <= 1.5
    assert values["per_example_check"] <= 1e-5  # rows averaged = the tape's gradient, float32 sums


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_noise_scale_and_its_two_batch_estimate(published, seed):
    # McCandlish et al.'s two-batch estimator (B 32 and 1024) is unbiased for ‖G‖² and tr Σ up to the
    # finite-population factor (≤ 25 % at B = 1024 of 4096); from 100 draws each, within 2× of the exact
    # tr(Σ)/‖G‖². B_noise is tr(Σ)/‖G‖² by definition: checked against the published parts to 1e-6.
    values = published("gradient_noise_scale", seed)
    assert values["noise_scale_init"] == pytest.approx(values["trace_sigma"] / values["full_gradient_sq"], rel=1e-6)
    assert 0.5 <= values["two_batch_estimate_init"] / values["noise_scale_init"] <= 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_noise_scale_grows_as_the_loss_falls(published, seed):
    # Label noise (variance 0.09) keeps per-example gradients apart at any minimum, so tr Σ stays positive
    # while ‖G‖² → 0 as training converges: B_noise grows (McCandlish et al. 2018 report growth by an
    # order of magnitude or more over training). After 400 SGD steps we require a factor 2 and a loss that
    # has fallen at least tenfold but stays above the noise floor 0.09.
    values = published("gradient_noise_scale", seed)
    assert values["noise_scale_final"] >= 2 * values["noise_scale_init"]
    assert values["label_noise_variance"] <= values["loss_final"] <= 0.1 * values["loss_init"]
