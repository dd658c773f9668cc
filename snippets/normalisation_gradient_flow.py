"""
Title: Gradient flow in a deep sigmoid net with and without normalisation
Description: Per-layer kernel gradient norms of a 15-layer sigmoid MLP, plain, with BatchNormalization and with LayerNormalization before each sigmoid, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Fifteen hidden layers of 64 sigmoid units with Glorot uniform kernels. The normalised
# variants insert BatchNormalization (Ioffe & Szegedy 2015) or LayerNormalization (Ba, Kiros
# & Hinton 2016) between each Dense layer and its sigmoid; the Dense layers then need no
# bias, since the normalisation's β replaces it.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 15, 64, 256
NORMALISATIONS = {
    "none": None,
    "BatchNormalization": keras.layers.BatchNormalization,
    "LayerNormalization": keras.layers.LayerNormalization,
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(normalisation):
    layers, dense = [keras.Input((WIDTH,))], []
    for _ in range(DEPTH):
        dense.append(keras.layers.Dense(WIDTH, use_bias=normalisation is None))
        layers.append(dense[-1])
        if normalisation is not None:
            layers.append(normalisation())
        layers.append(keras.layers.Activation("sigmoid"))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers), dense


# %% [markdown]
# One forward and backward pass in training mode, so BatchNormalization uses the batch's
# statistics, as it does during training.

# %%
def gradient_norms_and_preactivations(normalisation):
    model, dense = build_mlp(normalisation)
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x, training=True))
    norms = np.array([float(tf.norm(g)) for g in tape.gradient(loss, [d.kernel for d in dense])])
    probe = keras.Model(model.inputs[0], [d.output for d in dense])
    return norms, [np.asarray(z) for z in probe(x, training=True)]


runs = {name: gradient_norms_and_preactivations(layer) for name, layer in NORMALISATIONS.items()}
norms = {name: run[0] for name, run in runs.items()}
for name, n in norms.items():
    print(f"{name:20s} layer 1 {n[0]:.3e}   layer {DEPTH} {n[-1]:.3e}")

# %% [markdown]
# What the normalisations divide by, at the last hidden layer: BatchNormalization by each
# unit's standard deviation over the batch, LayerNormalization by each example's standard
# deviation over the 64 units.

# %%
last_dense_output = {name: run[1][-1] for name, run in runs.items()}
batch_std = float(last_dense_output["BatchNormalization"].std(axis=0).mean())
feature_std = float(last_dense_output["LayerNormalization"].std(axis=1).mean())
print(f"BN divides by {batch_std:.3e}, LN by {feature_std:.3f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, n), marker in zip(norms.items(), "os^"):
    label = "no normalisation" if name == "none" else f"Dense → {name} → sigmoid"
    ax.semilogy(range(1, DEPTH + 1), n, marker=marker, label=label)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂kernel‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title(f"Gradient norm per layer, {DEPTH} sigmoid layers of {WIDTH} units")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "plain_first": float(norms["none"][0]),
    "bn_first": float(norms["BatchNormalization"][0]),
    "ln_first": float(norms["LayerNormalization"][0]),
    "plain_ratio": float(norms["none"][0] / norms["none"][-1]),
    "bn_ratio": float(norms["BatchNormalization"][0] / norms["BatchNormalization"][-1]),
    "ln_ratio": float(norms["LayerNormalization"][0] / norms["LayerNormalization"][-1]),
    "bn_divisor": batch_std,
    "ln_divisor": feature_std,
}
results["bn_over_plain_first"] = results["bn_first"] / results["plain_first"]
results["ln_over_plain_first"] = results["ln_first"] / results["plain_first"]
print(results)
