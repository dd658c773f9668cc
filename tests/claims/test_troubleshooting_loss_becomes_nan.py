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
def test_lower_learning_rate_keeps_the_loss_finite_and_falling(published, seed):
    # At rate 0.05 the output-layer block is well inside the stable region (rate × λ < 2, with
    # a wide margin left for the rest of the Hessian), so the loss stays finite and decreases.
    values = published("nan_loss_learning_rate", seed)
    assert values["low_rate_times_curvature"] < 1
    assert values["low_rate_all_finite"] and values["low_rate_steps_run"] == values["steps_planned"]
    assert values["low_rate_last_loss"] < values["low_rate_first_loss"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_global_clipnorm_keeps_the_loss_finite_at_the_high_rate(published, seed):
    # Each clipped step moves the weights by at most rate × clip = 1, so after 40 steps no weight
    # has moved by more than 40: the outputs stay polynomially bounded and cannot overflow float32.
    values = published("nan_loss_learning_rate", seed)
    assert values["clipped_all_finite"] and values["clipped_steps_run"] == values["steps_planned"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_softmax_then_log_gives_inf_and_from_logits_does_not(published, seed):
    # float32 rounds e^(−gap) to 0 beyond gap = ln 2¹⁵⁰ ≈ 104; raw inputs put the largest gap far
    # beyond it, so log(0) = −inf at the first step. from_logits=True computes z − logsumexp(z),
    # which is finite for any finite logits.
    values = published("nan_loss_softmax_log", seed)
    assert values["float32_zero_gap"] == pytest.approx(150 * math.log(2))
    assert values["raw_largest_gap"] > values["float32_zero_gap"]
    assert values["softmax_log_all_finite"] is False
    assert values["from_logits_all_finite"] and values["from_logits_steps_run"] == values["steps_planned"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float32_output_layer_fixes_the_mixed_precision_inf(published, seed):
    # float16's smallest subnormal is 2⁻²⁴, so its softmax gives exactly 0 beyond gap = ln 2²⁵ ≈ 17.3.
    # The ×10 inputs put some gaps beyond 17.3 but none beyond float32's 104: the float16 output
    # layer gives inf, the same network with a float32 output layer stays finite.
    values = published("nan_loss_softmax_log", seed)
    assert values["float16_zero_gap"] == pytest.approx(25 * math.log(2))
    assert values["mixed_fraction_beyond_float16"] > 0
    assert values["mixed_fraction_beyond_float32"] == 0
    assert values["float16_output_dtype"] == "float16" and values["float32_output_dtype"] == "float32"
    assert values["mixed_float16_output_all_finite"] is False
    assert values["mixed_float32_output_all_finite"]
    assert values["mixed_float32_output_steps_run"] == values["steps_planned"]
