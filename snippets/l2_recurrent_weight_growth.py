"""
Title: L2 on the recurrent kernel of a linear RNN whose recurrent weights grow
Description: Spectral radius of the recurrent kernel, gradient norm and population loss over 150 SGD steps of a linear SimpleRNN trained to recall its first input, without a penalty and with an L2 penalty of 0.01 or 0.1 on the recurrent kernel, on log scales.
Accelerator: None
"""

# %% [markdown]
# A linear `SimpleRNN` with 16 units must output, after 30 steps, the first of its 30 standard-normal
# inputs. Its output is ŷ = Σₖ cₖ x_{T−k} + b with cₖ = W Uᵏ w_out (Keras multiplies row vectors): to give x₀
# (k = 29) more weight than the 29 later inputs, training has to amplify old inputs more than recent
# ones, so it pushes the recurrent kernel's spectral radius ρ up, towards and past 1.
#
# Because the network is linear, the loss it would have on fresh inputs follows from the coefficients:
# with independent N(0, 1) inputs and y = x₀, E[(ŷ − y)²] = (1 − c₂₉)² + Σ_{k<29} cₖ² + b². A network that
# ignores its inputs has population loss Var(y) = 1. The tape measures every cₖ at every step.
#
# Three runs from the same weights (ρ = 0.9): no penalty, and `keras.regularizers.L2` on the
# recurrent kernel only (`recurrent_regularizer`), with factor 0.01 and 0.1.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

UNITS, STEPS_IN_TIME, BATCH = 16, 30, 256
TRAIN_STEPS, LEARNING_RATE, INITIAL_RHO = 150, 0.02, 0.9
L2_FACTORS = (0.01, 0.1)

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, STEPS_IN_TIME, 1)).astype("float32")
y = x[:, 0, :].copy()
probe = tf.zeros((1, STEPS_IN_TIME, 1))  # ŷ(0) = b, and ∂ŷ/∂x_t = c_{T−1−t} for a linear network


def build_rnn(l2_factor):
    return keras.Sequential([
        keras.Input((STEPS_IN_TIME, 1)),
        keras.layers.SimpleRNN(
            UNITS, activation="linear", unroll=True,  # unrolled: faster for 30 steps on a CPU
            recurrent_regularizer=keras.regularizers.L2(l2_factor) if l2_factor else None,
        ),
        keras.layers.Dense(1),
    ])


q, r = np.linalg.qr(rng.standard_normal((UNITS, UNITS)))
initial_weights = build_rnn(0.0).get_weights()
initial_weights[1] = (INITIAL_RHO * q * np.sign(np.diag(r))).astype("float32")  # recurrent kernel ρ·Q

# %% [markdown]
# Full-batch gradient descent on the data loss plus the penalty (`model.losses`). Each step records,
# at the weights the gradient is computed at: the data loss, the norm of its gradient, the recurrent
# kernel's spectral radius, and the population loss from the coefficients. A run stops at its first
# loss that is not finite.

# %%
def train(l2_factor):
    model = build_rnn(l2_factor)
    model.set_weights(initial_weights)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    optimizer.build(model.trainable_variables)  # create its variables before tracing the step
    recurrent = model.layers[0].cell.recurrent_kernel

    @tf.function
    def step():
        kernel = tf.identity(recurrent)  # the kernel this step's gradient is computed at
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(probe)
            data_loss = tf.reduce_mean(tf.square(model(x) - y))
            penalty = tf.add_n(model.losses) if l2_factor else None
            at_zero = tf.reduce_sum(model(probe))
        coefficients = tf.reverse(tape.gradient(at_zero, probe)[0, :, 0], [0])  # c_k, k = lag
        population_loss = tf.square(1 - coefficients[-1]) + tf.reduce_sum(tf.square(coefficients[:-1])) + tf.square(at_zero)
        data_grads = tape.gradient(data_loss, model.trainable_variables)
        # the penalty touches the recurrent kernel only, and its gradient needs no pass through time
        grads = [g + tape.gradient(penalty, v) if v is recurrent and l2_factor else g
                 for g, v in zip(data_grads, model.trainable_variables)]
        optimizer.apply(grads, model.trainable_variables)
        return data_loss, tf.linalg.global_norm(data_grads), population_loss, coefficients[-1], kernel

    history = {"loss": [], "grad_norm": [], "population_loss": [], "first_input_weight": [], "rho": []}
    for _ in range(TRAIN_STEPS):
        loss, grad_norm, population_loss, first_input_weight, kernel = step()
        if not np.all(np.isfinite([float(loss), float(grad_norm), float(population_loss)])):
            break  # `kernel` is now the one the last finite step's update produced
        history["loss"].append(float(loss))
        history["grad_norm"].append(float(grad_norm))
        history["population_loss"].append(float(population_loss))
        history["first_input_weight"].append(float(first_input_weight))
        history["rho"].append(float(np.max(np.abs(np.linalg.eigvals(kernel.numpy().astype("float64"))))))
    history["rho_after_last_step"] = float(np.max(np.abs(np.linalg.eigvals(kernel.numpy().astype("float64")))))
    return {key: np.array(values) for key, values in history.items()}


