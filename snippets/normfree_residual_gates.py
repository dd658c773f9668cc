"""
Title: A residual gate at zero, Fixup and no gate in a 12-block ReLU network without normalisation
Description: Left and centre: activation rms and backward signal ‖∂loss/∂h_l‖ per block at initialisation for 12 ReLU residual blocks of width 32 without normalisation, ungated, with a trainable gate α initialised at 0 (SkipInit, ReZero) and with Fixup's initialisation, on a log scale. Right: training loss with SGD and momentum at three learning rates, on a log scale.
Accelerator: None
Timeout: 300
"""

# %% [markdown]
# Twelve residual blocks h_l = h_{l−1} + α_l · f_l(h_{l−1}) of width 32, no normalisation
# anywhere. Each branch f_l is relu → Dense → relu → Dense (two layers, the "pre-activation" order
# of He et al. 2016b), both Dense layers He-normal with zero biases (Keras's Dense default is
# glorot_uniform: this departs from it). The gate α_l is one scalar per block, written below as a
# tiny custom layer. Three networks differ only in their initial weights and in whether α may move:
#
# - **ungated**: α = 1, frozen. A plain residual network.
# - **gate at 0**, as in SkipInit (De & Smith 2020) and ReZero (Bachlechner et al. 2021): α trainable, starts at 0.
# - **Fixup** (Zhang, Dauphin & Ma 2019), its initialisation only: α = 1 frozen, each branch's last
#   Dense kernel set to 0 and its first one scaled by L^(−1/(2m−2)) = 12^(−1/2) for m = 2 layers per
#   branch. (Fixup also adds scalar biases and a multiplier per branch; they are left out here.)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, SAMPLES, STEPS = 12, 32, 256, 80
LEARNING_RATES = (0.001, 0.01, 0.1)

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
teacher = rng.standard_normal((WIDTH, 1)) / np.sqrt(WIDTH)
y = np.sin(2 * x @ teacher)
y = ((y - y.mean()) / y.std()).astype("float32")  # unit variance: predicting the mean gives loss 1


class ResidualGate(keras.layers.Layer):
    """Multiplies a residual branch by one trainable scalar α (SkipInit, ReZero start it at 0)."""

    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(), initializer="zeros", name="alpha")

    def call(self, branch):
        return self.alpha * branch


inputs = keras.Input((WIDTH,))
h, first_dense, last_dense, gates, adds = inputs, [], [], [], []
for _ in range(BLOCKS):
    f = keras.layers.Activation("relu")(h)
    first_dense.append(keras.layers.Dense(WIDTH, kernel_initializer="he_normal"))
    f = keras.layers.Activation("relu")(first_dense[-1](f))
    last_dense.append(keras.layers.Dense(WIDTH, kernel_initializer="he_normal"))
    gates.append(ResidualGate())
    adds.append(keras.layers.Add())
    h = adds[-1]([h, gates[-1](last_dense[-1](f))])
model = keras.Model(inputs, keras.layers.Dense(1)(h))
he_weights = model.get_weights()

# %% [markdown]
# One model and one compiled training step serve all three variants: `initialise` writes a
# variant's starting weights into the model and resets the optimiser and its learning rate, and `gates_move` (0 or 1)
# multiplies the gates' gradients, so a frozen gate stays at 1.

# %%
optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
optimizer.build(model.trainable_variables)
gates_move = tf.Variable(0.0, trainable=False)
gate_ids = {id(gate.alpha) for gate in gates}


def initialise(variant, learning_rate=0.01):
    model.set_weights(he_weights)
    for variable in optimizer.variables:  # momentum, step count and learning rate
        variable.assign(tf.zeros_like(variable))
    optimizer.learning_rate.assign(learning_rate)
    for gate in gates:
        gate.alpha.assign(0.0 if variant == "gate at 0" else 1.0)
    gates_move.assign(1.0 if variant == "gate at 0" else 0.0)
    if variant == "Fixup":
        for dense in first_dense:
            dense.kernel.assign(dense.kernel * BLOCKS ** -0.5)  # L^(−1/(2m−2)), m = 2
        for dense in last_dense:
            dense.kernel.assign(tf.zeros_like(dense.kernel))


@tf.function
def train_step():
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    grads = [g * gates_move if id(v) in gate_ids else g for g, v in zip(grads, model.trainable_variables)]
    optimizer.apply(grads, model.trainable_variables)
    return loss


VARIANTS = ("ungated", "gate at 0", "Fixup")

# %% [markdown]
# At initialisation: `probe_layers` reads the rms of the stream h_l and the backward signal
# ‖∂loss/∂h_l‖ at every block's output (the `Add` layers), in one forward and backward pass.

# %%
probes = {}
for variant in VARIANTS:
    initialise(variant)
    probes[variant] = probe_layers(model, x, y, keras.losses.MeanSquaredError(), layers=adds)
    probe = probes[variant]
    print(f"{variant:10s} stream rms block 1 {probe.activation_rms[0]:.3g}, block {BLOCKS} "
          f"{probe.activation_rms[-1]:.3g}; ‖∂L/∂h_1‖ / ‖∂L/∂h_{BLOCKS}‖ "
          f"{probe.backward_signal[0] / probe.backward_signal[-1]:.3g}; loss {probe.loss:.3g}")

