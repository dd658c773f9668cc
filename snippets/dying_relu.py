"""
Title: Dead ReLU units, and Leaky ReLU as the fix
Description: Fraction of dead units per layer of a 6-layer ReLU and Leaky ReLU network, after training with a too-high learning rate and with a bias initialised at −3.
Timeout: 300
Accelerator: None
"""

# %% [markdown]
# A ReLU unit is *dead* on a batch when its pre-activation is ≤ 0 for every example: its
# derivative is then 0 everywhere and its incoming weights and bias get exactly zero
# gradient. We count dead units per layer in two situations that cause them, for ReLU and
# for Leaky ReLU, and check whether dead units come back when training goes on.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from statistics import NormalDist

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 6, 64, 256
LEAKY_SLOPE = 0.01
HIGH_LEARNING_RATE = 0.1  # 100x Adam's default of 1e-3
NEGATIVE_BIAS = -3.0
STEPS = 24

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH))[:, None].astype("float32")

# %% [markdown]
# The same MLP for both activations: Dense layers with He normal kernels, each followed by
# its activation layer, and a linear output for a regression target.

# %%
ACTIVATIONS = {
    "ReLU": keras.layers.ReLU,
    "Leaky ReLU": lambda: keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE),
}


def build_mlp(activation, bias=0.0):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers.append(keras.layers.Dense(WIDTH, kernel_initializer="he_normal",
                                         bias_initializer=keras.initializers.Constant(bias)))
        layers.append(ACTIVATIONS[activation]())
    layers.append(keras.layers.Dense(1))
    return keras.Sequential(layers)


# %% [markdown]
# Two diagnostics per hidden layer. *Dead*: the activation's derivative, taken by
# GradientTape, is 0 on every example. *Zero gradient*: the unit's column of ∂loss/∂kernel is
# exactly 0, so gradient descent cannot move its incoming weights.

# %%
def diagnose(model):
    dense = model.layers[0:2 * DEPTH:2]
    activation_layers = model.layers[1:2 * DEPTH:2]
    probe = keras.Model(model.inputs[0], [layer.output for layer in dense])
    dead = []
    for z, activation in zip(probe(x), activation_layers):
        with tf.GradientTape() as tape:
            tape.watch(z)
            a = activation(z)
        derivative = tape.gradient(a, z)
        dead.append(float(np.mean(np.all(derivative.numpy() == 0, axis=0))))
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y, model(x))
    grads = tape.gradient(loss, [layer.kernel for layer in dense])
    zero_grad = [float(np.mean(np.all(g.numpy() == 0, axis=0))) for g in grads]
    norms = [float(tf.norm(g)) for g in grads]
    return np.array(dead), np.array(zero_grad), np.array(norms)


# %% [markdown]
# Situation 1: a too-high learning rate. Adam moves every weight by about the learning rate
# per step whatever the gradient's size, so with 64 inputs a single step can shift a
# pre-activation by several of its standard deviations, and a unit pushed below zero for
# all inputs stays there.

# %%
high_lr, final_loss = {}, {}
for name in ACTIVATIONS:
    model = build_mlp(name)
    before = diagnose(model)
    optimizer = keras.optimizers.Adam(HIGH_LEARNING_RATE)
    for step in range(STEPS):
        rows = slice(32 * (step % 8), 32 * (step % 8 + 1))  # 3 epochs of minibatches of 32
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(y[rows], model(x[rows]))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    high_lr[name] = (before, diagnose(model))
    final_loss[name] = float(loss)
    print(f"{name:10s} dead before {before[0].round(2)}  after {high_lr[name][1][0].round(2)}")

# %% [markdown]
# Do dead units stay dead? After 24 steps the network above is almost entirely dead, so
# hardly any gradient reaches the layers below and nothing changes. A milder accident: one
# Adam step at the same rate on a fresh ReLU network, then training at Adam's default rate
# with a fresh optimiser, checking after every step which of the units that step killed fire
# again. A dead unit's own kernel column and bias get exactly zero gradient, so Adam (whose
# moments start at zero) leaves them untouched. A layer-1 unit reads the fixed inputs, so it
# stays dead for good; a unit above reads the layer below, which keeps training, and its
# pre-activation can turn positive again.

# %%
RECOVERY_STEPS = 96
model = build_mlp("ReLU")
with tf.GradientTape() as tape:
    loss = keras.losses.MeanSquaredError()(y, model(x))
keras.optimizers.Adam(HIGH_LEARNING_RATE).apply(tape.gradient(loss, model.trainable_variables),
                                                model.trainable_variables)
dense = model.layers[0:2 * DEPTH:2]
pre_activations = keras.Model(model.inputs[0], [layer.output for layer in dense])


def dead_mask():
    return np.stack([np.all(np.asarray(z) <= 0, axis=0) for z in pre_activations(x)])  # (layer, unit)


dead_after_bad_step = dead_mask()
frozen_kernels = [layer.kernel.numpy().copy() for layer in dense]
fired_again = np.zeros_like(dead_after_bad_step)
optimizer = keras.optimizers.Adam()  # learning rate 1e-3
for step in range(RECOVERY_STEPS):
    rows = slice(32 * (step % 8), 32 * (step % 8 + 1))
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y[rows], model(x[rows]))
    optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    fired_again |= dead_after_bad_step & ~dead_mask()  # checked after every step
