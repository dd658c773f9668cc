"""Claims of docs/remedies/gradient-clipping.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

CLIPNORM = GLOBAL_CLIPNORM = 1.0
CLIPVALUE = 0.01
FLOAT32_SLACK = 1e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unclipped_run_fails_and_clipped_runs_descend(published, seed):
    values = published("clipping_training", seed)
    # Without clipping the first step is many times the weights (see the large-initialisation page).
    assert values["unclipped_failed"] is True
    # With clipping every step is at most lr × threshold along a descent direction (the clipped
    # gradient always has a positive inner product with the raw one), so the runs stay finite and
    # the loss goes down.
    for key in ("clipnorm", "clipvalue", "global"):
        assert values[f"{key}_finite"] is True
        assert values[f"{key}_final_over_initial"] < 1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipped_runs_stay_far_above_a_good_initialisation(published, seed):
    # Clipping only bounds the step: the loss starts at ~1e10 (output 3¹¹ too large) and 100 steps of
    # length ≤ 0.01 cannot shrink the weights back to He's scale, so it stays orders of magnitude
    # above what He's initialisation reaches.
    values = published("clipping_training", seed)
    he_final = published("large_init_divergence", seed)["he_final_loss"]
    for key in ("clipnorm", "clipvalue", "global"):
        assert values["initial_loss"] * values[f"{key}_final_over_initial"] > 100 * he_final


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipnorm_clips_each_variable_separately(published, seed):
    # Keras: g_i · c / max(‖g_i‖, c) per variable. Every variable's raw norm is ≫ 1 here, so each
    # becomes exactly c and the joint norm is c·√(number of variables); within a variable the
    # direction is kept (cosine 1), but the variables are scaled by different factors.
    values = published("clipping_update_geometry", seed)
    assert values["clipnorm_max_variable_norm"] <= CLIPNORM * (1 + FLOAT32_SLACK)
    assert values["clipnorm_joint_norm"] == pytest.approx(CLIPNORM * math.sqrt(values["variables"]), rel=1e-4)
    assert values["clipnorm_min_variable_cosine"] > 1 - 1e-6
    # Raw variable norms span orders of magnitude, so equalising them turns the joint direction.
    assert 0 < values["clipnorm_cosine"] < 0.9


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_global_clipnorm_keeps_the_direction(published, seed):
    # One factor c / ‖g‖ for all variables: the joint norm becomes c and the direction is unchanged.
    values = published("clipping_update_geometry", seed)
    assert values["raw_global_norm"] > GLOBAL_CLIPNORM
    assert values["global_joint_norm"] == pytest.approx(GLOBAL_CLIPNORM, rel=1e-4)
    assert values["global_cosine"] > 1 - 1e-6
    assert values["global_min_variable_cosine"] > 1 - 1e-6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipvalue_changes_the_direction(published, seed):
    # Clipping entries to ±v sends large entries to v·sign(g); cos(sign(g), g) = ‖g‖₁ / (√N ‖g‖₂), far
    # below 1 for a gradient whose entries span orders of magnitude. Still a descent direction (> 0).
    values = published("clipping_update_geometry", seed)
    assert values["clipvalue_max_entry"] <= CLIPVALUE * (1 + FLOAT32_SLACK)
    assert 0 < values["clipvalue_cosine"] < 0.9
    assert values["clipvalue_cosine"] < values["global_cosine"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipping_does_not_cure_vanishing(published, seed):
    values = published("clipping_vanishing_gradients", seed)
    # global_clipnorm=1 multiplies every gradient by min(1, 1 / global norm): a no-op below the
    # threshold, a uniform shrink above it, never an increase.
    expected = min(1.0, 1.0 / values["raw_global_norm"])
    assert values["loose_first_over_raw"] == pytest.approx(expected, rel=1e-5)
    assert values["loose_first_over_raw"] <= 1 + 1e-6
    # A threshold below it multiplies every layer by the same factor (here 0.1): the first layer
    # only gets smaller and the first/last ratio is unchanged.
    assert values["tight_first_over_raw"] == pytest.approx(0.1, rel=1e-4)
    assert values["tight_ratio_over_raw_ratio"] == pytest.approx(1.0, rel=1e-4)
    # The gradient being clipped is the vanishing one from the sigmoid page (ratio ≲ 4⁻⁹ × O(1)).
    assert values["raw_ratio"] < 1e-3
