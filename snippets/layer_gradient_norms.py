"""
Title: Gradient norm of every layer in a deep MLP
Description: Per-layer kernel gradient norms of a 10-hidden-layer MLP for sigmoid, tanh and ReLU, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Ten hidden layers of 64 units, one batch of synthetic data, one backward pass. The only
# thing that changes between the three networks is the activation and its initialiser.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
CONFIGS = {
    "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "tanh + Glorot uniform": ("tanh", "glorot_uniform"),
    "ReLU + He normal": ("relu", "he_normal"),
}

# %% [markdown]
# Synthetic data: standard-normal inputs, labels from a random linear "teacher".

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers.append(keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


# %% [markdown]
# One forward and backward pass per network; keep the norm of each hidden kernel's gradient.

# %%
def hidden_kernel_gradient_norms(model):
    loss_fn = keras.losses.BinaryCrossentropy()
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    kernels = [layer.kernel for layer in model.layers[:DEPTH]]
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])


norms = {name: hidden_kernel_gradient_norms(build_mlp(*config)) for name, config in CONFIGS.items()}
for name, layer_norms in norms.items():
    print(f"{name:26s} first layer {layer_norms[0]:.2e}   last hidden layer {layer_norms[-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, layer_norms), marker in zip(norms.items(), "os^"):
    ax.semilogy(range(1, DEPTH + 1), layer_norms, marker=marker, label=name)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂kernel‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title("Gradient norm per layer, 10 hidden layers of 64 units")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# The ratio first/last hidden layer says how much of the gradient survives the trip back.

# %%
ratio = {name: float(layer_norms[0] / layer_norms[-1]) for name, layer_norms in norms.items()}
results = {
    "sigmoid_ratio": ratio["sigmoid + Glorot uniform"],
    "tanh_ratio": ratio["tanh + Glorot uniform"],
    "relu_ratio": ratio["ReLU + He normal"],
    "sigmoid_first": float(norms["sigmoid + Glorot uniform"][0]),
    "sigmoid_last": float(norms["sigmoid + Glorot uniform"][-1]),
}
print(results)
