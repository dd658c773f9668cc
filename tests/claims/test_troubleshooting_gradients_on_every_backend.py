"""Claims of docs/troubleshooting/gradients-on-every-backend.md (and the backend tabs of
docs/vanishing/why-sigmoid-gradients-vanish.md and docs/troubleshooting/gradient-clipping-in-keras.md),
checked on TensorFlow, JAX and PyTorch across seeds against theory.

The backends draw different random numbers from the same seed (TensorFlow's, JAX's and PyTorch's
generators differ), so the gradient-norm snippets build different networks on each backend: each
is compared with mean-field theory, not with the others. The clipping snippets draw their weights
and data with NumPy, so there all three backends start from the same numbers and are compared
with one another.
"""

import math

import pytest

from gradbook.engine.backends import backend_installed
from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

DEPTH, WIDTH = 10, 64  # layer_gradient_norms*: the signal crosses DEPTH − 1 = 9 layers
GRADIENT_SNIPPETS = {
    "tensorflow": "layer_gradient_norms",
    "jax": "layer_gradient_norms_jax",
    "torch": "layer_gradient_norms_torch",
}
CLIPPING_SNIPPETS = {backend: f"clipped_train_step_{backend}" for backend in ("tensorflow", "jax", "torch")}
# Glorot at fan_in = fan_out = 64: n·Var(w) = 1 within 1.06 at 4σ (see test_why_sigmoid_gradients_vanish),
# σ′ ≤ ¼ caps χ at 1.06/16, and z ~ N(0, ≤ 1.06) keeps it above 0.04.
CHI_LOW, CHI_HIGH = 0.04, 1.06 / 16
# The clip multiplies by THRESHOLD/‖g‖ with ‖g‖ summed in float32 over the 1 105 weights of the
# clipping MLP (16·16·4 + 16·4 + 16 + 1): a sum of n terms carries relative error ≤ n·2⁻²⁴ ≈ 6.6e-5,
# halved by the square root. 1e-4 covers that worst case and the float64 re-measurement.
CLIP_TOLERANCE = 1e-4
# The clipping runs start from identical weights and data; the backends differ only in the order in
# which float32 sums are taken (XLA's fusions on JAX, Eigen/oneDNN on TensorFlow, ATen on PyTorch), a
# relative 1e-7 per operation. Each clipped step has the fixed length learning rate × threshold, so a
# rounding difference tilts each step by ~1e-7 and 60 steps add up to ~1e-5 at most unless a ReLU
# unit sits within rounding of its kink and flips; 1e-4 leaves a factor 10 over that and still
# catches a backend that trained differently (another clip, another learning rate, another loss).
SAME_RUN_TOLERANCE = 1e-4


def _backends(names: dict) -> list:
    return [
        pytest.param(backend, marks=pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} not installed"))
        for backend in names
    ]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(GRADIENT_SNIPPETS))
def test_sigmoid_backward_signal_vanishes_as_mean_field_predicts_on_every_backend(published, backend, seed):
    # The same network on each backend: χ = n·Var(w)·E[σ′²] lies in [0.04, 1.06/16], the measured
    # per-layer factor matches √χ from the same network within the finite-width band to the 1/9
    # (0.95·64 degrees of freedom for a sigmoid, Schoenholz et al. 2017; Hanin 2018), so the first/last
    # backward-signal ratio is √χ⁹ within the band: between 0.04^4.5 and (1.06/16)^4.5, about 10⁻⁶.
    values = published(GRADIENT_SNIPPETS[backend], seed)
    assert CHI_LOW <= values["sigmoid_chi"] <= CHI_HIGH
    band = fluctuation_band(WIDTH * 0.95, DEPTH - 1)
    ratio = values["sigmoid_signal_factor"] / values["sigmoid_predicted_signal_factor"]
    assert band ** (-1 / (DEPTH - 1)) <= ratio <= band ** (1 / (DEPTH - 1))
    half_depth = (DEPTH - 1) / 2
    assert CHI_LOW**half_depth / band <= values["sigmoid_signal_ratio"] <= CHI_HIGH**half_depth * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(GRADIENT_SNIPPETS))
