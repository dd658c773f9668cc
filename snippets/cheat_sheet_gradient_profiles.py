"""
Title: Three gradient profiles to recognise at a glance
Description: Per-layer kernel gradient norms, relative to the last hidden layer, of 10-layer MLPs that vanish, stay healthy and explode, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The quickest diagnosis is one backward pass and one norm per layer. Three ten-layer MLPs of
# 32 units show the three shapes that profile takes: falling toward the input (vanishing),
# flat (healthy), rising toward the input (exploding).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 32, 128
CONFIGS = {
    "vanishing: sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "healthy: ReLU + He normal": ("relu", "he_normal"),
    "exploding: tanh + N(0, 1) weights": ("tanh", keras.initializers.RandomNormal(stddev=1.0)),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def relative_profile(activation, initializer):
    hidden = [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(DEPTH)]
    model = keras.Sequential([keras.Input((WIDTH,))] + hidden + [keras.layers.Dense(1, activation="sigmoid")])
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x))
    norms = np.array([float(tf.norm(g)) for g in tape.gradient(loss, [layer.kernel for layer in hidden])])
    return norms / norms[-1]


profiles = {name: relative_profile(*config) for name, config in CONFIGS.items()}
for name, profile in profiles.items():
    print(f"{name:38s} first/last = {profile[0]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, profile), marker in zip(profiles.items(), "os^"):
    ax.semilogy(range(1, DEPTH + 1), profile, marker=marker, label=name)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂kernel‖ ÷ last hidden layer's (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title("Per-layer gradient profile: the shape is the diagnosis")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "vanishing_ratio": float(profiles["vanishing: sigmoid + Glorot uniform"][0]),
    "healthy_ratio": float(profiles["healthy: ReLU + He normal"][0]),
    "exploding_ratio": float(profiles["exploding: tanh + N(0, 1) weights"][0]),
}
print(results)
