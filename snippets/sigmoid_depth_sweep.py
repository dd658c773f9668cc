"""
Title: Shallow sigmoid nets avoid vanishing gradients, deep ones do not
Description: First-to-last hidden-layer kernel-gradient and backward-signal ratios of sigmoid MLPs with 2 to 20 hidden layers of 64 units, on a log scale, against 0.25^(depth − 1), the sigmoid derivatives' largest possible product.
Accelerator: None
"""

# %% [markdown]
# Before better activations and initialisations, one way to live with vanishing gradients
# was to stay shallow. We measure how much gradient reaches the first hidden layer,
# relative to the last, in sigmoid MLPs (Glorot uniform kernels) of growing depth.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTHS = [2, 3, 5, 10, 15, 20]
WIDTH, BATCH = 64, 256

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


# Two ratios per depth, from `probe_layers` (in `gradbook/signal_probe.py`): the kernel gradient
# ‖∂loss/∂W_first‖/‖∂loss/∂W_last‖, and the backward signal ‖∂loss/∂h_first‖/‖∂loss/∂h_last‖ at the
# hidden layers' outputs, which does not depend on the layers' input scale.
def first_last_ratios(depth):
    dense = [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(depth)]
    model = keras.Sequential([keras.Input((WIDTH,)), *dense, keras.layers.Dense(1, activation="sigmoid")])
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
    return (probe.kernel_gradient[0] / probe.kernel_gradient[-1],
            probe.backward_signal[0] / probe.backward_signal[-1])


ratios, signal_ratios = np.array([first_last_ratios(depth) for depth in DEPTHS]).T
for depth, ratio, signal in zip(DEPTHS, ratios, signal_ratios):
    print(f"{depth:2d} hidden layers: kernel gradient first/last = {ratio:.3e}, backward signal {signal:.3e}")

# %% [markdown]
# The gradient crosses depth − 1 sigmoid derivatives between the last hidden layer and the
# first, each at most 1/4: the grey line is 4^−(depth − 1).

# %%
depths = np.array(DEPTHS)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(depths, ratios, marker="o", label="kernel gradient ‖∂loss/∂W_first‖ / ‖∂loss/∂W_last‖")
ax.semilogy(depths, signal_ratios, marker="s", linestyle="--", label="backward signal ‖∂loss/∂h_first‖ / ‖∂loss/∂h_last‖")
ax.semilogy(depths, 0.25 ** (depths - 1.0), color="grey", linestyle=":", label="0.25^(depth − 1): the derivative factors alone")
ax.set_xlabel("number of hidden layers")
ax.set_ylabel("first / last hidden layer (log scale)")
ax.set_xticks(DEPTHS)
ax.set_title("Reaching the first layer of a sigmoid MLP (Glorot uniform), by depth")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {f"ratio_depth_{depth}": float(ratio) for depth, ratio in zip(DEPTHS, ratios)}
# factor lost per extra layer: slope of a least-squares line through log(ratio) against depth
results["factor_per_layer"] = float(np.exp(np.polyfit(depths, np.log(ratios), 1)[0]))
results.update({f"signal_ratio_depth_{depth}": float(r) for depth, r in zip(DEPTHS, signal_ratios)})
results["signal_factor_per_layer"] = float(np.exp(np.polyfit(depths, np.log(signal_ratios), 1)[0]))
print(results)
