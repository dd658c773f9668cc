"""Claims of docs/exploding/recurrent-networks.md, checked across seeds against theory."""

import math

import pytest

from gradbook.engine.backends import backend_installed
from tests.claims.float_rounding import product_error
from tests.conftest import CLAIM_SEEDS

STEPS = 50  # rnn_gradient_vs_lag: the first state is STEPS - 1 = 49 steps back


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize(("rho", "key"), [(0.8, "08"), (1.0, "10"), (1.2, "12")])
def test_linear_backward_signal_follows_rho_to_the_lag(published, seed, rho, key):
    # Linear SimpleRNN, U = ρQ with Q orthogonal: ∂L/∂h_{t−1} = ∂L/∂h_t Uᵀ and Uᵀ scales every vector's
    # norm by exactly ρ (all singular values are ρ), so log‖∂L/∂h_{T−lag}‖ is a line of slope log ρ and
    # the ratio over 49 steps is ρ⁴⁹ ("to float32 precision": 49 products of float32 roundings, ~1e-7 each,
    # stay far inside 1e-4).
    values = published("rnn_gradient_vs_lag", seed)
    assert values[f"linear_slope_{key}"] == pytest.approx(math.log(rho), abs=1e-3)
    assert values[f"linear_ratio_{key}"] == pytest.approx(rho ** (STEPS - 1), rel=1e-4)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tanh_never_exceeds_the_singular_value_bound(published, seed):
    # Each backward step multiplies by diag(tanh′) (entries in (0, 1]) and by Uᵀ, whose norm is σ_max = ρ
    # here, so ‖∂L/∂h_{T−lag}‖ ≤ ρ^lag ‖∂L/∂h_T‖ (Pascanu et al. 2013 with γ = 1). The count of
    # (ρ, lag) pairs above the bound must be 0, and at ρ = 0.8 the 49-step ratio at most 0.8⁴⁹; it is
    # positive because tanh′ > 0 everywhere.
    values = published("rnn_gradient_vs_lag", seed)
    assert values["tanh_pairs_above_bound"] == 0
    assert 0 < values["tanh_ratio_08"] <= 0.8 ** (STEPS - 1) * 1.0001


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_saturated_tanh_does_not_explode_at_rho_1_2(published, seed):
    # σ_max > 1/γ is necessary, not sufficient, for explosion: the state grows until tanh saturates, and
    # once the mean tanh′ falls below 1/ρ = 0.83 the product ρ·tanh′ per step is below 1 on average.
    # The first state's backward signal then stays below the last's (ratio < 1), far below the linear
    # network's 1.2⁴⁹ ≈ 7.6e3, and above 0 (tanh′ > 0).
    # Per step the signal is multiplied by ρ·‖diag(tanh′)·(unit vector)‖: at most ρ, and, when the signal is
    # spread over the units, about ρ·√E[tanh′²] ≥ ρ·E[tanh′] (Jensen). So the published mean per-step factor
    # over the 49 steps lies between ρ·E[tanh′] (3 % slack for the unevenly spread signal) and 1 (the page:
    # the signal shrank), and it is the 49th root of the published ratio.
    values = published("rnn_gradient_vs_lag", seed)
    mean_derivative = values["tanh_late_mean_derivative_12"]
    assert mean_derivative < 1 / 1.2
    assert mean_derivative < values["tanh_late_mean_derivative_08"] <= 1
    assert 0 < values["tanh_ratio_12"] < 1
    factor = values["tanh_per_step_factor_12"]
    assert 0.97 * 1.2 * mean_derivative <= factor < 1
    assert factor == pytest.approx(values["tanh_ratio_12"] ** (1 / (STEPS - 1)), rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_non_normal_kernel_with_rho_below_one_amplifies_first(published, seed):
    # U = Q [[λ, a], [0, λ]] Qᵀ, λ = 0.95, a = 1, Q a rotation: ρ(U) = λ but Uᵏ = Q [[λᵏ, kλᵏ⁻¹a], [0, λᵏ]] Qᵀ.
    # The spectral norm of a matrix lies between its largest entry and its Frobenius norm, so the
    # measured ‖∂h_T/∂x_{T−k}‖₂ = ‖Uᵏ‖₂ must lie in [kλᵏ⁻¹a, √(2λ²ᵏ + k²λ²ᵏ⁻²a²)], and its peak between the
    # peaks of those two, which are at k = −1/ln λ ≈ 19.5 (the measured peak lag within ±2 of it).
    values = published("non_normal_transient_growth", seed)
    lam, a, steps = 0.95, 1.0, 120
    entry = [k * lam ** (k - 1) * a for k in range(1, steps)]
    frobenius = [math.sqrt(2 * lam ** (2 * k) + (k * lam ** (k - 1) * a) ** 2) for k in range(1, steps)]
    assert max(entry) * (1 - 1e-5) <= values["measured_peak"] <= max(frobenius) * (1 + 1e-5)
    assert abs(values["measured_peak_lag"] - (-1 / math.log(lam))) <= 2
    assert entry[-1] * (1 - 1e-4) <= values["measured_last"] <= frobenius[-1] * (1 + 1e-4)
    # and the number of lags at which it is above 1 lies between the counts for those two bounds
    above = values["lags_above_one"]
    assert sum(e > 1 for e in entry) <= above <= sum(f > 1 for f in frobenius)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_one_step_amplification_is_the_largest_singular_value(published, seed):
    # One step back the Jacobian is U itself, so its norm is σ_max(U) = √((2λ² + a² + √((2λ² + a²)² − 4λ⁴)) / 2)
    # ≈ 1.574 for λ = 0.95, a = 1, not ρ = 0.95. The normal kernel λI with the same eigenvalues never
    # amplifies: ‖(λI)ᵏ‖ = λᵏ ≤ 0.95 for k ≥ 1.
    values = published("non_normal_transient_growth", seed)
    lam, a = 0.95, 1.0
    s = 2 * lam**2 + a**2
    sigma_max = math.sqrt((s + math.sqrt(s**2 - 4 * lam**4)) / 2)
    assert values["measured_first_step"] == pytest.approx(sigma_max, rel=1e-5)
    assert values["normal_peak_after_lag_0"] == pytest.approx(lam, rel=1e-5)


# The small probe on every backend (rnn_lag_probe_*): a 32-unit SimpleRNN, U = 1.2·Q with Q orthogonal,
# 50 steps, linear and tanh, with inputs, readout and kernels drawn with NumPy from the seed, so all
# three backends measure the same network.
PROBE_SNIPPETS = {backend: f"rnn_lag_probe_{backend}" for backend in ("tensorflow", "jax", "torch")}
PROBE_RHO, PROBE_LAGS = 1.2, (10, 25, 49)
# Same network, same inputs: the backends differ only in float32 rounding. Each step back multiplies by
# Uᵀ (32-term dot products, worst case 32·2⁻²⁴ ≈ 2e-6 relative) and for tanh by tanh′ of a state
# computed forward the same way (a few ulps of tanh, and the same 2e-6 per forward product). The linear
# backward pass never reads the states (φ′ = 1); for tanh the Jacobian products shrink along the
# sequence here (the ratios are below 1 from lag 10 on), so state errors are damped, not amplified.
# 49 steps forward and back: ≤ 2·49·2e-6 ≈ 2e-4 in the worst case; 1e-3 leaves a factor 5 and still
# catches another kernel, input or loss.
PROBE_AGREEMENT = 1e-3


def _probe_backends(include_tensorflow: bool = True) -> list:
    return [
        pytest.param(backend, marks=pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} not installed"))
        for backend in PROBE_SNIPPETS
        if include_tensorflow or backend != "tensorflow"
    ]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _probe_backends())
