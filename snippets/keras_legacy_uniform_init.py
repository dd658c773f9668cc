"""
Title: Keras 1's init='uniform' against the Keras 3 default glorot_uniform
Description: Backward signal ‖∂loss/∂h_l‖ per hidden layer of 10-layer ReLU and tanh MLPs of width 128, initialised with RandomUniform(-0.05, 0.05) (Keras 1's init='uniform') or glorot_uniform (the Keras 3 default), on a log scale, with the mean-field prediction.
Accelerator: None
"""

# %% [markdown]
# Old tutorials write `Dense(64, init='uniform')`. In Keras 1 `init=` named the kernel
# initialiser and `'uniform'` meant U(−0.05, 0.05), whatever the layer's width. Keras 2 renamed
# the argument `kernel_initializer=`; Keras 3 refuses `init=` and still maps the string
# `'uniform'` to `RandomUniform`, whose default range is still (−0.05, 0.05).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

LAYERS, WIDTH, BATCH = 10, 128, 128

try:
    keras.layers.Dense(64, init="uniform")
    init_argument = "no error"
except Exception as error:  # report whichever exception Keras 3 raises
    init_argument = type(error).__name__
uniform = keras.initializers.get("uniform")
print(f"Dense(64, init='uniform'): {init_argument}")
print(f"kernel_initializer='uniform' is {type(uniform).__name__}(minval={uniform.minval}, maxval={uniform.maxval})")

# %% [markdown]
# Mean field (Poole et al. 2016; Schoenholz et al. 2017): through one square layer of width n,
# the squared backward signal is multiplied by χ = n · Var(w) · E[φ′(z)²]. U(−a, a) has variance
# a²/3, so `'uniform'` gives n · Var(w) = 128 × 0.05²/3 ≈ 0.11 whatever the activation needs;
# glorot_uniform's limit √(6/(n_in + n_out)) gives Var(w) = 1/n here, so n · Var(w) = 1.
# For ReLU E[φ′²] = ½ exactly; for tanh it depends on the pre-activation variance, which the
# recursion below tracks layer by layer.

# %%
ACTIVATIONS = ("relu", "tanh")
INITIALISERS = {"uniform (Keras 1)": "uniform", "glorot_uniform (default)": "glorot_uniform"}
VARIANCE = {"uniform": 0.05**2 / 3, "glorot_uniform": 1 / WIDTH}
nodes, node_weights = np.polynomial.hermite_e.hermegauss(80)
node_weights = node_weights / node_weights.sum()


def mean_field_chi(activation, weight_variance):
    """χ_l for l = 1..LAYERS, inputs of unit variance: E over z ~ N(0, q_pre) of n·Var(w)·φ′(z)²."""
    sigma_w2, mean_square, chis = WIDTH * weight_variance, 1.0, []
    for _ in range(LAYERS):
        z = np.sqrt(sigma_w2 * mean_square) * nodes
        derivative2 = (z > 0).astype(float) if activation == "relu" else (1 - np.tanh(z) ** 2) ** 2
        chis.append(sigma_w2 * float(np.sum(node_weights * derivative2)))
        phi = np.maximum(z, 0) if activation == "relu" else np.tanh(z)
        mean_square = float(np.sum(node_weights * phi**2))
    return np.array(chis)


rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = rng.standard_normal((BATCH, 1)).astype("float32")
runs = {}
for activation in ACTIVATIONS:
    for label, initialiser in INITIALISERS.items():
        model = keras.Sequential(
            [keras.Input((WIDTH,))]
            + [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initialiser) for _ in range(LAYERS)]
            + [keras.layers.Dense(1)]
        )
        probe = probe_layers(model, x, y, keras.losses.MeanSquaredError())
        chis = mean_field_chi(activation, VARIANCE[initialiser])
        # ‖δ_1‖² / ‖δ_L‖² crosses layers 2..L: measured and predicted, per layer (geometric mean).
        measured = (probe.backward_signal[0] / probe.backward_signal[-1]) ** (2 / (LAYERS - 1))
        predicted = float(np.prod(chis[1:]) ** (1 / (LAYERS - 1)))
        runs[(activation, initialiser)] = {"signal": probe.backward_signal, "chis": chis,
                                           "measured": measured, "predicted": predicted, "label": label}
        print(f"{activation:4s} {label:26s} squared backward signal per layer: measured {measured:.3f}, "
              f"mean field {predicted:.3f}; layer 1 / layer {LAYERS}: {probe.backward_signal[0] / probe.backward_signal[-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.2))
depth = np.arange(1, LAYERS + 1)
colours = {"relu": "tab:red", "tanh": "tab:blue"}
for (activation, initialiser), run in runs.items():
    style = "-" if initialiser == "uniform" else "--"
    ax.plot(depth, run["signal"], style, marker="o", color=colours[activation],
            label=f"{activation}, {run['label']}")
    # Mean field anchored at the last hidden layer: ‖δ_l‖ = ‖δ_L‖ · √(χ_{l+1} ··· χ_L).
    anchored = run["signal"][-1] * np.sqrt(np.append(np.cumprod(run["chis"][1:][::-1])[::-1], 1.0))
    ax.plot(depth, anchored, ":", color="black", linewidth=1)
ax.plot([], [], ":", color="black", label="mean-field prediction")
ax.set_yscale("log")
ax.set_xlabel("hidden layer l (1 = nearest the input)")
ax.set_ylabel("backward signal ‖∂loss/∂h_l‖")
ax.set_title(f"Backward signal, {LAYERS} layers of {WIDTH}: init='uniform' vs glorot_uniform")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
results = {"init_argument": init_argument, "uniform_minval": float(uniform.minval),
           "uniform_maxval": float(uniform.maxval)}
for (activation, initialiser), run in runs.items():
    key = f"{activation}_{initialiser}"
    results[f"{key}_chi_measured"] = float(run["measured"])
    results[f"{key}_chi_predicted"] = run["predicted"]
    results[f"{key}_signal_ratio"] = float(run["signal"][0] / run["signal"][-1])
results["relu_uniform_over_glorot_ratio"] = results["relu_uniform_signal_ratio"] / results["relu_glorot_uniform_signal_ratio"]
print(results)
