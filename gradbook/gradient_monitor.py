"""Watch the per-layer gradient norms of a Keras model while it trains.

`GradientMonitor` is a callback: at the end of every epoch it runs one forward and backward pass
on a fixed batch and records the norm of the loss gradient with respect to each layer's kernel.
A first-layer norm many orders of magnitude below the last layer's is the signature of a
vanishing gradient; one far above it, of an exploding one.

    monitor = GradientMonitor(x_probe, y_probe, keras.losses.BinaryCrossentropy())
    model.fit(x, y, epochs=5, callbacks=[monitor])
    monitor.history  # [{"dense": 3.1e-07, "dense_1": 2.4e-05, ...}, ...], one dict per epoch
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


class GradientMonitor(keras.callbacks.Callback):
    """Record ‖∂loss/∂kernel‖ for every layer that has a kernel, once per epoch."""

    def __init__(self, x, y, loss_fn):
        super().__init__()
        # A fixed probe batch, so that epoch-to-epoch changes come from the weights, not the data.
        self.x, self.y, self.loss_fn = x, y, loss_fn
        self.history: list[dict[str, float]] = []

    def kernel_gradient_norms(self) -> dict[str, float]:
        layers = [layer for layer in self.model.layers if getattr(layer, "kernel", None) is not None]
        with tf.GradientTape() as tape:
            # training=False: the probe must not update batch-norm statistics or draw dropout masks.
            loss = self.loss_fn(self.y, self.model(self.x, training=False))
        gradients = tape.gradient(loss, [layer.kernel for layer in layers])
        # Norms in float64: deep sigmoid nets produce gradients whose squares underflow float32.
        return {
            layer.name: float(np.linalg.norm(np.asarray(gradient, dtype=np.float64)))
            for layer, gradient in zip(layers, gradients)
        }

    def on_epoch_end(self, epoch, logs=None):
        self.history.append(self.kernel_gradient_norms())
