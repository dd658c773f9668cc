"""Claims of docs/troubleshooting/log-gradient-norms-during-fit.md, measured by log_gradient_norms_train_step
and, on TensorFlow, JAX and PyTorch, by gradient_monitor_fit_*."""

import pytest

from gradbook.engine.backends import backend_installed
from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

FLOAT16_SMALLEST_SUBNORMAL = 2.0**-24


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_backward_signal_falls_by_nine_layers_of_root_chi(published, seed):
    # Between hidden layers 10 and 1 the backward signal crosses 9 layers that each scale its norm
    # by √χ, χ = n·Var(w)·E[σ′²] ∈ [0.04, 0.066] for sigmoid + Glorot at width 32 (derivation in
    # test_signs_in_your_model.py): per layer [0.2, 0.26], ±10 % for finite width, so the ratio
    # lies in [0.18⁹, 0.29⁹] ≈ [2e-7, 1.5e-5] at every one of the steps.
    assert 2e-7 <= published("log_gradient_norms_train_step", seed)["sigmoid_signal_ratio_max"] <= 1.5e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_he_backward_signal_stays_of_order_one(published, seed):
    # He normal + ReLU: χ = 2 · ½ = 1 per layer (He et al. 2015); finite-width fluctuations of
    # ±10 % per layer over 9 layers, and 24 steps of training, keep the smallest ratio in [0.1, 10].
    values = published("log_gradient_norms_train_step", seed)
    assert 0.1 <= values["relu_signal_ratio_min"] <= 10
    # "Kernel gradients of the same order": a kernel gradient is (its input)ᵀ × (backward signal);
    # He keeps both the forward activations and the backward signal at one scale from layer to
    # layer, so the first and last hidden kernels' medians agree within the same factor 10.
    assert 0.1 <= values["relu_first_layer_median"] / values["relu_last_hidden_median"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_first_layer_is_at_least_100x_smaller_than_relu_he(published, seed):
    # The backward signal at the sigmoid net's first layer is ≤ 1.5e-5 of its last (above), while
    # ReLU + He keeps it of order 1 and both last hidden layers receive gradients of the same order
    # (medians compared below): the first-layer kernel gradients differ by ≳ 1e4. 100× is two
    # orders of magnitude inside that, at every step.
    values = published("log_gradient_norms_train_step", seed)
    assert values["relu_first_layer_min"] >= 100 * values["sigmoid_first_layer_max"]
    assert values["relu_first_layer_median"] >= 100 * values["sigmoid_first_layer_median"]
    # "Last hidden layers of the same order": within a factor of 10 of each other.
    assert 0.1 <= values["sigmoid_last_hidden_median"] / values["relu_last_hidden_median"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_logged_norms_equal_directly_computed_ones(published, seed):
    # train_step and the direct GradientTape evaluate the same loss on the same batch with the
    # same weights and take the norm in float64; only the order of float32 operations can differ
    # (graph vs eager). A few roundings of ε = 2⁻²³ ≈ 1.2e-7 per layer over 11 layers stay below
    # 2e-6 relative; a logging bug (wrong layer, batch or scale) would be off by far more.
    values = published("log_gradient_norms_train_step", seed)
    assert values["relu_logged_vs_direct"] < 2e-6
    assert values["sigmoid_logged_vs_direct"] < 2e-6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_first_layer_gradient_elements_lie_below_float16_range(published, seed):
    # The premise of the mixed-precision check: the sigmoid net's first-layer gradient elements
    # (rms = norm / √(32·32)) are below float16's smallest subnormal, 2⁻²⁴ ≈ 6e-8. From the last
    # hidden kernel's gradient (≈ 0.05) times the kernel ratio (≤ 3e-5, signs page): norm ≤ 1.5e-6,
    # rms ≤ 1.5e-6 / 32 ≈ 5e-8.
    assert published("log_gradient_norms_train_step", seed)["first_kernel_element_rms"] < FLOAT16_SMALLEST_SUBNORMAL


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_scale_loss_keeps_float16_gradients_and_without_it_they_underflow(published, seed):
    # With scale_loss (×2¹⁵) the elements (≈ 1.5e-8 × 32768 ≈ 5e-4) are normal float16 numbers,
    # each rounded to 2⁻¹¹ ≈ 5e-4 relative, and the forward pass rounds the same way through ten
    # layers: the logged norm must match float32's within 1 %. Unscaled, every element is below
    # half the smallest subnormal or rounds to a handful of subnormal steps: the norm collapses to
    # under a tenth of the true one.
    values = published("log_gradient_norms_train_step", seed)
    assert values["mixed_vs_float32"] < 1e-2
    assert values["mixed_first_kernel"] == pytest.approx(values["float32_first_kernel"], rel=1e-2)
    assert values["unscaled_float16_first_kernel"] < 0.1 * values["float32_first_kernel"]


# The gradient monitor on every backend (gradient_monitor_fit_*): an 8-layer sigmoid MLP of width 32
# with Glorot uniform kernels drawn with NumPy from the seed, the same weights and batch on each
# backend, 20 full-batch SGD steps.
MONITOR_SNIPPETS = {backend: f"gradient_monitor_fit_{backend}" for backend in ("tensorflow", "jax", "torch")}
MONITOR_DEPTH, MONITOR_WIDTH = 8, 32
# Between hidden layers 8 and 1 the backward signal crosses the 7 layers 8…2, each scaling its norm by
# √χ with χ = n·Var(w)·E[σ′²] ∈ [0.04, 1.05/16] for sigmoid + Glorot (test_signs_in_your_model.py),
# times the finite-width band for a sigmoid (0.95·32 degrees of freedom over 7 layers, ≈ 2.8).
MONITOR_BAND = fluctuation_band(0.95 * MONITOR_WIDTH, MONITOR_DEPTH - 1)
MONITOR_SIGNAL_RATIO = (0.04 ** ((MONITOR_DEPTH - 1) / 2) / MONITOR_BAND,
                        (1.05 / 16) ** ((MONITOR_DEPTH - 1) / 2) * MONITOR_BAND)
# Same weights, same batch, same 20 steps: the backends differ only in the order and implementation of
# float32 operations. Each of the ~18 matrix products of a forward and backward pass (sums of 32 or 64
# terms) carries a relative error ≤ 64·2⁻²⁴ ≈ 4e-6 in the worst case, sigmoid and log a few ulps, so a
# norm at the first step differs by ≤ 18·4e-6 ≈ 7e-5; the sigmoid has no kink, so nothing flips, and
# 20 steps of lr 0.1 feed those differences back into the weights only at the same relative size.
# The last step's global norm and last kernel gradient are sums over examples that have cancelled by
# ≈ 250 (the output layer has fitted the labels' mean), which multiplies their relative error by
# ≈ 250: ≲ 2e-4 when the single-operation errors are ~1e-6. 1e-3 covers both and still catches another loss, batch or layer.
MONITOR_AGREEMENT = 1e-3


def _monitor_backends() -> list:
    return [
        pytest.param(backend, marks=pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} not installed"))
        for backend in MONITOR_SNIPPETS
    ]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _monitor_backends())
def test_monitor_logs_a_backward_signal_vanishing_by_seven_sigmoid_layers_on_every_backend(published, backend, seed):
    # "Seven layers of about ¼ each": the first/last hidden backward-signal ratio at the first step
    # (initial weights, where the mean-field argument holds) and its largest value over the 20 steps
    # lie in [0.04^3.5, (1.05/16)^3.5] widened by the band: ≈ [5e-6, 2e-4]. Twenty steps of lr 0.1 move
    # a hidden kernel by ≤ 20·0.1·0.27 ≈ 0.5 in Frobenius norm against its ≈ √32 ≈ 5.7, too little to
    # leave the band.
    values = published(MONITOR_SNIPPETS[backend], seed)
    assert values["backend"] == backend
    low, high = MONITOR_SIGNAL_RATIO
    assert low <= values["signal_hidden_1"] / values[f"signal_hidden_{MONITOR_DEPTH}"] <= high
    assert low <= values["signal_ratio_max"] <= high


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _monitor_backends())
def test_monitor_kernel_gradients_vanish_with_the_signal_on_every_backend(published, backend, seed):
    # ∂L/∂W_l = h_{l−1}ᵀ δ_l: the first kernel's input is x (E[x²] = 1), the last hidden one's a sigmoid
    # output (E[h²] between ¼ and 1), so the kernel ratio is the signal ratio times a factor within
    # 10× either way (as in test_why_sigmoid_gradients_vanish). Each layer's kernel gradient is at
    # least the first's: one layer's factor √χ ≤ 0.26 times its band (≈ 1.5) stays below 1 even with
    # layer 1's input twice as large.
    values = published(MONITOR_SNIPPETS[backend], seed)
    kernel_ratio = values["kernel_hidden_1"] / values[f"kernel_hidden_{MONITOR_DEPTH}"]
    signal_ratio = values["signal_hidden_1"] / values[f"signal_hidden_{MONITOR_DEPTH}"]
    assert 0.1 <= kernel_ratio / signal_ratio <= 10
    kernels = [values[f"kernel_hidden_{layer}"] for layer in range(1, MONITOR_DEPTH + 1)]
    assert all(earlier < later for earlier, later in zip(kernels, kernels[1:]))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _monitor_backends())
