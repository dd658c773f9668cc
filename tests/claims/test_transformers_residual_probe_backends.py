"""Claims of docs/transformers/residual-scaling.md, "The same probe on TensorFlow, JAX and PyTorch".

transformer_residual_probe_{tensorflow,jax,torch}: 6 pre-LN blocks of width d = 32, two heads of key_dim 16,
a ReLU FFN 32 → 64 → 32, LN with ε = 10⁻³ and a final LN; kernels drawn with NumPy from the seed with Keras's
Glorot uniform limits, zero biases, γ = 1, β = 0; input x of shape (16, 8, 32), each entry the sum of two
U(−0.05, 0.05) draws (token plus position embeddings at Keras's default), variance σ²_0 = 1/600;
L = mean over sequences and positions of r · LN(h_6). The "scaled" stack has the same weights with each
attention output kernel and each FFN second kernel multiplied by s = 1/√(2L) = 1/√12.

Exact rescaling: the biases and β are zero, so a branch's output is linear in its last kernel, and
LN(c·h; ε) = LN(h; ε/c²). Hence the scaled stack fed x computes s × (the default stack fed x/s, with ε/s² =
0.012 in its LNs): the residual scaling acts only through the embedding's and ε's share of the stream.
Mean field (module test_transformers_ln_probe_backends): a branch adds variance v fixed by its weights,
uncorrelated with the stream, so σ²_l = σ²_0 + Σ v (default) and σ²_0 + s²·Σ v (scaled).
"""

import math

import pytest

from gradbook.engine.backends import backend_installed
from tests.claims.attention_gains import attention_gains
from tests.claims.float_rounding import product_error
from tests.conftest import CLAIM_SEEDS

SNIPPETS = {backend: f"transformer_residual_probe_{backend}" for backend in ("tensorflow", "jax", "torch")}
BLOCKS, WIDTH = 6, 32
SCALE = 1 / math.sqrt(2 * BLOCKS)  # the theory's s, not the published one: corruption cannot move it
EMBEDDING_RMS = math.sqrt(1 / 600)
# Same networks, same batch, same loss on every backend: they differ only in rounding (TensorFlow composes
# einsum and softmax for attention; JAX and PyTorch call fused dot-product attention, summing in other
# orders). One float32 product of ≤ 64-term dot products is off by at most 64·2⁻²⁴ ≈ 4e-6 relative
# (tests/claims/float_rounding.py, which adds TF32's operand rounding where a run used a GPU). A sublayer
# chains about ten such operations forward and back and there are 12 sublayers: ≈ 250 operations, each run
# within 250·4e-6 ≈ 1e-3 if every error adds with the same sign, two runs within ≈ 2e-3 on the CPU. Nothing
# amplifies the errors: the smallest stream an LN divides by has variance ≈ 0.03 (the scaled stack after
# block 1), thirty times ε, and the softmax logits are O(1). A different kernel, input, scale or loss on one
# backend moves the values by tens of percent.
OPERATIONS, TERMS = 250, 64
# Mean-field forward and backward gains of one of these attention sublayers (2 heads, 8 positions) for a
# gradient that is the same vector at every position, as this loss gives (tests/claims/attention_gains.py,
# NumPy Monte Carlo over Glorot draws; module test_transformers_ln_probe_backends): v_A ≈ 0.25, χ_A ≈ 1.4.
ATTENTION = attention_gains(WIDTH, heads=2, positions=8, draws=50, batch=32)
# The losses are means of signed terms that can nearly cancel (unbounded relative error); the name is a name.
NOT_COMPARED = {"backend", "default_loss", "scaled_loss"}


def _backends(include_tensorflow: bool = True) -> list:
    return [
        pytest.param(backend, marks=pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} not installed"))
        for backend in SNIPPETS
        if include_tensorflow or backend != "tensorflow"
    ]


def _is_the_documented_setup(values) -> bool:
    # The scale is 1/√12, and the input's rms is the embedding's √(1/600) up to the sampling error of 4,096
    # entries (the variance of a sum of two uniforms has relative standard error √(1.4/4096) ≈ 2 %, so ≈ 1 %
    # on the rms): ±5 %.
    return (values["scale"] == pytest.approx(SCALE, rel=1e-9)
            and values["embedding_rms"] == pytest.approx(EMBEDDING_RMS, rel=0.05))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends(include_tensorflow=False))
