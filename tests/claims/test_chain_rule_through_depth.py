"""Claims of docs/foundations/chain-rule-through-depth.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS

DEPTH = 11  # linear_network_gain: 11 layers, so the gradient crosses 10 Jacobians from layer 11 to 1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_ten_factors_of_a_half_and_of_one_and_a_half(published, seed):
    # Exact arithmetic: 0.5¹⁰ = 1/1024 and 1.5¹⁰ = 3¹⁰/2¹⁰ = 59049/1024.
    values = published("chain_rule_products", seed)
    assert values["half_to_10"] == pytest.approx(1 / 1024, abs=1e-9)
    assert values["one_and_half_to_10"] == pytest.approx(59049 / 1024, abs=1e-9)
    # And thirty layers: 2⁻³⁰ ≈ 9.3e-10, 1.5³⁰ = 3³⁰/2³⁰ ≈ 1.9e5 (float64 rounding only).
    assert values["half_to_30"] == pytest.approx(2.0**-30, rel=1e-12)
    assert values["one_and_half_to_30"] == pytest.approx(3**30 / 2**30, rel=1e-12)


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
