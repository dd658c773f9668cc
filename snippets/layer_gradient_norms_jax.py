"""
Title: Gradient norm of every layer in a deep MLP, on the JAX backend
Description: Per-layer kernel gradient norms and backward-signal norms of a 10-hidden-layer MLP for sigmoid, tanh and ReLU, measured with jax.value_and_grad on Keras's JAX backend, on log scales.
Accelerator: None
"""

# %% [markdown]
# The experiment of `layer_gradient_norms.py` on Keras's JAX backend: ten hidden layers of 64
# units, one batch of synthetic data, one backward pass, for sigmoid, tanh and ReLU. JAX has no
# tape: gradients are taken of a pure function, so the forward pass runs each layer with
# `stateless_call` on weights passed in as arguments.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import jax.numpy as jnp
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
CONFIGS = {
    "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "tanh + Glorot uniform": ("tanh", "glorot_uniform"),
    "ReLU + He normal": ("relu", "he_normal"),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers.append(keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


# %% [markdown]
# The backward signal ∂loss/∂h_l is a gradient with respect to an intermediate result, which
# `jax.grad` cannot reach directly. The trick: add a zero "probe" to each hidden output h_l and
# differentiate with respect to the probes. Adding zero changes nothing, and ∂loss/∂probe_l =
# ∂loss/∂h_l exactly. The same call returns the kernels' gradients; `jax.jit` compiles the
# forward and backward pass into one XLA program.

# %%
loss_fn = keras.losses.BinaryCrossentropy()


def gradients_with_probes(model):
    """A compiled function: (weights per layer, zero probes) -> ((loss, hidden outputs), gradients)."""

    def loss_with_probes(params, probes):
        h, hidden = x, []
        for layer, layer_params, probe in zip(model.layers, params, probes + [0.0]):
            h, _ = layer.stateless_call(layer_params, [], h, training=True)
            h = h + probe  # probes[l] is added to hidden layer l's output
            hidden.append(h)
        return loss_fn(y, h), hidden[:-1]

    return jax.jit(jax.value_and_grad(loss_with_probes, argnums=(0, 1), has_aux=True))


def norm(g):  # in float64: sigmoid's small gradients underflow float32 when squared
    return float(np.linalg.norm(np.asarray(g, dtype=np.float64)))


probes = {}
for name, config in CONFIGS.items():
    model = build_mlp(*config)
    params = [[v.value for v in layer.trainable_variables] for layer in model.layers]
    zeros = [jnp.zeros((BATCH, WIDTH)) for _ in range(DEPTH)]
    (loss, hidden), (param_grads, probe_grads) = gradients_with_probes(model)(params, zeros)
    probes[name] = {
        "kernel_gradient": np.array([norm(kernel_grad) for kernel_grad, _ in param_grads[:DEPTH]]),
        "backward_signal": np.array([norm(g) for g in probe_grads]),
        "kernels": [np.asarray(layer.kernel, dtype=np.float64) for layer in model.layers[:DEPTH]],
        "hidden": [np.asarray(h, dtype=np.float64) for h in hidden],
    }
    print(f"{name:26s} kernel gradient, layer 1 / layer {DEPTH}: "
          f"{probes[name]['kernel_gradient'][0]:.2e} / {probes[name]['kernel_gradient'][-1]:.2e};"
          f"  backward signal: {probes[name]['backward_signal'][0]:.2e} / {probes[name]['backward_signal'][-1]:.2e}")

# %%
layers = range(1, DEPTH + 1)
fig, (kernel_ax, signal_ax) = plt.subplots(1, 2, figsize=(11, 4.5))
for (name, probe), marker in zip(probes.items(), "os^"):
    kernel_ax.semilogy(layers, probe["kernel_gradient"], marker=marker, label=name)
    signal_ax.semilogy(layers, probe["backward_signal"], marker=marker, label=name)
kernel_ax.set_title("Kernel gradients")
kernel_ax.set_ylabel("‖∂loss/∂W_l‖ (log scale)")
signal_ax.set_ylabel("‖∂loss/∂h_l‖ (log scale)")
signal_ax.set_title("Backward signal at each layer's output")
for ax in (kernel_ax, signal_ax):
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.set_xticks(layers)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
fig.suptitle(f"Gradient norm per layer on JAX, {DEPTH} hidden layers of {WIDTH} units")
fig.tight_layout()

# %% [markdown]
# The mean-field prediction from the same network's weights and activations, as on TensorFlow:
# χ_l = n · Var(W_l) · E[φ′(z_l)²], with φ′ written through the layer's output h.

# %%
DERIVATIVE_FROM_OUTPUT = {
    "sigmoid": lambda h: h * (1 - h),
    "tanh": lambda h: 1 - h**2,
    "relu": lambda h: (h > 0).astype(np.float64),
}
chi = {
    name: np.array([
        WIDTH * np.mean(kernel**2) * np.mean(DERIVATIVE_FROM_OUTPUT[activation](h) ** 2)
        for kernel, h in zip(probes[name]["kernels"], probes[name]["hidden"])
    ])[1:]  # χ₂…χ₁₀: from layer 10's output back to layer 1's
    for name, (activation, _) in CONFIGS.items()
}
signal_ratio = {name: float(p["backward_signal"][0] / p["backward_signal"][-1]) for name, p in probes.items()}
predicted_signal_ratio = {name: float(np.sqrt(np.prod(c))) for name, c in chi.items()}
sigmoid_chi = float(np.exp(np.mean(np.log(chi["sigmoid + Glorot uniform"]))))
measured_factor = signal_ratio["sigmoid + Glorot uniform"] ** (1 / (DEPTH - 1))
print(f"sigmoid per-layer backward-signal factor: measured {measured_factor:.3f}, mean-field √χ {np.sqrt(sigmoid_chi):.3f}")

# %%
sigmoid = probes["sigmoid + Glorot uniform"]
results = {
    "backend": keras.backend.backend(),
    "sigmoid_signal_ratio": signal_ratio["sigmoid + Glorot uniform"],
    "tanh_signal_ratio": signal_ratio["tanh + Glorot uniform"],
    "relu_signal_ratio": signal_ratio["ReLU + He normal"],
    "sigmoid_ratio": float(sigmoid["kernel_gradient"][0] / sigmoid["kernel_gradient"][-1]),
    "sigmoid_chi": sigmoid_chi,
    "sigmoid_signal_factor": measured_factor,
    "sigmoid_predicted_signal_factor": float(np.sqrt(sigmoid_chi)),
    "tanh_predicted_signal_ratio": predicted_signal_ratio["tanh + Glorot uniform"],
    "relu_predicted_signal_ratio": predicted_signal_ratio["ReLU + He normal"],
}
print(results)
