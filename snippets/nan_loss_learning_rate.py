"""
Title: Loss becomes NaN: a learning rate that is too high, caught by TerminateOnNaN
Description: Training loss per step of a small MLP with SGD at learning rate 1.0, which overflows to inf and is stopped by TerminateOnNaN, against the same model with learning rate 0.05 and with global_clipnorm=1.0, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A two-hidden-layer ReLU MLP fits a noisy linear target with plain SGD. At learning rate 1.0
# the loss overflows within a few steps; `keras.callbacks.TerminateOnNaN` stops the run at the
# first step whose loss is NaN or inf, and a small recorder callback remembers which step it was.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

FEATURES, WIDTH, SAMPLES, BATCH, EPOCHS = 16, 32, 512, 64, 5
HIGH_RATE, LOW_RATE, CLIP = 1.0, 0.05, 1.0
STEPS = EPOCHS * SAMPLES // BATCH

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, FEATURES)).astype("float32")
y = (x @ rng.standard_normal((FEATURES, 1)) + 0.1 * rng.standard_normal((SAMPLES, 1))).astype("float32")


def build_mlp():
    return keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(WIDTH, activation="relu"),
        keras.layers.Dense(WIDTH, activation="relu"),
        keras.layers.Dense(1),
    ])


class LossRecorder(keras.callbacks.Callback):
    """Keep the loss after every step, and where it first stopped being finite."""

    def __init__(self):
        super().__init__()
        self.losses, self.first_bad = [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))
        if self.first_bad is None and not np.isfinite(self.losses[-1]):
            self.first_bad = {"step": len(self.losses), "epoch": self.epoch + 1, "batch": batch}


def train(optimizer):
    keras.utils.set_random_seed(SEED)  # same initial weights for every run
    model = build_mlp()
    model.compile(optimizer=optimizer, loss="mse")
    recorder = LossRecorder()
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
              callbacks=[recorder, keras.callbacks.TerminateOnNaN()])
    return model, recorder


# %% [markdown]
# Confirm it: the broken run. `TerminateOnNaN` prints the batch it stopped at.

# %%
broken_model, broken = train(keras.optimizers.SGD(learning_rate=HIGH_RATE))
print(f"learning rate {HIGH_RATE}: {len(broken.losses)} of {STEPS} steps run, first non-finite loss at "
      f"step {broken.first_bad['step']} (epoch {broken.first_bad['epoch']}, batch {broken.first_bad['batch']})")
print("loss per step:", np.array(broken.losses))

# %% [markdown]
# Why 1.0 is too high: gradient descent on a quadratic diverges once learning rate × curvature
# exceeds 2. The curvature of the MSE with respect to the output layer's kernel alone is the top
# eigenvalue of (2/N)·HᵀH, where H holds the last hidden layer's activations at initialisation;
# the whole network's top curvature can only be larger.

# %%
keras.utils.set_random_seed(SEED)
fresh = build_mlp()
hidden = keras.Sequential(fresh.layers[:-1])(x).numpy().astype("float64")
curvature = float(np.linalg.eigvalsh(2.0 / SAMPLES * hidden.T @ hidden)[-1])
print(f"output-layer curvature {curvature:.2f}: rate × curvature = {HIGH_RATE * curvature:.1f} at {HIGH_RATE}, "
      f"{LOW_RATE * curvature:.2f} at {LOW_RATE}")

# %% [markdown]
# Fix 1: a lower learning rate. Fix 2: keep the rate but clip the joint gradient norm.

# %%
_, low = train(keras.optimizers.SGD(learning_rate=LOW_RATE))
_, clipped = train(keras.optimizers.SGD(learning_rate=HIGH_RATE, global_clipnorm=CLIP))
for name, run in (("lower rate", low), ("global_clipnorm", clipped)):
    print(f"{name}: {len(run.losses)} steps, all finite: {bool(np.all(np.isfinite(run.losses)))}, "
          f"loss {run.losses[0]:.2f} -> {run.losses[-1]:.2f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
steps = np.arange(1, STEPS + 1)
finite = [loss if np.isfinite(loss) else np.nan for loss in broken.losses]
ax.semilogy(steps[: len(finite)], finite, marker="o", color="tab:red", label=f"SGD, learning rate {HIGH_RATE}")
ax.axvline(broken.first_bad["step"], color="tab:red", linestyle=":",
           label=f"TerminateOnNaN stops (step {broken.first_bad['step']})")
ax.semilogy(steps, low.losses, color="tab:blue", label=f"Fix 1: learning rate {LOW_RATE}")
ax.semilogy(steps, clipped.losses, color="tab:green", label=f"Fix 2: rate {HIGH_RATE}, global_clipnorm={CLIP}")
ax.set_xlabel("training step")
ax.set_ylabel("training loss, running mean over the epoch (MSE, log scale)")
ax.set_title("Loss goes to inf at a high learning rate; both fixes stay finite")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "steps_planned": STEPS,
    "broken_steps_run": len(broken.losses),
    "broken_first_bad_step": broken.first_bad["step"],
    "broken_first_bad_epoch": broken.first_bad["epoch"],
    "broken_first_bad_batch": broken.first_bad["batch"],
    "broken_last_finite_loss": float(max(loss for loss in broken.losses if np.isfinite(loss))),
    "broken_all_finite": bool(np.all(np.isfinite(broken.losses))),
    "output_layer_curvature": curvature,
    "high_rate_times_curvature": HIGH_RATE * curvature,
    "low_rate_times_curvature": LOW_RATE * curvature,
    "low_rate_steps_run": len(low.losses),
    "low_rate_all_finite": bool(np.all(np.isfinite(low.losses))),
    "low_rate_first_loss": low.losses[0],
    "low_rate_last_loss": low.losses[-1],
    "clipped_steps_run": len(clipped.losses),
    "clipped_all_finite": bool(np.all(np.isfinite(clipped.losses))),
    "clipped_last_loss": clipped.losses[-1],
    "mean_prediction_loss": float(np.mean((y - y.mean()) ** 2)),  # the loss of a constant prediction
    "high_rate": HIGH_RATE,
    "low_rate": LOW_RATE,
    "clip": CLIP,
}
print(results)
