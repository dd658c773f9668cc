"""
Title: What clipnorm, clipvalue and global_clipnorm do to one gradient
Description: Norm of every variable's update after Keras SGD clips one exploding gradient with clipnorm, clipvalue and global_clipnorm, against the raw gradient, on a log scale.
Accelerator: None
"""

# %% [markdown]
# One gradient of the exploding network (ten ReLU layers at three times He's standard
# deviation), handed to `keras.optimizers.SGD` with learning rate 1 and each clipping option.
# With learning rate 1 and no momentum, the update SGD makes *is* the clipped gradient.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
HE_STD = float(np.sqrt(2.0 / WIDTH))
CLIPPING = {
    "clipnorm=1": {"clipnorm": 1.0},
    "clipvalue=0.01": {"clipvalue": 0.01},
    "global_clipnorm=1": {"global_clipnorm": 1.0},
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) / np.sqrt(WIDTH)).astype("float32")[:, None]

init = lambda: keras.initializers.RandomNormal(stddev=3 * HE_STD)  # noqa: E731 - a fresh draw per layer
model = keras.Sequential(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=init()) for _ in range(DEPTH)]
    + [keras.layers.Dense(1, kernel_initializer=init())]
)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
raw = tape.gradient(loss, model.trainable_variables)

# %% [markdown]
# Apply each optimiser once to zero-initialised copies of the variables: after one step of
# v ← v − 1 · clip(g), the copy holds −clip(g).

# %%
def clipped(options):
    copies = [tf.Variable(tf.zeros_like(g)) for g in raw]
    keras.optimizers.SGD(learning_rate=1.0, **options).apply(raw, copies)
    return [-copy.numpy() for copy in copies]


def flat(tensors):
    return np.concatenate([np.ravel(t) for t in tensors]).astype("float64")


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


updates = {name: clipped(options) for name, options in CLIPPING.items()}
raw_np = [g.numpy() for g in raw]
for name, update in updates.items():
    print(f"{name:18s} joint norm {np.linalg.norm(flat(update)):.3g}, cosine with raw {cosine(flat(update), flat(raw_np)):.4f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
index = np.arange(1, len(raw_np) + 1)
ax.semilogy(index, [np.linalg.norm(g) for g in raw_np], "k.-", label="raw gradient")
for (name, update), marker in zip(updates.items(), "o^s"):
    ax.semilogy(index, [np.linalg.norm(u) for u in update], marker=marker, linestyle="-", label=name)
ax.set_xlabel("variable (kernel, bias of layer 1, then layer 2, …; 22 = output bias)")
ax.set_ylabel("‖update of the variable‖ (log scale)")
ax.set_title("One exploding gradient after Keras clipping, per variable (kernel and bias gradients)")
ax.legend(loc="center", ncol=2)
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# Per variable, the smallest cosine between clipped and raw gradient says whether any single
# tensor was turned; the joint cosine says whether the update as a whole kept its direction.

# %%
def per_variable_min_cosine(update):
    return min(cosine(np.ravel(u).astype("float64"), np.ravel(g).astype("float64")) for u, g in zip(update, raw_np))


results = {"raw_global_norm": float(np.linalg.norm(flat(raw_np)))}
for key, name in (("clipnorm", "clipnorm=1"), ("clipvalue", "clipvalue=0.01"), ("global", "global_clipnorm=1")):
    update = updates[name]
    results[f"{key}_joint_norm"] = float(np.linalg.norm(flat(update)))
    results[f"{key}_max_variable_norm"] = float(max(np.linalg.norm(u) for u in update))
    results[f"{key}_max_entry"] = float(max(np.abs(u).max() for u in update))
    results[f"{key}_cosine"] = cosine(flat(update), flat(raw_np))
    results[f"{key}_min_variable_cosine"] = per_variable_min_cosine(update)
results["variables"] = len(raw_np)
print(results)
