"""Claims of docs/transformers/post-ln-vs-pre-ln.md, "The same probe on TensorFlow, JAX and PyTorch".

transformer_ln_probe_{tensorflow,jax,torch}: 6 post-LN and 6 pre-LN blocks of width d = 32, two heads of
key_dim 16, a ReLU FFN 32 → 64 → 32, LN with ε = 10⁻³; kernels drawn with NumPy from the seed with Keras's
Glorot uniform limits (weight variance 2/(fan_in + fan_out)), zero biases, γ = 1, β = 0; input x of shape
(16, 8, 32) with unit-variance entries; L = mean over sequences and positions of r · h_6 (pre-LN: r · LN(h_6)).

Mean-field branch variances on a unit-rms input u (each branch of both stacks reads one):
- FFN: W₁u has variance 32·2/96 = 2/3, ReLU keeps half its second moment, 1/3; W₂ gives 64·(1/3)·2/96,
  so v_F = 4/9.
- Attention: the value projection has variance 32·2/64 = 1; a softmax row averages 8 positions with
  weights summing to 1, which leaves between 1/8 (uniform weights, uncorrelated values) and 1 (one-hot);
  the output projection (32 → 32, variance 2/64 per weight) keeps it. So v_A ∈ [1/8, 1].
A block adds V = v_A + v_F ∈ [0.57, 1.44].

Backward gains χ (‖Jᵀg‖²/‖g‖² of a branch on a unit-rms input). FFN: W₂ᵀ gives 64·2/96 = 4/3, the ReLU mask
½, W₁ᵀ 32·2/96 = 2/3: χ_F = 4/9 = v_F. Attention: the loss L = mean r·h_L reads every position with the same r,
so the signal reaching a block is nearly the same vector g at every position, and the value path sends
(Σ_i P_ij)·g to key j: the column sums of the attention weights average exactly 1 over the 8 keys, so
χ_A ≥ 1 (Jensen) through the value and output projections (gain 1 each), plus the score path; forward, the
same averaging keeps only Σ_j P_ij² ∈ [1/8, 1] of independent values. Monte Carlo of this mean field (one
such attention layer, Glorot kernels drawn as in the snippets, independent unit-variance inputs;
tests/claims/attention_gains.py): v_A ≈ 0.25, χ_A ≈ 1.44 (≈ 1.12 through the values alone); with an
independent gradient at each position instead, χ_A ≈ 0.52, the value path then giving χ = v.
"""

import math

import pytest

from gradbook.engine.backends import backend_installed
from tests.claims.attention_gains import attention_gains
from tests.claims.finite_width import fluctuation_band
from tests.claims.float_rounding import product_error
from tests.conftest import CLAIM_SEEDS

SNIPPETS = {backend: f"transformer_ln_probe_{backend}" for backend in ("tensorflow", "jax", "torch")}
BLOCKS, WIDTH = 6, 32
V_FFN = 4 / 9
V_ATTENTION = (1 / 8, 1.0)
V_BLOCK = (V_ATTENTION[0] + V_FFN, V_ATTENTION[1] + V_FFN)
# Mean-field forward and backward gains of one attention sublayer for this loss (module docstring).
ATTENTION = attention_gains(WIDTH, heads=2, positions=8, draws=50, batch=32)
V_ATTENTION_MEAN_FIELD, CHI_ATTENTION_MEAN_FIELD = ATTENTION["v"], ATTENTION["chi_uniform"]
# Same network, same batch, same loss on every backend: they differ only in rounding, including in the
# attention kernels (TensorFlow composes einsum and softmax; JAX and PyTorch call their fused dot-product
# attention, which sum in other orders and scale q·k at another step). One float32 product of n ≤ 64-term
# dot products is off by at most 64·2⁻²⁴ ≈ 4e-6 relative (tests/claims/float_rounding.py, which adds
# TF32's operand rounding where the run used a GPU). A sublayer chains about ten such operations
# (projections, scores, softmax, averaging, LN), forward and back, and there are 12 sublayers: ≈ 250
# operations, each run within 250·4e-6 ≈ 1e-3 of the exact value if every error adds with the same sign,
# and two runs within the sum of theirs, ≈ 2e-3 on the CPU. Nothing amplifies the errors: LN divides by a
# per-position rms near 1 or larger (ε = 10⁻³ is negligible), the softmax's logits are O(1), and the
# published norms and ratios are well-conditioned. A different kernel, input or loss on one backend
# changes the values by tens of percent. (With TF32 on a GPU the worst case is ≈ 0.25 per run: loose, but
# it still catches a wrong scale.)
OPERATIONS, TERMS = 250, 64
# Values that are not norms of gradients of the same network: the loss (a mean of signed terms that can
# nearly cancel, so its relative error is unbounded) and the backend's name.
NOT_COMPARED = {"backend", "post_loss", "pre_loss"}


