"""Claims of docs/remedies/gradient-clipping.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

CLIPNORM = GLOBAL_CLIPNORM = 1.0
CLIPVALUE = 0.01
FLOAT32_SLACK = 1e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unclipped_sgd_fails_on_every_draw(published, seed):
    # At 3 × He's σ the output is ~3¹¹ times too large (loss ~1e10) and the gradient is as large:
    # one SGD step at lr 0.01 moves the weights by many times their own size, so the loss either
    # overflows or the network ends worse than it started, on every one of the three draws.
    values = published("clipping_training", seed)
    assert values["unclipped_failed_every_draw"] is True
    assert values["initial_loss_lowest"] > 1e6 * values["mean_prediction_loss"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipped_runs_stay_finite_and_descend(published, seed):
    # A clipped SGD step is short (≤ lr × threshold = 0.01 for global_clipnorm, ≤ 0.01·√22 ≈ 0.05
    # for clipnorm, ≤ 1e-4·√41665 ≈ 0.02 for clipvalue) and along a descent direction (the clipped
    # gradient has a positive inner product with the raw one): the loss stays finite and goes down
    # on every draw. Steps of ≤ 0.05 cannot reduce a loss of ~1e10 by more than a few decades in 100
    # steps, so the final/initial ratio lies between 1e-6 and 1.
    values = published("clipping_training", seed)
    for key in ("clipnorm", "clipvalue", "global"):
        assert values[f"{key}_finite_every_draw"] is True
        assert 1e-6 < values[f"{key}_final_over_initial_highest"] < 1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipping_does_not_make_the_bad_initialisation_train(published, seed):
    # The baseline: He's initialisation with the same optimiser and steps learns (ends below the loss
    # of a constant prediction, Var(y) ≈ 1), while every clipped run of the 3 × He network stays
    # orders of magnitude above both. Reaching He's scale needs the weights to move by ~70, i.e.
    # ≥ 1 400 steps of length ≤ 0.05, so after 100 steps the clipped loss must still be ≥ 1e3 × the
    # constant prediction's (the loss falls at most ~1e-6 of ~1e10 per the test above).
    values = published("clipping_training", seed)
    assert values["he_finite_every_draw"] is True
    assert values["he_final_highest"] < values["mean_prediction_loss"]
    assert values["clipped_final_lowest_over_mean_prediction"] > 1e3
    assert values["clipped_final_lowest_over_he_highest"] > 1e3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipping_bounds_the_step_of_plain_sgd_only(published, seed):
    # Plain SGD: Δθ = −lr·clip(g) and the raw gradient is far above the threshold at every step, so
    # ‖Δθ‖ = lr·threshold exactly (float32 rounding: 1e-5).
    values = published("clipping_step_bound", seed)
    assert values["sgd_largest_step_over_bound"] == pytest.approx(1.0, abs=1e-5)
    assert values["sgd_smallest_step_over_bound"] == pytest.approx(1.0, abs=1e-5)
    # Momentum β: v_t = Σ βᵏ (−lr g_{t−k}) has norm ≤ lr·threshold·(1 − βᵗ)/(1 − β) < 10 lr·threshold,
    # and exceeds lr·threshold as soon as consecutive clipped gradients point roughly the same way.
    assert 1.5 < values["momentum_largest_step_over_bound"] <= 1 / (1 - values["momentum"]) * (1 + 1e-5)
    # Adam: each coordinate moves ≈ lr (≤ 3.16 lr, Kingma & Ba §2.1), so the whole step is up to
    # lr·√(parameters) ≈ 200 lr·threshold; clipping, a common rescaling, hardly changes it: the
    # median step with and without clipping agrees within a factor 3 (the rescaling factor varies
    # from step to step, which is all that clipping changes for Adam).
    assert 10 < values["adam_largest_step_over_bound"] <= 3.16 * values["parameters"] ** 0.5
    assert 1 / 3 < values["adam_clipped_over_unclipped_median_step"] < 3
    assert 0.1 < values["adam_largest_entry_over_rate"] <= 3.16


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
    # The gradient being clipped is the vanishing one from the sigmoid page: nine sigmoid derivatives
    # (≤ 1/4) with Glorot weights between hidden layers 1 and 10, ≈ 4⁻⁹ ≈ 4e-6, within a factor ~30
    # either way; the kernel gradient and the backward signal agree here (sigmoid inputs ≈ 0.5 scale).
    assert 1e-7 < values["raw_ratio"] < 1e-4
    assert 1e-7 < values["signal_ratio"] < 1e-4