def test_sigmoid_kernel_gradients_vanish_with_the_signal_on_every_backend(published, backend, seed):
    # ∂L/∂W_l = h_{l−1}ᵀ δ_l: as argued in test_why_sigmoid_gradients_vanish, the kernel ratio is the
    # signal ratio within 10× either way, so it is ≤ 10·(1.06/16)^4.5 ≈ 5e-5.
    values = published(GRADIENT_SNIPPETS[backend], seed)
    assert 0.1 <= values["sigmoid_ratio"] / values["sigmoid_signal_ratio"] <= 10
    assert values["sigmoid_ratio"] <= 10 * CHI_HIGH ** ((DEPTH - 1) / 2)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(GRADIENT_SNIPPETS))
def test_relu_with_he_keeps_the_backward_signal_of_order_one_on_every_backend(published, backend, seed):
    # He et al. (2015): χ = 1 on average, so the first/last ratio is log-normal around 1 (Hanin 2018)
    # within the band for ReLU (0.4·64 degrees of freedom), and within the same band of the
    # mean-field value from the same network's active units.
    values = published(GRADIENT_SNIPPETS[backend], seed)
    band = fluctuation_band(WIDTH * 0.4, DEPTH - 1)
    assert 1 / band <= values["relu_signal_ratio"] <= band
    assert 1 / band <= values["relu_signal_ratio"] / values["relu_predicted_signal_ratio"] <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(GRADIENT_SNIPPETS))
def test_tanh_backward_signal_follows_mean_field_on_every_backend(published, backend, seed):
    # tanh + Glorot: the first/last ratio against √(χ₂⋯χ₁₀) within the band (0.75·64 degrees of
    # freedom); the prediction itself is of order one (χ a little below 1): between 0.1 and 1.
    values = published(GRADIENT_SNIPPETS[backend], seed)
    band = fluctuation_band(WIDTH * 0.75, DEPTH - 1)
    assert 1 / band <= values["tanh_signal_ratio"] / values["tanh_predicted_signal_ratio"] <= band
    assert 0.1 <= values["tanh_predicted_signal_ratio"] <= 1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(CLIPPING_SNIPPETS))
def test_clipping_caps_the_global_norm_at_the_threshold_on_every_backend(published, backend, seed):
    # The gradient explodes (kernels of standard deviation 1 in a 4-hidden-layer ReLU MLP), so every
    # raw global norm exceeds the threshold and every clipped one equals it up to float32 rounding.
    values = published(CLIPPING_SNIPPETS[backend], seed)
    assert values["min_pre_clip_norm"] > values["threshold"]
    assert abs(values["max_post_clip_norm"] - values["threshold"]) <= CLIP_TOLERANCE * values["threshold"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(CLIPPING_SNIPPETS))
def test_clipped_training_reduces_the_loss_on_every_backend(published, backend, seed):
    # The page says clipped SGD trains, slowly: 60 steps of fixed length 0.1 lower the loss, while
    # the raw gradient stays far above the threshold (the cause is not removed).
    values = published(CLIPPING_SNIPPETS[backend], seed)
    assert values["final_loss"] < values["first_loss"]
    assert values["min_pre_clip_norm"] > 10 * values["threshold"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends({"jax": None, "torch": None}))
def test_the_same_clipped_run_on_jax_and_pytorch_as_on_tensorflow(published, backend, seed):
    # Same weights, same data, same steps: the first raw gradient norm agrees to float32 rounding and
    # the loss after training within SAME_RUN_TOLERANCE (argued above). The loss must also have fallen,
    # so that agreement on a corrupted scale cannot pass.
    reference = published(CLIPPING_SNIPPETS["tensorflow"], seed)
    values = published(CLIPPING_SNIPPETS[backend], seed)
    assert values["first_pre_clip_norm"] == pytest.approx(reference["first_pre_clip_norm"], rel=CLIP_TOLERANCE)
    assert values["final_loss"] == pytest.approx(reference["final_loss"], rel=SAME_RUN_TOLERANCE)
    assert values["final_loss"] < values["first_loss"] and reference["final_loss"] < reference["first_loss"]
    assert values["backend"] == backend and reference["backend"] == "tensorflow"
