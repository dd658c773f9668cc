"""Mean-field and random-matrix predictions for the theory pages (docs/theory/), computed here, not read
from the snippets: the claim tests compare the snippets' measurements with these.

Poole et al. (2016), Schoenholz et al. (2017): a tanh layer with weights N(0, σ_w²/n) and biases
N(0, σ_b²) maps the pre-activation variance q to σ_w² E[tanh(√q z)²] + σ_b², and multiplies the
backward signal's mean square by χ₁ = σ_w² E[tanh′(√q* z)²] at the fixed point q*.
"""

import math

import numpy as np

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(121)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def gaussian_mean(function, variance: float) -> float:
    """E[function(h)] for h ~ N(0, variance), by Gauss–Hermite quadrature."""
    return float(np.sum(_WEIGHTS * function(math.sqrt(variance) * _NODES)))


def tanh_derivative_sq(h):
    return (1 - np.tanh(h) ** 2) ** 2


def tanh_fixed_point(sw2: float, sb2: float) -> tuple[float, float]:
    """(q*, χ₁). Iterated from q = 1; 2000 steps converge to 1e-9 wherever σ_b² ≥ 0.01 or χ₁ is not near 1."""
    q = 1.0
    for _ in range(2000):
        q = sw2 * gaussian_mean(lambda h: np.tanh(h) ** 2, q) + sb2
    return q, sw2 * gaussian_mean(tanh_derivative_sq, q)


def tanh_critical_sw2(sb2: float) -> float:
    """σ_w² on the critical line χ₁ = 1 at this σ_b² (χ₁ increases with σ_w²)."""
    low, high = 0.5, 8.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if tanh_fixed_point(middle, sb2)[1] < 1 else (low, middle)
    return (low + high) / 2


def tanh_kurtosis(q: float) -> float:
    """κ = E[tanh′⁴]/E[tanh′²]² at pre-activation variance q (finite_width.fluctuation_band's κ)."""
    return gaussian_mean(lambda h: tanh_derivative_sq(h) ** 2, q) / gaussian_mean(tanh_derivative_sq, q) ** 2


def tanh_jensen_gap(q: float) -> float:
    """ln E[tanh′(h)²] − E[ln tanh′(h)²], h ~ N(0, q): one tanh layer's contribution to the isometry gap."""
    return math.log(gaussian_mean(tanh_derivative_sq, q)) - gaussian_mean(lambda h: np.log(tanh_derivative_sq(h)), q)


def _digamma_half(k: int) -> float:
    """ψ(k/2) for a positive integer k (ψ(1) = −γ, ψ(½) = −γ − 2 ln 2, ψ(x + 1) = ψ(x) + 1/x)."""
    if k % 2 == 0:
        return -np.euler_gamma + sum(1 / j for j in range(1, k // 2))
    return -np.euler_gamma - 2 * math.log(2) + sum(2 / (2 * j - 1) for j in range(1, (k - 1) // 2 + 1))


def _trigamma_half(k: int) -> float:
    """ψ′(k/2) for a positive integer k (ψ′(1) = π²/6, ψ′(½) = π²/2, ψ′(x + 1) = ψ′(x) − 1/x²)."""
    if k % 2 == 0:
        return math.pi**2 / 6 - sum(1 / j**2 for j in range(1, k // 2))
    return math.pi**2 / 2 - sum(4 / (2 * j - 1) ** 2 for j in range(1, (k - 1) // 2 + 1))


def gaussian_log_det(n: int) -> tuple[float, float]:
    """Mean and variance of ln det(WᵀW) for an n×n W with i.i.d. N(0, 1/n) entries.

    nWᵀW is Wishart(n, I): ln det(nWᵀW) is a sum of n independent ln χ²_k, k = 1 … n, each with mean
    ψ(k/2) + ln 2 and variance ψ′(k/2) (the Bartlett decomposition of a Wishart matrix)."""
    mean = sum(_digamma_half(k) for k in range(1, n + 1)) + n * math.log(2) - n * math.log(n)
    variance = sum(_trigamma_half(k) for k in range(1, n + 1))
    return mean, variance