def test_probe_linear_follows_rho_to_the_lag_on_every_backend(published, backend, seed):
    # Uᵀ scales every vector's norm by exactly ρ = 1.2, so the linear ratio is 1.2^lag. Each step back
    # is one product with Uᵀ in float32: ≤ 32·2⁻²⁴ ≈ 2e-6 relative in the worst case, ~√32·6e-8 ≈ 3e-7
    # when the roundings' signs are independent. 49 steps: ≤ 1e-4 only if every rounding has the same
    # sign, ~√49·3e-7 ≈ 2e-6 typically; 1e-4 holds both, and a wrong ρ (1.19 instead of 1.2: a third lower at lag 49)
    # or a wrong lag is far outside it.
    # On a GPU where the backend rounds products to TF32 (tests/claims/float_rounding.py) each step adds
    # up to 2·2⁻¹¹ ≈ 1e-3: ≤ lag·1e-3, still far from a wrong ρ (1.19: 9 % lower already at lag 10).
    values = published(PROBE_SNIPPETS[backend], seed)
    step = _probe_step_error(published, backend, seed)
    assert values["backend"] == backend
    assert values["rho"] == PROBE_RHO
    for lag in PROBE_LAGS:
        assert values[f"linear_ratio_lag_{lag}"] == pytest.approx(PROBE_RHO**lag, rel=max(1e-4, lag * step))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _probe_backends())
