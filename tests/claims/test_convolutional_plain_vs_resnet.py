"""Claims of docs/convolutional/plain-vs-resnet.md, checked across seeds against theory.

Finite-width noise in a conv stack. A convolution shares its weights across pixels, so the number of
independent directions that set one layer's gain is the number of channels, n = 16, not the number of
pixels. Hanin (2018) and Hanin & Rolnick (2018): for ReLU the log of a squared norm changes per layer by
a variable of variance at most v = 5/n (one input; a batch and the pixels average part of it away), with
mean −v/2 so that the mean-field expectation holds on average. Over k layers the log of a norm (half the
squared norm) has standard deviation ≤ ½·√(v·k), and a typical network sits below the mean-field value by
up to k·v/4 in that log. cnn_conv_fan_in reports the geometric mean of 4 independent networks, which
halves the standard deviation.

Borders: with padding="same" an edge pixel sees 6 of its 9 neighbours and a corner pixel 4. A uniform
mean-square map loses 1 − (14²·9 + 4·14·6 + 4·4)/(16²·9) = 8.2 % of its mass in one 3×3 layer on 16×16,
and the slowest-decaying map loses 1 − (1 + 2cos(π/17))²/9 = 2.25 %, the top eigenvalue of the
zero-padded 3×3 box sum divided by 9. So per layer the mean square falls by a factor in [0.918, 0.9775]
on top of the interior gain.
"""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

CHANNELS = 16
V = 5 / CHANNELS  # per-layer variance of the log squared gain, upper bound (Hanin 2018)
BORDER_LOW, BORDER_HIGH = 0.918, 0.9775  # per-layer mean-square loss at the 16×16 border (see above)
NETWORKS = 4  # cnn_conv_fan_in averages the logs of 4 networks


def typical_band(layers: int) -> tuple[float, float]:
    """(low, high) factors on a geometric mean of NETWORKS networks' norm ratios over `layers` layers:
    the Jensen drift down to −layers·V/4 in the log, and three standard deviations ½·√(V·layers)/√NETWORKS."""
    spread = 3 * 0.5 * math.sqrt(V * layers) / math.sqrt(NETWORKS)
    return math.exp(-layers * V / 4 - spread), math.exp(spread)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_normal_keeps_the_forward_rms_up_to_the_border_loss(published, seed):
    # He: fan_in·Var(w)/2 = 1 per layer in the interior, times the border loss in [0.918, 0.9775] in the
    # mean square, so the rms factor per layer over layers 2..20 lies in [√0.918, √0.9775] × the
    # per-layer share of typical_band(18).
    low, high = typical_band(18)
    factor = published("cnn_conv_fan_in", seed)["he_rms_factor"]
    assert math.sqrt(BORDER_LOW) * low ** (1 / 18) <= factor <= math.sqrt(BORDER_HIGH) * high ** (1 / 18)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_uniform_loses_root_half_per_layer(published, seed):
    # glorot_uniform: Var(w) = 2/(fan_in + fan_out), so fan_in·Var(w)/2 = fan_in/(fan_in + fan_out) = ½ for
    # C_in = C_out: the rms falls by √½ per layer, times the same border loss and finite-width band.
    low, high = typical_band(18)
    factor = published("cnn_conv_fan_in", seed)["glorot_rms_factor"]
    assert math.sqrt(0.5 * BORDER_LOW) * low ** (1 / 18) <= factor <= math.sqrt(0.5 * BORDER_HIGH) * high ** (1 / 18)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_over_glorot_after_twenty_layers(published, seed):
    # Per layer the mean-square gains differ by (fan_in + fan_out)/fan_in: 171/27 in layer 1 (C_in = 3),
    # 2 in layers 2..20; the border loss is the same operator for both and cancels. Predicted rms ratio
    # √(171/27)·2^9.5 ≈ 1.8e3. Two independent sets of networks: the log spreads add in quadrature,
    # √2 × the 20-layer standard deviation; the Jensen drift is the same for both and cancels.
    predicted = math.sqrt(171 / 27) * 2**9.5
    spread = math.sqrt(2) * 3 * 0.5 * math.sqrt(V * 20) / math.sqrt(NETWORKS)
    ratio = published("cnn_conv_fan_in", seed)["he_over_glorot_rms_last"]
    assert predicted * math.exp(-spread) <= ratio <= predicted * math.exp(spread)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_backward_signal_follows_the_same_gains(published, seed):
    # Backward, the squared signal is multiplied by fan_out·Var(w)/2 per layer: 1 for He, ½ for Glorot
    # (C_in = C_out in layers 2..20), with the border loss in [0.918, 0.9775] for each of the 19 steps
    # from h_20 to h_1, and the finite-width band over 19 layers.
    low, high = typical_band(19)
    values = published("cnn_conv_fan_in", seed)
    border_low, border_high = BORDER_LOW ** 9.5, BORDER_HIGH ** 9.5
    assert border_low * low <= values["he_signal_ratio"] <= border_high * high
    assert 2**-9.5 * border_low * low <= values["glorot_signal_ratio"] <= 2**-9.5 * border_high * high


