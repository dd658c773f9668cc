"""
Title: SGD with and without gradient clipping on an exploding network
Description: Training loss per step on a log scale for a 10-layer ReLU MLP initialised at three times He's standard deviation, trained with SGD without clipping and with clipnorm, clipvalue and global_clipnorm.
Accelerator: None
"""

# %% [markdown]
# The network from the large-initialisation page: ten ReLU layers of 64 units whose weights
# have three times He's standard deviation, so the backward signal grows about threefold per
# layer. Four copies start from the same weights; only the optimiser's clipping option differs.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS, LEARNING_RATE = 10, 64, 256, 100, 1e-2
HE_STD = float(np.sqrt(2.0 / WIDTH))
CLIPPING = {
    "no clipping": {},
    "clipnorm=1": {"clipnorm": 1.0},
    "clipvalue=0.01": {"clipvalue": 0.01},
    "global_clipnorm=1": {"global_clipnorm": 1.0},
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) / np.sqrt(WIDTH)).astype("float32")[:, None]


def build_mlp():
    init = lambda: keras.initializers.RandomNormal(stddev=3 * HE_STD)  # noqa: E731 - a fresh draw per layer
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=init()) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, kernel_initializer=init()))
    return keras.Sequential(layers)


initial_weights = build_mlp().get_weights()

# %% [markdown]
# Full-batch SGD; the loop stops at the first loss that is not finite.

# %%
def train(clip_options):
    model = build_mlp()
    model.set_weights(initial_weights)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE, **clip_options)
    optimizer.build(model.trainable_variables)  # create its variables before tracing the step

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    losses = []
    for _ in range(STEPS):
        losses.append(float(step()))
        if not np.isfinite(losses[-1]):
            break
    return losses


curves = {name: train(options) for name, options in CLIPPING.items()}
for name, losses in curves.items():
    print(f"{name:18s} {len(losses):3d} steps, loss {losses[0]:.3g} -> {losses[-1]:.3g}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, losses in curves.items():
    finite = [loss for loss in losses if np.isfinite(loss)]
    ax.semilogy(range(len(finite)), finite, marker="o" if len(finite) < 5 else None, label=name)
ax.set_xlabel("SGD step")
ax.set_ylabel("mean squared error (log scale)")
ax.set_title(f"10 ReLU layers at 3 × He's σ, SGD learning rate {LEARNING_RATE:g}")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# A run fails if its loss stops being finite or it ends above where it started.

# %%
def finite_run(name):
    return len(curves[name]) == STEPS and bool(np.all(np.isfinite(curves[name])))


unclipped = curves["no clipping"]
results = {
    "steps": STEPS,
    "learning_rate": LEARNING_RATE,
    "initial_loss": unclipped[0],
    "unclipped_failed": not finite_run("no clipping") or unclipped[-1] > unclipped[0],
    "unclipped_outcome": (
        f"its loss was no longer finite at step {len(unclipped) - 1}" if not np.isfinite(unclipped[-1])
        else f"its loss jumped {unclipped[1] / unclipped[0]:.1e} times higher in one step and ended at {unclipped[-1]:.1e}"
    ),
    "clipnorm_finite": finite_run("clipnorm=1"),
    "clipvalue_finite": finite_run("clipvalue=0.01"),
    "global_finite": finite_run("global_clipnorm=1"),
    "clipnorm_final_over_initial": curves["clipnorm=1"][-1] / curves["clipnorm=1"][0],
    "clipvalue_final_over_initial": curves["clipvalue=0.01"][-1] / curves["clipvalue=0.01"][0],
    "global_final_over_initial": curves["global_clipnorm=1"][-1] / curves["global_clipnorm=1"][0],
}
print(results)
