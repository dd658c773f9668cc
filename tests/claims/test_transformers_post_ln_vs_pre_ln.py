"""Claims of docs/transformers/post-ln-vs-pre-ln.md, checked across seeds against theory.

transformer_ln_placement_gradients: 12-block post-LN and pre-LN encoders of width 32 at Keras's default
initialisation (6-block models share their first six blocks and read-out). transformer_warmup_training:
6-block encoders trained for 120 steps with Adam at a peak learning rate of 6e-3.

Pre-LN mean field: every branch reads LN(h), so it adds a variance v_s set by its own weights and
σ²_l = e² + Σ v_s grows with depth; backward, a sublayer multiplies the squared signal by 1 + χ_s/σ², forward
the variance by 1 + v_s/σ², and χ_s ≤ v_s (equal for the ReLU FFN; attention averages positions that are
correlated forward but whose gradients are not). Post-LN renormalises after every sublayer: σ_l = 1.
"""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

BLOCKS = 12
VOCAB = 16
# Finite-width band for a product over the 22 sublayers between block 1 and block 12 at width 32, ReLU-like
# degrees of freedom 0.4n (tests/claims/finite_width.py): about a factor 16.
POST_LN_BAND = fluctuation_band(0.4 * 32, 2 * (BLOCKS - 1))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_post_ln_stream_is_renormalised_to_unit_scale(published, seed):
    # LN with γ = 1, β = 0 outputs rms √(var/(var + ε)); the sum h + F(h) has variance ≥ 1, ε = 10⁻³: ≥ 0.9995.
    assert 0.999 <= published("transformer_ln_placement_gradients", seed)["post_rms_last"] <= 1.0001


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_post_ln_gradients_neither_vanish_nor_explode_across_blocks(published, seed):
    # With σ_l = 1 there is no 1/σ factor: the mean-field gain per sublayer is (1 + χ)/(1 + v)·(d − 2)/d ≈ 1.
    # Block 1 against block 12 and the spread of the per-block W₂ gradients stay within the finite-width band.
    values = published("transformer_ln_placement_gradients", seed)
    assert 1 / POST_LN_BAND <= values["post_signal_first_over_last"] <= POST_LN_BAND
    assert 1 <= values["post_signal_spread"] <= POST_LN_BAND
    assert 1 <= values["post_kernel_spread"] <= POST_LN_BAND


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_pre_ln_stream_grows_with_depth(published, seed):
    # σ²_12/σ²_1 = Σ_{l≤12} V_l / V_1 with V_l block l's added variance (e² ≪ V_1). Non-decreasing V_l gives
    # ≥ 12, V_l growing at most in proportion to l gives ≤ 78: rms growth in [√12, √78], −20 % for noise.
    values = published("transformer_ln_placement_gradients", seed)
    assert 0.8 * math.sqrt(12) <= values["pre_rms_growth"] <= math.sqrt(78)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_pre_ln_gradients_shrink_toward_the_top_by_less_than_the_stream_grows(published, seed):
    # 1 ≤ ‖∂L/∂h_1‖/‖∂L/∂h_12‖ ≤ σ_12/σ_1 from χ ≤ v (module docstring), ±20 % for one batch. The W₂ gradient
    # is its input (relu of a normalised stream, the same distribution in every block) times that signal,
    # so its first/last lies in the same range, with a factor 2 for how coherently 16 positions add up.
    values = published("transformer_ln_placement_gradients", seed)
    assert 0.8 <= values["pre_signal_first_over_last"] <= 1.2 * values["pre_rms_growth"]
    assert 1.0 <= values["pre_kernel_first_over_last"] <= 2 * values["pre_rms_growth"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_pre_ln_last_layer_gradient_shrinks_with_depth_post_ln_does_not(published, seed):
    # Xiong et al. (2020): the last W₂ gradient carries 1/σ_L in pre-LN (the final LN) and no L-dependence
    # in post-LN. Between 6 and 12 blocks the prediction is σ_6/σ_12 (published, ≈ 0.6) for pre-LN and 1 for
    # post-LN. Each is a ratio of two single-batch norms that differ in six random blocks; a factor 2 each way.
    values = published("transformer_ln_placement_gradients", seed)
    predicted = values["pre_rms_shallow_over_deep"]
    assert 0.5 <= predicted <= 0.8  # √(6/12) ≈ 0.71 for linear growth; faster growth makes it smaller
    assert 0.5 * predicted <= values["pre_last_kernel_deep_over_shallow"] <= 2 * predicted
    assert values["pre_last_kernel_deep_over_shallow"] < 1
    assert 0.5 <= values["post_last_kernel_deep_over_shallow"] <= 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_post_ln_last_layer_gradient_is_the_larger(published, seed):
    # Post-LN's last W₂ output passes an LN dividing by √(1 + v_FFN) ≈ 1.1; pre-LN's the final LN dividing
    # by σ_L ≥ 2 at 6 blocks and ≥ 3 at 12 (test above). Their ratio is ≈ σ_L/1.1 ≥ 2; the factor-2 noise
    # of each norm leaves it ≥ 1.
    values = published("transformer_ln_placement_gradients", seed)
    assert values["post_over_pre_last_kernel_shallow"] >= 1
    assert values["post_over_pre_last_kernel_deep"] >= 1


# transformer_warmup_training. Chance level: a uniform prediction over 16 tokens has loss ln 16 ≈ 2.77 and
# accuracy 1/16.


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_pre_ln_learns_the_task_without_warm_up(published, seed):
    # Learned: mean probability of the right token ≥ e^−0.1 ≈ 0.9 over the last 10 steps, and ≥ 95 % of
    # the tokens of 256 new sequences right (reversal is exact; a learned model has no excuse to miss).
    values = published("transformer_warmup_training", seed)
    assert values["pre_no_warmup_final_loss"] <= 0.1
    assert values["pre_no_warmup_accuracy"] >= 0.95


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_post_ln_without_warm_up_stays_near_chance(published, seed):
    # "Near the loss of a uniform guess": within 10 % of ln 16 after step 20 and at the end, and at most
    # four times chance accuracy. Not a divergence: the loss stays finite and does not exceed ln 16 by 10 %.
    values = published("transformer_warmup_training", seed)
    chance = math.log(VOCAB)
    assert 0.9 * chance <= values["post_no_warmup_min_loss"] <= values["post_no_warmup_final_loss"] <= 1.1 * chance
    assert values["post_no_warmup_accuracy"] <= 4 / VOCAB


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_warm_up_lets_post_ln_leave_the_plateau_but_not_solve_the_task(published, seed):
    # With warm-up the same model ends below the no-warm-up run by more than the 10 % band above, yet far
    # from solved: loss ≥ 1 (mean probability of the right token ≤ e⁻¹) and accuracy ≤ 50 %.
    values = published("transformer_warmup_training", seed)
    assert values["post_warmup_final_loss"] <= 0.9 * values["post_no_warmup_final_loss"]
    assert 1 <= values["post_warmup_final_loss"] <= math.log(VOCAB)
    assert values["post_warmup_accuracy"] <= 0.5
