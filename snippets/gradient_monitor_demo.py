"""
Title: Watching per-layer gradients and the backward signal during training
Description: Kernel gradient norm and backward signal of every layer after each of five epochs, for a deep sigmoid MLP with Glorot initialisation and a ReLU MLP with He initialisation, recorded by GradientMonitor.
Accelerator: None
"""

# %% [markdown]
# `GradientMonitor` (in `gradbook/gradient_monitor.py`) is a Keras callback: after every epoch
# it takes one probe batch through the model, as training does (`training=True`), and records
# ‖∂loss/∂v‖ for every trainable variable and the backward signal ‖∂loss/∂h_l‖ at every layer's
# output, norms in float64. Two networks of ten hidden layers train side by side with plain SGD
# on the same data.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.gradient_monitor import GradientMonitor

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, SAMPLES, EPOCHS = 10, 32, 512, 5
CONFIGS = {
    "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "ReLU + He normal": ("relu", "he_normal"),
}
# φ′ written in terms of the output h = φ(z), so the hidden layers' outputs are enough.
DERIVATIVE_FROM_OUTPUT = {"sigmoid": lambda h: h * (1 - h), "relu": lambda h: (h > 0).astype(np.float64)}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
x_probe, y_probe = x[:128], y[:128]


def build_mlp(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer, name=f"hidden_{i}")
               for i in range(1, DEPTH + 1)]
    layers.append(keras.layers.Dense(1, activation="sigmoid", name="output"))
    return keras.Sequential(layers)


# %% [markdown]
# Before training, the theory of the backward pass predicts how much of the signal one layer
# passes on. From layer l + 1 back to layer l the signal is multiplied by W ⊙ φ′(z), which scales
# its squared norm by χ = n · Var(w) · E[φ′(z)²] on average (n = 32 units). Glorot uniform gives
# n · Var(w) = 1 and the sigmoid's φ′ ≤ ¼, so χ ≤ 1/16; He normal gives n · Var(w) = 2 and ReLU's
# φ′ is 1 for half the units, so χ ≈ 1. Compute χ from the actual weights and pre-activations and
# compare √χ with the per-layer factor of the backward signal the monitor measures.

# %%
def backward_factor_theory(model, activation):
    """√χ per layer, χ = n·Var(w)·E[φ′(z)²], from the probe batch's hidden activations."""
    hidden = keras.Model(model.inputs[0], [model.get_layer(f"hidden_{i}").output for i in range(1, DEPTH + 1)])
    outputs = [np.asarray(h, dtype=np.float64) for h in hidden(x_probe, training=True)]
    chis = []
    for i in range(2, DEPTH + 1):
        kernel = np.asarray(model.get_layer(f"hidden_{i}").kernel.numpy(), dtype=np.float64)
        derivative = DERIVATIVE_FROM_OUTPUT[activation](outputs[i - 1])
        chis.append(kernel.shape[0] * np.mean(kernel**2) * np.mean(derivative**2))
    return float(np.sqrt(np.exp(np.mean(np.log(chis))))), float(np.mean(chis))


def backward_factor_measured(record):
    """Geometric mean over layers of ‖∂loss/∂h_l‖ / ‖∂loss/∂h_(l+1)‖, hidden layers 1 to 10."""
    signal = record.backward_signal
    return float((signal["hidden_1"] / signal[f"hidden_{DEPTH}"]) ** (1 / (DEPTH - 1)))


# %% [markdown]
# Train each network with the monitor attached, and keep copies of the first and last hidden
# kernels to see how far each one moved.

