"""Claims of docs/remedies/normalisation.md, checked across seeds against theory.

Mean-field noise at finite width n: one layer multiplies the squared backward norm by a sum over n
units, whose relative spread is about √(2/n); over k layers the log of the norm ratio has a spread
of about ½·√(2/n)·√k. The bounds below allow three of those spreads (e³ ≈ 20× is never needed).
"""

import math

import numpy as np
import pytest

from tests.conftest import CLAIM_SEEDS

DEPTH = 15  # normalisation_gradient_flow: 15 sigmoid layers of 64, so 14 steps from the last to the first
EXPLOSION_DEPTH = 40  # batchnorm_gradient_explosion: 40 layers of 128


def bn_predicted_norm_factor(phi, phi_prime):
    """√(E[φ′(y)²] / Var φ(y)), y ~ N(0, 1): BN-before-φ's backward factor per layer (mean field)."""
    z, weights = np.polynomial.hermite_e.hermegauss(200)
    weights = weights / weights.sum()
    variance = np.sum(weights * (phi(z) - np.sum(weights * phi(z))) ** 2)
    return float(np.sqrt(np.sum(weights * phi_prime(z) ** 2) / variance))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_plain_sigmoid_net_loses_the_backward_signal(published, seed):
    # Per layer the squared backward norm is multiplied by χ = n·Var(w)·E[σ′(z)²] = E[σ′(z)²] under
    # Glorot (n·Var(w) = 1 for a square kernel). σ′ ≤ ¼ gives χ ≤ 1/16; the pre-activations have
    # variance ≈ 0.5² + 0.21² (per-unit offsets Σw·½ plus the batch spread), where E[σ′²] ≥ 0.03.
    # So over 14 layers: 0.03^7 ≈ 2e-11 ≤ ratio ≤ 4⁻¹⁴ ≈ 3.7e-9, times e^±1 for width-64 noise
    # (½·√(2/64)·√14 ≈ 0.33, three of them). The kernel gradient adds the input ratio (x has rms 1,
    # sigmoid outputs ≈ 0.5): another factor of at most 2 either way.
    values = published("normalisation_gradient_flow", seed)
    assert 0.03 ** 7 / math.e <= values["plain_signal_ratio"] <= 4.0 ** -14 * math.e
    assert 0.03 ** 7 / math.e / 2 <= values["plain_ratio"] <= 4.0 ** -14 * math.e * 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_before_sigmoid_backward_factor_matches_mean_field(published, seed):
    # BN before φ: the squared backward signal grows by E[φ′(y)²]/Var φ(y) per layer (Yang et al. 2019
    # derive the exact mean-field rate; this is the page's estimate). For the sigmoid ≈ 1.034, so
    # √ ≈ 1.017 per layer: barely above 1 because σ is nearly linear over N(0, 1). Width-64 noise on the
    # per-layer geometric mean: ½·√(2/64)/√14 ≈ 0.024; three spreads → ±7 %.
    predicted = bn_predicted_norm_factor(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)))
    assert 0.93 * predicted <= published("normalisation_gradient_flow", seed)["bn_signal_factor"] <= 1.07 * predicted


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_keeps_the_sigmoid_nets_kernel_gradients_within_10x(published, seed):
    # Kernel gradient = input × backward signal. The signal's first/last is 1.017¹⁴ ≈ 1.26 (× e^±1 noise,
    # see above); the inputs are x (rms 1) for layer 1 and BN'd sigmoid outputs (rms ≈ 0.54) for layer
    # 15: together within [0.1, 10]. The first layer gets ≥ 10⁴ times the plain net's: the plain first/last
    # is ≤ 1e-8 (previous test), both last layers see the same loss at an output ≈ ½, and 10⁴ leaves
    # 100× for their last layers to differ.
    values = published("normalisation_gradient_flow", seed)
    assert 0.1 <= values["bn_ratio"] <= 10
    assert values["bn_over_plain_first"] >= 1e4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_divides_by_the_sigmoids_output_spread(published, seed):
    # Pre-activation batch std = ‖W‖-gain (≈ 1 for Glorot at fan_in = fan_out) × std of σ(z), z ~ N(0, 1),
    # which is 0.208 by quadrature; [0.15, 0.3] allows ±30 % for the weights' gain at width 64.
    assert 0.15 <= published("normalisation_gradient_flow", seed)["bn_divisor"] <= 0.3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_holds_the_forward_signal_at_the_sigmoid_of_a_standard_normal(published, seed):
    # After BN each unit is standardised over the batch of 256, so σ's output has rms √E[σ(y)²] with
    # y ~ N(0, 1): √(¼ + 0.0434) = 0.542. Finite-batch deviation is ~1/√(256·64); ±4 % allows ε = 1e-3.
    assert 0.52 <= published("normalisation_gradient_flow", seed)["bn_activation_rms_last"] <= 0.565


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_layernorm_helps_but_the_backward_signal_still_vanishes(published, seed):
    # Ba, Kiros & Hinton (2016): LN divides by the spread over units, ≈ 0.5 here (per-unit offsets
    # Σ w·½ with std √(64·(1/64)·¼)), a gain ≈ 2 per layer against E[σ′] ≈ 0.21 at its standardised
    # inputs: ≈ 0.4 per layer. Allowing the divisor anywhere in [0.3, 0.8] (next test) gives a factor
    # in [0.25, 0.6]: 0.25¹⁴ ≈ 3.7e-9 ≤ ratio ≤ 0.6¹⁴ ≈ 7.8e-4 — far below 1, yet ≥ 10× the plain net.
    values = published("normalisation_gradient_flow", seed)
    assert 0.25 ** 14 <= values["ln_signal_ratio"] <= 0.6 ** 14
    assert values["ln_over_plain_first"] >= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_layernorm_divides_by_the_spread_of_per_unit_offsets(published, seed):
    # Sigmoid outputs share a mean of ½, so unit j's pre-activation carries an offset Σᵢ wⱼᵢ·½ that is
    # the same for every example; across 64 units these offsets have std √(64·(1/64)·¼) = 0.5 under
    # Glorot (Var w = 1/64). The example-dependent part adds a little; [0.3, 0.8] allows width-64 noise.
    assert 0.3 <= published("normalisation_gradient_flow", seed)["ln_divisor"] <= 0.8


