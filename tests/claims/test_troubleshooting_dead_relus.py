"""Claims of docs/troubleshooting/dead-relus.md, checked across seeds."""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_few_units_are_dead_at_initialisation(published, seed):
    # Zero biases and zero-mean kernels make each pre-activation symmetric about 0 over the batch:
    # a first-layer unit is negative on all 256 examples with probability ~2⁻²⁵⁶; deeper units see
    # non-negative inputs but still take both signs. 5 % leaves room for the odd unlucky unit.
    values = published("dead_relu_fixes", seed)
    assert values["high_dead_before"] < 0.05
    assert values["he_dead_before"] < 0.05


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_a_too_high_adam_rate_kills_a_large_share_of_units(published, seed):
    # Adam moves every weight by about the learning rate per step. A unit above layer 1 has 64
    # non-negative ReLU inputs of mean ≈ 0.33 (Glorot: first-layer pre-activation std ≈ 0.82, so
    # ReLU mean 0.82/√(2π)); one step shifts its pre-activation by up to 0.05 × 64 × 0.33 ≈ 1.0,
    # against a standard deviation ≈ 0.58, and about 2.8 standard deviations (≈ 1.6) put all 256
    # examples below zero: units pushed downwards die within two steps. That is of order half the
    # units; ask for a fifth.
    values = published("dead_relu_fixes", seed)
    assert values["high_dead_after"] > 0.2
    # A dead ReLU unit passes back exactly zero gradient: the two counts coincide.
    assert values["high_zero_gradient_after"] == pytest.approx(values["high_dead_after"])


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_lower_rate_keeps_units_alive(published, seed):
    # At 0.001 (Adam's default) the same estimate gives ≈ 0.02 per step, ≈ 0.25 in 12 steps: far
    # from the ≈ 1.6 needed to push a unit's whole batch below zero.
    values = published("dead_relu_fixes", seed)
    assert values["low_dead_after"] < 0.05
    assert values["high_dead_after"] > 4 * values["low_dead_after"] + 0.1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_initialisation_does_not_prevent_it(published, seed):
    # He doubles the kernel variance (√2 wider pre-activations), but Adam's step does not depend on
    # the weights' scale, so the per-step shift still exceeds the spread: units die all the same.
    values = published("dead_relu_fixes", seed)
    assert values["he_dead_after"] > 0.2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_leaky_units_always_receive_gradient(published, seed):
    # LeakyReLU's derivative is 0.1 for negative inputs, never 0: no unit can have zero gradient
    # on the whole batch, so silent units can recover.
    values = published("dead_relu_fixes", seed)
    assert values["leaky_zero_gradient_after"] == 0.0
    assert values["leaky_every_unit_receives_gradient"] is True
