"""Claims of docs/vanishing/bad-initialisation.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

SMALL_SIGMA = 0.01  # initialisation_scale: RandomNormal(stddev=0.01)
LARGE_SIGMA = 1.0  # RandomNormal(stddev=1.0)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_small_weights_shrink_activations_by_sqrt_n_sigma_per_layer(published, seed):
    # Var_out = n·σ_w²·Var_in while tanh is in its linear regime (tanh′(0) = 1): each layer scales
    # the activation std by √n·σ_w = √64 · 0.01 = 0.08. The chi distribution of ‖Wᵀa‖/‖a‖ with 64
    # degrees of freedom spreads ±9 % per layer; the geometric mean over 9 layers is tighter still.
    values = published("initialisation_scale", seed)
    predicted = math.sqrt(values["width"]) * SMALL_SIGMA
    assert predicted / 1.5 < values["small_std_factor"] < predicted * 1.5
    # After 10 layers: 0.08¹⁰ ≈ 1e-11 of the unit-variance input; assert below 1e-8.
    assert values["small_std_last"] < 1e-8


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_small_weights_make_every_layer_gradient_tiny_and_equal(published, seed):
    # ∂L/∂W_k = a_{k−1}ᵀ δ_k: the forward factor a_{k−1} has shrunk by 0.08^(k−1) and the backward
    # factor δ_k by 0.08^(L−k), so every layer's kernel gradient is ≈ 0.08^(L−1) = 0.08⁹ ≈ 1e-10
    # times the Glorot network's, whose factors are ≈ 1. Assert ≤ 1e-6 of Glorot's first layer,
    # and that the ten layers' norms lie within 10× of each other (they share the same power).
    values = published("initialisation_scale", seed)
    assert values["small_grad_largest"] / values["glorot_grad_first"] <= 1e-6
    assert values["small_over_glorot_first"] <= 1e-6
    assert values["small_grad_spread"] < 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_weights_saturate_every_layer(published, seed):
    # Pre-activations have std ≈ √64 · 1 · rms(a) ≈ 8, so |tanh(z)| ≈ 1 for most units and the
    # activation std is √E[tanh²(z)] ≈ √(1 − 2φ(0)/8) ≈ 0.95. Assert ≥ 0.8 in every layer.
    assert published("initialisation_scale", seed)["large_std_smallest"] >= 0.8


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_weights_make_the_gradient_grow_toward_the_input(published, seed):
    # Backward, each layer multiplies E‖δ‖² by χ = n·σ_w²·E[tanh′(z)²] (Schoenholz et al. 2017).
    # With z ~ N(0, s²), s ≈ 8·0.95, E[sech⁴(z)] ≈ (4/3)·φ(0)/s ≈ 0.07, so χ ≈ 64 · 0.07 ≈ 4.5:
    # the norm grows ≈ 2.1× per layer, ≈ 2.1⁹ ≈ 800× over 9 layers. Assert > 10×, and that the
    # first layer's gradient is larger than Glorot's, whose χ is ≈ 1.
    values = published("initialisation_scale", seed)
    assert values["large_ratio"] > 10
    assert values["large_grad_first"] > values["glorot_grad_first"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_keeps_first_and_last_layer_within_an_order_of_magnitude(published, seed):
    # Glorot & Bengio (2010): Var(w) = 2/(fan_in + fan_out) makes χ ≈ 1 in tanh's linear regime.
    values = published("initialisation_scale", seed)
    assert 0.1 < values["glorot_ratio"] < 10
    # Forward, n·σ_w² = 1 and tanh²(z) < z² for z ≠ 0, so E[a_k²] < E[a_{k−1}²]: the spread shrinks.
    assert values["glorot_std_last"] < values["glorot_std_first"]
