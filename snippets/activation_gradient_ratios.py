"""
Title: How much gradient reaches the first layer, per activation
Description: First-to-last hidden-layer gradient-norm ratio of a 20-layer MLP for each activation with its recommended initialiser, on a log scale, with sigmoid as the reference.
Accelerator: None
"""

# %% [markdown]
# Twenty hidden layers of 64 units, one batch of synthetic data, one backward pass per
# activation. Each activation gets the initialiser it was designed with: He normal for the
# rectifier family (He et al. 2015), LeCun normal for SELU (Klambauer et al. 2017), and
# Glorot uniform for the sigmoid reference (Glorot & Bengio 2010).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 20, 64, 256
LEAKY_SLOPE = 0.01


def prelu():
    return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))


CONFIGS = {  # key: (label, activation, kernel initialiser)
    "sigmoid": ("sigmoid", "sigmoid", "glorot_uniform"),
    "relu": ("ReLU", "relu", "he_normal"),
    "leaky_relu": ("Leaky ReLU", lambda: keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE), "he_normal"),
    "prelu": ("PReLU", prelu, "he_normal"),
    "elu": ("ELU", "elu", "he_normal"),
    "selu": ("SELU", "selu", "lecun_normal"),
    "silu": ("Swish / SiLU", "silu", "he_normal"),
    "gelu": ("GELU", "gelu", "he_normal"),
}

# %% [markdown]
# Standard-normal inputs, labels from a random linear "teacher".

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    dense = []
    for _ in range(DEPTH):
        dense.append(keras.layers.Dense(WIDTH, kernel_initializer=initializer))
        layers.append(dense[-1])
        layers.append(keras.layers.Activation(activation) if isinstance(activation, str) else activation())
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers), dense


def first_last_ratio(activation, initializer):
    model, dense = build_mlp(activation, initializer)
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x, training=True))
    grads = tape.gradient(loss, [layer.kernel for layer in dense])
    return float(tf.norm(grads[0]) / tf.norm(grads[-1]))


ratios = {key: first_last_ratio(act, init) for key, (_, act, init) in CONFIGS.items()}
for key, ratio in ratios.items():
    print(f"{CONFIGS[key][0]:14s} first/last = {ratio:.3e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
labels = [f"{CONFIGS[k][0]}\n{CONFIGS[k][2].replace('_', ' ')}" for k in ratios]
colors = ["black" if k == "sigmoid" else "tab:blue" for k in ratios]
ax.bar(labels, list(ratios.values()), color=colors)
ax.set_yscale("log")
ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
ax.set_ylabel("‖∂loss/∂W₁‖ / ‖∂loss/∂W₂₀‖ (log scale)")
ax.set_title("Gradient reaching layer 1 of 20, relative to layer 20")
ax.tick_params(axis="x", labelsize=7)
ax.grid(alpha=0.3, axis="y", which="both")

# %%
results = {f"{key}_ratio": ratio for key, ratio in ratios.items()}
results["weakest_over_sigmoid"] = min(r for k, r in ratios.items() if k != "sigmoid") / ratios["sigmoid"]
print(results)