def test_probe_tanh_stays_below_the_singular_value_bound_on_every_backend(published, backend, seed):
    # |tanh′| ≤ 1 and σ_max(U) = 1.2: each step back multiplies the norm by at most 1.2, so the tanh
    # ratio is ≤ 1.2^lag at every lag (Pascanu et al. 2013, §2.1), up to float32 rounding (1e-4).
    values = published(PROBE_SNIPPETS[backend], seed)
    step = _probe_step_error(published, backend, seed)
    if step < 1e-5:  # the snippet counts lags above the bound with float32 in mind (none on the CPU)
        assert values["tanh_lags_above_bound"] == 0
    for lag in PROBE_LAGS:
        assert 0 < values[f"tanh_ratio_lag_{lag}"] <= PROBE_RHO**lag * (1 + max(1e-4, lag * step))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _probe_backends(include_tensorflow=False))
def test_probe_measures_the_same_signal_on_jax_and_pytorch_as_on_tensorflow(published, backend, seed):
    # Same network: every published norm and ratio agrees within PROBE_AGREEMENT (argued above). The
    # reference must itself follow 1.2^lag, so that agreement of two corrupted scales cannot pass.
    reference = published(PROBE_SNIPPETS["tensorflow"], seed)
    values = published(PROBE_SNIPPETS[backend], seed)
    assert values["backend"] == backend and reference["backend"] == "tensorflow"
    keys = ["signal_at_lag_0", f"linear_signal_lag_{PROBE_LAGS[-1]}", f"tanh_signal_lag_{PROBE_LAGS[-1]}"]
    keys += [f"{activation}_ratio_lag_{lag}" for activation in ("linear", "tanh") for lag in PROBE_LAGS]
    # Where either run rounded to TF32, the same argument gives 2·49 steps of both runs' step errors.
    steps = _probe_step_error(published, backend, seed) + _probe_step_error(published, "tensorflow", seed)
    agreement = max(PROBE_AGREEMENT, 2 * PROBE_LAGS[-1] * steps)
    for key in keys:
        assert values[key] == pytest.approx(reference[key], rel=agreement), key
    reference_step = _probe_step_error(published, "tensorflow", seed)
    assert reference[f"linear_ratio_lag_{PROBE_LAGS[-1]}"] == pytest.approx(
        PROBE_RHO ** PROBE_LAGS[-1], rel=max(1e-4, PROBE_LAGS[-1] * reference_step))


def _probe_step_error(published, backend: str, seed: int) -> float:
    """Worst-case relative error of one step back (a 32-term product with Uᵀ) on the run's device."""
    return product_error(backend, published.device(PROBE_SNIPPETS[backend], seed), terms=32)
