"""Finite-width margins shared by the claim tests: how far one network may sit from the mean-field value."""

import math


def fluctuation_band(degrees_of_freedom: float, layers: int, sigmas: float = 3.0) -> float:
    """A factor covering finite-width fluctuations of a product of `layers` per-layer backward gains.

    Degrees of freedom: one layer multiplies a squared norm by Σᵢ φ′(zᵢ)²·(random projection)ᵢ²,
    whose relative variance is (3κ − 1)/n with κ = E[φ′⁴]/E[φ′²]², i.e. a χ² variable with
    2n/(3κ − 1) degrees of freedom: ≈ 0.95n for a sigmoid near 0 (κ ≈ 1.03), ≥ 0.75n for tanh with
    pre-activation variance ≤ 0.4 (κ ≤ 1.23), 0.4n for ReLU (κ = 2: relative variance 5/n).
    Logs of independent layers add (Hanin 2018: the product is close to log-normal), and a norm is
    half the log of a squared norm, so the log-spread is ½·√(2/dof)·√layers. This is the worst case
    of a single direction; a batch of independent directions averages some of it away.
    """
    return math.exp(sigmas * 0.5 * math.sqrt(2 / degrees_of_freedom) * math.sqrt(layers))
