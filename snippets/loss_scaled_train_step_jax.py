"""
Title: Loss scaling in a custom training loop under mixed_float16, on the JAX backend
Description: Fraction of exactly-zero entries in the first layer's kernel gradient, and the training loss, at every step of a hand-written, jit-compiled JAX loop for an 8-layer sigmoid MLP under mixed_float16, with and without scale_loss.
Accelerator: None
"""

# %% [markdown]
# A training loop written by hand for a `mixed_float16` model. `LossScaleOptimizer.scale_loss`
# multiplies the loss by the current scale before the backward pass, so the gradients cross the
# float16 layers at a size float16 can hold; `LossScaleOptimizer.apply` divides them by the scale
# again. On JAX the step is a pure function of the weights and the optimizer's state
# (`stateless_call`, `jax.value_and_grad`, `stateless_apply`), compiled by `jax.jit`.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS, LEARNING_RATE = 8, 32, 64, 40, 1.0

# %% [markdown]
# An 8-layer sigmoid MLP, whose early gradients are small (a vanishing gradient), built under the
# `mixed_float16` policy with a float32 output layer. Its weights are drawn with NumPy from `SEED`
# (Glorot-uniform, Keras's default, and zero biases), not by the backend's generator, so the
# TensorFlow, JAX and PyTorch versions of this loop start from the same numbers.

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
initial_weights = []
for fan_in, fan_out in [(WIDTH, WIDTH)] * DEPTH + [(WIDTH, 1)]:
    limit = np.sqrt(6 / (fan_in + fan_out))
    initial_weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32"),
                        np.zeros(fan_out, "float32")]


def build_model():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
        + [keras.layers.Dense(1, activation="sigmoid", dtype="float32")]  # output in float32
    )
    keras.mixed_precision.set_global_policy("float32")  # nothing built later inherits it
    model.set_weights(initial_weights)
    return model


loss_fn = keras.losses.BinaryCrossentropy()
# The best loss without using x: predict the mean label, and pay its binary entropy.
constant_predictor_loss = float(-(y.mean() * np.log(y.mean()) + (1 - y.mean()) * np.log(1 - y.mean())))

# %% [markdown]
# The loss scale is an optimizer variable (`dynamic_scale`), and a jitted step receives the
# optimizer's variables as an argument. `scale_loss` reads the variable, so call it inside a
# `keras.StatelessScope` that maps the optimizer's variables to the values passed in, as Keras's
# own JAX `train_step` does. Called without the scope inside `jax.jit`, it reads the variable's
# value once, while tracing, and compiles it in as a constant: check both on a scale halved
# after tracing.

# %%
probe = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD())
probe.build(build_model().trainable_variables)
probe_state = [v.value for v in probe.variables]


@jax.jit
def scale_without_scope(optimizer_variables, loss):
    return probe.scale_loss(loss)


@jax.jit
def scale_in_scope(optimizer_variables, loss):
    with keras.StatelessScope(state_mapping=list(zip(probe.variables, optimizer_variables))):
        return probe.scale_loss(loss)


halved = [value / 2 if v is probe.dynamic_scale else value for v, value in zip(probe.variables, probe_state)]
for fn in (scale_without_scope, scale_in_scope):
    fn(probe_state, 1.0)  # trace with the initial scale
half_scale = float(probe.dynamic_scale.value) / 2
scope_follows_state = float(scale_in_scope(halved, 1.0)) == half_scale
no_scope_follows_state = float(scale_without_scope(halved, 1.0)) == half_scale
print(f"scale halved to {half_scale:g} after tracing: scale_loss in the scope gives "
      f"{float(scale_in_scope(halved, 1.0)):g}, without it {float(scale_without_scope(halved, 1.0)):g}")

# %% [markdown]
# The step: the loss as a function of the weights, scaled in the scope, differentiated by
# `jax.value_and_grad`; `stateless_apply` unscales (and skips the step while halving the scale
# if a gradient is inf or NaN). The other loop forgets `scale_loss`.

