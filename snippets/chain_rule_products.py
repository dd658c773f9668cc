"""
Title: Products of per-layer factors
Description: 0.5 to the power n shrinks and 1.5 to the power n grows geometrically with depth n, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Backpropagation multiplies one factor per layer. If every factor had the same size f, the
# gradient reaching a layer n layers below the loss would be scaled by fⁿ. Two factors only a
# little away from 1 already give a factor of a thousand, either way, after ten layers.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)  # nothing here is random; kept for the shared snippet layout

# %%
depth = np.arange(1, 31)
shrinking = 0.5**depth
growing = 1.5**depth

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(depth, growing, marker="^", label="factor 1.5 per layer: 1.5ⁿ")
ax.semilogy(depth, np.ones_like(depth, dtype=float), color="grey", linestyle=":", label="factor 1: 1ⁿ = 1")
ax.semilogy(depth, shrinking, marker="v", label="factor 0.5 per layer: 0.5ⁿ")
ax.set_xlabel("number of layers n the gradient crosses")
ax.set_ylabel("scale of the backward signal, fⁿ (log scale)")
ax.set_title("A product of n equal per-layer factors")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "half_to_10": float(shrinking[9]),
    "one_and_half_to_10": float(growing[9]),
    "half_to_30": float(shrinking[29]),
    "one_and_half_to_30": float(growing[29]),
}
print(results)
