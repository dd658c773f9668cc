"""Claims of docs/remedies/dying-relu.md, checked across seeds against theory."""

import math
from statistics import NormalDist

import pytest

from tests.conftest import CLAIM_SEEDS

WIDTH, BATCH = 64, 256


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_a_too_high_learning_rate_kills_relu_units(published, seed):
    # Adam moves each weight by ~lr = 0.1 per step; for a unit above layer 1 with 64 non-negative
    # inputs of mean ≈ √2/√(2π) ≈ 0.56, a step that lowers all weights shifts its pre-activation by
    # ≈ 3.6 ≈ 2.5 standard deviations: below zero on the whole batch. About half of those units are
    # pushed that way in a single step (the one-step experiment kills about a third of all hidden units,
    # including layer 1 which dies less), and dead units mostly stay dead over
    # the 24 steps; "at least a quarter" is conservative.
    values = published("dying_relu", seed)
    assert values["relu_dead_after"] >= 0.25
    assert values["relu_dead_after"] >= values["relu_dead_before"] + 0.2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_layer_1_dies_less_than_the_layers_above(published, seed):
    # The consistent downward shift needs non-negative inputs (ReLU outputs); layer 1's standard-normal
    # inputs take both signs, so lowering all its weights moves its pre-activations both ways.
    values = published("dying_relu", seed)
    assert values["relu_dead_after_layer1"] < values["relu_dead_after_above_layer1"]


LEAKY_KEYS = {  # situation: (dead fraction, zero-gradient fraction)
    "high learning rate": ("leaky_dead_after", "leaky_zero_grad_after"),
    "negative bias": ("leaky_bias_dead", "leaky_bias_zero_grad"),
}


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("situation", sorted(LEAKY_KEYS))
def test_leaky_relu_units_cannot_die(published, seed, situation):
    # LeakyReLU′ ∈ {1, 0.01}: never 0, so no unit has a zero derivative on a batch, and a unit's
    # kernel column could be zero only if the gradient from above were exactly zero everywhere.
    values = published("dying_relu", seed)
    dead, zero_grad = LEAKY_KEYS[situation]
    assert values[dead] == 0
    assert values[zero_grad] == 0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_layer_1_fires_as_the_normal_cdf_predicts(published, seed):
    # Pre-activation N(−3, ‖w‖²) with ‖w‖² ≈ 64·(2/64) = 2 (He normal): P(z > 0) = Φ(−3/√2) ≈ 0.017.
    # ‖w‖² of 64 truncated-normal weights varies by ~±20 % between units, moving Φ within [0.008, 0.03].
    expected = NormalDist().cdf(-3 / math.sqrt(2))
    measured = published("dying_relu", seed)["relu_bias_active_probability_layer1"]
    assert expected / 3 <= measured <= expected * 3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_layer_1_dead_fraction_matches_its_prediction(published, seed):
    # Each of the 64 units is dead independently with probability Φ(3/‖w_u‖)²⁵⁶, so the count is
    # a sum of Bernoullis: allow 4 binomial standard deviations plus one unit.
    values = published("dying_relu", seed)
    p = values["relu_bias_predicted_dead_layer1"]
    slack = 4 * math.sqrt(p * (1 - p) / WIDTH) + 1 / WIDTH
    assert abs(values["relu_bias_dead_layer1"] - p) <= slack


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_negative_bias_kills_every_relu_unit_above_layer_1(published, seed):
    # Layer 1's outputs have E[ReLU(z)²] ≈ 0.008 for z ~ N(−3, 2), so layer 2's pre-activation is
    # N(−3, 2·0.008): std 0.13, positive with probability Φ(−24) ≈ 1e-127 per example. Layers above
    # see all-zero inputs, so their pre-activation is exactly the bias −3.
    assert published("dying_relu", seed)["relu_bias_dead_above_layer1"] == 1.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_negative_bias_leaves_no_hidden_unit_with_a_gradient(published, seed):
    # Every path from the loss to a hidden kernel passes through layer 2's (or its own) zero
    # derivatives, so every hidden kernel gradient is exactly zero.
    assert published("dying_relu", seed)["relu_bias_zero_grad"] == 1.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_leaky_network_stuck_negative_passes_back_little_but_not_nothing(published, seed):
    # Stuck on the negative side, each of 5 layers multiplies the backward signal by ≈ 0.01·‖W‖
    # (‖Wᵀv‖ ≈ √2‖v‖ under He normal): (0.014)⁵ ≈ 5e-10, times the input-norm ratio of layer 1 (raw
    # inputs) to layer 6 (outputs ≈ 0.03) ~ 30 ⇒ ~2e-8. Below 1e-4 with a wide margin; never 0.
    ratio = published("dying_relu", seed)["leaky_bias_first_over_last"]
    assert 0 < ratio < 1e-4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_dead_units_above_layer_1_revive_while_their_own_weights_stay_frozen(published, seed):
    # After one Adam step at 0.1, training goes on at 1e-3 with a fresh Adam. A dead unit's kernel
    # column and bias get exactly zero gradient, so Adam (moments starting at 0) moves them by exactly
    # 0: units that stay dead keep bit-identical weights. A unit above layer 1 reads the layer below,
    # which keeps training, so its pre-activation can turn positive again. Shown in training on each
    # seed: at least one revived unit, and never more than were dead.
    values = published("dying_relu", seed)
    assert values["dead_weights_unchanged"] is True
    assert values["dead_after_bad_step_layer1_units"] == 0  # layer 1 reads inputs of both signs
    assert 1 <= values["revived_units"] <= values["dead_after_bad_step_units"]
    assert values["revived_fraction_of_dead"] == pytest.approx(
        values["revived_units"] / values["dead_after_bad_step_units"]
    )


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_neither_network_learns_at_the_too_high_rate(published, seed):
    # The target is y = x·w with x, w standard normal in 64 dimensions, so predicting 0 scores
    # E[y²] = ‖w‖² ≈ 64 (χ²₆₄: ±11), and a 32-example minibatch's mean square spreads by √(2/32) = 25 %.
    # A network that had fitted the linear target would score near 0; one that has not stays within a
    # few spreads of 64. A quarter of it, 16, is more than three combined spreads below: the page's
    # "neither network has learned the linear target" fails if either loss drops under it.
    values = published("dying_relu", seed)
    assert values["relu_final_loss"] >= 16
    assert values["leaky_final_loss"] >= 16