def test_monitor_run_lowers_the_loss_and_the_global_norm_on_every_backend(published, backend, seed):
    # Full-batch gradient descent on a smooth loss with a small step lowers it (descent lemma); the page
    # says the loss and the global norm both fall over the 20 steps, and that the first layer's kernel
    # gradient elements lie far above the ≈ 1.1e-19 (√ of float32's smallest normal, 1.2e-38) below
    # which their squares underflow: "far" read as at least 10⁴ times.
    values = published(MONITOR_SNIPPETS[backend], seed)
    assert values["last_loss"] < values["first_loss"]
    assert values["global_last_step"] < values["global_first_step"]
    assert values["kernel_hidden_1_element_rms"] > 1e-15


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", [param for param in _monitor_backends() if param.values[0] != "tensorflow"])
def test_monitor_logs_the_same_norms_on_jax_and_pytorch_as_on_tensorflow(published, backend, seed):
    # Same weights, batch and steps: every per-layer norm at the first step, the first layer's at the
    # last step and the global norms agree within MONITOR_AGREEMENT (argued above). The run must also
    # have trained, so that agreement of two corrupted scales cannot pass.
    reference = published(MONITOR_SNIPPETS["tensorflow"], seed)
    values = published(MONITOR_SNIPPETS[backend], seed)
    assert values["backend"] == backend and reference["backend"] == "tensorflow"
    keys = [f"kernel_hidden_{layer}" for layer in range(1, MONITOR_DEPTH + 1)]
    keys += ["global_first_step", "global_last_step", "kernel_hidden_1_last_step", f"kernel_hidden_{MONITOR_DEPTH}_last_step",
             f"signal_hidden_{MONITOR_DEPTH}_last_step", "signal_hidden_1", f"signal_hidden_{MONITOR_DEPTH}", "first_loss",
             "last_loss"]
    for key in keys:
        assert values[key] == pytest.approx(reference[key], rel=MONITOR_AGREEMENT), key
    assert values["last_loss"] < values["first_loss"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _monitor_backends())
