"""
Title: Watching per-layer gradient norms during training
Description: Kernel gradient norm of every layer after each of five epochs, for a deep sigmoid MLP and a ReLU MLP with He initialisation, recorded by GradientMonitor.
Accelerator: None
"""

# %% [markdown]
# `GradientMonitor` (in `gradbook/gradient_monitor.py`) is a Keras callback: after every epoch
# it takes one probe batch through the model and records ‖∂loss/∂kernel‖ for every layer.
# Two networks of ten hidden layers train side by side with plain SGD on the same data.

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

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


# %% [markdown]
# Train each network with the monitor attached, and keep copies of the first and last hidden
# kernels to see how far each one moved.

# %%
runs = {}
for name, config in CONFIGS.items():
    model = build_mlp(*config)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    monitor = GradientMonitor(x[:128], y[:128], keras.losses.BinaryCrossentropy())
    first, last = model.layers[0].kernel, model.layers[DEPTH - 1].kernel
    before = first.numpy(), last.numpy()
    fit = model.fit(x, y, batch_size=64, epochs=EPOCHS, callbacks=[monitor], verbose=0)
    moved = [np.linalg.norm(k.numpy() - k0) / np.linalg.norm(k0) for k, k0 in zip((first, last), before)]
    runs[name] = {"norms": monitor.history, "loss": fit.history["loss"], "moved": moved}
    print(f"{name}: loss {fit.history['loss'][0]:.3f} → {fit.history['loss'][-1]:.3f};"
          f" first / last hidden kernel moved by {moved[0]:.1e} / {moved[1]:.1e} of its norm")

# %% [markdown]
# Each line is one epoch; the x axis runs from the input to the output layer.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
for ax, (name, run) in zip(axes, runs.items()):
    colours = plt.cm.viridis(np.linspace(0, 0.9, EPOCHS))
    for epoch, (norms, colour) in enumerate(zip(run["norms"], colours), start=1):
        ax.semilogy(range(1, DEPTH + 2), list(norms.values()), marker="o", markersize=3, color=colour, label=f"epoch {epoch}")
    ax.set_title(name)
    ax.set_xlabel("layer (1 = next to the input, 11 = output)")
    ax.set_xticks(range(1, DEPTH + 2))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
axes[0].set_ylabel("‖∂loss/∂kernel‖ (log scale)")
fig.suptitle("Per-layer gradient norms after each epoch, recorded by GradientMonitor")
fig.tight_layout()

# %% [markdown]
# The first/last ratio compares the first hidden layer with the last hidden layer.

# %%
def first_over_last_hidden(norms):
    values = list(norms.values())
    return values[0] / values[DEPTH - 1]


sigmoid, relu = runs["sigmoid + Glorot uniform"], runs["ReLU + He normal"]
sigmoid_ratios = [first_over_last_hidden(norms) for norms in sigmoid["norms"]]
relu_ratios = [first_over_last_hidden(norms) for norms in relu["norms"]]
results = {
    "epochs": EPOCHS,
    "sigmoid_worst_ratio": float(max(sigmoid_ratios)),
    "relu_smallest_ratio": float(min(relu_ratios)),
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
