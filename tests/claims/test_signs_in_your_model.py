"""Claims of docs/vanishing/signs-in-your-model.md, and the GradientMonitor helper it ships."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gradbook.gradient_monitor import GradientMonitor
from tests.conftest import CLAIM_SEEDS


def test_monitor_records_the_norms_gradient_tape_computes():
    # The monitor's record after the last epoch must equal norms computed directly for the same
    # (final) weights: same model, same probe batch, same loss, both with training=False.
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, activation="sigmoid"),
            keras.layers.Dropout(0.5),  # no kernel: the monitor must skip it
            keras.layers.Dense(8, activation="sigmoid"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    loss_fn = keras.losses.BinaryCrossentropy()
    monitor = GradientMonitor(x, y, loss_fn)
    model.fit(x, y, batch_size=16, epochs=2, callbacks=[monitor], verbose=0)

    dense_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    gradients = tape.gradient(loss, [layer.kernel for layer in dense_layers])
    direct = {layer.name: float(tf.norm(gradient)) for layer, gradient in zip(dense_layers, gradients)}

    assert len(monitor.history) == 2
    assert list(monitor.history[-1]) == list(direct)  # every Dense layer, none for Dropout
    for name, norm in direct.items():
        assert monitor.history[-1][name] == pytest.approx(norm, rel=1e-5)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_first_over_last_stays_below_a_hundredth_every_epoch(published, seed):
    # Between hidden layers 1 and 10 the backward signal crosses 9 sigmoid derivatives ≤ ¼ behind
    # norm-preserving Glorot weights: ≲ 4⁻⁹ ≈ 4e-6. Five epochs of SGD at η = 0.1 move the weights
    # by a few per cent (see the moved fractions), far too little to lift it to 1e-2.
    assert published("gradient_monitor_demo", seed)["sigmoid_worst_ratio"] < 1e-2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_first_over_last_stays_of_order_one(published, seed):
    # He et al. (2015): Var(w) = 2/fan_in preserves the backward variance of ReLU layers.
    assert published("gradient_monitor_demo", seed)["relu_smallest_ratio"] > 1e-2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_loss_falls(published, seed):
    # Gradients of order 0.1–1 reach every ReLU layer, so each of the 40 SGD steps lowers the loss
    # by ≈ η‖g‖² to first order (see how-a-network-learns); the epoch-average loss must fall.
    values = published("gradient_monitor_demo", seed)
    assert values["relu_loss_last"] < values["relu_loss_first"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_early_layer_barely_moves(published, seed):
    # Plain SGD moves a kernel by η·Σ gradients, so the first/last ratio of relative movement
    # follows the gradient ratio (< 1e-2, above) times the ratio of kernel norms (≈ 1, both 32×32
    # Glorot). ReLU + He moves its first layer at least a tenth as much as its last.
    values = published("gradient_monitor_demo", seed)
    assert values["sigmoid_first_moved"] < 1e-2 * values["sigmoid_last_moved"]
    assert values["relu_first_moved"] > 0.1 * values["relu_last_moved"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_loss_plateaus_at_the_coin_flip_loss(published, seed):
    # Forward, each sigmoid layer scales differences between inputs by σ′ ≤ ¼ behind norm-preserving
    # Glorot weights: after 10 layers the features differ between inputs by ≲ 4⁻¹⁰ ≈ 1e-6 of the
    # input spread, and the early layers that could fix this get no gradient. The output can then
    # only learn the base rate of the balanced labels (512 samples, rate 0.5 ± 0.02), whose
    # cross-entropy is ≈ ln 2 ≈ 0.693. Assert the loss after five epochs is above 0.9 · ln 2.
    assert published("gradient_monitor_demo", seed)["sigmoid_loss_last"] > 0.9 * math.log(2)
