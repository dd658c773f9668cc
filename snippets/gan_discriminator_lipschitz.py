"""
Title: A critic's input gradient with and without spectral normalisation or a gradient penalty
Description: The input-gradient norm ‖∇ₓD(x)‖ of a small 2-D critic during 150 steps of Wasserstein critic training, unconstrained, with keras.layers.SpectralNormalization on every Dense layer, and with the WGAN-GP gradient penalty (λ = 10), on a log scale; and the product of the layers' spectral norms that bounds it.
Accelerator: None
Timeout: 300
"""

# %% [markdown]
# Real data: a ring of eight Gaussians (radius 2, std 0.05). Fake data: one Gaussian at the centre
# (std 0.5), standing in for an untrained generator, held fixed so that only the critic changes.
# The critic D is a Dense(64, leaky ReLU) → Dense(64, leaky ReLU) → Dense(1) network (Keras's
# `leaky_relu` activation has slope 0.2, so its Lipschitz constant is 1). It is trained for 150
# steps on the Wasserstein critic loss mean D(fake) − mean D(real) (Arjovsky, Chintala & Bottou
# 2017), which rewards a steep D without limit unless something bounds its slope:
#
# - **unconstrained**: nothing;
# - **spectral normalisation** (Miyato et al. 2018): every Dense wrapped in
#   `keras.layers.SpectralNormalization` (its default, `power_iterations=1`);
# - **gradient penalty** (Gulrajani et al. 2017): + λ·(‖∇ₓD(x̂)‖ − 1)², λ = 10, at random points
#   x̂ between a real and a fake sample.
#
# Adam at learning rate 10⁻³ with β₁ = 0.5 (Keras's default β₁ is 0.9), batch 128.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

STEPS, BATCH, WIDTH, PENALTY = 150, 128, 64, 10.0
rng = np.random.default_rng(SEED)


def real_batch(n):
    angles = 2 * np.pi * rng.integers(0, 8, n) / 8
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centres + 0.05 * rng.standard_normal((n, 2))).astype("float32")


def fake_batch(n):
    return (0.5 * rng.standard_normal((n, 2))).astype("float32")


def build_critic(spectral):
    wrap = keras.layers.SpectralNormalization if spectral else (lambda layer: layer)
    return keras.Sequential([
        keras.Input((2,)),
        wrap(keras.layers.Dense(WIDTH, activation="leaky_relu")),
        wrap(keras.layers.Dense(WIDTH, activation="leaky_relu")),
        wrap(keras.layers.Dense(1)),
    ])


def input_gradient_norms(critic, points):
    """‖∇ₓD(x)‖ at each point, with the weights as they are (training=False does not re-normalise)."""
    points = tf.convert_to_tensor(points)
    with tf.GradientTape() as tape:
        tape.watch(points)
        scores = critic(points, training=False)
    return tf.norm(tape.gradient(scores, points), axis=1).numpy()


def spectral_norm_product(critic):
    """∏ of the largest singular value of each kernel: a Lipschitz bound when the activations' is ≤ 1."""
    kernels = [w for w in critic.weights if w.path.endswith("kernel")]
    return float(np.prod([np.linalg.norm(np.asarray(k), 2) for k in kernels]))


# %% [markdown]
# One critic step. Under spectral normalisation the wrapper divides each kernel by its estimated
# spectral norm on every call with `training=True` and writes the result back into the kernel.

# %%
def make_step(critic, penalty):
    optimizer = keras.optimizers.Adam(1e-3, beta_1=0.5)

    @tf.function
    def step(real, fake, mix):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(critic(fake, training=True)) - tf.reduce_mean(critic(real, training=True))
            if penalty:
                between = mix * real + (1 - mix) * fake
                with tf.GradientTape() as inner:
                    inner.watch(between)
                    scores = critic(between, training=True)
                slopes = tf.norm(inner.gradient(scores, between), axis=1)
                loss += penalty * tf.reduce_mean(tf.square(slopes - 1))
        optimizer.apply(tape.gradient(loss, critic.trainable_variables), critic.trainable_variables)
        return loss

    return step


