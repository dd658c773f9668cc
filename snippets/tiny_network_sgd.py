"""
Title: One training step of a tiny network, taken apart
Description: Mean squared error of a three-layer Keras network over fifty full-batch gradient-descent steps, falling from the first step on.
Accelerator: None
"""

# %% [markdown]
# A network learns by repeating four steps: a forward pass, a loss, a backward pass that
# computes one gradient per variable, and an update that moves every variable a little
# against its gradient. This snippet takes one round apart, then repeats it.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

LEARNING_RATE = 0.05
STEPS = 50

# %% [markdown]
# Sixteen synthetic points in the plane and a smooth target, y = sin(x₁) + x₂ / 2; a network
# with two hidden layers of four tanh units and one linear output.

# %%
rng = np.random.default_rng(SEED)
x = rng.uniform(-2.0, 2.0, size=(16, 2)).astype("float32")
y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:]).astype("float32")

model = keras.Sequential(
    [
        keras.Input((2,)),
        keras.layers.Dense(4, activation="tanh", name="hidden_1"),
        keras.layers.Dense(4, activation="tanh", name="hidden_2"),
        keras.layers.Dense(1, name="output"),
    ],
    name="tiny",
)
loss_fn = keras.losses.MeanSquaredError()

# %% [markdown]
# **Forward pass and loss.** The tape records every operation so that it can be replayed
# backwards.

# %%
with tf.GradientTape() as tape:
    predictions = model(x, training=True)
    loss = loss_fn(y, predictions)
loss_before = float(loss)
print(f"loss before the step: {loss_before:.4f}")

# %% [markdown]
# **Backward pass.** One gradient per variable, with the variable's own shape: how much the
# loss changes per unit change of each weight.

# %%
gradients = tape.gradient(loss, model.trainable_variables)
for variable, gradient in zip(model.trainable_variables, gradients):
    values = np.array2string(gradient.numpy(), precision=3, suppress_small=True)
    print(f"{variable.path:20s} shape {str(tuple(variable.shape)):7s} ∂loss/∂w =\n{values}")

# %% [markdown]
# **Update.** Keras's `SGD` optimiser (momentum 0 by default) moves each variable by −η·gradient.
# Given all sixteen points at every step, as here, that is full-batch gradient descent, not
# stochastic. To first order the loss then falls by η‖g‖², the squared norm of all the gradients;
# the second-order term (η²/2)·gᵀHg needs the Hessian H only along g, which a second tape gives
# as the gradient of g·(fixed g) (a Hessian-vector product), before the step is taken.

# %%
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        loss_again = loss_fn(y, model(x, training=True))
    along_g = tf.add_n([tf.reduce_sum(g * tf.stop_gradient(g0))
                        for g, g0 in zip(inner.gradient(loss_again, model.trainable_variables), gradients)])
hessian_times_g = outer.gradient(along_g, model.trainable_variables)
g_hessian_g = float(tf.add_n([tf.reduce_sum(hg * g) for hg, g in zip(hessian_times_g, gradients)]))

optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
optimizer.apply_gradients(zip(gradients, model.trainable_variables))
loss_after = float(loss_fn(y, model(x, training=True)))
squared_norm = float(sum(tf.reduce_sum(g**2) for g in gradients))
predicted_decrease = LEARNING_RATE * squared_norm
second_order_term = LEARNING_RATE**2 / 2 * g_hessian_g
print(f"loss after one step: {loss_after:.4f}")
print(f"decrease {loss_before - loss_after:.5f}, first-order prediction η‖g‖² = {predicted_decrease:.5f}, "
      f"second-order η‖g‖² − (η²/2)gᵀHg = {predicted_decrease - second_order_term:.5f}")

# %% [markdown]
# **Repeat.** The same four steps, fifty times over the same sixteen points.

# %%
losses = [loss_before, loss_after]
for _ in range(STEPS - 1):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    losses.append(float(loss_fn(y, model(x, training=True))))

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(range(STEPS + 1), losses, marker="o", markersize=3)
ax.set_xlabel("gradient-descent step")
ax.set_ylabel("mean squared error (log scale)")
ax.set_title(f"Training loss of a tiny network, full-batch gradient descent, η = {LEARNING_RATE}")
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "loss_before": loss_before,
    "loss_after": loss_after,
    "actual_decrease": loss_before - loss_after,
    "predicted_decrease": predicted_decrease,
    "second_order_term": second_order_term,
    "second_order_decrease": predicted_decrease - second_order_term,
    # Curvature of the loss along the gradient, gᵀHg / ‖g‖²: the step lowers the loss when η times it is below 2.
    "curvature_along_gradient": g_hessian_g / squared_norm,
    "learning_rate": LEARNING_RATE,
    "steps": STEPS,
    "final_loss": losses[-1],
    "increasing_steps": int(sum(b > a for a, b in zip(losses, losses[1:]))),
}
print(results)
