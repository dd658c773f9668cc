"""Claims of docs/troubleshooting/batch-norm-placement.md, checked across seeds.

Ten hidden sigmoid layers of 32, nine steps from the last to the first. Width-32 noise on the log of a
first/last norm ratio: ½·√(2/32)·√9 ≈ 0.375; bounds allow three spreads, e^±1.1.
"""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

# BN (before or after σ) standardises what feeds σ's next stage: the squared backward signal grows by
# E[σ′(y)²]/Var σ(y) ≈ 0.04484/0.04338 ≈ 1.034 per layer, y ~ N(0, 1) (see remedies/normalisation), so the
# first/last ratio is ≈ 1.034^4.5 ≈ 1.16.
BN_SIGNAL_RATIO = 1.034 ** 4.5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_without_bn_the_backward_signal_vanishes(published, seed):
    # χ = n·Var(w)·E[σ′(z)²] = E[σ′²] per layer under Glorot, in [0.03, 1/16] (σ′ ≤ ¼; pre-activations with
    # std ≈ 0.55 give E[σ′²] > 0.03): 0.03^4.5 ≈ 1.4e-7 ≤ first/last ≤ 4⁻⁹ ≈ 3.8e-6, times e^±1.1. The kernel
    # gradient adds the inputs' ratio (x rms 1, sigmoid outputs ≈ 0.5): ×2 either way.
    values = published("batch_norm_placement", seed)
    low, high = 0.03 ** 4.5 / math.exp(1.1), 4.0 ** -9 * math.exp(1.1)
    assert low <= values["none_signal_ratio"] <= high
    assert low / 2 <= values["none_ratio"] <= high * 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_bn_before_the_sigmoid_keeps_the_backward_signal_near_one(published, seed):
    # BN before σ: pre-activations ~ N(0, 1); the next BN divides by the std of Wh, i.e. of σ's outputs
    # (≈ 0.21), which cancels σ′'s mean up to E[σ′²]/Var σ ≈ 1.034 per layer (Poincaré: never below 1).
    # Kernel gradient: the inputs are x (rms 1) and sigmoid outputs (rms ≈ 0.54): ratio within [0.1, 10].
    # First layer vs no BN: first/last ≤ 1.1e-5 there against ≈ 1 here, with comparable last layers;
    # ≥ 10³ leaves 100× for those to differ.
    # Forward: σ of a standardised pre-activation has rms √E[σ(y)²] = √(¼ + 0.0434) ≈ 0.542 (batch 128 ×
    # 32 units; ±4 % allows the sampling error and ε = 1e-3).
    values = published("batch_norm_placement", seed)
    assert 0.52 <= values["before_activation_rms_last"] <= 0.565
    assert BN_SIGNAL_RATIO / math.exp(1.1) <= values["before_signal_ratio"] <= BN_SIGNAL_RATIO * math.exp(1.1)
    assert 0.1 < values["before_ratio"] < 10
    assert values["before_over_none_first"] > 1e3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_bn_after_the_sigmoid_also_keeps_it(published, seed):
    # BN after σ divides σ's outputs by their std; the next Dense sees standardised inputs, so its
    # pre-activations are ≈ N(0, 1) under Glorot: the same factor E[σ′²]/Var σ per layer, the same bounds.
    values = published("batch_norm_placement", seed)
    assert BN_SIGNAL_RATIO / math.exp(1.1) <= values["after_signal_ratio"] <= BN_SIGNAL_RATIO * math.exp(1.1)
    assert 0.1 < values["after_ratio"] < 10
    assert values["after_over_none_first"] > 1e3