probe_points = np.concatenate([real_batch(256), fake_batch(256)])
probe_mix = rng.uniform(size=(256, 1)).astype("float32")
probe_points = np.concatenate([probe_points, probe_mix * probe_points[:256] + (1 - probe_mix) * probe_points[256:]])

VARIANTS = {"unconstrained": (False, 0.0), "spectral normalisation": (True, 0.0), "gradient penalty λ=10": (False, PENALTY)}
history, bounds, first_call_sigma = {}, {}, None
for name, (spectral, penalty) in VARIANTS.items():
    keras.utils.set_random_seed(SEED)  # the same initial kernels for all three
    critic = build_critic(spectral)
    if spectral:  # the spectral norms after the wrapper's first normalisation (one power iteration)
        critic(probe_points[:8], training=True)
        first_call_sigma = max(np.linalg.norm(np.asarray(w), 2) for w in critic.weights if w.path.endswith("kernel"))
    step = make_step(critic, penalty)
    history[name] = []
    for index in range(STEPS + 1):
        if index % 25 == 0:
            history[name].append((index, input_gradient_norms(critic, probe_points)))
        if index < STEPS:
            step(real_batch(BATCH), fake_batch(BATCH), rng.uniform(size=(BATCH, 1)).astype("float32"))
    bounds[name] = spectral_norm_product(critic)
    final = history[name][-1][1]
    print(f"{name:24s} ‖∇ₓD‖ at step {STEPS}: mean {final.mean():.3g}, max {final.max():.3g}; "
          f"∏ spectral norms {bounds[name]:.3g}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for (name, records), marker in zip(history.items(), "os^"):
    steps = [s for s, _ in records]
    line, = axes[0].semilogy(steps, [n.mean() for _, n in records], marker=marker, label=f"{name}: mean")
    axes[0].semilogy(steps, [n.max() for _, n in records], linestyle=":", color=line.get_color(), label=f"{name}: max")
axes[0].axhline(1.0, color="grey", linewidth=1)
axes[0].set_title("Critic's input gradient during training")
axes[0].set_xlabel("critic step")
axes[0].set_ylabel("‖∇ₓD(x)‖ over real, fake and mixed points (log scale)")
axes[0].legend(fontsize=8)
names = list(bounds)
positions = np.arange(len(names))
axes[1].bar(positions - 0.2, [history[n][-1][1].max() for n in names], width=0.4, label="max ‖∇ₓD(x)‖ measured")
axes[1].bar(positions + 0.2, [bounds[n] for n in names], width=0.4, label="∏ of layer spectral norms (bound)")
axes[1].set_yscale("log")
axes[1].set_xticks(positions, names)
axes[1].set_ylabel("input-gradient norm (log scale)")
axes[1].set_title(f"After {STEPS} steps: measured slope and its bound")
axes[1].legend(fontsize=8, loc="upper right")
for ax in axes:
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
unconstrained, spectral, penalised = (history[n] for n in VARIANTS)
results = {
    "steps": STEPS,
    "unconstrained_initial_mean": float(unconstrained[0][1].mean()),
    "unconstrained_final_mean": float(unconstrained[-1][1].mean()),
    "unconstrained_final_max": float(unconstrained[-1][1].max()),
    "unconstrained_bound": bounds["unconstrained"],
    "spectral_final_mean": float(spectral[-1][1].mean()),
    "spectral_final_max": float(spectral[-1][1].max()),
    "spectral_bound": bounds["spectral normalisation"],
    "spectral_max_over_training": float(max(n.max() for _, n in spectral)),
    "spectral_first_call_sigma": float(first_call_sigma),
    "penalty_final_mean": float(penalised[-1][1].mean()),
    "penalty_final_max": float(penalised[-1][1].max()),
    "penalty_bound": bounds["gradient penalty λ=10"],
}
print(results)
