"""Claims of docs/remedies/optimisers.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

BETA_1, BETA_2 = 0.9, 0.999  # Keras's Adam defaults
DEPTH = 8


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sgd_leaves_the_first_layer_behind(published, seed):
    # SGD's displacement is lr × accumulated gradient, and between hidden layers 1 and 8 the gradient
    # crosses 7 sigmoid derivatives (each ≤ 1/4) with Glorot weights of gain ≈ 1: ≲ 4⁻⁷ ≈ 6e-5.
    # Layers 1 and 8 have the same shape and initial scale, so the relative-change ratio is the same
    # order; "orders of magnitude less" is the claim, and 0.01 leaves a factor ~150 above 4⁻⁷ for
    # operator-norm slack and the input scale.
    assert published("optimiser_layer_updates", seed)["sgd_ratio"] < 0.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adam_moves_first_and_last_layers_comparably(published, seed):
    # Kingma & Ba (2015), §2.1: Adam's step is ≈ α per parameter whatever the gradient's scale, so
    # equal-shaped layers with equal initial scale move by comparable relative amounts: ratio O(1),
    # a factor 10 either way for different sign consistency of the gradients across steps.
    values = published("optimiser_layer_updates", seed)
    assert 0.1 < values["adam_ratio"] < 10
    assert values["adam_ratio"] > 100 * values["sgd_ratio"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_adam_step_obeys_kingma_and_ba_bound(published, seed):
    # |Δθ| ≤ α (1 − β₁) / √(1 − β₂) when (1 − β₁) > √(1 − β₂): 3.16 α with Keras's defaults; ε only
    # makes steps smaller. 1 % slack for float32.
    bound = (1 - BETA_1) / math.sqrt(1 - BETA_2)
    assert published("optimiser_layer_updates", seed)["adam_largest_step_over_rate"] <= bound * 1.01


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_rmsprop_epsilon_inside_the_root_switches_scaling_off(published, seed):
    # Keras's RMSprop step is lr·g/√(v + ε): with ε = 1e-7 the denominator is ≥ 3.2e-4, far above the
    # first layer's RMS gradient (≲ 1e-6), so the first layer moves like SGD (ratio ≪ 1). With ε = 1e-20
    # the denominator is ≈ |g| for every layer and the ratio is O(1), like Adam's. The default's first
    # layer is damped by ≈ 3.2e-4 / 1e-7 ≈ 3e3 relative to the tiny-ε run; claim ≥ 100×.
    values = published("optimiser_layer_updates", seed)
    assert values["rmsprop_ratio"] < 0.05
    assert 0.1 < values["rmsprop_tiny_epsilon_ratio"] < 10
    assert values["rmsprop_tiny_epsilon_ratio"] > 100 * values["rmsprop_ratio"]
