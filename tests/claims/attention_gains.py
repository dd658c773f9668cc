"""Mean-field forward and backward gains of one `keras.layers.MultiHeadAttention` at Keras's default
initialisation (Glorot uniform kernels of the matrices the einsum kernels stand for, zero biases), by Monte
Carlo over the initial weights, in NumPy.

v = E‖A(u)‖²/E‖u‖² for inputs u with independent unit-variance entries (independent across positions), and
χ = E‖J_A(u)ᵀ g‖²/E‖g‖², the backward gain, for two kinds of backward signal g: the same vector at every
position (a loss that reads every position alike, such as a mean of r · h) or an independent vector at each
position (a loss with its own target at each position). `value_only` stops the gradient through the attention
scores, leaving the path through the values.
"""

import numpy as np


def _glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def attention_gains(width: int, heads: int, positions: int, draws: int = 200, batch: int = 64, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    key_dim = width // heads
    sums = {"v": 0.0, "chi_uniform": 0.0, "chi_uniform_value_only": 0.0, "chi_independent": 0.0}
    for _ in range(draws):
        wq, wk, wv = (_glorot(rng, (width, heads, key_dim), width, heads * key_dim) for _ in range(3))
        wo = _glorot(rng, (heads, key_dim, width), heads * key_dim, width)
        u = rng.standard_normal((batch, positions, width))
        q, k, v = (np.einsum("btd,dhk->bthk", u, w) for w in (wq, wk, wv))
        scores = np.einsum("bqhk,bshk->bhqs", q, k) / np.sqrt(key_dim)
        p = np.exp(scores - scores.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        out = np.einsum("bqhk,hkd->bqd", np.einsum("bhqs,bshk->bqhk", p, v), wo)
        sums["v"] += np.mean(out**2) / np.mean(u**2)
        uniform = np.broadcast_to(rng.standard_normal((batch, 1, width)), u.shape)
        independent = rng.standard_normal(u.shape)
        for name, g in (("uniform", uniform), ("independent", independent)):
            g_o = np.einsum("bqd,hkd->bqhk", g, wo)  # through the output projection
            g_v = np.einsum("bhqs,bqhk->bshk", p, g_o)  # each key's value: Σ_q P_qs · g_q
            g_p = np.einsum("bqhk,bshk->bhqs", g_o, v)
            g_s = p * (g_p - np.sum(g_p * p, -1, keepdims=True)) / np.sqrt(key_dim)  # softmax backward
            g_q = np.einsum("bhqs,bshk->bqhk", g_s, k)
            g_k = np.einsum("bhqs,bqhk->bshk", g_s, q)
            through_values = np.einsum("bthk,dhk->btd", g_v, wv)
            full = through_values + np.einsum("bthk,dhk->btd", g_q, wq) + np.einsum("bthk,dhk->btd", g_k, wk)
            sums[f"chi_{name}"] += np.sum(full**2) / np.sum(g**2)
            if name == "uniform":
                sums["chi_uniform_value_only"] += np.sum(through_values**2) / np.sum(g**2)
    return {name: total / draws for name, total in sums.items()}