# %%
def train(scale):
    model = build_model()
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=LEARNING_RATE))
    optimizer.build(model.trainable_variables)

    def compute_loss(trainable, non_trainable, optimizer_variables, x, y):
        prediction, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
        loss = loss_fn(y, prediction)
        scaled_loss = loss
        if scale:
            with keras.StatelessScope(state_mapping=list(zip(optimizer.variables, optimizer_variables))):
                scaled_loss = optimizer.scale_loss(loss)
        return scaled_loss, (loss, non_trainable)

    grad_fn = jax.value_and_grad(compute_loss, has_aux=True)

    @jax.jit
    def train_step(state, x, y):
        trainable, non_trainable, optimizer_variables = state
        (_, (loss, non_trainable)), grads = grad_fn(trainable, non_trainable, optimizer_variables, x, y)
        trainable, optimizer_variables = optimizer.stateless_apply(optimizer_variables, grads, trainable)
        zero_fraction = keras.ops.mean(keras.ops.cast(grads[0] == 0, "float32"))
        squared_norm = sum(keras.ops.sum(keras.ops.square(g)) for g in grads)
        return (trainable, non_trainable, optimizer_variables), loss, zero_fraction, squared_norm

    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in optimizer.variables],
    )
    losses, zero_fractions = [], []
    for step in range(STEPS):
        state, loss, zero_fraction, squared_norm = train_step(state, x, y)
        losses.append(float(loss))
        zero_fractions.append(float(zero_fraction))
        if step == 0:  # ‖g‖² of the first step's gradient, as stateless_apply sees it after unscaling
            first_squared_norm = float(squared_norm) / float(optimizer.scale_loss(1.0)) ** 2 if scale else float(squared_norm)
    # The loop changed only `state`: write it back into the model and the optimizer.
    for variable, value in zip(model.trainable_variables, state[0]):
        variable.assign(value)
    for variable, value in zip(optimizer.variables, state[2]):
        variable.assign(value)
    final_loss = float(loss_fn(y, model(x)))
    return losses, zero_fractions, final_loss, float(optimizer.scale_loss(1.0)), first_squared_norm


runs = {name: train(scale) for name, scale in (("scale_loss", True), ("forgot scale_loss", False))}
for name, (losses, zero_fractions, final_loss, loss_scale, _) in runs.items():
    print(f"{name}: first kernel gradient exactly zero at step 1: {zero_fractions[0]:.3f}, "
          f"mean over {STEPS} steps: {np.mean(zero_fractions):.3f}; "
          f"loss {losses[0]:.4f} -> {final_loss:.4f}; loss scale {loss_scale:g}")

# %%
steps = np.arange(1, STEPS + 1)
fig, (zero_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, (losses, zero_fractions, *_) in runs.items():
    zero_ax.plot(steps, zero_fractions, label=name)
    loss_ax.plot(steps, losses, label=name)
zero_ax.set_title("First kernel's gradient")
zero_ax.set_ylabel("fraction of entries exactly 0")
zero_ax.set_ylim(-0.02, 1.02)
loss_ax.set_title("Loss")
loss_ax.set_ylabel("binary cross-entropy")
for ax in (zero_ax, loss_ax):
    ax.set_xlabel("training step")
    ax.legend()
    ax.grid(alpha=0.3)
fig.suptitle("A custom loop under mixed_float16 on JAX, with and without scale_loss")
fig.tight_layout()

# %%
scaled, forgotten = runs["scale_loss"], runs["forgot scale_loss"]
results = {
    "backend": keras.backend.backend(),
    "steps": STEPS,
    "learning_rate": LEARNING_RATE,
    "first_step_zero_fraction_scaled": scaled[1][0],
    "first_step_zero_fraction_forgotten": forgotten[1][0],
    "mean_zero_fraction_scaled": float(np.mean(scaled[1])),
    "mean_zero_fraction_forgotten": float(np.mean(forgotten[1])),
    "first_loss": scaled[0][0],
    "first_loss_forgotten": forgotten[0][0],
    "final_loss_scaled": scaled[2],
    "final_loss_forgotten": forgotten[2],
    "constant_predictor_loss": constant_predictor_loss,
    "final_loss_scale": scaled[3],
    "first_gradient_squared_norm": scaled[4],
    "scale_loss_in_scope_follows_state": scope_follows_state,
    "scale_loss_without_scope_follows_state": no_scope_follows_state,
}
print(results)
