"""Claims of docs/convolutional/normalisation-in-cnns.md, checked across seeds against theory.

BN before a ReLU multiplies the squared backward signal by E[relu′(y)²] / Var relu(y) = π/(π − 1) per
layer (mean field; the derivation is on docs/remedies/normalisation.md, the exponential growth is the
theorem of Yang et al. 2019). Two corrections for 16×16 conv layers with padding="same":

* Border loss: the zero-padded 3×3 backward pass loses between 2.25 % (the slowest-decaying map:
  1 − (1 + 2cos(π/17))²/9) and 8.2 % (a uniform map) of the squared signal per layer, so the norm factor
  lies in [√0.918, 1] × √(π/(π − 1)).
* Finite width: BN's backward pass subtracts each channel's batch-and-pixel mean of the gradient, which
  removes the spatially coherent part; what is left varies across pixels and examples, so each input
  unit's gradient sums fan_out = 9·16 = 144 independent-looking terms, as in a Dense layer of width 144.
  tests/claims/finite_width.py gives the band for ReLU: 0.4·n degrees of freedom per layer.
  Without normalisation the coherent part stays (every ReLU output has a positive mean common to all
  pixels), and only the 16 channels average it: Hanin's variance 5/16 per layer in the log squared gain,
  with the typical network up to layers·(5/16)/4 below the mean in the log norm.
"""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.conftest import CLAIM_SEEDS

DEPTH = 30  # cnn_batchnorm_conv_explosion: 29 steps from h_30 to h_1
BN_RELU = math.sqrt(math.pi / (math.pi - 1))
BORDER_LOW = 0.918


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("key", ["bn_factor", "bn_batch2_factor"])
def test_batchnorm_conv_stack_grows_by_the_mean_field_factor(published, seed, key):
    # Per layer: √(π/(π − 1)) × [√0.918, 1] border loss × the per-layer share of the width-144 band.
    # Batch 2 still gives 2·16·16 = 512 values per channel for BN's statistics: the same large-batch limit.
    band = fluctuation_band(0.4 * 144, DEPTH - 1) ** (1 / (DEPTH - 1))
    factor = published("cnn_batchnorm_conv_explosion", seed)[key]
    assert BN_RELU * math.sqrt(BORDER_LOW) / band <= factor <= BN_RELU * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_conv_stack_grows_by_more_than_tenfold_over_thirty_layers(published, seed):
    # Over 29 layers the lowest factor allowed above, (1.211·√0.918/1.053)^29 ≈ 17, is still > 10.
    assert published("cnn_batchnorm_conv_explosion", seed)["bn_signal_ratio"] >= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_he_conv_stack_without_normalisation_is_nearly_flat(published, seed):
    # He: fan_out·Var(w)/2 = 1 per layer, times the border loss; one 16-channel network: per-layer share
    # of three standard deviations ½·√(29·5/16) and the Jensen drift 29·(5/16)/4 in the log.
    v = 5 / 16
    spread = 3 * 0.5 * math.sqrt(v * (DEPTH - 1)) / (DEPTH - 1)
    factor = published("cnn_batchnorm_conv_explosion", seed)["plain_factor"]
    assert math.sqrt(BORDER_LOW) * math.exp(-v / 4 - spread) <= factor <= math.exp(spread)


# cnn_small_batch_norms: 4 × (Conv2D(16) → norm → ReLU) on images whose brightness (sd 1 per channel)
# and contrast (log-normal, sd 0.5) vary per image, against a within-image pixel spread of about 1.


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_per_example_norms_do_not_depend_on_the_batch(published, seed):
    # GroupNorm, LayerNorm and RMSNorm compute each example's statistics from that example alone: the
    # output and the gradient are the same whatever the batch, up to float32 rounding (~1e-7 relative).
    values = published("cnn_small_batch_norms", seed)
    assert values["other_mismatch_max"] <= 1e-5
    assert values["other_spread_max"] <= 1e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_output_and_gradient_depend_on_the_batch_by_order_one(published, seed):
    # A batch's channel mean is the mean over B images of per-image means whose spread (brightness, sd 1)
    # is as large as the pixels' own spread, so at small B the normalised values move by O(1) of their
    # spread against the population statistics, and A's gradient moves with its companions by O(1) of its
    # size. "Of order one" is taken as between 5 % and 300 %: a twentieth to three times.
    values = published("cnn_small_batch_norms", seed)
    for key in ("bn_mismatch_batch2", "bn_mismatch_batch16", "bn_spread_batch2"):
        assert 0.05 <= values[key] <= 3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_batchnorm_gradient_spread_falls_with_batch_size(published, seed):
    # The batch mean around A has variance (B − 1)·σ²/B² over the companions: that part of the spread
    # scales like √(B − 1)/B (2 → 16: a factor 2.1); any part that shrinks more slowly makes the factor
    # smaller. Each spread comes from 8 draws
    # (relative error ≈ 1/√14), so [1, 10] is the claim "falls, by a factor of a few at most".
    values = published("cnn_small_batch_norms", seed)
    assert 1 <= values["bn_spread_batch2"] / values["bn_spread_batch16"] <= 10