NAMES = {0.0: "no penalty", **{factor: f"L2({factor:g}) on the recurrent kernel" for factor in L2_FACTORS}}
runs = {factor: train(factor) for factor in NAMES}
for factor, history in runs.items():
    print(f"{NAMES[factor]:34s} {len(history['loss'])} finite steps, ρ max {history['rho'].max():.3g} "
          f"(after the last step {history['rho_after_last_step']:.3g}), largest gradient norm {history['grad_norm'].max():.3g}, "
          f"population loss best {history['population_loss'].min():.3f} last {history['population_loss'][-1]:.3f}")

# %%
fig, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 4.2))
for factor, history in runs.items():
    left.plot(history["rho"], label=NAMES[factor])
    middle.semilogy(history["grad_norm"], label=NAMES[factor])
    right.plot(history["population_loss"], label=NAMES[factor])
left.axhline(1.0, color="grey", linestyle=":", label="ρ = 1")
right.axhline(1.0, color="grey", linestyle=":", label="ignores the inputs (Var y = 1)")
left.set_title("Spectral radius of the recurrent kernel")
left.set_ylabel("ρ(U)")
left.set_ylim(0, 2)
middle.set_title("Gradient of the data loss (all weights and biases)")
middle.set_ylabel("‖∂(data loss)/∂θ‖ (log scale)")
right.set_title("Population loss from the coefficients")
right.set_ylabel("(1 − c₂₉)² + Σ cₖ² + b²")
right.set_ylim(0, 2)
for ax in (left, middle, right):
    ax.set_xlabel("gradient-descent step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="x-small")
fig.suptitle("Linear SimpleRNN recalling the first of 30 inputs (runs stop at the first non-finite loss)")
fig.tight_layout()

# %% [markdown]
# A run that stopped early reports the values of its last finite step. `largest_gradient_rho` is ρ at
# the weights where the largest gradient was computed.

# %%
plain, weak, strong = runs[0.0], runs[L2_FACTORS[0]], runs[L2_FACTORS[1]]
largest = int(np.argmax(plain["grad_norm"]))
best = int(np.argmin(plain["population_loss"]))


def outcome(history):
    finite = len(history["loss"])
    return (f"the loss stops being finite after {finite} of the {TRAIN_STEPS} steps" if finite < TRAIN_STEPS
            else f"the loss stays finite for all {TRAIN_STEPS} steps")


results = {
    "learning_rate": LEARNING_RATE,
    "train_steps": TRAIN_STEPS,
    "initial_rho": INITIAL_RHO,
    "weak_factor": L2_FACTORS[0],
    "strong_factor": L2_FACTORS[1],
    "initial_grad_norm": float(plain["grad_norm"][0]),
    "initial_population_loss": float(plain["population_loss"][0]),
    "plain_diverged": len(plain["loss"]) < TRAIN_STEPS,
    "plain_outcome": outcome(plain),
    "plain_max_grad_norm": float(plain["grad_norm"][largest]),
    "largest_gradient_at_last_finite_step": largest == len(plain["loss"]) - 1,
    "largest_gradient_rho": float(plain["rho"][largest]),
    "largest_gradient_rho_to_the_29": float(plain["rho"][largest] ** 29),
    "plain_rho_after_last_step": float(plain["rho_after_last_step"]),
    "plain_max_rho_before_largest_gradient": float(plain["rho"][: largest + 1].max()),
    "plain_best_population_loss": float(plain["population_loss"][best]),
    "plain_best_first_input_weight": float(plain["first_input_weight"][best]),
    "plain_rho_at_best": float(plain["rho"][best]),
    "weak_outcome": outcome(weak),
    "weak_diverged": len(weak["loss"]) < TRAIN_STEPS,
    "weak_max_rho": float(weak["rho"].max()),
    "strong_diverged": len(strong["loss"]) < TRAIN_STEPS,
    "strong_max_rho": float(strong["rho"].max()),
    "strong_final_rho": float(strong["rho"][-1]),
    "strong_max_grad_norm": float(strong["grad_norm"].max()),
    "strong_final_population_loss": float(strong["population_loss"][-1]),
    "strong_final_first_input_weight": float(strong["first_input_weight"][-1]),
}
print(results)