# %% [markdown]
# Training: full-batch SGD with momentum 0.9, 80 steps, at three learning rates. A run whose
# loss stops being finite is cut there (NaN weights stay NaN).

# %%
curves, gate_sizes = {}, {}
for rate in LEARNING_RATES:
    for variant in VARIANTS:
        initialise(variant, rate)
        losses = []
        for _ in range(STEPS):
            losses.append(float(train_step()))
            if not np.isfinite(losses[-1]):
                break
        curves[(variant, rate)] = np.array(losses)
        if variant == "gate at 0":
            gate_sizes[rate] = float(np.mean([abs(float(gate.alpha)) for gate in gates]))
        if (variant, rate) == ("gate at 0", 0.01):  # the gated network after training, probed again
            trained = probe_layers(model, x, y, keras.losses.MeanSquaredError(), layers=adds)
        print(f"lr {rate:<6} {variant:10s} loss {losses[0]:.3g} → {losses[-1]:.3g} after {len(losses)} steps")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
blocks = range(1, BLOCKS + 1)
styles = {"ungated": ("o", "-"), "gate at 0": ("s", "-"), "Fixup": ("^", "--")}
for variant, probe in probes.items():
    marker, line = styles[variant]
    axes[0].semilogy(blocks, probe.activation_rms, marker=marker, linestyle=line, markersize=4, label=variant)
    axes[1].semilogy(blocks, probe.backward_signal, marker=marker, linestyle=line, markersize=4, label=variant)
axes[0].set_title("Forward: stream rms at initialisation")
axes[0].set_ylabel("rms of h_l over the batch (log scale)")
axes[1].set_title("Backward signal at initialisation")
axes[1].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
for ax in axes[:2]:
    ax.set_xlabel("block l (1 = next to the input)")
colours = {0.001: "tab:blue", 0.01: "tab:orange", 0.1: "tab:green"}
for (variant, rate), losses in curves.items():
    marker, line = styles[variant]
    shown = losses[np.isfinite(losses)]
    axes[2].semilogy(range(1, len(shown) + 1), shown, linestyle=line, color=colours[rate],
                     marker=marker, markevery=20, markersize=4, label=f"{variant}, lr {rate}")
axes[2].set_title(f"Training loss, SGD + momentum, {BLOCKS} blocks")
axes[2].set_xlabel("step")
axes[2].set_ylabel("mean squared error (log scale; cut at 10⁴)")
axes[2].set_ylim(0.1, 1e4)
axes[2].legend(fontsize=7, ncol=2)
for ax in axes:
    ax.grid(alpha=0.3, which="both")
axes[0].legend()
axes[1].legend()
fig.tight_layout()


# %%
def final(variant, rate):
    losses = curves[(variant, rate)]
    return float(losses[-1]) if np.isfinite(losses[-1]) and len(losses) == STEPS else float("inf")


ungated, gated, fixup = (probes[v] for v in VARIANTS)
results = {
    "blocks": BLOCKS,
    "ungated_rms_growth": float(ungated.activation_rms[-1] / ungated.activation_rms[0]),
    "ungated_signal_ratio": float(ungated.backward_signal[0] / ungated.backward_signal[-1]),
    "ungated_initial_loss": float(ungated.loss),
    "gate_rms_growth": float(gated.activation_rms[-1] / gated.activation_rms[0]),
    "gate_signal_ratio": float(gated.backward_signal[0] / gated.backward_signal[-1]),
    "fixup_rms_growth": float(fixup.activation_rms[-1] / fixup.activation_rms[0]),
    "fixup_signal_ratio": float(fixup.backward_signal[0] / fixup.backward_signal[-1]),
    "gated_initial_loss": float(gated.loss),
    "trained_gate_rms_growth": float(trained.activation_rms[-1] / trained.activation_rms[0]),
    "trained_gate_signal_ratio": float(trained.backward_signal[0] / trained.backward_signal[-1]),
    "ungated_diverged_runs": int(sum(not np.isfinite(final("ungated", r)) for r in LEARNING_RATES)),
    "ungated_steps_before_nan_lr_0_001": len(curves[("ungated", 0.001)]),
    "gate_diverged_lr_0_1": bool(not np.isfinite(final("gate at 0", 0.1))),
    "fixup_diverged_lr_0_1": bool(not np.isfinite(final("Fixup", 0.1))),
}
for rate, tag in zip(LEARNING_RATES, ("0_001", "0_01", "0_1")):
    results[f"gate_final_loss_lr_{tag}"] = final("gate at 0", rate)
    results[f"fixup_final_loss_lr_{tag}"] = final("Fixup", rate)
    results[f"gate_mean_abs_alpha_lr_{tag}"] = gate_sizes[rate]
results = {k: (v if isinstance(v, bool) or np.isfinite(v) else "diverged") for k, v in results.items()}
print(results)
