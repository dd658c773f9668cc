"""
Title: global_clipnorm under tf.distribute.MirroredStrategy: clipped per replica, before the all-reduce
Description: Norm of one SGD update with global_clipnorm=1 on one device, under MirroredStrategy with two replicas through fit, and with the all-reduce written before the clip in a custom step, against the learning rate × threshold.
Accelerator: None
"""

# %% [markdown]
# `MirroredStrategy` needs two devices to mirror over. One CPU can be split into two logical
# devices, but only before TensorFlow starts its runtime, so this comes before anything else.

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

REPLICAS = 2

# Two logical CPU devices; TensorFlow allows this only once, before its runtime starts.
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * REPLICAS)
REPLICA_DEVICES = [device.name for device in tf.config.list_logical_devices("CPU")][:REPLICAS]
print("replicas on", REPLICA_DEVICES)

import keras  # after the split: nothing before it may start TensorFlow's runtime

SEED = 0
keras.utils.set_random_seed(SEED)

WIDTH, DEPTH, BATCH = 16, 3, 32
LEARNING_RATE, THRESHOLD = 0.1, 1.0

# %% [markdown]
# An MLP whose kernels have standard deviation 1 (far above He's √(2/16)), so the gradient is far
# above the threshold and clipping is active. Weights and data come from NumPy, so every run below
# starts from the same numbers.

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = rng.standard_normal((BATCH, 1)).astype("float32")
initial_weights = None


def build_model():
    global initial_weights
    model = keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="relu") for _ in range(DEPTH)]
        + [keras.layers.Dense(1)]
    )
    if initial_weights is None:
        initial_weights = [
            rng.standard_normal(w.shape).astype("float32") if w.ndim == 2 else np.zeros(w.shape, "float32")
            for w in model.get_weights()
        ]
    model.set_weights(initial_weights)
    return model


def norm64(tensors):
    return float(np.sqrt(sum(np.sum(np.asarray(t, np.float64) ** 2) for t in tensors)))


def gradient(model, x, y, scale=1.0):
    """Gradient of scale × (mean squared error over these examples), on one device."""
    with tf.GradientTape() as tape:
        loss = scale * keras.losses.MeanSquaredError()(y, model(x))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


# %% [markdown]
# One step of `fit` with `SGD(global_clipnorm=1)` on the whole batch of 32: first with no
# strategy (one device), then under `MirroredStrategy` on the two logical CPUs, where each
# replica gets 16 examples. The update is "before − after" = learning rate × clipped gradient.

# %%
def fit_one_step(strategy):
    with strategy.scope():
        model = build_model()
        model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE, global_clipnorm=THRESHOLD), loss="mse")
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    return [w0 - w for w0, w in zip(initial_weights, model.get_weights())]


mirrored = tf.distribute.MirroredStrategy(REPLICA_DEVICES)
single_update = fit_one_step(tf.distribute.get_strategy())
mirrored_update = fit_one_step(mirrored)

# What each hypothesis predicts, computed on one device. Keras divides each replica's loss by the
# number of replicas, so replica r contributes g_r = ∇(1/B) Σ_{i in r} ℓ_i and Σ_r g_r = g.
reference = build_model()
full_gradient = gradient(reference, x, y)
half = BATCH // REPLICAS
replica_gradients = [gradient(reference, x[r * half:(r + 1) * half], y[r * half:(r + 1) * half], 1 / REPLICAS) for r in range(REPLICAS)]


def clip(grads):
    return [g * min(1.0, THRESHOLD / norm64(grads)) for g in grads]


clip_after_reduce = [LEARNING_RATE * g for g in clip(full_gradient)]
clip_per_replica = [LEARNING_RATE * sum(parts) for parts in zip(*map(clip, replica_gradients))]


def relative_difference(a, b):
    return norm64([p - q for p, q in zip(a, b)]) / norm64(b)


print(f"gradient norm ‖g‖ = {norm64(full_gradient):.4g}; replica parts {[round(norm64(g), 2) for g in replica_gradients]}")
print(f"update norm / learning rate: one device {norm64(single_update) / LEARNING_RATE:.6f}, "
      f"MirroredStrategy {norm64(mirrored_update) / LEARNING_RATE:.6f} (threshold {THRESHOLD:g})")
print(f"MirroredStrategy vs clip-after-all-reduce: {relative_difference(mirrored_update, clip_after_reduce):.2e}; "
      f"vs clip-per-replica: {relative_difference(mirrored_update, clip_per_replica):.2e}")

# %% [markdown]
# The fix in a custom step: all-reduce the gradients first, clip the sum, and hand the optimizer
# (built without a clipping argument) the clipped gradient divided by the number of replicas,
# because its `apply` sums over replicas again.

# %%
with mirrored.scope():
    model = build_model()
    optimizer = keras.optimizers.SGD(LEARNING_RATE)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.MeanSquaredError()
batch = next(iter(mirrored.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH))))


def clip_by_global_norm(grads, threshold):
    norm = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(g)) for g in grads))
    return [g * keras.ops.minimum(1.0, threshold / norm) for g in grads], norm