# batchnorm_gradient_explosion: 40 layers of 128, batch 128, no skips. Width-128 noise on a per-layer
# geometric mean over 39 layers: ½·√(2/64)/√39 ≈ 0.014 (ReLU keeps half the units); ±5 % is > 3 spreads
# and also covers BN's projection, which removes 2 of 128 batch directions (≈ −0.8 % per layer).


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_relu_backward_signal_explodes_at_the_mean_field_rate(published, seed):
    # Yang et al. (2019): without skips, BN makes the backward signal grow toward the input. For ReLU the
    # page's estimate E[relu′²]/Var relu(y) = ½/(½ − 1/2π) = π/(π − 1) per layer in the squared norm.
    predicted = math.sqrt(math.pi / (math.pi - 1))
    values = published("batchnorm_gradient_explosion", seed)
    assert 0.95 * predicted <= values["relu_bn_factor"] <= 1.05 * predicted
    # The kernel gradients show the same explosion here, since the activations' scale is stationary:
    # ≥ (0.95·1.211)³⁹ ≈ 240, halved for the first layer's different input (x, rms 1, against 0.71).
    assert values["relu_bn_kernel_ratio"] >= (0.95 * predicted) ** (EXPLOSION_DEPTH - 1) / 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_tanh_backward_signal_explodes_more_slowly(published, seed):
    # Same estimate for tanh: E[tanh′(y)²]/Var tanh(y) ≈ 1.178, √ ≈ 1.085 per layer; > 1 by the Gaussian
    # Poincaré inequality (Var φ ≤ E[φ′²]), slower than ReLU because tanh is closer to linear on N(0, 1).
    predicted = bn_predicted_norm_factor(np.tanh, lambda z: 1 - np.tanh(z) ** 2)
    assert 0.95 * predicted <= published("batchnorm_gradient_explosion", seed)["tanh_bn_factor"] <= 1.05 * predicted


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_without_batchnorm_he_relu_keeps_the_backward_signal_flat(published, seed):
    # The baseline: χ = n·Var(w)·E[relu′²] = n·(2/n)·½ = 1 (He et al. 2015), so the per-layer factor is 1
    # up to the width-128 noise above (±5 %); 0.95³⁹ ≈ 0.14 ≤ first/last ≤ 1.05³⁹ ≈ 6.7.
    values = published("batchnorm_gradient_explosion", seed)
    assert 0.95 <= values["plain_factor"] <= 1.05
    assert 0.95 ** 39 <= values["plain_signal_ratio"] <= 1.05 ** 39


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_keeps_the_forward_signal_stationary_while_the_backward_explodes(published, seed):
    # BN standardises each pre-activation over the batch, so every ReLU output has rms √E[relu(y)²] = √½
    # ≈ 0.707, in layer 1 as in layer 40 (batch 128 × 128 units: deviations ≪ 5 %).
    values = published("batchnorm_gradient_explosion", seed)
    for key in ("relu_bn_activation_rms_first", "relu_bn_activation_rms_last"):
        assert 0.95 * math.sqrt(0.5) <= values[key] <= 1.05 * math.sqrt(0.5)
