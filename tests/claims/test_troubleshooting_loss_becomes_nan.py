"""Claims of docs/troubleshooting/loss-becomes-nan.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_high_learning_rate_is_past_the_stability_limit(published, seed):
    # Gradient descent on a quadratic diverges when learning rate × curvature > 2. The output
    # layer's block of the Hessian is a principal submatrix, so the network's top curvature is at
    # least the block's (Cauchy interlacing): rate × block curvature > 2 predicts divergence.
    values = published("nan_loss_learning_rate", seed)
    assert values["high_rate_times_curvature"] > 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_broken_run_produces_a_non_finite_loss_and_terminate_on_nan_stops_there(published, seed):
    # Past the limit the error is multiplied by |1 − rate·λ| > 1 every step, so in float32
    # (max ≈ 3.4e38) the loss overflows within tens of steps; TerminateOnNaN checks every batch
    # and stops at the first non-finite one, so the run is exactly that many steps long.
    values = published("nan_loss_learning_rate", seed)
    assert values["broken_all_finite"] is False
    assert values["broken_steps_run"] == values["broken_first_bad_step"] < values["steps_planned"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_lower_learning_rate_keeps_the_loss_finite_and_learns(published, seed):
    # At rate 0.05 the output-layer block is well inside the stable region (rate × λ < 2, with
    # a wide margin left for the rest of the Hessian), so the loss stays finite. "Learns" means it
    # beats the constant prediction (loss = Var(y)) by a wide margin, here by half; it cannot go
    # below half the label noise's variance (0.1² = 0.01) in 40 steps of a 32-unit network.
    values = published("nan_loss_learning_rate", seed)
    assert values["low_rate_times_curvature"] < 1
    assert values["low_rate_all_finite"] and values["low_rate_steps_run"] == values["steps_planned"]
    assert 0.005 < values["low_rate_last_loss"] < 0.5 * values["mean_prediction_loss"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_global_clipnorm_keeps_the_loss_finite_at_the_high_rate_and_learns(published, seed):
    # Each clipped step moves the weights by at most rate × clip = 1 (plain SGD), so after 40 steps no
    # weight has moved by more than 40: the outputs stay polynomially bounded and cannot overflow
    # float32. The run still learns: below half of the constant prediction's loss, above the noise.
    values = published("nan_loss_learning_rate", seed)
    assert values["clipped_all_finite"] and values["clipped_steps_run"] == values["steps_planned"]
    assert 0.005 < values["clipped_last_loss"] < 0.5 * values["mean_prediction_loss"]


LN2 = math.log(2)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float32_softmax_gives_zero_where_flush_to_zero_puts_it(published, seed):
    # "softmax gives an exact 0 from a gap of about ln 2¹²⁶, because TensorFlow flushes float32
    # subnormals to zero". Bounds that hold whatever the arithmetic: with gradual underflow, round-to-
    # nearest keeps e^(−gap) nonzero down to 2⁻¹⁵⁰, so the limit cannot lie past ln 2¹⁵⁰ < ln 2¹⁴⁹ + 1;
    # flushing zeroes results below 2⁻¹²⁶, and a kernel's range reduction may lose a bit or so more
    # (a factor e covers it), so the limit cannot lie before ln 2¹²⁶ − 1.
    values = published("nan_loss_softmax_log", seed)
    for key in ("float32_zero_gap", "float32_exp_zero_gap"):
        assert 126 * LN2 - 1 <= values[key] <= 149 * LN2 + 1
    # The page explains the limit by flush-to-zero. That derivation holds only if e⁻⁸⁸ ≈ 6e-39 (a
    # subnormal) came back as 0 and exp's limit is the smallest normal number, 2⁻¹²⁶, to within
    # rounding (±0.01 in the gap is ±1 %); with gradual underflow it would be near ln 2¹⁵⁰ ≈ 104.
    # If this fails on another device, the page's explanation is wrong there.
    assert values["float32_subnormals_flushed"] is True
    assert values["float32_exp_minus_88"] == 0.0
    assert values["float32_exp_zero_gap"] == pytest.approx(126 * LN2, abs=0.01)
    assert values["float32_zero_gap"] <= values["float32_exp_zero_gap"] + 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_softmax_then_log_gives_inf_and_from_logits_does_not(published, seed):
    # The raw inputs put the largest gap beyond the measured limit, so log(0) = −inf at the first
    # step. from_logits=True computes z − logsumexp(z), which is finite for any finite logits.
    values = published("nan_loss_softmax_log", seed)
    assert values["raw_largest_gap"] > values["float32_zero_gap"]
    assert values["raw_fraction_beyond_float32"] > 0
    assert values["softmax_log_all_finite"] is False
    assert values["softmax_log_steps_run"] == 1
    assert values["from_logits_all_finite"] and values["from_logits_steps_run"] == values["steps_planned"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float32_output_layer_fixes_the_mixed_precision_inf(published, seed):
    # float16's smallest subnormal is 2⁻²⁴; round-to-nearest gives 0 below 2⁻²⁵, so its softmax gives
    # exactly 0 from gap ln 2²⁵ ≈ 17.3 if subnormals are kept, or from ln 2¹⁴ ≈ 9.7 if they were
    # flushed. The page says they are kept: the gap lies in [ln 2²⁴, ln 2²⁵ + 0.05].
    values = published("nan_loss_softmax_log", seed)
    assert 24 * LN2 <= values["float16_zero_gap"] <= 25 * LN2 + 0.05
    # The ×10 inputs put some gaps beyond float16's limit but none beyond float32's: the float16
    # output layer gives inf, the same network with a float32 output layer stays finite.
    assert values["mixed_fraction_beyond_float16"] > 0
    assert values["mixed_fraction_beyond_float32"] == 0
    assert values["float16_output_dtype"] == "float16" and values["float32_output_dtype"] == "float32"
    assert values["mixed_float16_output_all_finite"] is False
    assert values["mixed_float32_output_all_finite"]
    assert values["mixed_float32_output_steps_run"] == values["steps_planned"]
