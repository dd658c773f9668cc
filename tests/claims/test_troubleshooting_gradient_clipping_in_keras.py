"""Claims of docs/troubleshooting/gradient-clipping-in-keras.md."""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_example_gradient_explodes(published, seed):
    # Kernels with std 1 on 16 inputs multiply the mean square of the signal by 16/2 = 8 per ReLU
    # layer: after four layers the activations' RMS is √(8⁴) = 64, the output's std √16·64 ≈ 256, and
    # the output kernel's gradient alone ≈ 2·RMS(ŷ − y)·RMS(h)·√16 ≈ 2·256·64·4 ≈ 1.3e5. A 16-wide,
    # 5-layer network fluctuates a lot around that mean-field value: two decades either way.
    values = published("clipping_arguments_compared", seed)
    assert 1e3 < values["raw_gradient_norm"] < 1e7
    # The gradient norm must be far above the threshold for clipping to matter.
    assert values["raw_gradient_norm"] > 100 * values["threshold"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_global_clipnorm_keeps_direction_and_sets_the_norm(published, seed):
    # clip_by_global_norm multiplies every tensor by the same factor c/‖g‖: the update is
    # rate·c·g/‖g‖, parallel to g with norm rate·c (float32 rounding only).
    values = published("clipping_arguments_compared", seed)
    assert values["global_cosine"] == pytest.approx(1.0, abs=1e-5)
    assert values["global_update_norm"] == pytest.approx(values["threshold"] * values["learning_rate"], rel=1e-5)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipnorm_bounds_each_tensor_and_turns_the_update(published, seed):
    # clipnorm rescales each tensor to norm ≤ c on its own, so each update tensor has norm ≤ rate·c,
    # the joint norm can reach rate·c·√(number of tensors), and tensors are shrunk by different
    # factors, which turns the update away from g.
    values = published("clipping_arguments_compared", seed)
    bound = values["threshold"] * values["learning_rate"]
    assert values["clipnorm_largest_tensor_update"] <= bound * (1 + 1e-5)
    # The page says every tensor is above the threshold: then each is cut to exactly rate·c and the
    # joint norm is rate·c·√(number of tensors), not merely at most that.
    assert values["clipnorm_update_norm"] == pytest.approx(bound * values["tensors"] ** 0.5, rel=1e-5)
    assert values["clipnorm_cosine"] < 0.99


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipvalue_bounds_components_and_changes_direction(published, seed):
    # clipvalue clips each component to [−c, c]: |update component| ≤ rate·c. Components larger
    # than c all become ±c, which is parallel to g only if all |g_i| were equal; the example's
    # components span orders of magnitude, so the cosine is well below 1.
    values = published("clipping_arguments_compared", seed)
    assert values["clipvalue_largest_component"] <= values["threshold"] * values["learning_rate"] * (1 + 1e-5)
    assert values["clipvalue_cosine"] < 0.99


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_clipping_applies_in_a_custom_loop(published, seed):
    # optimizer.apply clips whatever it is given: every loop step moves the weights by ≤ rate·c,
    # although every raw gradient norm is far above c.
    values = published("clipping_arguments_compared", seed)
    assert values["loop_largest_update_norm"] <= values["threshold"] * values["learning_rate"] * (1 + 1e-5)
    assert values["loop_smallest_gradient_norm"] > 10 * values["threshold"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_two_clipping_arguments_are_refused(published, seed):
    # BaseOptimizer.__init__ (keras/src/optimizers/base_optimizer.py) raises ValueError when more than
    # one of clipnorm, clipvalue and global_clipnorm is set.
    values = published("clipping_arguments_compared", seed)
    assert values["two_arguments_refused"] is True
    assert values["two_arguments_error"] == "ValueError"
