"""Claims of docs/troubleshooting/mixed-precision.md, derived from float16's number format."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

SMALLEST_SUBNORMAL = 2.0**-24  # ≈ 5.96e-8


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_policy_and_automatic_loss_scaling(published, seed):
    # mixed_float16: float16 compute, float32 variables; compile() wraps the optimizer in a
    # LossScaleOptimizer whose initial scale is 2¹⁵; the snippet restores the float32 policy.
    values = published("mixed_precision_loss_scaling", seed)
    assert values["hidden_compute_dtype"] == "float16" and values["hidden_variable_dtype"] == "float32"
    assert values["output_compute_dtype"] == "float32"
    assert values["fit_optimizer"] == "LossScaleOptimizer"
    assert values["initial_loss_scale"] == 2.0**15
    assert values["policy_after"] == "float32"


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unscaled_float16_gradients_flush_to_zero_as_predicted(published, seed):
    # float16 rounds |v| < 2⁻²⁵ (half the smallest subnormal) to 0. The float32 reference tells
    # how many backward-signal entries lie below that; the float16 zeros match that fraction up to
    # rounding in the layers above (±0.05), and after × 2¹⁵ the threshold drops to 2⁻⁴⁰ ≈ 9e-13,
    # below which no entry lies, so no entry is lost.
    values = published("mixed_precision_loss_scaling", seed)
    assert values["signal_median"] < SMALLEST_SUBNORMAL  # the example is one where it matters
    assert values["signal_zero_fraction_unscaled"] == pytest.approx(values["signal_predicted_zero_fraction"], abs=0.05)
    assert values["signal_predicted_zero_fraction_scaled"] < 0.01
    assert values["signal_zero_fraction_scaled"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_forgetting_scale_loss_zeroes_most_of_the_first_kernel_gradient(published, seed):
    # The first kernel's gradient is xᵀδ with δ the backward signal above, most of which is 0
    # without scaling (previous test, median below 2⁻²⁴): at least half the entries are 0;
    # with scale_loss none of δ is lost, so (almost) no entry is 0.
    values = published("mixed_precision_loss_scaling", seed)
    assert values["custom_step_zero_fraction_forgotten"] > 0.5
    assert values["custom_step_zero_fraction_scaled"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float32_softmax_keeps_probabilities_float16_rounds_to_zero(published, seed):
    # Logit gap 20: p = e⁻²⁰ / (1 + 3e⁻²⁰) ≈ 2.06e-9 < 2⁻²⁵ ≈ 2.98e-8, so float16 gives exactly 0.
    values = published("mixed_precision_loss_scaling", seed)
    assert values["softmax_float16_smallest_probability"] == 0.0
    expected = math.exp(-20) / (1 + 3 * math.exp(-20))
    assert values["softmax_float32_smallest_probability"] == pytest.approx(expected, rel=1e-3)
    assert expected < SMALLEST_SUBNORMAL / 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_float16_weights_lose_updates_float32_weights_keep_them(published, seed):
    # An update smaller than half the gap to the next representable number rounds away. float16's
    # gap at |w| is 2¹³ times float32's, so storing weights in float16 loses far more updates;
    # the prediction from numpy.spacing is exact up to ties (±0.02).
    values = published("float16_weights_lose_updates", seed)
    assert values["largest_prediction_error"] < 0.02
    assert values["pure_float16_unchanged"] > values["mixed_unchanged"] + 0.3
    assert values["pure_float16_last_hidden_unchanged"] > values["mixed_last_hidden_unchanged"]
