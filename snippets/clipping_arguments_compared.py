"""
Title: clipnorm, global_clipnorm and clipvalue on one exploding gradient
Description: Norm of the update each Keras clipping argument applies to every weight tensor of an exploding MLP, after one optimizer.apply with SGD, against the unclipped update and the threshold × learning rate, on a log scale.
Accelerator: None
"""

# %% [markdown]
# One exploding gradient: a five-layer ReLU MLP whose kernels are drawn with standard deviation
# 1 (far above He's √(2/16)), so the gradient norm is thousands of times the threshold. Each Keras
# optimizer clipping argument is applied to that same gradient by `optimizer.apply`, exactly as
# in a custom training loop, and we measure what each one does to the update.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

WIDTH, DEPTH, BATCH = 16, 4, 64
LEARNING_RATE, THRESHOLD = 0.1, 1.0

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = rng.standard_normal((BATCH, 1)).astype("float32")
large = keras.initializers.RandomNormal(stddev=1.0)
model = keras.Sequential(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=large) for _ in range(DEPTH)]
    + [keras.layers.Dense(1, kernel_initializer=large)]
)
with tf.GradientTape() as tape:
    loss = keras.losses.MeanSquaredError()(y, model(x))
gradients = tape.gradient(loss, model.trainable_variables)
raw = np.concatenate([g.numpy().ravel() for g in gradients]).astype("float64")
print(f"loss {float(loss):.3g}, global gradient norm {np.linalg.norm(raw):.3g}, largest |component| {np.abs(raw).max():.3g}")

# %% [markdown]
# One step of SGD per clipping argument, on a fresh copy of the weights; the update is
# "before − after", which for SGD is learning rate × the clipped gradient.

# %%
ARGUMENTS = {
    "no clipping": {},
    f"clipnorm={THRESHOLD:g}": {"clipnorm": THRESHOLD},
    f"global_clipnorm={THRESHOLD:g}": {"global_clipnorm": THRESHOLD},
    f"clipvalue={THRESHOLD:g}": {"clipvalue": THRESHOLD},
}


def one_update(**clipping):
    variables = [keras.Variable(v.numpy()) for v in model.trainable_variables]
    before = [v.numpy() for v in variables]
    keras.optimizers.SGD(learning_rate=LEARNING_RATE, **clipping).apply(gradients, variables)
    return [(b - v.numpy()).astype("float64") for b, v in zip(before, variables)]


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


updates = {name: one_update(**clipping) for name, clipping in ARGUMENTS.items()}
measured = {}
for name, update in updates.items():
    flat = np.concatenate([u.ravel() for u in update])
    measured[name] = {
        "global_norm": float(np.linalg.norm(flat)),
        "largest_tensor_norm": float(max(np.linalg.norm(u) for u in update)),
        "largest_component": float(np.abs(flat).max()),
        "cosine": cosine(flat, raw),
    }
    print(f"{name:20s} update norm {measured[name]['global_norm']:.4g}, largest tensor "
          f"{measured[name]['largest_tensor_norm']:.4g}, largest component {measured[name]['largest_component']:.4g}, "
          f"cosine with the gradient {measured[name]['cosine']:.6f}")

# %% [markdown]
# The same clipping in a custom training loop: `optimizer.apply` clips whatever gradients you
# pass it, so ten steps with `global_clipnorm` never move the weights by more than
# threshold × learning rate, however large the raw gradient gets.

# %%
optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE, global_clipnorm=THRESHOLD)
loop_update_norms, loop_gradient_norms = [], []
for step in range(10):
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y, model(x))
    step_gradients = tape.gradient(loss, model.trainable_variables)
    before = [v.numpy() for v in model.trainable_variables]
    optimizer.apply(step_gradients, model.trainable_variables)
    loop_update_norms.append(float(np.sqrt(sum(np.sum((b - v.numpy()) ** 2) for b, v in zip(before, model.trainable_variables)))))
    loop_gradient_norms.append(float(tf.linalg.global_norm(step_gradients)))
print("raw gradient norms:", np.array(loop_gradient_norms).round(1))
print("update norms:      ", np.array(loop_update_norms).round(6))

# %% [markdown]
# Only one clipping argument per optimizer.

# %%
try:
    keras.optimizers.SGD(learning_rate=LEARNING_RATE, clipnorm=THRESHOLD, global_clipnorm=THRESHOLD)
    two_arguments_error = "none"
except Exception as error:  # report whichever exception Keras raises
    two_arguments_error = type(error).__name__
    print(f"{two_arguments_error}: {error}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
tensor_names = [v.path.split("/", 1)[1] for v in model.trainable_variables]
positions = np.arange(len(tensor_names))
for offset, (name, update) in zip(np.linspace(-0.3, 0.3, len(updates)), updates.items()):
    ax.bar(positions + offset, [np.linalg.norm(u) for u in update], width=0.2, label=name)
ax.axhline(THRESHOLD * LEARNING_RATE, color="black", linestyle=":", label="threshold × learning rate")
ax.set_yscale("log")
ax.set_ylim(top=ax.get_ylim()[1] * 1e4)  # headroom for the legend
ax.set_xticks(positions, tensor_names, rotation=45, ha="right", fontsize="small")
ax.set_xlabel("weight tensor")
ax.set_ylabel("‖update‖ after one SGD step (log scale)")
ax.set_title("What each clipping argument does to one exploding update")
ax.legend(fontsize="small", ncol=3, loc="upper center")
ax.grid(alpha=0.3, which="both", axis="y")
fig.tight_layout()

# %%
no_clip = measured["no clipping"]
per_tensor, joint, by_value = (measured[f"{arg}={THRESHOLD:g}"] for arg in ("clipnorm", "global_clipnorm", "clipvalue"))
results = {
    "learning_rate": LEARNING_RATE,
    "threshold": THRESHOLD,
    "tensors": len(gradients),
    "raw_gradient_norm": float(np.linalg.norm(raw)),
    "raw_largest_component": float(np.abs(raw).max()),
    "unclipped_update_norm": no_clip["global_norm"],
    "global_update_norm": joint["global_norm"],
    "global_cosine": joint["cosine"],
    "clipnorm_largest_tensor_update": per_tensor["largest_tensor_norm"],
    "clipnorm_update_norm": per_tensor["global_norm"],
    "clipnorm_cosine": per_tensor["cosine"],
    "clipvalue_largest_component": by_value["largest_component"],
    "clipvalue_update_norm": by_value["global_norm"],
    "clipvalue_cosine": by_value["cosine"],
    "loop_largest_update_norm": max(loop_update_norms),
    "loop_smallest_gradient_norm": min(loop_gradient_norms),
    "two_arguments_error": two_arguments_error,
    "two_arguments_refused": two_arguments_error != "none",
}
print(results)
