"""Claims of docs/transformers/residual-scaling.md, checked across seeds against theory.

transformer_residual_scaling: a 12-block pre-LN encoder of width 32 at Keras's default initialisation,
probed once, then probed again after the attention output projection and the FFN's second kernel in
every block are multiplied by α = 1/√(2N), N = 12 blocks (GPT-2's rule, 2N = 24 residual layers).

Mean field for a pre-LN stream: each branch reads LN(h), so what it adds has a variance v_s fixed by
its own weights and is uncorrelated with h at initialisation; σ²_l = e² + Σ_{s ≤ 2l} v_s, with
e² = 2 × 0.1²/12 = 1/600 the embedding's variance (token plus position, U(−0.05, 0.05) each).
"""

import math

import pytest

from tests.claims.attention_gains import attention_gains
from tests.conftest import CLAIM_SEEDS

BLOCKS = 12
ALPHA = 1 / math.sqrt(2 * BLOCKS)  # the theory's scale, not the published one: corruption cannot move it
# Mean-field gains of one attention sublayer of this model (width 32, 4 heads, 16 positions), NumPy Monte Carlo.
ATTENTION = attention_gains(32, heads=4, positions=16, draws=50, batch=32)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_default_stream_variance_grows_with_depth(published, seed):
    # Constant per-branch variance v gives σ²_12/σ²_6 = (e² + 24v)/(e² + 12v) ≈ 2 (e² ≪ v). The page says
    # the measured ratio exceeds 2 because attention adds more as tokens become alike: the attention
    # branch's variance rises from about v_V/16 (averaging 16 independent positions) toward v_V (identical
    # positions), so per-block variance is non-decreasing but bounded by its final value. Non-decreasing
    # gives ≥ 2; a per-block variance growing at most in proportion to depth gives ≤ Σ_1^12 l / Σ_1^6 l
    # = 78/21 ≈ 3.7. A 30 % margin below 2 for one batch's finite-width noise: [1.4, 3.7].
    values = published("transformer_residual_scaling", seed)
    assert 1.4 <= values["default_variance_last_over_half"] <= 3.7
    # Over 12 blocks the stream's rms grows well beyond its value after block 1 (√12 ≈ 3.5 for constant v).
    assert 2 <= values["default_rms_growth"] <= 12


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_scaled_projections_shrink_the_stream_by_one_over_root_2n(published, seed):
    # Scaled: σ²_s = e² + α²S; default: σ²_u = e² + S, S = Σ v_s ≥ 24 × 0.1 here, so the embedding raises
    # (σ_s/σ_u)² above α² by at most e²/(α²S) ≈ 0.0017/(0.042 × 2.4) ≈ 2 %: upward, +10 % is ample.
    # Downward, two effects of the scaled stream's small size in the first blocks (variance ≈ 0.02 after
    # block 1): LayerNorm's ε = 10⁻³ shrinks what the next branches read (≈ 3 %), and the embedding's
    # token-specific part (≈ 10 % of that variance) keeps tokens less alike, so attention, which averages
    # over positions, adds less. Together they compound over the early blocks; allow −20 %.
    values = published("transformer_residual_scaling", seed)
    assert 0.8 * ALPHA <= values["scaled_over_default_rms_last"] <= 1.1 * ALPHA


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_scaling_multiplies_the_backward_signal_by_root_2n(published, seed):
    # The read-out sees the last stream through a LayerNormalization, whose Jacobian is (1/σ)·(projection):
    # a stream α times smaller receives a backward signal 1/α times larger. So the signal's ratio is the
    # inverse of the stream's: within [1/1.1, 1/0.8]/α by the test above, and the product of the two
    # ratios is 1 up to the change in ∂loss/∂(LN output), i.e. in the loss itself (a few per cent): ±10 %.
    values = published("transformer_residual_scaling", seed)
    assert 0.9 / ALPHA <= values["scaled_over_default_signal_last"] <= 1.25 / ALPHA
    assert 0.9 <= values["scaled_over_default_signal_last"] * values["scaled_over_default_rms_last"] <= 1.1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_scaling_leaves_the_backward_profile_and_the_loss_nearly_unchanged(published, seed):
    # The same scale invariance: every branch reads LN(h), so only the embedding's and ε's share of the
    # scaled stream (5–15 % of its variance in the first blocks, next to nothing later) changes what the
    # network computes. The loss is dominated by the later blocks: ±10 %. The first/last signal ratio is a
    # product of the first blocks' gains 1 + χ/σ², each moved by up to that 15 %, over the two or three
    # blocks where it is not negligible: ±40 %.
    values = published("transformer_residual_scaling", seed)
    assert 1 / 1.4 <= values["scaled_signal_first_over_last"] / values["default_signal_first_over_last"] <= 1.4
    assert 0.9 <= values["scaled_loss"] / values["default_loss"] <= 1.1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_pre_ln_backward_signal_grows_toward_the_input_less_than_the_stream(published, seed):
    # Backward, each sublayer multiplies the squared signal by 1 + χ/σ² (χ the branch's backward gain),
    # forward the variance by 1 + v/σ². For ReLU FFNs χ = v, so their factors cancel. Attention's χ and v are
    # not ordered in general (χ > v for a gradient that is the same at every position, as on the smaller
    # probe of this page). Here the cross-entropy gives each position its own target, so its gradients are
    # nearly independent across positions (two positions share a target with probability 1/16): mean field
    # χ_A ≈ 0.35 (tests/claims/attention_gains.py, 4 heads, 16 positions). Forward, v_A ≈ 0.16 for independent
    # positions, and more when positions are alike (each query averages correlated values), so 0.16 is a
    # lower bound on v_A. With the per-block variance non-decreasing (first test), σ²_l ≥ l(σ²_1 − e²), and
    # (1 + χ/σ²)/(1 + v/σ²) falls with σ²: ‖∂L/∂h_1‖/‖∂L/∂h_12‖ ≤ (σ_12/σ_1) · √Π_{l=1}^{11} of it at
    # σ²_l = l(σ²_1 − e²), ≈ 1.7 × the stream's growth, +20 % for one batch. Below, χ ≥ 0 on every sublayer
    # gives ≥ 1, −20 % for the LNs' projections and one batch. (The page's "less than the stream" is the
    # measurement, which the faster-than-linear growth of the first test suggests: positions grow alike.)
    values = published("transformer_residual_scaling", seed)
    embedding = 1 / 600
    sigma_1_squared = (values["default_rms_last"] / values["default_rms_growth"]) ** 2
    excess = math.prod((1 + ATTENTION["chi_independent"] / (l * (sigma_1_squared - embedding)))
                       / (1 + ATTENTION["v"] / (l * (sigma_1_squared - embedding))) for l in range(1, BLOCKS))
    assert values["default_rms_first"] == pytest.approx(math.sqrt(sigma_1_squared), rel=1e-6)
    assert 0.8 <= values["default_signal_first_over_last"] <= 1.2 * math.sqrt(excess) * values["default_rms_growth"]