def test_jax_and_pytorch_measure_what_tensorflow_measures(published, backend, seed):
    # "The three backends agree to float32 rounding": every published rms, norm and ratio within the worst
    # case argued above, for the devices the runs used. The reference must itself be the documented setup,
    # so that agreement of two values corrupted alike cannot pass.
    reference = published(SNIPPETS["tensorflow"], seed)
    values = published(SNIPPETS[backend], seed)
    assert values["backend"] == backend and reference["backend"] == "tensorflow"
    assert _is_the_documented_setup(reference)
    assert set(values) == set(reference)
    agreement = OPERATIONS * sum(product_error(name, published.device(SNIPPETS[name], seed), terms=TERMS)
                                 for name in (backend, "tensorflow"))
    for key in sorted(set(reference) - NOT_COMPARED):
        assert values[key] == pytest.approx(reference[key], rel=agreement), key


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_scaling_shrinks_the_stream_by_about_root_2l(published, backend, seed):
    # Mean field: (σ_scaled/σ_default)² at block 6 = (σ²_0 + s²·S)/(σ²_0 + S), S = σ²_6 − σ²_0 the branches'
    # variance in the default stack (σ_6 its measured rms, σ_0 the input's). S ≥ 6 × 0.57 (the LN probe's
    # smallest block variance), so the embedding lifts the ratio above s by at most
    # ½·σ²_0/(s²·S) ≈ ½ × 0.0017/(0.083 × 3.4) ≈ 0.3 %: the prediction is 1/√12 to within half a per cent.
    # Departures from the mean field (exact rescaling, module docstring): the effective ε = 0.012 lowers the
    # variance of what block 2's branches read (σ² ≈ 0.4–0.6 there) by ≤ 3 %, less later, so the ratio by
    # ≤ 1.5 %; the 2L-times larger share of the embedding (≈ 5 % of the variance block 2 reads, against
    # 0.4 % in the default stack) keeps positions less alike, so attention, which averages over positions,
    # adds less. Both push down; one batch's branch variances on inputs that differ in direction by that
    # share move by a few per cent either way: [0.85, 1.1] × the prediction.
    values = published(SNIPPETS[backend], seed)
    assert _is_the_documented_setup(values)
    sigma_0, sigma_6 = values["embedding_rms"], values["default_rms_block_6"]
    predicted = math.sqrt((sigma_0**2 + SCALE**2 * (sigma_6**2 - sigma_0**2)) / sigma_6**2)
    assert predicted == pytest.approx(SCALE, rel=0.005)
    assert 0.85 * predicted <= values["scaled_over_default_rms_last"] <= 1.1 * predicted
    assert values["scaled_over_default_rms_last"] == pytest.approx(
        values["scaled_rms_block_6"] / values["default_rms_block_6"], rel=1e-6)
    assert values["predicted_scaled_over_default_rms_last"] == pytest.approx(predicted, rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_scaling_raises_the_last_blocks_signal_by_the_inverse_factor(published, backend, seed):
    # ∂L/∂h_6 = (1/√(σ²_p + ε))·P_p(γ r)/N at each position p (σ_p its std over the 32 units, P_p the LN's
    # projection), and ∂L/∂LN(h_6) = r/N in both stacks because L is linear in the LN's output. So
    # ‖∂L/∂h_6‖ ∝ √(mean 1/σ²_p) and the product of the signal's and the stream's ratios is the ratio of the
    # two stacks' √(mean σ²_p · mean 1/σ²_p) (their spread over positions), times ε's share, ε/σ²_p ≤ 0.3 %
    # (σ²_p ≈ 0.57 in the scaled stack at block 6), and times the stream's mean over units at each position,
    # which the rms counts and σ_p does not (≈ 1/32 of the variance, alike in both stacks).
    # The scaled stream is s times a stream with the same branches on a 12-times-larger embedding, which is
    # 0.3 % of its variance at block 6: the spreads match to a few per cent. Product in [0.95, 1.05].
    values = published(SNIPPETS[backend], seed)
    assert 0.95 <= values["scaled_over_default_signal_last"] * values["scaled_over_default_rms_last"] <= 1.05
    assert values["scaled_over_default_signal_last"] == pytest.approx(
        values["scaled_signal_block_6"] / values["default_signal_block_6"], rel=1e-6)
    assert values["scaled_over_default_rms_last"] == pytest.approx(
        values["scaled_rms_block_6"] / values["default_rms_block_6"], rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_scaling_leaves_the_signal_profile_nearly_unchanged(published, backend, seed):
    # By the exact rescaling the first/last signal ratio of the scaled stack is the default stack's on an
    # embedding 1/s times larger (and ε 1/s² larger). Mean field, each sublayer between h_1 and h_6 gains
    # 1 + χ/σ² on the squared signal; σ² rises by (2L − 1)σ²_0 ≈ 0.018 against σ²_1 ≈ 0.4–0.6: with
    # χ ≤ 1.44 this lowers the ratio by a few per cent. Beyond the mean field the backward gains are those
    # of one batch's inputs, which differ from the default stack's in direction by the embedding's relative
    # size in the stream block l + 1 reads, at most e_l = σ_0/σ_l (scaled), ≈ 0.2 after block 1 and falling
    # like 1/σ_l (the mid-block stream its FFN reads is larger still). A sublayer's norm gain is
    # √(1 + χ/σ²), and χ/σ² is the squared norm of the LN's and the branch's Jacobians (weights of gain ≈ 1)
    # applied to the signal: a relative change e of the input moves those Jacobians by about e, χ/σ² by
    # ≤ 2e, and ln √(1 + χ/σ²) by ≤ ½ · 2e = e to first order. Block l + 1 has two sublayers, so
    # |ln(scaled/default)| ≤ 2 Σ_{l=1}^{5} e_l (the run's own, ≈ 1.0–1.1): the profile moves by a factor
    # bounded below the √12 ≈ 3.5 that shifts every block's signal.
    values = published(SNIPPETS[backend], seed)
    assert _is_the_documented_setup(values)
    bound = 2 * sum(values["embedding_rms"] / values[f"scaled_rms_block_{block}"] for block in range(1, BLOCKS))
    assert bound < math.log(math.sqrt(2 * BLOCKS))
    ratio = values["scaled_signal_first_over_last"] / values["default_signal_first_over_last"]
    assert abs(math.log(ratio)) <= bound
    for config in ("default", "scaled"):
        assert values[f"{config}_signal_first_over_last"] == pytest.approx(
            values[f"{config}_signal_block_1"] / values[f"{config}_signal_block_6"], rel=1e-6)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _backends())
def test_default_signal_grows_toward_the_input_by_more_than_the_stream(published, backend, seed):
    # "Unlike the 12-block model, the signal here grows toward the input by more than the stream grows."
    # Mean field between h_1 and h_6 (10 sublayers): the squared signal gains Π(1 + χ/σ²_l), the variance
    # Π(1 + v/σ²_l). The FFN's factors cancel (χ_F = v_F); attention's do not for this loss, which reads every
    # position with the same r: χ_A ≈ 1.4 against v_A ≈ 0.25. Attention in blocks 2 to 6 reads σ²_1 … σ²_5
    # (the run's own, ≈ 0.4 to 6); the product of (1 + χ_A/σ²)/(1 + v_A/σ²) over them, on the norm, times
    # ((d − 2)/d)⁵ for the LN projections, must exceed 1 for the direction to follow from the theory, and the
    # measured ratio must then show it on every seed and backend. Both ratios come from the per-block values.
    values = published(SNIPPETS[backend], seed)
    rms = [values[f"default_rms_block_{block}"] for block in range(1, BLOCKS + 1)]
    gain = math.prod((1 + ATTENTION["chi_uniform"] / sigma**2) / (1 + ATTENTION["v"] / sigma**2) for sigma in rms[:-1])
    assert math.sqrt(gain) * ((WIDTH - 2) / WIDTH) ** (BLOCKS - 1) > 1
    assert values["default_signal_first_over_last"] > rms[-1] / rms[0]
    assert values["default_signal_first_over_last"] == pytest.approx(
        values["default_signal_block_1"] / values["default_signal_block_6"], rel=1e-6)