revived = dead_after_bad_step & fired_again
never_revived = dead_after_bad_step & ~fired_again
# The units that stayed dead throughout: their incoming weights must not have moved at all.
dead_weights_unchanged = all(
    np.array_equal(layer.kernel.numpy()[:, never_revived[i]], frozen_kernels[i][:, never_revived[i]])
    for i, layer in enumerate(dense)
)
print(f"dead after the bad step, per layer: {dead_after_bad_step.sum(axis=1)}; fired again within "
      f"{RECOVERY_STEPS} steps: {revived.sum(axis=1)}; dead ones' weights unchanged: {dead_weights_unchanged}")

# %% [markdown]
# Situation 2: every bias initialised at −3, so that most pre-activations start negative.

# %%
negative_bias_models = {name: build_mlp(name, bias=NEGATIVE_BIAS) for name in ACTIVATIONS}
negative_bias = {name: diagnose(model) for name, model in negative_bias_models.items()}
for name, (dead, zero_grad, norms) in negative_bias.items():
    print(f"{name:10s} bias −3: dead {dead.round(2)}  zero gradient {zero_grad.round(2)}")

# %% [markdown]
# The normal-CDF prediction for layer 1: unit u's pre-activation on a standard-normal input
# is N(−3, ‖w_u‖²), so the unit is dead on the batch with probability Φ(3/‖w_u‖)^256.

# %%
weight_norms = np.linalg.norm(negative_bias_models["ReLU"].layers[0].kernel.numpy(), axis=0)
p_inactive = np.array([NormalDist().cdf(-NEGATIVE_BIAS / n) for n in weight_norms])
predicted_layer1_dead = float(np.mean(p_inactive ** BATCH))
print(f"layer 1: P(active on one example) ≈ {1 - p_inactive.mean():.4f}, "
      f"predicted dead fraction {predicted_layer1_dead:.3f}, measured {negative_bias['ReLU'][0][0]:.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(7, 4.5), sharey=True)
layers = np.arange(1, DEPTH + 1)
w = 0.27
relu_series = [high_lr["ReLU"][0][0], high_lr["ReLU"][1][0]]
left.bar(layers - w, relu_series[0], w, label="ReLU, before training", color="tab:gray")
left.bar(layers, relu_series[1], w, label="ReLU, after", color="tab:red")
left.plot(layers + w, high_lr["Leaky ReLU"][1][0], "v", color="tab:blue", label="Leaky ReLU, after")
left.set_title(f"Adam, learning rate {HIGH_LEARNING_RATE}", fontsize=10)
right.bar(layers - w / 2, negative_bias["ReLU"][0], w, label="ReLU", color="tab:red")
right.plot(layers + w / 2, negative_bias["Leaky ReLU"][0], "v", color="tab:blue", label="Leaky ReLU")
right.set_title(f"biases initialised at {NEGATIVE_BIAS:g}", fontsize=10)
left.set_ylabel("fraction of dead units (f′ = 0 on all 256 examples)")
for ax in (left, right):
    ax.set_xlabel("hidden layer")
    ax.set_xticks(layers)
    ax.set_ylim(-0.03, 1.4)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.legend(fontsize=7, loc="upper center")
    ax.grid(alpha=0.3, axis="y")
fig.suptitle(f"Dead units per layer: ReLU against Leaky ReLU (slope {LEAKY_SLOPE})")

# %%
relu_before, relu_after = high_lr["ReLU"]
leaky_before, leaky_after = high_lr["Leaky ReLU"]
relu_bias, leaky_bias = negative_bias["ReLU"], negative_bias["Leaky ReLU"]
results = {
    "relu_dead_before": float(relu_before[0].mean()),
    "relu_dead_after": float(relu_after[0].mean()),
    "relu_dead_after_max_layer": float(relu_after[0].max()),
    "relu_dead_after_layer1": float(relu_after[0][0]),
    "relu_dead_after_above_layer1": float(relu_after[0][1:].mean()),
    "relu_zero_grad_after": float(relu_after[1].mean()),
    "relu_final_loss": final_loss["ReLU"],
    "leaky_final_loss": final_loss["Leaky ReLU"],
    "leaky_dead_after": float(leaky_after[0].mean()),
    "leaky_zero_grad_after": float(leaky_after[1].mean()),
    "relu_bias_dead_layer1": float(relu_bias[0][0]),
    "relu_bias_predicted_dead_layer1": predicted_layer1_dead,
    "relu_bias_active_probability_layer1": float(1 - p_inactive.mean()),
    "relu_bias_dead_above_layer1": float(relu_bias[0][1:].mean()),
    "relu_bias_zero_grad": float(relu_bias[1].mean()),
    "leaky_bias_dead": float(leaky_bias[0].mean()),
    "leaky_bias_zero_grad": float(leaky_bias[1].mean()),
    "leaky_bias_first_over_last": float(leaky_bias[2][0] / leaky_bias[2][-1]),
    "recovery_steps": RECOVERY_STEPS,
    "dead_after_bad_step_units": int(dead_after_bad_step.sum()),
    "dead_after_bad_step_layer1_units": int(dead_after_bad_step[0].sum()),
    "revived_units": int(revived.sum()),
    "revived_layer1_units": int(revived[0].sum()),
    "revived_fraction_of_dead": float(revived.sum() / max(dead_after_bad_step.sum(), 1)),
    "dead_weights_unchanged": bool(dead_weights_unchanged),
}
print(results)
