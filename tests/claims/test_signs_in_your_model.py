"""Claims of docs/vanishing/signs-in-your-model.md, measured by snippets/gradient_monitor_demo.py.

The GradientMonitor helper itself is tested against tf.GradientTape in tests/helpers/.
"""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

DEPTH, WIDTH = 10, 32


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_glorot_chi_is_far_below_one(published, seed):
    # χ = n·Var(w)·E[σ′(z)²]. Glorot uniform: Var(w) = 2/(fan_in + fan_out) = 1/n for a square
    # kernel, so n·Var(w) = 1 up to the sample variance of 1024 draws (±5 %). σ′ ≤ ¼ gives
    # E[σ′²] ≤ 1/16; the pre-activations z = W·h with h ∈ (0, 1) have variance ≤ n·Var(w) = 1, and
    # for z ~ N(0, 1) E[σ′(z)²] ≈ 0.045. Hence 0.04 ≤ χ ≤ 1.05/16 ≈ 0.066: far below 1, so Glorot
    # does not preserve a sigmoid stack's backward signal.
    chi = published("gradient_monitor_demo", seed)["sigmoid_chi"]
    assert 0.04 <= chi <= 1.05 / 16


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_he_chi_is_one(published, seed):
    # He normal: n·Var(w) = 2; ReLU's φ′ is 1 on the active half of the units, so χ = 2 · ½ = 1.
    # With 32 units × 128 samples per layer the active fraction is ½ within a few per cent, and
    # the sample Var(w) within ±5 %: 0.8 ≤ χ ≤ 1.25.
    chi = published("gradient_monitor_demo", seed)["relu_chi"]
    assert 0.8 <= chi <= 1.25


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("network", ["sigmoid", "relu"])
def test_measured_backward_factor_matches_the_square_root_of_chi(published, seed, network):
    # χ predicts the squared norm of the backward signal per layer, so its norm changes by √χ per
    # layer. At width 32 one layer's factor fluctuates by ≈ √(2/32) ≈ 25 % in χ (12 % in √χ);
    # the geometric mean over 9 layers shrinks that to ≈ 4 %, so the measured factor must lie
    # within [0.8, 1.25] × √χ (five standard deviations).
    values = published("gradient_monitor_demo", seed)
    assert 0.8 <= values[f"{network}_measured_factor"] / values[f"{network}_theory_factor"] <= 1.25


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_backward_signal_falls_by_nine_factors_of_root_chi(published, seed):
    # From hidden layer 10 back to 1 the signal crosses 9 layers of factor √χ ∈ [√0.04, √0.066]
    # = [0.2, 0.26] (above), ±10 % for finite width: [0.18^9, 0.29^9] ≈ [2e-7, 1.5e-5]. Five epochs
    # of SGD at η = 0.1 move the hidden kernels by < 2 % (the moved fractions), too little to
    # change that in any epoch.
    assert 2e-7 <= published("gradient_monitor_demo", seed)["sigmoid_worst_signal_ratio"] <= 1.5e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_backward_signal_first_over_last_stays_of_order_one(published, seed):
    # √χ ∈ [0.9, 1.1] per layer (above) over 9 layers: [0.39, 2.4]; the smallest over five epochs
    # of training may be lower, but not by a decade. Bounds [0.2, 5].
    assert 0.2 <= published("gradient_monitor_demo", seed)["relu_smallest_signal_ratio"] <= 5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_kernel_gradient_ratio_stays_below_a_hundredth_every_epoch(published, seed):
    # ∂L/∂W_l = h_(l-1)ᵀ (σ′ ⊙ ∂L/∂h_l): the kernel-gradient ratio is the backward-signal ratio
    # (≤ 1.5e-5, above) times the ratio of input scales (rms of x is 1, of a sigmoid output ≈ 0.5)
    # and of σ′ at the two layers (both ≈ ¼): at most ≈ 3e-5, far below the page's 1e-2.
    assert published("gradient_monitor_demo", seed)["sigmoid_worst_ratio"] < 1e-2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_kernel_ratio_understates_the_vanishing_signal(published, seed):
    # ∂L/∂W_l = Σ_batch h_(l-1) ⊗ (σ′ ⊙ ∂L/∂h_l). The first kernel's input x has rms 1 and differs
    # between samples; the last hidden kernel's input is a sigmoid output in (0, 1), nearly the
    # same for every sample, so per-sample signals partly cancel in its sum. Both effects make
    # the kernel-gradient ratio larger than the backward-signal ratio (factor > 1); the input
    # scales (≤ 2.5×) and cancellation over 128 samples (≤ √128 ≈ 11× for independent signs), times
    # the σ′ ratio (≤ 4×), bound it by ≈ 110, so below 300.
    factor = published("gradient_monitor_demo", seed)["sigmoid_kernel_over_signal"]
    assert 1 < factor < 300


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_kernel_gradient_ratio_stays_of_order_one(published, seed):
    # Same decomposition for ReLU + He: backward-signal ratio in [0.2, 5] times input scales of
    # the same order (He preserves the forward second moment): well within [0.1, 10].
    assert 0.1 <= published("gradient_monitor_demo", seed)["relu_smallest_ratio"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_network_learns_beyond_the_coin_flip_loss(published, seed):
    # With balanced labels (base rate 0.5 ± 0.03 on 512 samples) a model that ignores its input can
    # reach at best the base rate's cross-entropy, H(p) ≥ ln 2 − 2·0.03² ≈ ln 2 − 0.002. An epoch
    # loss more than 0.03 below ln 2 therefore uses the inputs; and it fell during training.
    values = published("gradient_monitor_demo", seed)
    assert values["relu_loss_last"] < math.log(2) - 0.03
    assert values["relu_loss_last"] < values["relu_loss_first"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_loss_plateaus_at_the_coin_flip_loss(published, seed):
    # Forward, each sigmoid layer scales differences between inputs by ≈ √χ ≈ 0.24 (above): after
    # ten layers the features reaching the output barely depend on the input, so it can learn only
    # the base rate, whose cross-entropy is within 0.002 of ln 2 (above). Five epochs of SGD bring
    # the output bias there from an initial loss within a few hundredths of ln 2: |loss − ln 2| ≤ 0.03.
    assert abs(published("gradient_monitor_demo", seed)["sigmoid_loss_last"] - math.log(2)) <= 0.03


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_early_layer_barely_moves(published, seed):
    # Plain SGD moves a kernel by η·Σ gradients, so the first/last ratio of relative movement
    # follows the kernel-gradient ratio (< 1e-2, above) times the ratio of kernel norms (≈ 1, both
    # 32×32 Glorot). ReLU + He moves its first layer by the same order as its last: its kernel-gradient ratio
    # is of order 1 in every epoch (the smallest lies in [0.1, 10], above) and both kernels are 32×32 He.
    values = published("gradient_monitor_demo", seed)
    assert values["sigmoid_first_moved"] < 1e-2 * values["sigmoid_last_moved"]
    assert 0.1 * values["relu_last_moved"] <= values["relu_first_moved"] <= 10 * values["relu_last_moved"]