@tf.function
def clip_after_all_reduce_step(x, y):
    def replica_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))  # a Keras loss: already divided by REPLICAS
        grads = tape.gradient(loss, model.trainable_variables)
        grads = tf.distribute.get_replica_context().all_reduce("sum", grads)  # g, on every replica
        clipped, norm = clip_by_global_norm(grads, THRESHOLD)
        optimizer.apply([g / REPLICAS for g in clipped], model.trainable_variables)
        return norm

    return mirrored.run(replica_step, args=(x, y))


clip_after_all_reduce_step(*batch)
fixed_update = [w0 - w for w0, w in zip(initial_weights, model.get_weights())]
print(f"custom step, all-reduce then clip: update norm / learning rate {norm64(fixed_update) / LEARNING_RATE:.6f}; "
      f"vs one device {relative_difference(fixed_update, single_update):.2e}")

# %% [markdown]
# Scaling the loss: each replica's loss must be its share of the mean over the global batch. A
# Keras loss divides by R itself under a strategy; `tf.nn.compute_average_loss` divides the
# per-example losses by the global batch size. The common bug is a plain mean over the replica's
# own B/R examples (`keras.ops.mean`): its gradient is R times the correct share, and so is the sum.

# %%
with mirrored.scope():
    model = build_model()  # the initial weights again: the step above moved them


@tf.function
def replica_gradient_norms(x, y):
    def replica_step(x, y):
        with tf.GradientTape(persistent=True) as tape:
            error = keras.ops.square(y - model(x, training=True))
            correct = loss_fn(y, model(x, training=True))
            averaged = tf.nn.compute_average_loss(keras.ops.mean(error, axis=-1), global_batch_size=BATCH)
            per_replica_mean = keras.ops.mean(error)
        context = tf.distribute.get_replica_context()
        norms = []
        for loss in (correct, averaged, per_replica_mean):
            grads = tape.gradient(loss, model.trainable_variables)
            local = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(g)) for g in grads))
            reduced = context.all_reduce("sum", grads)
            norms += [local, keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(g)) for g in reduced))]
        return tf.stack(norms)

    return mirrored.run(replica_step, args=(x, y))


norms = np.stack([t.numpy() for t in mirrored.experimental_local_results(replica_gradient_norms(*batch))]).astype("float64")
average_ratio = norms[0, 3] / norms[0, 1]
local_ratio = norms[:, 4] / norms[:, 0]
reduced_ratio = norms[0, 5] / norms[0, 1]
print(f"all-reduced gradient norm: Keras loss {norms[0, 1]:.4g}, compute_average_loss × {average_ratio:.6f}, "
      f"per-replica mean × {reduced_ratio:.6f} (each replica's own gradient × {local_ratio})")

# %%
labels = ["one device", "MirroredStrategy\n(fit)", "all-reduce,\nthen clip"]
post_clip = [norm64(u) / LEARNING_RATE for u in (single_update, mirrored_update, fixed_update)]
fig, ax = plt.subplots(figsize=(7, 4))
ax.bar(labels, post_clip, color=["C0", "C3", "C2"], label="‖update‖ / learning rate")
ax.axhline(THRESHOLD, color="black", linestyle=":", label=f"global_clipnorm = {THRESHOLD:g}")
ax.axhline(REPLICAS * THRESHOLD, color="grey", linestyle="--", label=f"{REPLICAS} × threshold (R clipped parts)")
ax.set_ylim(0, 1.6 * REPLICAS * THRESHOLD)  # room for the legend above the bars
ax.set_ylabel("norm of the clipped gradient applied")
ax.set_title(f"One SGD step with global_clipnorm={THRESHOLD:g}, {REPLICAS} replicas (TensorFlow)")
ax.legend(loc="upper left")
fig.tight_layout()

# %%
results = {
    "backend": keras.backend.backend(),
    "replicas": REPLICAS,
    "threshold": THRESHOLD,
    "learning_rate": LEARNING_RATE,
    "gradient_norm": norm64(full_gradient),
    "smallest_replica_part_norm": min(norm64(g) for g in replica_gradients),
    "single_post_clip_norm": post_clip[0],
    "mirrored_post_clip_norm": post_clip[1],
    "fixed_post_clip_norm": post_clip[2],
    "mirrored_vs_single": relative_difference(mirrored_update, single_update),
    "mirrored_vs_clip_after_reduce": relative_difference(mirrored_update, clip_after_reduce),
    "mirrored_vs_clip_per_replica": relative_difference(mirrored_update, clip_per_replica),
    "single_vs_clip_after_reduce": relative_difference(single_update, clip_after_reduce),
    "fixed_vs_single": relative_difference(fixed_update, single_update),
    "compute_average_loss_factor": float(average_ratio),
    "per_replica_mean_local_factor_min": float(local_ratio.min()),
    "per_replica_mean_local_factor_max": float(local_ratio.max()),
    "per_replica_mean_reduced_factor": float(reduced_ratio),
}
print(results)
