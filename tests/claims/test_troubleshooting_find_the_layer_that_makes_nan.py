"""Claims of docs/troubleshooting/find-the-layer-that-makes-nan.md."""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_every_method_reports_the_planted_layer(published, seed):
    # The planted layer takes log of a linear layer's output, which is negative for about half
    # the entries (a symmetric pre-activation), so it is the first non-finite output; every
    # layer before it only applies finite affine maps and ReLU to finite standard-normal data.
    values = published("find_nan_layer", seed)
    assert values["layers_before_planted_finite"]
    assert values["first_bad_layer"] == values["planted_layer"]
    assert values["check_numerics_layer"] == values["planted_layer"]
    assert values["enable_check_numerics_op"] == "Log"
    assert values["enable_check_numerics_layer_class"] == "LogFeatures"
    assert values["fit_error_names_planted_layer"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_nan_spreads_to_every_later_layer(published, seed):
    # A NaN in any input of a dense layer's dot product makes every output NaN, so the output is
    # entirely non-finite; the planted layer itself is NaN where its input is negative: with a
    # symmetric pre-activation that is about half, and certainly between 10 % and 90 % of 1024.
    values = published("find_nan_layer", seed)
    assert 0.1 < values["planted_nonfinite_fraction"] < 0.9
    assert values["output_nonfinite_fraction"] == 1.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_xla_cannot_compile_the_checks(published, seed):
    # enable_check_numerics inserts DebugNumericSummaryV2 ops, which have no XLA kernel: under
    # jit_compile=True the graph fails to compile instead of naming the faulty layer.
    values = published("find_nan_layer", seed)
    assert values["jit_error_raised"] and values["jit_error_unsupported_op"]
    assert not values["jit_error_names_planted_layer"]
