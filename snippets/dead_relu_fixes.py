"""
Title: Count dead ReLUs before and after a too-high learning rate, and measure three fixes
Description: Fraction of hidden units that never fire on a batch, before and after 12 Adam steps, for a ReLU MLP at learning rate 0.05, at 0.001, with He initialisation, and with LeakyReLU(negative_slope=0.1).
Accelerator: None
"""

# %% [markdown]
# A unit is dead on a batch when its pre-activation is ≤ 0 for every example: a ReLU then
# outputs 0 everywhere and passes back exactly zero gradient, so its own weights and bias stop
# learning (it can still come back if the layers below change its inputs).
# Count such units with one forward pass, and count the units whose gradient is zero on the
# whole batch with one backward pass.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

FEATURES, WIDTH, DEPTH, SAMPLES, BATCH, STEPS = 32, 64, 4, 256, 64, 12

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, FEATURES)).astype("float32")
y = (x @ rng.standard_normal((FEATURES, 1))).astype("float32")


def build(initializer="glorot_uniform", activation="relu"):
    layers = [keras.Input((FEATURES,))]
    for _ in range(DEPTH):
        layers.append(keras.layers.Dense(WIDTH, kernel_initializer=initializer))
        layers.append(keras.layers.ReLU() if activation == "relu" else keras.layers.LeakyReLU(negative_slope=0.1))
    layers.append(keras.layers.Dense(1))
    return keras.Sequential(layers)


def dead_and_zero_gradient(model):
    """Fractions of hidden units with pre-activation ≤ 0 on the whole batch, and with zero gradient."""
    pre_activations = []
    with tf.GradientTape() as tape:
        h = x
        for layer in model.layers:
            h = layer(h)
            if isinstance(layer, keras.layers.Dense) and layer is not model.layers[-1]:
                pre_activations.append(h)
        loss = keras.losses.MeanSquaredError()(y, h)
    gradients = tape.gradient(loss, pre_activations)
    dead = np.concatenate([np.all(z.numpy() <= 0, axis=0) for z in pre_activations])
    zero_gradient = np.concatenate([np.all(g.numpy() == 0, axis=0) for g in gradients])
    return float(dead.mean()), float(zero_gradient.mean())


# %% [markdown]
# Twelve Adam steps (three passes over 256 examples in batches of 64), from the same seed, for
# the broken set-up and each fix.

# %%
RUNS = {
    "ReLU, Glorot, Adam 0.05 (too high)": dict(rate=0.05),
    "ReLU, Glorot, Adam 0.001": dict(rate=0.001),
    "ReLU, He normal, Adam 0.05": dict(rate=0.05, initializer="he_normal"),
    "LeakyReLU(0.1), Glorot, Adam 0.05": dict(rate=0.05, activation="leaky"),
}
measured = {}
for name, run in RUNS.items():
    keras.utils.set_random_seed(SEED)
    model = build(run.get("initializer", "glorot_uniform"), run.get("activation", "relu"))
    optimizer = keras.optimizers.Adam(learning_rate=run["rate"])
    before = dead_and_zero_gradient(model)
    for step in range(STEPS):
        batch = slice((step * BATCH) % SAMPLES, (step * BATCH) % SAMPLES + BATCH)
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(y[batch], model(x[batch], training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    after = dead_and_zero_gradient(model)
    measured[name] = {"before": before, "after": after}
    print(f"{name:36s} never fire: {before[0]:.1%} -> {after[0]:.1%};  zero gradient: {before[1]:.1%} -> {after[1]:.1%}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
positions = np.arange(len(measured))
ax.bar(positions - 0.2, [m["before"][0] for m in measured.values()], width=0.4, label="before training")
ax.bar(positions + 0.2, [m["after"][0] for m in measured.values()], width=0.4, label=f"after {STEPS} steps")
ax.scatter(positions + 0.2, [m["after"][1] for m in measured.values()], color="black", marker="_", s=400, zorder=3,
           label="after: units with zero gradient")
ax.set_xticks(positions, [name.replace(", Adam", "\nAdam") for name in measured], fontsize="small")
ax.set_ylabel("fraction of hidden units that never fire on the batch")
ax.set_xlabel("set-up")
ax.set_title(f"Dead units in a {DEPTH}×{WIDTH} ReLU MLP")
ax.legend(fontsize="small", loc="upper right")
ax.grid(alpha=0.3, axis="y")
fig.tight_layout()

# %%
high, low, he, leaky = (measured[name] for name in RUNS)
results = {
    "high_dead_before": high["before"][0],
    "high_dead_after": high["after"][0],
    "high_zero_gradient_after": high["after"][1],
    "low_dead_after": low["after"][0],
    "he_dead_before": he["before"][0],
    "he_dead_after": he["after"][0],
    "leaky_silent_after": leaky["after"][0],
    "leaky_zero_gradient_after": leaky["after"][1],
    "leaky_every_unit_receives_gradient": bool(leaky["after"][1] == 0.0),
}
print(results)
