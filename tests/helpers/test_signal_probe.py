"""gradbook.signal_probe against a backward pass written out by hand."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gradbook.signal_probe import probe_layers


def mlp_and_batch():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = keras.Sequential(
        [keras.Input((8,))]
        + [keras.layers.Dense(8, activation="tanh") for _ in range(3)]
        + [keras.layers.Dropout(0.0), keras.layers.Dense(1, activation="sigmoid")]
    )
    return model, x, y


def test_probe_matches_a_tape_over_the_layers_called_one_by_one():
    model, x, y = mlp_and_batch()
    loss_fn = keras.losses.BinaryCrossentropy()
    probe = probe_layers(model, x, y, loss_fn)

    with tf.GradientTape() as tape:
        outputs, h = [], tf.constant(x)
        for layer in model.layers:
            h = layer(h, training=True)
            outputs.append(h)
        loss = loss_fn(y, h)
    hidden = outputs[:-1]
    kernels = [layer.kernel for layer in model.layers[:3]]
    signal, kernel_grads = tape.gradient(loss, (hidden, kernels))

    assert probe.names == [layer.name for layer in model.layers[:-1]]
    assert probe.loss == pytest.approx(float(loss), rel=1e-6)
    np.testing.assert_allclose(probe.backward_signal, [np.linalg.norm(g) for g in signal], rtol=1e-5)
    np.testing.assert_allclose(probe.kernel_gradient[:3], [np.linalg.norm(g) for g in kernel_grads], rtol=1e-5)
    assert np.isnan(probe.kernel_gradient[3])  # Dropout has no kernel
    np.testing.assert_allclose(probe.activation_rms, [np.sqrt(np.mean(np.square(h))) for h in hidden], rtol=1e-5)


def test_norms_of_gradients_below_float32_range_squared_are_not_zero():
    # Squares of 1e-25 underflow float32 (smallest subnormal ≈ 1.4e-45); the probe's float64 norms do not.
    model, x, y = mlp_and_batch()
    for layer in model.layers[:3]:
        layer.kernel.assign(layer.kernel * 1e-12)
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
    first = probe.backward_signal[0]
    assert 0 < first < 1e-23
    assert float(tf.norm(tf.constant(first / np.sqrt(64 * 8), shape=(64, 8), dtype=tf.float32))) == 0.0
