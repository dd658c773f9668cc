"""
Title: How far each layer moves under SGD, RMSprop and Adam in a deep sigmoid network
Description: Relative change of every hidden layer's kernel after 100 full-batch steps of SGD, RMSprop (Keras default epsilon and a tiny one) and Adam on an 8-layer sigmoid MLP, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Eight sigmoid layers of 32 units with Glorot uniform weights: the gradient reaching the first
# layer is thousands of times smaller than the last layer's. All four runs start from the same
# weights and take 100 full-batch steps on the same synthetic classification task.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS = 8, 32, 256, 100
ADAPTIVE_RATE = 1e-3
OPTIMISERS = {
    "SGD, lr 0.1": lambda: keras.optimizers.SGD(learning_rate=0.1),
    "RMSprop, lr 1e-3 (ε = 1e-7)": lambda: keras.optimizers.RMSprop(learning_rate=ADAPTIVE_RATE),
    "RMSprop, lr 1e-3, ε = 1e-20": lambda: keras.optimizers.RMSprop(learning_rate=ADAPTIVE_RATE, epsilon=1e-20),
    "Adam, lr 1e-3": lambda: keras.optimizers.Adam(learning_rate=ADAPTIVE_RATE),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp():
    return keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
        + [keras.layers.Dense(1)]
    )


initial_weights = build_mlp().get_weights()
loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

# %% [markdown]
# Each step also records the largest change any single parameter made, to compare with Adam's
# bound on its step size.

# %%
def train(make_optimiser):
    model = build_mlp()
    model.set_weights(initial_weights)
    optimiser = make_optimiser()
    optimiser.build(model.trainable_variables)  # create its slots before tracing the step

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        before = [tf.identity(v) for v in model.trainable_variables]
        optimiser.apply(grads, model.trainable_variables)
        return tf.reduce_max([tf.reduce_max(tf.abs(v - b)) for v, b in zip(model.trainable_variables, before)])

    largest_step = max(float(step()) for _ in range(STEPS))
    kernels = [layer.kernel.numpy() for layer in model.layers[:DEPTH]]
    relative = np.array([np.linalg.norm(k - k0) / np.linalg.norm(k0) for k, k0 in zip(kernels, initial_weights[: 2 * DEPTH : 2])])
    return relative, largest_step


runs = {name: train(make) for name, make in OPTIMISERS.items()}
for name, (relative, largest_step) in runs.items():
    print(f"{name:30s} first layer moved {relative[0]:.2e}, last {relative[-1]:.2e}, largest single step {largest_step:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, (relative, _)), marker in zip(runs.items(), "o^vs"):
    ax.semilogy(range(1, DEPTH + 1), relative, marker=marker, label=name)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖W_100 − W_0‖ / ‖W_0‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title(f"How far each layer moved in {STEPS} steps, 8 sigmoid layers of 32 units")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
def first_over_last(name):
    relative = runs[name][0]
    return float(relative[0] / relative[-1])


names = list(OPTIMISERS)
results = {
    "steps": STEPS,
    "adaptive_rate": ADAPTIVE_RATE,
    "sgd_ratio": first_over_last(names[0]),
    "rmsprop_ratio": first_over_last(names[1]),
    "rmsprop_tiny_epsilon_ratio": first_over_last(names[2]),
    "adam_ratio": first_over_last(names[3]),
    "sgd_first": float(runs[names[0]][0][0]),
    "adam_first": float(runs[names[3]][0][0]),
    "adam_largest_step_over_rate": runs[names[3]][1] / ADAPTIVE_RATE,
}
print(results)
