"""Mean-field predictions the claim tests compare measurements with."""

import math

import numpy as np


def tanh_mean_field(layers: int) -> tuple[list[float], list[float]]:
    """Poole et al. (2016) with n·Var(w) = 1 and unit-variance inputs, by Gauss–Hermite quadrature:
    q_k = E[tanh(√q_{k−1} z)²], the mean square of layer k's outputs, and χ_k = E[tanh′(√q_{k−1} z)²],
    the backward factor of layer k (Schoenholz et al. 2017), z ~ N(0, 1), q_0 = 1."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(100)
    weights = weights / weights.sum()
    q, mean_squares, chis = 1.0, [], []
    for _ in range(layers):
        z = math.sqrt(q) * nodes
        chis.append(float(np.sum(weights * (1 - np.tanh(z) ** 2) ** 2)))
        q = float(np.sum(weights * np.tanh(z) ** 2))
        mean_squares.append(q)
    return mean_squares, chis
