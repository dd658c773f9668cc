"""Claims of docs/troubleshooting/clipping-under-distribution.md.

Tolerance used throughout, ROUNDING = 1e-4 (relative). Every update is read back as "initial −
trained weights" in float32. Weights are O(1) (std-1 kernels), so each component carries a rounding
error ≤ half an ulp ≈ 6e-8, while the update has norm learning rate × threshold = 0.1 spread over
P = 833 weights, an RMS component of 0.1/√833 ≈ 3.5e-3: relative error of the update vector
≈ 6e-8/3.5e-3 ≈ 2e-5 at most, √2 more for a difference of two runs. Summing the batch in two halves
instead of one changes float32 sums only at the 1e-7 level. 1e-4 is 5× that bound; the effects the
page reports are 1e-2 or larger.
"""

import pytest

from tests.conftest import CLAIM_SEEDS

ROUNDING = 1e-4
TF = "clipping_under_distribution_tensorflow"
JAX = "clipping_under_distribution_jax"


@pytest.mark.parametrize("snippet", [TF, JAX])
@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_gradient_is_far_above_the_threshold(published, seed, snippet):
    # Std-1 kernels on 16 inputs multiply the signal's mean square by 16/2 = 8 per ReLU layer: after
    # three layers RMS(h) ≈ 8^1.5 ≈ 23, the output's std ≈ √16·23 ≈ 90, and the output kernel's
    # gradient alone ≈ 2·RMS(ŷ − y)·RMS(h)·√16 ≈ 2·90·23·4 ≈ 1.7e4. A 16-wide net fluctuates around
    # that mean-field value by up to two decades either way.
    values = published(snippet, seed)
    assert 1e2 < values["gradient_norm"] < 1e6
    # The comparisons below mean something only if every clip is active, replica halves included.
    assert values["gradient_norm"] > 100 * values["threshold"]
    if snippet == TF:
        assert values["smallest_replica_part_norm"] > 100 * values["threshold"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_one_device_clips_the_whole_gradient_to_the_threshold(published, seed):
    # Without a strategy, SGD(global_clipnorm=c) moves the weights by rate·c·g/‖g‖ exactly.
    values = published(TF, seed)
    assert values["single_post_clip_norm"] == pytest.approx(values["threshold"], rel=ROUNDING)
    assert values["single_vs_clip_after_reduce"] < ROUNDING


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_mirrored_fit_clips_each_replica_before_the_all_reduce(published, seed):
    # Keras 3's BaseOptimizer._backend_apply_gradients clips, then TFOptimizer._backend_update_step
    # all-reduces: the update is rate·Σ_r clip(g_r). It matches that prediction to rounding, and its
    # norm is c·‖ĝ₁ + ĝ₂‖ (ĝ unit vectors), between c and R·c by the triangle inequality whenever the
    # two halves' gradients are less than 120° apart (cos > −1/2; they estimate the same gradient).
    values = published(TF, seed)
    assert values["mirrored_vs_clip_per_replica"] < ROUNDING
    assert values["threshold"] * (1 + 100 * ROUNDING) < values["mirrored_post_clip_norm"]
    assert values["mirrored_post_clip_norm"] <= values["replicas"] * values["threshold"] * (1 + ROUNDING)
    # ... and so it is not the one-device update: the difference is 100× the rounding tolerance.
    assert values["mirrored_vs_single"] > 100 * ROUNDING
    assert values["mirrored_vs_clip_after_reduce"] > 100 * ROUNDING


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_all_reduce_then_clip_gives_the_one_device_update(published, seed):
    # Summing the replicas' gradients first gives g itself (each replica's Keras loss is divided by
    # R); clipping that and handing the optimizer clip(g)/R, which it sums R times, is rate·clip(g).
    values = published(TF, seed)
    assert values["fixed_vs_single"] < ROUNDING
    assert values["fixed_post_clip_norm"] <= values["threshold"] * (1 + ROUNDING)
    assert values["fixed_post_clip_norm"] == pytest.approx(values["threshold"], rel=ROUNDING)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_loss_scaling_sets_the_gradient_scale(published, seed):
    # Replica r holds b = B/R examples. A Keras loss gives (1/R)·(1/b)·Σ_{i∈r} ℓ_i = (1/B)·Σ_{i∈r} ℓ_i,
    # a mean over the replica's own examples gives (1/b)·Σ_{i∈r} ℓ_i = R·(1/B)·Σ_{i∈r} ℓ_i: R times
    # larger on every replica, so R times larger after the sum over replicas too. With R = 2 and
    # B = 32 the factors 1/R, 1/b and 1/B are powers of two, so only the summation order differs.
    # tf.nn.compute_average_loss divides the replica's per-example losses by B itself: factor 1.
    values = published(TF, seed)
    assert values["compute_average_loss_factor"] == pytest.approx(1.0, rel=ROUNDING)
    replicas = values["replicas"]
    assert values["per_replica_mean_local_factor_min"] == pytest.approx(replicas, rel=ROUNDING)
    assert values["per_replica_mean_local_factor_max"] == pytest.approx(replicas, rel=ROUNDING)
    assert values["per_replica_mean_reduced_factor"] == pytest.approx(replicas, rel=ROUNDING)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_data_parallel_ran_on_two_devices(published, seed):
    # The snippet asks JAX for two CPU devices; the kernels must have been laid out on both, or the
    # comparison below would be one device against itself.
    values = published(JAX, seed)
    assert values["devices"] == 2
    assert values["kernel_devices"] == values["devices"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_data_parallel_clips_after_the_all_reduce(published, seed):
    # On JAX the train step is one jitted function over the sharded batch: XLA sums the gradient
    # across devices inside the backward pass, so the optimizer clips g itself. The update equals
    # the one-device update to rounding, has norm rate·c, and is far from the per-replica prediction.
    values = published(JAX, seed)
    assert values["parallel_vs_single"] < ROUNDING
    assert values["parallel_vs_clip_after_reduce"] < ROUNDING
    assert values["parallel_post_clip_norm"] <= values["threshold"] * (1 + ROUNDING)
    assert values["single_post_clip_norm"] == pytest.approx(values["threshold"], rel=ROUNDING)
    assert values["parallel_vs_clip_per_replica"] > 100 * ROUNDING


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_jax_per_replica_prediction_is_what_mirrored_fit_applied(published, seed):
    # Both snippets draw the same weights and batch with NumPy from the seed, so the JAX snippet's
    # "clip each replica's part, then sum" prediction, which the page quotes, is the gradient that
    # MirroredStrategy's fit applied on TensorFlow, and the two full gradients are the same: the
    # backends differ only in the order of float32 operations (relative ~1e-6 ≪ ROUNDING).
    tf_values, jax_values = published(TF, seed), published(JAX, seed)
    assert jax_values["gradient_norm"] == pytest.approx(tf_values["gradient_norm"], rel=ROUNDING)
    assert jax_values["per_replica_prediction_norm"] == pytest.approx(tf_values["mirrored_post_clip_norm"], rel=ROUNDING)
    assert jax_values["per_replica_prediction_norm"] > jax_values["threshold"] * (1 + 100 * ROUNDING)