# %%
runs = {}
for name, (activation, initializer) in CONFIGS.items():
    model = build_mlp(activation, initializer)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    monitor = GradientMonitor(x_probe, y_probe, keras.losses.BinaryCrossentropy())
    monitor.set_model(model)
    at_init = monitor.measure()  # the same probe, once before training
    theory_factor, chi = backward_factor_theory(model, activation)
    first, last = model.get_layer("hidden_1").kernel, model.get_layer(f"hidden_{DEPTH}").kernel
    before = first.numpy(), last.numpy()
    fit = model.fit(x, y, batch_size=64, epochs=EPOCHS, callbacks=[monitor], verbose=0)
    moved = [np.linalg.norm(k.numpy() - k0) / np.linalg.norm(k0) for k, k0 in zip((first, last), before)]
    kernels = [[record.variables[model.get_layer(f"hidden_{i}").kernel.path] for i in range(1, DEPTH + 1)]
               + [record.variables[model.get_layer("output").kernel.path]] for record in monitor.history]
    signals = [[record.backward_signal[f"hidden_{i}"] for i in range(1, DEPTH + 1)] for record in monitor.history]
    runs[name] = {"kernels": kernels, "signals": signals, "loss": fit.history["loss"], "moved": moved,
                  "chi": chi, "theory_factor": theory_factor, "measured_factor": backward_factor_measured(at_init)}
    print(f"{name}: χ = {chi:.3f}, √χ = {theory_factor:.3f} per layer, measured {runs[name]['measured_factor']:.3f};"
          f" loss {fit.history['loss'][0]:.3f} → {fit.history['loss'][-1]:.3f};"
          f" first / last hidden kernel moved by {moved[0]:.1e} / {moved[1]:.1e} of its norm")

# %% [markdown]
# Top row: the kernel gradient of each layer; bottom row: the backward signal at each hidden
# layer's output. Each line is one epoch; the x axis runs from the input to the output.

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True, sharey="row")
colours = plt.cm.viridis(np.linspace(0, 0.9, EPOCHS))
for column, (name, run) in enumerate(runs.items()):
    for epoch, colour in enumerate(colours):
        label = f"epoch {epoch + 1}"
        axes[0, column].semilogy(range(1, DEPTH + 2), run["kernels"][epoch], marker="o", markersize=3, color=colour, label=label)
        axes[1, column].semilogy(range(1, DEPTH + 1), run["signals"][epoch], marker="s", markersize=3, color=colour, label=label)
    axes[0, column].set_title(f"{name}: kernel gradients")
    axes[1, column].set_title(f"{name}: backward signal")
    axes[1, column].set_xlabel("layer (1 = next to the input, 11 = output)")
    axes[1, column].set_xticks(range(1, DEPTH + 2))
    for ax in axes[:, column]:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize="x-small")
axes[0, 0].set_ylabel("kernel gradient ‖∂loss/∂W_l‖ (log scale)")
axes[1, 0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
fig.suptitle("Per-layer kernel gradients and backward signal after each epoch, recorded by GradientMonitor")
fig.tight_layout()

# %% [markdown]
# The first/last ratios compare the first hidden layer with the last hidden layer.

# %%
sigmoid, relu = runs["sigmoid + Glorot uniform"], runs["ReLU + He normal"]


def first_over_last(per_epoch):
    return [values[0] / values[DEPTH - 1] for values in per_epoch]


results = {
    "epochs": EPOCHS,
    "sigmoid_worst_ratio": float(max(first_over_last(sigmoid["kernels"]))),
    "relu_smallest_ratio": float(min(first_over_last(relu["kernels"]))),
    "sigmoid_worst_signal_ratio": float(max(first_over_last(sigmoid["signals"]))),
    "relu_smallest_signal_ratio": float(min(first_over_last(relu["signals"]))),
    "sigmoid_kernel_over_signal": float(max(first_over_last(sigmoid["kernels"])) / max(first_over_last(sigmoid["signals"]))),
    "sigmoid_chi": sigmoid["chi"],
    "relu_chi": relu["chi"],
    "sigmoid_theory_factor": sigmoid["theory_factor"],
    "sigmoid_measured_factor": sigmoid["measured_factor"],
    "relu_theory_factor": relu["theory_factor"],
    "relu_measured_factor": relu["measured_factor"],
    "sigmoid_loss_first": float(sigmoid["loss"][0]),
    "sigmoid_loss_last": float(sigmoid["loss"][-1]),
    "relu_loss_first": float(relu["loss"][0]),
    "relu_loss_last": float(relu["loss"][-1]),
    "sigmoid_first_moved": float(sigmoid["moved"][0]),
    "sigmoid_last_moved": float(sigmoid["moved"][1]),
    "relu_first_moved": float(relu["moved"][0]),
    "relu_last_moved": float(relu["moved"][1]),
}
print(results)
