"""
Title: Constant initialisation keeps every hidden unit identical
Description: Training loss of a two-hidden-layer tanh network started from Constant(0.1) weights and from Keras's default Glorot uniform weights, with the number of distinct hidden units after training, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A teacher network makes a regression target that one hidden unit cannot fit. A student with two
# hidden layers of 32 tanh units learns it twice from the same data: once with every kernel set by
# `keras.initializers.Constant(0.1)`, once with Keras's default (`glorot_uniform` kernels, zero
# biases). Both runs use the same optimiser, Adam with learning rate 1e-2 (the default is 1e-3),
# and the same full-batch steps.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

INPUTS, WIDTH, EXAMPLES, STEPS = 8, 32, 512, 300
LEARNING_RATE = 1e-2

rng = np.random.default_rng(SEED)
x = rng.standard_normal((EXAMPLES, INPUTS)).astype("float32")
teacher_in = rng.standard_normal((INPUTS, 16)) / np.sqrt(INPUTS)
teacher_out = rng.standard_normal((16, 1)) / 4
y = (np.tanh(x @ teacher_in) @ teacher_out).astype("float32")


def build(kernel_initializer):
    return keras.Sequential(
        [
            keras.Input((INPUTS,)),
            keras.layers.Dense(WIDTH, activation="tanh", kernel_initializer=kernel_initializer),
            keras.layers.Dense(WIDTH, activation="tanh", kernel_initializer=kernel_initializer),
            keras.layers.Dense(1, kernel_initializer=kernel_initializer),
        ]
    )


def train(model, steps=STEPS):
    optimiser = keras.optimizers.Adam(LEARNING_RATE)
    optimiser.build(model.trainable_variables)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = keras.ops.mean((model(x) - y) ** 2)
        optimiser.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    return np.array([float(step()) for _ in range(steps)])


# %% [markdown]
# After training, count the distinct units of each hidden layer: two units are the same when
# their incoming weights and bias agree to 1e-6 of the layer's largest weight. The numerical rank
# of each hidden kernel (singular values above 1e-6 of the largest) says the same thing in
# another way: identical columns make a rank-one matrix.

# %%
def distinct_units(layer):
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer.get_weights())
    units = np.vstack([kernel, bias[None, :]]).T  # one row per unit: its incoming weights and bias
    scale = np.abs(units).max()
    representatives = []
    for unit in units:
        if not any(np.abs(unit - other).max() <= 1e-6 * scale for other in representatives):
            representatives.append(unit)
    return len(representatives)


def numerical_rank(layer):
    singular = np.linalg.svd(np.asarray(layer.kernel, dtype=np.float64), compute_uv=False)
    return int(np.sum(singular > 1e-6 * singular[0]))


def unit_spread(layer):
    """Largest difference between two units' incoming weights, relative to the largest weight."""
    kernel = np.asarray(layer.kernel, dtype=np.float64)
    return float(np.abs(kernel - kernel[:, :1]).max() / np.abs(kernel).max())


def one_direction_floor(layer):
    """Smallest MSE any function of the single projection x·w can reach, w the units' shared weights.

    Sort the examples by x·w, cut them into 32 bins of 16 and predict each bin's mean target: what
    is left is the variance of y that no function of x·w explains (a slight underestimate, since each
    bin mean is fitted to its own 16 points).
    """
    direction = np.asarray(layer.kernel, dtype=np.float64)[:, 0]
    order = np.argsort(x @ direction)
    bins = y[order, 0].astype(np.float64).reshape(32, -1)
    return float(np.mean((bins - bins.mean(axis=1, keepdims=True)) ** 2))


runs = {}
for name, initializer in [("Constant(0.1)", keras.initializers.Constant(0.1)), ("Glorot uniform", "glorot_uniform")]:
    model = build(initializer)
    losses = train(model)
    runs[name] = {
        "loss": losses,
        "distinct": [distinct_units(layer) for layer in model.layers[:2]],
        "rank": [numerical_rank(layer) for layer in model.layers[:2]],
        "spread": max(unit_spread(layer) for layer in model.layers[:2]),
        "floor": one_direction_floor(model.layers[0]),
    }
    print(f"{name:15s} loss {losses[0]:.4f} -> {losses[-1]:.5f}; distinct units per hidden layer "
          f"{runs[name]['distinct']}, kernel ranks {runs[name]['rank']}, spread {runs[name]['spread']:.1e}")

# %% [markdown]
# Zero initialisation of every kernel and bias is worse still. Every hidden output is tanh(0) = 0
# (or relu(0) = 0), so the output kernel's gradient hᵀδ is zero, and the backward signal into the
# hidden layers, δ·W_outᵀ, is zero because W_out is. Only the output bias receives a gradient.

# %%
def zero_init_run(activation):
    model = keras.Sequential(
        [keras.Input((INPUTS,))]
        + [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer="zeros") for _ in range(2)]
        + [keras.layers.Dense(1, kernel_initializer="zeros")]
    )
    with tf.GradientTape() as tape:
        loss = keras.ops.mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    hidden_grad_norm = float(sum(np.linalg.norm(g) for g in grads[:4]))  # both hidden kernels and biases
    output_bias_grad = float(np.abs(grads[5]).max())
    train(model, steps=50)
    hidden_after = float(sum(np.abs(np.asarray(v)).max() for v in model.trainable_variables[:4]))
    return hidden_grad_norm, output_bias_grad, hidden_after


zero = {activation: zero_init_run(activation) for activation in ("tanh", "relu")}
for activation, (grad_norm, bias_grad, after) in zero.items():
    print(f"zero init, {activation}: hidden gradient norm {grad_norm}, output bias gradient {bias_grad:.3f}, "
          f"largest hidden weight after 50 steps {after}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, run), style in zip(runs.items(), ["-", "--"]):
    ax.semilogy(range(1, STEPS + 1), run["loss"], style,
                label=f"{name}: {run['distinct'][0]} and {run['distinct'][1]} distinct hidden units")
ax.set_title(f"Tanh MLP {INPUTS}-{WIDTH}-{WIDTH}-1, Adam lr {LEARNING_RATE:g}, full batch")
ax.set_xlabel("step")
ax.set_ylabel("training MSE (log scale)")
ax.legend()
ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
constant, glorot = runs["Constant(0.1)"], runs["Glorot uniform"]
results = {
    "constant_distinct_units": max(constant["distinct"]),
    "glorot_distinct_units": min(glorot["distinct"]),
    "constant_rank": max(constant["rank"]),
    "glorot_first_rank": glorot["rank"][0],
    "glorot_second_rank": glorot["rank"][1],
    "constant_unit_spread": constant["spread"],
    "constant_final_loss": float(constant["loss"][-1]),
    "glorot_final_loss": float(glorot["loss"][-1]),
    "initial_loss": float(glorot["loss"][0]),
    "constant_over_glorot_loss": float(constant["loss"][-1] / glorot["loss"][-1]),
    "one_direction_floor": constant["floor"],
    "target_variance": float(np.var(y)),
    "zero_tanh_hidden_gradient": zero["tanh"][0],
    "zero_relu_hidden_gradient": zero["relu"][0],
    "zero_output_bias_gradient": zero["tanh"][1],
    "zero_tanh_hidden_after": zero["tanh"][2],
    "zero_relu_hidden_after": zero["relu"][2],
    "units": WIDTH,
}
print(results)
