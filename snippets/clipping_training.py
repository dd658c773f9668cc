"""
Title: SGD with and without gradient clipping on an exploding network, against a He-initialised baseline
Description: Training loss per step on a log scale for a 10-layer ReLU MLP initialised at three times He's standard deviation, trained with SGD without clipping and with clipnorm, clipvalue and global_clipnorm, against the same network with He's initialisation and the loss of predicting the mean, for three initial draws.
Accelerator: None
Timeout: 300
"""

# %% [markdown]
# The network from the large-initialisation page: ten ReLU layers of 64 units whose weights
# have three times He's standard deviation, so the backward signal grows about threefold per
# layer. For each of three initial draws, four copies start from the same weights; only the
# optimiser's clipping option differs. The baseline is the same architecture with He's
# initialisation, trained by the same optimiser without clipping, and the
# loss of a constant prediction (the mean of y), which any useful fit must beat.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS, LEARNING_RATE = 10, 64, 256, 100, 1e-2
DRAWS = 3  # initial weights drawn three times, so one lucky draw cannot carry the conclusion
HE_STD = float(np.sqrt(2.0 / WIDTH))
RUNS = {  # name: (multiple of He's σ, clipping options)
    "3 × He, no clipping": (3.0, {}),
    "3 × He, clipnorm=1": (3.0, {"clipnorm": 1.0}),
    "3 × He, clipvalue=0.01": (3.0, {"clipvalue": 0.01}),
    "3 × He, global_clipnorm=1": (3.0, {"global_clipnorm": 1.0}),
    "He, no clipping": (1.0, {}),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) / np.sqrt(WIDTH)).astype("float32")[:, None]
mean_prediction_loss = float(np.mean((y - y.mean()) ** 2))


def build_mlp(stddev):
    init = lambda: keras.initializers.RandomNormal(stddev=stddev)  # noqa: E731 - a fresh draw per layer
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=init()) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, kernel_initializer=init()))
    return keras.Sequential(layers)


# %% [markdown]
# Full-batch SGD, all steps in one compiled loop. A loss that stops being finite stays so (NaN
# weights give NaN outputs), so each curve is cut at its first non-finite loss.

# %%
def train(weights, clip_options):
    model = build_mlp(HE_STD)
    model.set_weights(weights)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE, **clip_options)
    optimizer.build(model.trainable_variables)  # create its variables before tracing the loop

    @tf.function
    def run_steps():
        losses = tf.TensorArray(tf.float32, size=STEPS)
        for index in tf.range(STEPS):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x) - y))
            optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
            losses = losses.write(index, loss)
        return losses.stack()

    losses = run_steps().numpy().astype("float64")
    not_finite = np.flatnonzero(~np.isfinite(losses))
    return list(losses if not_finite.size == 0 else losses[: not_finite[0] + 1])


curves = {}  # (draw, run name) -> losses
for draw in range(DRAWS):
    keras.utils.set_random_seed(SEED * DRAWS + draw)
    unit_weights = build_mlp(1.0).get_weights()  # standard normal kernels, zero biases
    for name, (scale, options) in RUNS.items():
        curves[draw, name] = train([w * scale * HE_STD for w in unit_weights], options)
for (draw, name), losses in curves.items():
    print(f"draw {draw} {name:26s} {len(losses):3d} steps, loss {losses[0]:.3g} -> {losses[-1]:.3g}")

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
for (name, _), colour in zip(RUNS.items(), ("C3", "C0", "C1", "C2", "k")):
    for draw in range(DRAWS):
        finite = [loss for loss in curves[draw, name] if np.isfinite(loss)]
        ax.semilogy(range(len(finite)), finite, color=colour, marker="o" if len(finite) < 5 else None,
                    linestyle="--" if name.startswith("He") else "-", alpha=0.8,
                    label=name if draw == 0 else None)
ax.axhline(mean_prediction_loss, color="grey", linestyle=":", label="predicting the mean of y")
ax.set_xlabel("SGD step")
ax.set_ylabel("mean squared error (log scale)")
ax.set_title(f"SGD at learning rate {LEARNING_RATE:g}, {DRAWS} initial draws each")
ax.legend(fontsize="small", ncol=2)
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# Per run: did it stay finite for every step, and where did it end, for the worst and best draw.

# %%
def finite_run(losses):
    return len(losses) == STEPS and bool(np.all(np.isfinite(losses)))


def finals(name):
    return np.array([curves[draw, name][-1] for draw in range(DRAWS)])


results = {
    "steps": STEPS,
    "draws": DRAWS,
    "learning_rate": LEARNING_RATE,
    "mean_prediction_loss": mean_prediction_loss,
    "initial_loss_lowest": min(curves[draw, "3 × He, no clipping"][0] for draw in range(DRAWS)),
    "he_initial_loss_highest": max(curves[draw, "He, no clipping"][0] for draw in range(DRAWS)),
    "unclipped_failed_every_draw": all(
        not finite_run(curves[draw, "3 × He, no clipping"])
        or curves[draw, "3 × He, no clipping"][-1] > curves[draw, "3 × He, no clipping"][0]
        for draw in range(DRAWS)
    ),
    "unclipped_nonfinite_draws": sum(not finite_run(curves[draw, "3 × He, no clipping"]) for draw in range(DRAWS)),
}
for key, name in (("clipnorm", "3 × He, clipnorm=1"), ("clipvalue", "3 × He, clipvalue=0.01"),
                  ("global", "3 × He, global_clipnorm=1"), ("he", "He, no clipping")):
    results[f"{key}_finite_every_draw"] = all(finite_run(curves[draw, name]) for draw in range(DRAWS))
    results[f"{key}_final_lowest"] = float(finals(name).min())
    results[f"{key}_final_highest"] = float(finals(name).max())
    results[f"{key}_final_over_initial_highest"] = max(curves[draw, name][-1] / curves[draw, name][0] for draw in range(DRAWS))
results["clipped_final_lowest_over_he_highest"] = min(
    results[f"{key}_final_lowest"] for key in ("clipnorm", "clipvalue", "global")
) / results["he_final_highest"]
results["clipped_final_lowest_over_mean_prediction"] = min(
    results[f"{key}_final_lowest"] for key in ("clipnorm", "clipvalue", "global")
) / mean_prediction_loss
print(results)
