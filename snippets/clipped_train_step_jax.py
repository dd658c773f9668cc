"""
Title: A custom training step with global-norm clipping, on the JAX backend
Description: Global gradient norm before and after clipping at 1, and the training loss, at every step of a hand-written JAX training loop for an MLP with exploding gradients, on log scales.
Accelerator: None
"""

# %% [markdown]
# A training loop written by hand, with the gradient clipped by its global norm before the
# optimizer sees it. On JAX the step is a pure function: it takes the weights and the optimizer's
# state as arguments and returns new ones (`stateless_call`, `stateless_apply`), so `jax.jit` can
# compile it and `jax.value_and_grad` can differentiate it.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

WIDTH, DEPTH, BATCH, STEPS = 16, 4, 64, 60
LEARNING_RATE, THRESHOLD = 0.1, 1.0

# %% [markdown]
# An MLP with exploding gradients: five Dense layers whose kernels have standard deviation 1, far
# above He's √(2/16). The weights and the data are drawn with NumPy from `SEED`, not by the
# backend's own random generator, so the TensorFlow, JAX and PyTorch versions of this loop start
# from the same numbers.

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = rng.standard_normal((BATCH, 1)).astype("float32")
model = keras.Sequential(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="relu") for _ in range(DEPTH)]
    + [keras.layers.Dense(1)]
)
model.set_weights([
    rng.standard_normal(w.shape).astype("float32") if w.ndim == 2 else np.zeros(w.shape, "float32")
    for w in model.get_weights()
])
loss_fn = keras.losses.MeanSquaredError()
optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)

# %% [markdown]
# Clipping by the global norm (Pascanu et al. 2013) multiplies every gradient by the same factor
# min(1, threshold / ‖g‖), with ‖g‖ the norm of all gradients together. Written with `keras.ops`,
# this function is the same on every backend.

# %%
def clip_by_global_norm(grads, threshold):
    norm = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(g)) for g in grads))
    scale = keras.ops.minimum(1.0, threshold / norm)
    return [g * scale for g in grads], norm


def global_norm64(grads):  # the check, in float64
    return float(np.sqrt(sum(np.sum(np.asarray(keras.ops.convert_to_numpy(g), np.float64) ** 2) for g in grads)))


# %% [markdown]
# The step: a loss written as a function of the weights, its value and gradient from
# `jax.value_and_grad`, the clip, then `optimizer.stateless_apply`, all compiled by `jax.jit`.

# %%
def compute_loss(trainable, non_trainable, x, y):
    prediction, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
    return loss_fn(y, prediction), non_trainable


grad_fn = jax.value_and_grad(compute_loss, has_aux=True)


@jax.jit
def train_step(state, x, y):
    trainable, non_trainable, optimizer_vars = state
    (loss, non_trainable), grads = grad_fn(trainable, non_trainable, x, y)
    clipped, norm = clip_by_global_norm(grads, THRESHOLD)
    trainable, optimizer_vars = optimizer.stateless_apply(optimizer_vars, clipped, trainable)
    return (trainable, non_trainable, optimizer_vars), loss, norm, clipped


optimizer.build(model.trainable_variables)
state = (
    [v.value for v in model.trainable_variables],
    [v.value for v in model.non_trainable_variables],
    [v.value for v in optimizer.variables],
)
losses, pre_clip, post_clip = [], [], []
for step in range(STEPS):
    state, loss, norm, clipped = train_step(state, x, y)
    losses.append(float(loss))
    pre_clip.append(float(norm))
    post_clip.append(global_norm64(clipped))

# The loop changed only `state`: write the trained weights back into the model.
for variable, value in zip(model.trainable_variables, state[0]):
    variable.assign(value)
final_loss = float(loss_fn(y, model(x)))
print(f"gradient norm before clipping: first {pre_clip[0]:.4g}, smallest {min(pre_clip):.4g}; "
      f"after clipping: largest {max(post_clip):.8f}")
print(f"loss: {losses[0]:.4g} -> {final_loss:.4g} after {STEPS} steps")

# %%
steps = np.arange(1, STEPS + 1)
fig, (norm_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
norm_ax.semilogy(steps, pre_clip, label="before clipping ‖g‖")
norm_ax.semilogy(steps, post_clip, linestyle="--", label="after clipping")
norm_ax.axhline(THRESHOLD, color="black", linestyle=":", label=f"threshold {THRESHOLD:g}")
norm_ax.set_title("Global gradient norm")
norm_ax.set_ylabel("‖g‖ over all weights (log scale)")
loss_ax.semilogy(steps, losses, color="C2", label="training loss (MSE)")
loss_ax.set_title("Loss")
loss_ax.set_ylabel("mean squared error (log scale)")
for ax in (norm_ax, loss_ax):
    ax.set_xlabel("training step")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
fig.suptitle(f"SGD with global-norm clipping at {THRESHOLD:g} on JAX")
fig.tight_layout()

# %%
results = {
    "backend": keras.backend.backend(),
    "steps": STEPS,
    "threshold": THRESHOLD,
    "first_pre_clip_norm": pre_clip[0],
    "min_pre_clip_norm": min(pre_clip),
    "max_post_clip_norm": max(post_clip),
    "first_loss": losses[0],
    "final_loss": final_loss,
}
print(results)
