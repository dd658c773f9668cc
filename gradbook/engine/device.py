"""Choose where snippets run: one GPU with memory growth when TensorFlow sees one, else the CPU.

`select_device` takes TensorFlow's `tf.config` as an argument so tests can hand it a stand-in with
GPUs; these machines have none.
"""

from __future__ import annotations

import glob
import os

FORCE_CPU_VARIABLE = "GRADBOOK_DEVICE"  # set to "cpu" to run on the CPU even where a GPU exists


def cpu_forced(setting: str = "auto") -> bool:
    return setting == "cpu" or os.environ.get(FORCE_CPU_VARIABLE, "").lower() == "cpu"


def select_device(tf_config, force_cpu: bool) -> str:
    """Make TensorFlow use one GPU (memory growth on) or only the CPU; return a label for captions."""
    gpus = [] if force_cpu else tf_config.list_physical_devices("GPU")
    if not gpus:
        tf_config.set_visible_devices([], "GPU")
        return "CPU"
    chosen = gpus[0]
    # Growth must be set before the device is initialised, and stops TF reserving all GPU memory.
    tf_config.experimental.set_memory_growth(chosen, True)
    tf_config.set_visible_devices([chosen], "GPU")
    details = tf_config.experimental.get_device_details(chosen) or {}
    return f"GPU ({details['device_name']})" if details.get("device_name") else "GPU"


def expected_device_kind(force_cpu: bool) -> str:
    """The device kind the worker will pick, found without importing TensorFlow (for cache keys)."""
    if force_cpu or os.environ.get("CUDA_VISIBLE_DEVICES") in ("", "-1"):
        return "cpu"
    return "gpu" if glob.glob("/proc/driver/nvidia/gpus/*") else "cpu"