def _backends(include_tensorflow: bool = True) -> list:
    return [
        pytest.param(backend, marks=pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} not installed"))
        for backend in SNIPPETS
        if include_tensorflow or backend != "tensorflow"
    ]


def _post_ln_stream_is_unit_scale(values) -> bool:
    # LN with γ = 1, β = 0 outputs per-position rms √(var/(var + ε)); h + F(h) with h unit-scale has variance
    # near 1 or above, ε = 10⁻³: the rms lies in [0.999, 1.0001] (the last bound: float32 rounding).
    return all(0.999 <= values[f"post_rms_block_{block}"] <= 1.0001 for block in range(1, BLOCKS + 1))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(include_tensorflow=False))
def test_jax_and_pytorch_measure_what_tensorflow_measures(published, backend, seed):
    # "The three backends agree to float32 rounding": every published norm, rms and ratio within the worst
    # case argued above, for the devices the runs used. The reference must itself be right (its post-LN
    # stream at unit scale), so that agreement of two values corrupted alike cannot pass.
    reference = published(SNIPPETS["tensorflow"], seed)
    values = published(SNIPPETS[backend], seed)
    assert values["backend"] == backend and reference["backend"] == "tensorflow"
    assert _post_ln_stream_is_unit_scale(reference)
    assert set(values) == set(reference)
    agreement = OPERATIONS * sum(product_error(name, published.device(SNIPPETS[name], seed), terms=TERMS)
                                 for name in (backend, "tensorflow"))
    for key in sorted(set(reference) - NOT_COMPARED):
        assert values[key] == pytest.approx(reference[key], rel=agreement), key


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_pre_ln_stream_grows_with_depth(published, backend, seed):
    # Pre-LN: h_l = h_(l−1) + A(LN h) + F(LN h), and the branches are uncorrelated with h in expectation over
    # their zero-mean output kernels, so σ²_l = σ²_(l−1) + V_l, with σ²_0 = 1 (the input). The growth from
    # block 1 to block 6 is √((1 + ΣV)/(1 + V_1)): at least √((1 + 1.44 + 5·0.57)/2.44) ≈ 1.47 (V_1 largest,
    # the rest smallest) and at most √((1 + 0.57 + 5·1.44)/1.57) ≈ 2.36. One draw of 32-wide kernels moves
    # each V by ~20 %; ±20 % on the bounds. Post-LN's stream stays at unit scale at every block.
    values = published(SNIPPETS[backend], seed)
    low, high = V_BLOCK
    lower = math.sqrt((1 + high + (BLOCKS - 1) * low) / (1 + high))
    upper = math.sqrt((1 + low + (BLOCKS - 1) * high) / (1 + low))
    assert 0.8 * lower <= values["pre_rms_growth"] <= 1.2 * upper
    assert values["pre_rms_growth"] == pytest.approx(values["pre_rms_block_6"] / values["pre_rms_block_1"], rel=1e-6)
    assert _post_ln_stream_is_unit_scale(values)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_post_ln_backward_signal_neither_vanishes_nor_explodes(published, backend, seed):
    # Post-LN: every block sees a unit-scale stream, so no depth-dependent factor enters. A sublayer
    # multiplies the squared signal by (1 + χ)/(1 + v)·(d − 2)/d: the LN divides by √(1 + v) and removes two
    # of d directions, the residual passes 1 + χ, χ the branch's backward gain. For the ReLU FFN χ = v: a
    # factor 1. For attention with this loss χ_A ≥ 1 ≥ v_A (module docstring), a factor ≥ 1, in mean field
    # (1 + 1.44)/(1 + 0.25) ≈ 1.95. Over the 10 sublayers from block 6 back to block 1 the mean-field norm
    # ratio lies between ((d − 2)/d)^(10/2) ≈ 0.72 and 1.95^(5/2)·0.72 ≈ 3.8 (a power of depth, not the
    # 10^±k of a vanishing or exploding stack), times the finite-width band of 10 ReLU-like sublayers at
    # width 32 (≈ 6.5, tests/claims/finite_width.py): [0.11, 25].
    values = published(SNIPPETS[backend], seed)
    sublayers = 2 * (BLOCKS - 1)
    projection = ((WIDTH - 2) / WIDTH) ** (sublayers / 2)
    score_path = ((1 + CHI_ATTENTION_MEAN_FIELD) / (1 + V_ATTENTION_MEAN_FIELD)) ** ((BLOCKS - 1) / 2)
    band = fluctuation_band(0.4 * WIDTH, sublayers)
    assert projection / band <= values["post_signal_first_over_last"] <= score_path * projection * band
    assert values["post_signal_first_over_last"] == pytest.approx(
        values["post_signal_block_1"] / values["post_signal_block_6"], rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_pre_ln_last_kernel_gradient_is_smaller_than_post_lns(published, backend, seed):
    # ∂L/∂W₂ of the last block = (its input)ᵀ × (the signal at its output). The inputs have the same law in
    # both stacks: relu(W₁u) with u a unit-rms LN output. The signal at W₂'s output is r/N through one LN in
    # both: post-LN's LN_ffn, which divides by the rms of h + F, √(1 + v_F) ≈ 1.20; pre-LN's final LN, which
    # divides by σ_6 (published as pre_rms_block_6; ≥ √(1 + 6·0.57) ≈ 2.1 by the test above). So
    # post over pre ≈ σ_6/√(1 + v_F) ≥ 1.75 (Xiong et al. 2020: pre-LN's last-layer gradient carries 1/σ_L).
    # One batch's kernel-gradient norm is within a factor 2 of its mean field, as on the page's 12-block
    # model; the ratio must lie within 2 of the prediction, and above 1.
    values = published(SNIPPETS[backend], seed)
    predicted = values["pre_rms_block_6"] / math.sqrt(1 + V_FFN)
    assert values["post_over_pre_last_kernel"] > 1
    assert predicted / 2 <= values["post_over_pre_last_kernel"] <= 2 * predicted
    assert values["post_over_pre_last_kernel"] == pytest.approx(
        values["post_kernel_block_6"] / values["pre_kernel_block_6"], rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_pre_ln_signal_falls_by_more_than_the_stream_grows_here(published, backend, seed):
    # "Here pre-LN's backward signal falls from block 1 to block 6 by more than the stream grows, in each
    # of seeds 0, 1 and 2." Mean field: between h_1 and h_6 the squared signal gains Π(1 + χ/σ²_l) and the
    # variance Π(1 + v/σ²_l) over the same 10 sublayers. The FFN's factors cancel (χ_F = v_F); attention's do
    # not: χ_A ≈ 1.44 against v_A ≈ 0.25 for this position-uniform loss (module docstring). With σ²_l from
    # about 1.7 to 4.7 (the measured rms², 1.3² to 2.2²), the product over the 5 attention sublayers of
    # (1 + 1.44/σ²)/(1 + 0.25/σ²) is ≈ 5, a factor ≈ 2.2 on the norm, against ((d − 2)/d)^5 ≈ 0.72 from the
    # LN projections: the signal ratio is
    # predicted ≈ 1.6 times the stream's growth, and above it for any χ_A − v_A ≳ 0.45 at these σ. Seeds
    # 0, 1 and 2 on every backend must show it. Both ratios must be the ones the per-block values give.
    values = published(SNIPPETS[backend], seed)
    # The mean-field excess for this run's own stream: attention in blocks 2 to 6 reads σ²_1 … σ²_5.
    gain = math.prod((1 + CHI_ATTENTION_MEAN_FIELD / values[f"pre_rms_block_{block}"] ** 2)
                     / (1 + V_ATTENTION_MEAN_FIELD / values[f"pre_rms_block_{block}"] ** 2) for block in range(1, BLOCKS))
    assert math.sqrt(gain) * ((WIDTH - 2) / WIDTH) ** (BLOCKS - 1) > 1
    assert values["pre_signal_first_over_last"] > values["pre_rms_growth"]
    assert values["pre_signal_first_over_last"] == pytest.approx(
        values["pre_signal_block_1"] / values["pre_signal_block_6"], rel=1e-6)
    assert values["pre_rms_growth"] == pytest.approx(values["pre_rms_block_6"] / values["pre_rms_block_1"], rel=1e-6)
