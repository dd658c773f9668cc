"""
Title: SGD on a network initialised three times too large
Description: Training loss per SGD step on a log scale for a 10-layer ReLU MLP with He normal weights and with three times He's standard deviation, until the loss stops being finite.
Accelerator: None
"""

# %% [markdown]
# The same two networks as in the per-layer measurement, trained with plain SGD at one learning
# rate that suits the He-initialised network. The loop stops at the first step whose loss is
# not finite, the check `keras.callbacks.TerminateOnNaN` makes after every batch in `fit`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS, LEARNING_RATE = 10, 64, 256, 100, 1e-3
HE_STD = float(np.sqrt(2.0 / WIDTH))
SCALES = {"He normal": 1.0, "3 × He's σ": 3.0}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) / np.sqrt(WIDTH)).astype("float32")[:, None]


def build_mlp(stddev):
    init = lambda: keras.initializers.RandomNormal(stddev=stddev)  # noqa: E731 - a fresh draw per layer
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=init()) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, kernel_initializer=init()))
    return keras.Sequential(layers)


# %% [markdown]
# Full-batch SGD. Each step records the loss before the update and the largest relative change
# ‖ΔW‖ / ‖W‖ the update makes to any kernel.

# %%
def train(model):
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    optimizer.build(model.trainable_variables)  # create its variables before tracing the step
    kernels = [layer.kernel for layer in model.layers]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        before = [tf.identity(k) for k in kernels]
        optimizer.apply(grads, model.trainable_variables)
        relative = [tf.norm(k - b) / tf.norm(b) for k, b in zip(kernels, before)]
        return loss, tf.reduce_max(tf.stack(relative))

    losses, relative_updates = [], []
    for index in range(STEPS):
        loss, relative = step()
        losses.append(float(loss))
        if not np.isfinite(losses[-1]):
            return losses, relative_updates, index
        relative_updates.append(float(relative))
    return losses, relative_updates, None


runs = {name: train(build_mlp(scale * HE_STD)) for name, scale in SCALES.items()}
for name, (losses, _, nan_step) in runs.items():
    print(f"{name:12s} first loss {losses[0]:.3g}, non-finite at step {nan_step}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, (losses, _, nan_step)), colour in zip(runs.items(), ("C0", "C3")):
    finite = [loss for loss in losses if np.isfinite(loss)]
    ax.semilogy(range(len(finite)), finite, marker="o" if nan_step else None, color=colour, label=name)
    if nan_step is not None:
        ax.axvline(nan_step, color=colour, linestyle="--", label=f"{name}: loss not finite at step {nan_step}")
        ax.annotate("inf / NaN", xy=(nan_step, 1.0), xycoords=("data", "axes fraction"), xytext=(6, -14),
                    textcoords="offset points", color=colour)
ax.set_xlabel("SGD step")
ax.set_ylabel("mean squared error (log scale)")
ax.set_title(f"Full-batch SGD, learning rate {LEARNING_RATE:g}, 10 ReLU layers of 64 units")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# Published values must be finite, so the step is an int and the run that never diverged
# reports how many steps it completed.

# %%
large_losses, large_updates, large_nan = runs["3 × He's σ"]
he_losses, he_updates, he_nan = runs["He normal"]
results = {
    "steps": STEPS,
    "learning_rate": LEARNING_RATE,
    "diverged": large_nan is not None,
    "nan_step": int(large_nan if large_nan is not None else STEPS),
    "large_first_loss": large_losses[0],
    "large_first_relative_update": large_updates[0],
    "he_diverged": he_nan is not None,
    "he_first_loss": he_losses[0],
    "he_final_loss": he_losses[-1],
    "he_largest_relative_update": max(he_updates),
    # The baseline a trained model must beat: the best constant prediction, whose MSE is Var(y).
    "constant_predictor_loss": float(np.var(y)),
    "he_increasing_steps": int(sum(b > a for a, b in zip(he_losses, he_losses[1:]))),
}
print(results)