# cnn_plain_vs_resnet: a stem (conv, BN, ReLU), then 20 conv layers as 10 plain pairs or 10 basic blocks.


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_zero_gamma_blocks_are_exactly_the_identity(published, seed):
    # With γ = 0 the last BN outputs β = 0, so s_l = h_{l−1} = h_0 for every block: the stream's rms is the
    # same number at every block, and ∂L/∂s_l is the same tensor (the branch passes back γ·(…) = 0). The
    # stem's ReLU of a batch-standardised channel has mean square ½ for a symmetric distribution: √½ ± 5 %
    # for the finite batch and BN's ε. No gradient reaches any branch kernel: exactly 0.
    values = published("cnn_plain_vs_resnet", seed)
    assert abs(values["gamma0_signal_ratio"] - 1) <= 1e-5
    assert abs(values["gamma0_rms_last"] / values["gamma0_rms_first"] - 1) <= 1e-6
    assert 0.95 * math.sqrt(0.5) <= values["gamma0_rms_first"] <= 1.05 * math.sqrt(0.5)
    assert values["gamma0_branch_kernel_gradient_max"] == 0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_plain_batchnorm_stack_grows_by_the_mean_field_factor(published, seed):
    # Conv → BN → ReLU: the squared backward signal grows by E[relu′²]/Var relu(y) = π/(π − 1) per layer
    # (the estimate of the normalisation page; BN removes the per-channel offset, so the division is by the
    # ReLU outputs' variance), times the border loss ≥ 0.918 in the backward pass. Finite width: BN's
    # backward pass subtracts each channel's mean gradient, the spatially coherent part, so each input
    # unit's gradient sums fan_out = 144 varied terms, as in a Dense layer of width 144: the shared band
    # with 0.4·144 degrees of freedom (ReLU), over the 18 layers from s_10 to s_1, per layer.
    predicted = math.sqrt(math.pi / (math.pi - 1))
    band = fluctuation_band(0.4 * 144, 18) ** (1 / 18)
    factor = published("cnn_plain_vs_resnet", seed)["plain_signal_factor"]
    assert predicted * math.sqrt(BORDER_LOW) / band <= factor <= predicted * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unit_gamma_stream_grows_by_about_one_per_block(published, seed):
    # γ = 1: s_l = h_{l−1} + b_l with b_l the last BN's output (unit mean square per channel, independent of
    # h_{l−1} at initialisation), so E[s_l²] = E[h_{l−1}²] + 1. With h_0 of mean square ½: E[s_1²] = 1.5.
    # Upper bound E[h²] ≤ E[s²] gives E[s_10²] ≤ 10.5; lower bound E[relu(s)²] ≥ E[s²]/2 (b symmetric and
    # independent of h ≥ 0) gives E[s_l²] ≥ E[s_{l−1}²]/2 + 1, i.e. ≥ 2 − 2^-9·0.5 ≈ 2 at block 10. BN fixes
    # each channel's batch variance, so only the batch's finite size (±5 %) widens the bounds.
    values = published("cnn_plain_vs_resnet", seed)
    assert 0.95 * math.sqrt(1.5) <= values["gamma1_rms_first"] <= 1.05 * math.sqrt(1.5)
    assert 0.95 * math.sqrt(2) <= values["gamma1_rms_last"] <= 1.05 * math.sqrt(10.5)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unit_gamma_backward_signal_grows_but_less_than_the_plain_stack(published, seed):
    # γ = 1: a block multiplies the squared signal by 1 + c_l on average, c_l ≈ (π/(π − 1))/Var(h_{l−1}):
    # the branch's first BN divides by the stream's spread, which grows with l, so c_l shrinks like 1/l
    # and the product grows like a power of depth, not exponentially; the ReLU masks on the stream take a
    # little back. So 1 < ratio, and the ratio stays below the plain stack's π/(π − 1)^(18/2) growth over
    # the same 18 conv layers (each of whose factors has c = π/(π − 1) − 1 with no identity term to dilute).
    values = published("cnn_plain_vs_resnet", seed)
    assert 1 < values["gamma1_signal_ratio"] < values["plain_signal_ratio"]
