"""Claims of docs/remedies/mixed-precision.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS

FLOAT16_SMALLEST_SUBNORMAL = 2.0**-24  # IEEE 754 binary16: 5.96e-8
LOSS_SCALE = 2.0**15  # LossScaleOptimizer's default initial_scale


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_first_layer_gradients_underflow_in_float16(published, seed):
    # Ten sigmoid layers shrink the gradient by ~4 per layer (σ′ ≤ 1/4), so the first layer's entries
    # sit near 1e-8, below half of 2⁻²⁴, where round-to-nearest gives 0. Underflow in the layers above
    # only adds zeros, so the float16 zero fraction is at least the below-threshold fraction (5 % slack
    # for rounding), and most entries are lost.
    values = published("float16_gradient_underflow", seed)
    assert values["first_layer_median_gradient"] < FLOAT16_SMALLEST_SUBNORMAL / 2
    assert values["float16_zero_fraction"] >= values["below_half_subnormal_fraction"] - 0.05
    assert values["float16_zero_fraction"] > 0.5
    assert values["float16_layers_all_zero"] >= 1
    # float32 keeps numbers down to 1.2e-38 even with flush-to-zero: no entry of ~1e-8 is lost.
    assert values["float32_zero_fraction"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_loss_scaling_recovers_the_gradients(published, seed):
    # × 2¹⁵ moves a median of ~5e-9 to ~2e-4, thousands of times above 2⁻²⁴: almost every entry is
    # representable, and the error is float16 rounding (2⁻¹¹ ≈ 5e-4 per operation, ~10 layers deep,
    # a little more for entries in the subnormal range); 5 % is generous.
    values = published("float16_gradient_underflow", seed)
    assert values["first_layer_median_gradient"] * LOSS_SCALE > 100 * FLOAT16_SMALLEST_SUBNORMAL
    assert values["scaled_zero_fraction"] < 0.01
    assert values["scaled_relative_error"] < 0.05


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_backward_signal_underflows_before_the_kernel_gradient_is_formed(published, seed):
    # In float32 the backward signal falls by ~4⁻⁹ ≈ 4e-6 over nine sigmoid layers (σ′ ≤ 1/4, Glorot
    # weights), a factor ~30 either way, and is nowhere 0. In float16 the first layers' signal entries
    # are below 2⁻²⁵ and round to 0: at least one layer's signal is exactly 0. A kernel gradient entry
    # Σ_b h_b·δ_b multiplies δ by sigmoid outputs h ∈ (0, 1): where δ is still representable but
    # subnormal (the layer just above the lost ones), h·δ can round to 0 too; where δ is well inside
    # float16's range it cannot. So the all-zero kernels are the layers whose signal was lost, give or
    # take that one edge layer.
    values = published("float16_gradient_underflow", seed)
    assert 1e-7 < values["float32_signal_first_over_last"] < 1e-4
    assert values["float32_signal_zero_layers"] == 0
    assert values["float16_signal_zero_layers"] >= 1
    assert values["float16_signal_lost_layers"] >= values["float16_signal_zero_layers"]
    assert abs(values["float16_hidden_kernels_all_zero"] - values["float16_signal_lost_layers"]) <= 1
