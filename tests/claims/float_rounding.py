"""How finely a backend rounds a float32 matrix product on the device a run used.

On the CPU every backend computes float32 products in float32: unit roundoff 2⁻²⁴. On an NVIDIA GPU
from Ampere on, JAX (XLA's default precision for float32 dots) and TensorFlow
(`tf.config.experimental.enable_tensor_float_32_execution`, on by default since TF 2.4) round each
operand of a matrix product to TensorFloat-32, which keeps 10 of float32's 23 mantissa bits: unit
roundoff 2⁻¹¹. PyTorch keeps float32 products unless told otherwise
(`torch.set_float32_matmul_precision("highest")` is its default), except in cuDNN's fused RNNs: Keras's
torch backend runs LSTM and GRU layers on a GPU through `torch._VF.lstm`/`gru` (cuDNN), and PyTorch lets
cuDNN RNNs use TF32 by default (`torch.backends.cudnn.allow_tf32 = True`, `cudnn.rnn.fp32_precision =
"tf32"` in torch 2.13; aten/src/ATen/native/cudnn/RNN.cpp reads `allowTF32CuDNN(Float32Op::RNN)`).
Pass `cudnn_rnn=True` for those layers. The GPU check measured this: JAX's
linear RNN probe on an H100 missed 1.2^lag by 1e-4 to 2e-4 where the CPU runs miss it by ~1e-6.
"""

FLOAT32_ROUNDOFF = 2.0**-24
TF32_ROUNDOFF = 2.0**-11


def matmul_roundoff(backend: str, device: str, cudnn_rnn: bool = False) -> float:
    """Unit roundoff of one operand of a float32 matrix product for this backend on this device
    (cudnn_rnn: the product sits inside a Keras LSTM or GRU layer, which torch runs through cuDNN)."""
    if device.startswith("GPU") and (backend in ("jax", "tensorflow") or (backend == "torch" and cudnn_rnn)):
        return TF32_ROUNDOFF
    return FLOAT32_ROUNDOFF


def product_error(backend: str, device: str, terms: int, cudnn_rnn: bool = False) -> float:
    """Worst-case relative error of one matrix-vector product with `terms`-term dot products:
    float32 accumulation (terms·2⁻²⁴), plus both operands' rounding to TF32 where the run used it."""
    operands = 2 * TF32_ROUNDOFF if matmul_roundoff(backend, device, cudnn_rnn) == TF32_ROUNDOFF else 0.0
    return terms * FLOAT32_ROUNDOFF + operands
