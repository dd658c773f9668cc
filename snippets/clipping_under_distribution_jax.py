"""
Title: global_clipnorm under Keras's DataParallel distribution on JAX: clipped after the all-reduce
Description: Norm of one SGD update with global_clipnorm=1 through fit on one JAX device and under keras.distribution.DataParallel on two, against the learning rate × threshold and the per-replica-clipping prediction.
Accelerator: None
"""

# %% [markdown]
# Two CPU devices for JAX: XLA reads `XLA_FLAGS` when JAX starts its CPU backend, so the flag
# is set before `import jax`.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`
os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"

import jax

REPLICAS = 2

import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

devices = keras.distribution.list_devices("cpu")[:REPLICAS]
print("devices:", devices)

WIDTH, DEPTH, BATCH = 16, 3, 32
LEARNING_RATE, THRESHOLD = 0.1, 1.0

# %% [markdown]
# The same MLP as the TensorFlow version: kernels with standard deviation 1, so the gradient is far
# above the threshold, and weights and data drawn with NumPy from `SEED`.

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


# %% [markdown]
# One step of `fit` with `SGD(global_clipnorm=1)` on the batch of 32: with no distribution, then
# with `DataParallel` on the two devices, which shards the batch 16 + 16 and replicates the
# weights. The model is built after `set_distribution`, so its variables are laid out by it.

# %%
def fit_one_step(distribution):
    keras.distribution.set_distribution(distribution)
    try:
        model = build_model()
        model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE, global_clipnorm=THRESHOLD), loss="mse")
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
        kernel_devices = len(model.trainable_variables[0].value.sharding.device_set)
        return [w0 - w for w0, w in zip(initial_weights, model.get_weights())], kernel_devices
    finally:
        keras.distribution.set_distribution(None)


single_update, _ = fit_one_step(None)
parallel_update, kernel_devices = fit_one_step(keras.distribution.DataParallel(devices=devices))

# The two hypotheses, computed on one device: clip g, or clip each replica's share g_r and sum.
reference = build_model()


def gradient(x, y, scale=1.0):
    trainable = [v.value for v in reference.trainable_variables]

    def loss(trainable):
        prediction, _ = reference.stateless_call(trainable, [], x)
        return scale * keras.losses.MeanSquaredError()(y, prediction)

    return [np.asarray(g) for g in jax.grad(loss)(trainable)]


def clip(grads):
    return [g * min(1.0, THRESHOLD / norm64(grads)) for g in grads]


half = BATCH // REPLICAS
full_gradient = gradient(x, y)
replica_gradients = [gradient(x[r * half:(r + 1) * half], y[r * half:(r + 1) * half], 1 / REPLICAS) for r in range(REPLICAS)]
clip_after_reduce = [LEARNING_RATE * g for g in clip(full_gradient)]
clip_per_replica = [LEARNING_RATE * sum(parts) for parts in zip(*map(clip, replica_gradients))]


def relative_difference(a, b):
    return norm64([p - q for p, q in zip(a, b)]) / norm64(b)


print(f"gradient norm ‖g‖ = {norm64(full_gradient):.4g}; kernel replicated on {kernel_devices} devices")
print(f"update norm / learning rate: one device {norm64(single_update) / LEARNING_RATE:.6f}, "
      f"DataParallel {norm64(parallel_update) / LEARNING_RATE:.6f} (threshold {THRESHOLD:g})")
print(f"DataParallel vs one device: {relative_difference(parallel_update, single_update):.2e}; "
      f"vs clip-per-replica: {relative_difference(parallel_update, clip_per_replica):.2e}")

# %%
labels = ["one device", "DataParallel\n(fit)", "prediction if clipped\nper replica"]
post_clip = [norm64(u) / LEARNING_RATE for u in (single_update, parallel_update, clip_per_replica)]
fig, ax = plt.subplots(figsize=(7, 4))
ax.bar(labels, post_clip, color=["C0", "C2", "C3"], label="‖update‖ / learning rate")
ax.axhline(THRESHOLD, color="black", linestyle=":", label=f"global_clipnorm = {THRESHOLD:g}")
ax.axhline(REPLICAS * THRESHOLD, color="grey", linestyle="--", label=f"{REPLICAS} × threshold (R clipped parts)")
ax.set_ylim(0, 1.6 * REPLICAS * THRESHOLD)  # room for the legend above the bars
ax.set_ylabel("norm of the clipped gradient applied")
ax.set_title(f"One SGD step with global_clipnorm={THRESHOLD:g}, {REPLICAS} devices (JAX)")
ax.legend(loc="upper left")
fig.tight_layout()

# %%
results = {
    "backend": keras.backend.backend(),
    "devices": len(devices),
    "kernel_devices": kernel_devices,
    "threshold": THRESHOLD,
    "learning_rate": LEARNING_RATE,
    "gradient_norm": norm64(full_gradient),
    "single_post_clip_norm": post_clip[0],
    "parallel_post_clip_norm": post_clip[1],
    "per_replica_prediction_norm": post_clip[2],
    "parallel_vs_single": relative_difference(parallel_update, single_update),
    "parallel_vs_clip_after_reduce": relative_difference(parallel_update, clip_after_reduce),
    "parallel_vs_clip_per_replica": relative_difference(parallel_update, clip_per_replica),
}
print(results)
