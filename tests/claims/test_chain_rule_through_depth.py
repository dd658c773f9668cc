"""Claims of docs/foundations/chain-rule-through-depth.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS

DEPTH = 11  # linear_network_gain: 11 layers, so the gradient crosses 10 Jacobians from layer 11 to 1
# chain_rule_products only computes the powers 0.5ⁿ and 1.5ⁿ the page shows: arithmetic, not a
# measurement, so it has no claim test. The measurements below must land on those powers.


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("name, gain", [("half", 0.5), ("one", 1.0), ("one_and_half", 1.5)])
def test_linear_network_scales_the_backward_signal_by_gain_to_the_depth(published, seed, name, gain):
    # Layer k computes h_k = h_{k−1} W_k with W_k = g·Q_k, Q_k orthogonal. Backward,
    # ∂L/∂h_{k−1} = (∂L/∂h_k) W_kᵀ = g · (∂L/∂h_k) Q_kᵀ, and right-multiplying by an orthogonal
    # matrix leaves the Frobenius norm unchanged. So ‖∂L/∂h_1‖ = g^(L−1)·‖∂L/∂h_L‖ exactly; only
    # float32 rounding remains. 5 % (much tighter than the factor 2 first planned) still leaves room
    # for TF32 matrix products on a GPU, ~1e-3 relative error per product over 10 products.
    ratio = published("linear_network_gain", seed)[f"signal_ratio_{name}"]
    assert ratio == pytest.approx(gain ** (DEPTH - 1), rel=0.05)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("name", ["half", "one", "one_and_half"])
def test_linear_network_kernel_gradients_are_equal_in_every_layer(published, seed, name):
    # ∂L/∂W_k = h_{k−1}ᵀ (∂L/∂h_k). Forward, h_{k−1} = g^(k−1)·x·(orthogonal); backward,
    # ∂L/∂h_k = g^(L−k)·(∂L/∂h_L)·(orthogonal). The product is g^(L−1)·Pᵀ xᵀ(∂L/∂h_L) R with P, R
    # orthogonal, whose norm does not depend on k: the ratio first/last kernel gradient is exactly 1.
    ratio = published("linear_network_gain", seed)[f"kernel_ratio_{name}"]
    assert ratio == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("name, gain", [("half", 0.5), ("one", 1.0), ("one_and_half", 1.5)])
def test_linear_network_scales_the_forward_signal_by_gain_to_the_depth(published, seed, name, gain):
    # Forward, h_k = h_{k−1}·g·Q_k with Q_k square orthogonal, so ‖h_k‖ = g·‖h_{k−1}‖ exactly for every
    # row, and rms(h_11)/rms(h_1) = g¹⁰. Same float32/TF32 margin as the backward signal.
    ratio = published("linear_network_gain", seed)[f"forward_ratio_{name}"]
    assert ratio == pytest.approx(gain ** (DEPTH - 1), rel=0.05)