def test_monitor_last_kernel_gradient_cancels_while_its_signal_stays_on_every_backend(published, backend, seed):
    # Per example, the backward signal at the last hidden layer is (p − y)·w_out·σ′(a): the outputs
    # start and stay near ½ (the last hidden layer's input is nearly the same for every example, see
    # below), so |p − y| ≈ ½ for every example throughout, and 20 steps of lr 0.1 barely move w_out:
    # the signal stays within a factor 2. The kernel gradient is Σ_b h₇,bᵀ δ_b = h̄₇ᵀ Σ_b δ_b plus the
    # examples' deviations from h̄₇. Forward differences between examples shrink through layers 2…7 by
    # the same per-layer factor √χ ≤ 0.26 as the backward signal (the same Jacobians): ≤ 0.26⁶ ≈ 3e-4.
    # And Σ_b δ_b ∝ Σ_b (p_b − y_b), which gradient descent drives to 0: the output bias and the output
    # kernel acting on h̄₇ (‖h̄₇‖² ≈ 32·¼) form a logit step of ≈ 0.1·(1 + 8) times the gradient, with
    # curvature p(1 − p) ≈ ¼, a contraction of ≈ 0.75 per step: 0.75²⁰ ≈ 3e-3 after 20 steps. At least
    # 10× is the page's "fallen", with a factor 30 to spare.
    # The signal's size itself: with a sigmoid output and binary cross-entropy averaged over B = 64
    # examples, ∂L/∂h₈,b = (p_b − y_b)/B · w_out, so its norm over the batch is rms(p − y)·‖w_out‖/√B.
    # w_out is Glorot uniform over (32, 1): ‖w_out‖² ≈ 32·(6/33)/3 ≈ 1.94 with relative std √(0.8/32)
    # ≈ 0.16, so ‖w_out‖ ∈ [1.0, 1.8] at 3σ; rms(p − y) lies in [0.1, 0.9] (logits of std ≈ 0.8 at the
    # start) and near √(ȳ(1 − ȳ)) ≤ ½ once p fits the labels' mean. Hence ‖∂L/∂h₈‖ ∈ [0.0125, 0.2].
    values = published(MONITOR_SNIPPETS[backend], seed)
    assert 0.0125 <= values[f"signal_hidden_{MONITOR_DEPTH}"] <= 0.2
    assert 0.0125 <= values[f"signal_hidden_{MONITOR_DEPTH}_last_step"] <= 0.2
    assert values[f"kernel_hidden_{MONITOR_DEPTH}_last_step"] < values[f"kernel_hidden_{MONITOR_DEPTH}"] / 10
    assert 0.5 <= values[f"signal_hidden_{MONITOR_DEPTH}_last_step"] / values[f"signal_hidden_{MONITOR_DEPTH}"] <= 2
