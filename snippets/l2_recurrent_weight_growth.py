"""
Title: L2 regularisation on a linear RNN whose recurrent weights grow
Description: Weight norm, spectral radius of the recurrent kernel and gradient norm over 150 SGD steps of a linear SimpleRNN trained to recall its first input, with and without an L2 penalty.
Accelerator: None
"""

# %% [markdown]
# A linear `SimpleRNN` with 16 units must output, after 30 steps, the first of its 30 noisy
# inputs. To make the first input outweigh the 29 later ones, training has to amplify old
# inputs more than new ones, so it pushes the recurrent kernel's spectral radius ρ up, towards
# and past 1, where gradients through time grow as ρ^lag. The second run adds
# `keras.regularizers.L2` to every kernel; both start from the same weights, with ρ = 0.9.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

UNITS, STEPS_IN_TIME, BATCH = 16, 30, 256
TRAIN_STEPS, LEARNING_RATE, L2_FACTOR, INITIAL_RHO = 150, 0.02, 0.1, 0.9

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, STEPS_IN_TIME, 1)).astype("float32")
y = x[:, 0, :].copy()


def build_rnn(l2_factor):
    regulariser = lambda: keras.regularizers.L2(l2_factor) if l2_factor else None  # noqa: E731
    return keras.Sequential([
        keras.Input((STEPS_IN_TIME, 1)),
        keras.layers.SimpleRNN(
            UNITS, activation="linear", unroll=True,  # unrolled: faster for 30 steps on a CPU
            kernel_regularizer=regulariser(), recurrent_regularizer=regulariser(),
        ),
        keras.layers.Dense(1, kernel_regularizer=regulariser()),
    ])


q, r = np.linalg.qr(rng.standard_normal((UNITS, UNITS)))
initial_weights = build_rnn(0.0).get_weights()
initial_weights[1] = (INITIAL_RHO * q * np.sign(np.diag(r))).astype("float32")  # recurrent kernel ρ·Q

# %% [markdown]
# Full-batch SGD on the data loss plus the penalties (`model.losses`). Each step records the
# data loss, the norm of its gradient, the norm of all weights and the recurrent kernel's
# spectral radius; a run stops at its first loss that is not finite.

# %%
def train(l2_factor):
    model = build_rnn(l2_factor)
    model.set_weights(initial_weights)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    optimizer.build(model.trainable_variables)  # create its variables before tracing the step
    recurrent = model.layers[0].cell.recurrent_kernel

    @tf.function
    def step():
        with tf.GradientTape(persistent=True) as tape:
            data_loss = tf.reduce_mean(tf.square(model(x) - y))
            total = data_loss + tf.add_n(model.losses) if model.losses else data_loss
        data_grad_norm = tf.linalg.global_norm(tape.gradient(data_loss, model.trainable_variables))
        optimizer.apply(tape.gradient(total, model.trainable_variables), model.trainable_variables)
        return data_loss, data_grad_norm, tf.linalg.global_norm(model.trainable_variables), tf.identity(recurrent)

    history = {"loss": [], "grad_norm": [], "weight_norm": [], "rho": []}
    for _ in range(TRAIN_STEPS):
        loss, grad_norm, weight_norm, kernel = step()
        if not np.all(np.isfinite([float(loss), float(grad_norm), float(weight_norm)])):
            break
        history["loss"].append(float(loss))
        history["grad_norm"].append(float(grad_norm))
        history["weight_norm"].append(float(weight_norm))
        history["rho"].append(float(np.max(np.abs(np.linalg.eigvals(kernel.numpy())))))
    return {key: np.array(values) for key, values in history.items()}


runs = {"no penalty": train(0.0), f"L2({L2_FACTOR:g}) on every kernel": train(L2_FACTOR)}
for name, history in runs.items():
    print(f"{name:26s} {len(history['loss'])} finite steps, ρ {history['rho'][0]:.2f} -> max {history['rho'].max():.3g}, "
          f"largest gradient norm {history['grad_norm'].max():.3g}, last loss {history['loss'][-1]:.3g}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.5))
for name, history in runs.items():
    left.semilogy(history["weight_norm"], label=name)
    right.semilogy(history["rho"], label=name)
right.axhline(1.0, color="grey", linestyle=":", label="ρ = 1")
left.set_title("Norm of all weights")
left.set_ylabel("‖θ‖ (log scale)")
right.set_title("Spectral radius of the recurrent kernel")
right.set_ylabel("ρ(U) (log scale)")
for ax in (left, right):
    ax.set_xlabel("SGD step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
fig.suptitle("Linear SimpleRNN recalling its first of 30 inputs")
fig.tight_layout()

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, history in runs.items():
    ax.semilogy(history["grad_norm"], label=name)
ax.set_xlabel("SGD step")
ax.set_ylabel("‖∂(data loss)/∂θ‖ (log scale)")
ax.set_title("Gradient norm of the data loss during training")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# A run that stopped early reports the values of its last finite step.

# %%
plain, penalised = runs["no penalty"], runs[f"L2({L2_FACTOR:g}) on every kernel"]
results = {
    "l2_factor": L2_FACTOR,
    "learning_rate": LEARNING_RATE,
    "train_steps": TRAIN_STEPS,
    "initial_rho": INITIAL_RHO,
    "plain_diverged": len(plain["loss"]) < TRAIN_STEPS,
    "plain_outcome": (
        f"The loss stops being finite after {len(plain['loss'])} of the {TRAIN_STEPS} steps."
        if len(plain["loss"]) < TRAIN_STEPS else f"This time the loss stays finite for all {TRAIN_STEPS} steps."
    ),
    "l2_diverged": len(penalised["loss"]) < TRAIN_STEPS,
    "plain_max_rho": float(plain["rho"].max()),
    "l2_max_rho": float(penalised["rho"].max()),
    "l2_final_rho": float(penalised["rho"][-1]),
    "plain_final_weight_norm": float(plain["weight_norm"][-1]),
    "l2_final_weight_norm": float(penalised["weight_norm"][-1]),
    "initial_grad_norm": float(plain["grad_norm"][0]),
    "plain_max_grad_norm": float(plain["grad_norm"].max()),
    "l2_max_grad_norm": float(penalised["grad_norm"].max()),
    "plain_final_loss": float(plain["loss"][-1]),
    "l2_final_loss": float(penalised["loss"][-1]),
    "initial_loss": float(plain["loss"][0]),
}
print(results)
