"""
Title: Loss scaling in a custom training loop under mixed_float16, on the TensorFlow backend
Description: Fraction of exactly-zero entries in the first layer's kernel gradient, and the training loss, at every step of a hand-written TensorFlow loop for an 8-layer sigmoid MLP under mixed_float16, with and without scale_loss.
Accelerator: None
"""

# %% [markdown]
# A training loop written by hand for a `mixed_float16` model. `LossScaleOptimizer.scale_loss`
# multiplies the loss by the current scale before the backward pass, so the gradients cross the
# float16 layers at a size float16 can hold; `LossScaleOptimizer.apply` divides them by the scale
# again. On TensorFlow the backward pass is a `tf.GradientTape`.

# %%
import os

os.environ["KERAS_BACKEND"] = "tensorflow"  # the default; set before the first `import keras`

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS, LEARNING_RATE = 8, 32, 64, 40, 1.0

# %% [markdown]
# An 8-layer sigmoid MLP, whose early gradients are small (a vanishing gradient), built under the
# `mixed_float16` policy with a float32 output layer. Its weights are drawn with NumPy from `SEED`
# (Glorot-uniform, Keras's default, and zero biases), not by the backend's generator, so the
# TensorFlow, JAX and PyTorch versions of this loop start from the same numbers.

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
initial_weights = []
for fan_in, fan_out in [(WIDTH, WIDTH)] * DEPTH + [(WIDTH, 1)]:
    limit = np.sqrt(6 / (fan_in + fan_out))
    initial_weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32"),
                        np.zeros(fan_out, "float32")]


def build_model():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
        + [keras.layers.Dense(1, activation="sigmoid", dtype="float32")]  # output in float32
    )
    keras.mixed_precision.set_global_policy("float32")  # nothing built later inherits it
    model.set_weights(initial_weights)
    return model


loss_fn = keras.losses.BinaryCrossentropy()
# The best loss without using x: predict the mean label, and pay its binary entropy.
constant_predictor_loss = float(-(y.mean() * np.log(y.mean()) + (1 - y.mean()) * np.log(1 - y.mean())))

# %% [markdown]
# The step: `scale_loss` inside the tape, the gradient of the scaled loss, `apply` (which
# unscales, and skips the step while halving the scale if a gradient is inf or NaN). The other
# loop forgets `scale_loss` and differentiates the loss itself.

# %%
def train(scale):
    model = build_model()
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=LEARNING_RATE))

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
            scaled_loss = optimizer.scale_loss(loss) if scale else loss
        grads = tape.gradient(scaled_loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        squared_norm = tf.add_n([tf.reduce_sum(tf.square(g)) for g in grads])
        return loss, tf.reduce_mean(tf.cast(grads[0] == 0, tf.float32)), squared_norm

    losses, zero_fractions = [], []
    for step in range(STEPS):
        loss, zero_fraction, squared_norm = train_step(x, y)
        losses.append(float(loss))
        zero_fractions.append(float(zero_fraction))
        if step == 0:  # ‖g‖² of the first step's gradient, as apply sees it after unscaling
            first_squared_norm = float(squared_norm) / float(optimizer.scale_loss(1.0)) ** 2 if scale else float(squared_norm)
    final_loss = float(loss_fn(y, model(x)))
    return losses, zero_fractions, final_loss, float(optimizer.scale_loss(1.0)), first_squared_norm


runs = {name: train(scale) for name, scale in (("scale_loss", True), ("forgot scale_loss", False))}
for name, (losses, zero_fractions, final_loss, loss_scale, _) in runs.items():
    print(f"{name}: first kernel gradient exactly zero at step 1: {zero_fractions[0]:.3f}, "
          f"mean over {STEPS} steps: {np.mean(zero_fractions):.3f}; "
          f"loss {losses[0]:.4f} -> {final_loss:.4f}; loss scale {loss_scale:g}")

# %%
steps = np.arange(1, STEPS + 1)
fig, (zero_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, (losses, zero_fractions, *_) in runs.items():
    zero_ax.plot(steps, zero_fractions, label=name)
    loss_ax.plot(steps, losses, label=name)
zero_ax.set_title("First kernel's gradient")
zero_ax.set_ylabel("fraction of entries exactly 0")
zero_ax.set_ylim(-0.02, 1.02)
loss_ax.set_title("Loss")
loss_ax.set_ylabel("binary cross-entropy")
for ax in (zero_ax, loss_ax):
    ax.set_xlabel("training step")
    ax.legend()
    ax.grid(alpha=0.3)
fig.suptitle("A custom loop under mixed_float16 on TensorFlow, with and without scale_loss")
fig.tight_layout()

# %%
scaled, forgotten = runs["scale_loss"], runs["forgot scale_loss"]
results = {
    "backend": keras.backend.backend(),
    "steps": STEPS,
    "learning_rate": LEARNING_RATE,
    "first_step_zero_fraction_scaled": scaled[1][0],
    "first_step_zero_fraction_forgotten": forgotten[1][0],
    "mean_zero_fraction_scaled": float(np.mean(scaled[1])),
    "mean_zero_fraction_forgotten": float(np.mean(forgotten[1])),
    "first_loss": scaled[0][0],
    "first_loss_forgotten": forgotten[0][0],
    "final_loss_scaled": scaled[2],
    "final_loss_forgotten": forgotten[2],
    "constant_predictor_loss": constant_predictor_loss,
    "final_loss_scale": scaled[3],
    "first_gradient_squared_norm": scaled[4],
}
print(results)
