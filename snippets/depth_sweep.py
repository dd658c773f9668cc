"""
Title: First-layer gradient against depth
Description: Norm of the first layer's kernel gradient for MLPs of depth 2 to 30, with sigmoid and tanh under Glorot uniform and ReLU under He normal, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The same question asked at six depths: how much gradient reaches the first layer? Width 32,
# one batch of 128 synthetic points, one backward pass per network.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTHS = (2, 5, 10, 15, 20, 30)
WIDTH, BATCH = 32, 128
CONFIGS = {
    "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "tanh + Glorot uniform": ("tanh", "glorot_uniform"),
    "ReLU + He normal": ("relu", "he_normal"),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(depth, activation, initializer):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(depth)]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


def first_layer_gradient_norm(model):
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x, training=True))
    gradient = tape.gradient(loss, model.layers[0].kernel).numpy()
    # In float64: the squares of a 1e-20 gradient would underflow float32's range (≈1e-38).
    return float(np.linalg.norm(gradient.astype(np.float64)))


# %%
norms = {
    name: np.array([first_layer_gradient_norm(build_mlp(depth, *config)) for depth in DEPTHS])
    for name, config in CONFIGS.items()
}
for name, by_depth in norms.items():
    print(f"{name:26s}", "  ".join(f"{value:.1e}" for value in by_depth))

# %% [markdown]
# A dashed guide shows the slope a factor of ¼ per layer would give — the largest value of the
# sigmoid's derivative.

# %%
depths = np.array(DEPTHS)
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, by_depth), marker in zip(norms.items(), "os^"):
    ax.semilogy(depths, by_depth, marker=marker, label=name)
sigmoid = norms["sigmoid + Glorot uniform"]
ax.semilogy(depths, sigmoid[0] * 0.25 ** (depths - depths[0]), color="grey", linestyle="--", label="¼ per extra layer")
ax.set_xlabel("number of hidden layers")
ax.set_ylabel("‖∂loss/∂kernel of layer 1‖ (log scale)")
ax.set_xticks(DEPTHS)
ax.set_title(f"Gradient reaching the first layer, width {WIDTH}")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
at = {depth: index for index, depth in enumerate(DEPTHS)}
relu, tanh = norms["ReLU + He normal"], norms["tanh + Glorot uniform"]
results = {
    "sigmoid_depth_5": float(sigmoid[at[5]]),
    "sigmoid_depth_20": float(sigmoid[at[20]]),
    "sigmoid_depth_30": float(sigmoid[at[30]]),
    "tanh_depth_5": float(tanh[at[5]]),
    "tanh_depth_30": float(tanh[at[30]]),
    "relu_depth_5": float(relu[at[5]]),
    "relu_depth_20": float(relu[at[20]]),
    "relu_depth_30": float(relu[at[30]]),
    "relu_over_sigmoid_depth_20": float(relu[at[20]] / sigmoid[at[20]]),
    "sigmoid_drop_5_to_30": float(sigmoid[at[5]] / sigmoid[at[30]]),
    # Geometric mean of the factor lost per extra sigmoid layer between depths 5 and 30.
    "sigmoid_shrink_per_layer": float((sigmoid[at[5]] / sigmoid[at[30]]) ** (1 / 25)),
}
print(results)
