"""Choose where snippets run: one GPU per worker (memory growth on) when TensorFlow sees one, else the CPU.

The parent plans the worker pool without importing TensorFlow (`worker_slots`: one worker per GPU,
or one per core, each with its share of the cores); each worker then applies its slot with
`select_device` and `limit_threads`, which take TensorFlow's `tf.config` as an argument so tests
can hand them a stand-in with GPUs; these machines have none.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

FORCE_CPU_VARIABLE = "GRADBOOK_DEVICE"  # set to "cpu" to run on the CPU even where a GPU exists


def cpu_forced(setting: str = "auto") -> bool:
    return setting == "cpu" or os.environ.get(FORCE_CPU_VARIABLE, "").lower() == "cpu"


@dataclass(frozen=True)
class WorkerSlot:
    gpu_index: int  # which of the visible GPUs this worker uses (ignored on the CPU)
    threads: int  # CPU threads this worker's TensorFlow and BLAS may use


def worker_slots(force_cpu: bool, count: int | None = None, cores: int | None = None, gpus: int | None = None) -> list[WorkerSlot]:
    """One worker per GPU where there are GPUs, else one per core (or `count`); cores shared out evenly."""
    cores = cores or len(os.sched_getaffinity(0))
    gpus = 0 if force_cpu else (_gpu_count() if gpus is None else gpus)
    count = count or gpus or cores
    return [WorkerSlot(index % gpus if gpus else 0, max(1, cores // count)) for index in range(count)]


def select_device(tf_config, force_cpu: bool, gpu_index: int = 0) -> str:
    """Make TensorFlow use one GPU (memory growth on) or only the CPU; return a label for captions."""
    gpus = [] if force_cpu else tf_config.list_physical_devices("GPU")
    if not gpus:
        tf_config.set_visible_devices([], "GPU")
        return "CPU"
    chosen = gpus[gpu_index % len(gpus)]
    # Growth must be set before the device is initialised, and stops TF reserving all GPU memory.
    tf_config.experimental.set_memory_growth(chosen, True)
    tf_config.set_visible_devices([chosen], "GPU")
    details = tf_config.experimental.get_device_details(chosen) or {}
    return f"GPU ({details['device_name']})" if details.get("device_name") else "GPU"


# Every worker shows its backend two CPU devices, so a data-parallel snippet (two replicas on one
# machine) finds them, as it does run alone, where it asks for them itself before its backend starts
# (the backends allow that only once, and a warm worker has started its backend long before). Every
# other snippet computes on the first device, as it would with one.
CPU_DEVICES = 2
XLA_CPU_DEVICES_FLAG = f"--xla_force_host_platform_device_count={CPU_DEVICES}"


def split_cpu(tf_config, count: int = CPU_DEVICES) -> None:
    """Split TensorFlow's CPU into `count` logical devices (must run before TensorFlow starts)."""
    cpu = tf_config.list_physical_devices("CPU")[0]
    tf_config.set_logical_device_configuration(cpu, [tf_config.LogicalDeviceConfiguration()] * count)


def backend_environment(backend: str, force_cpu: bool, gpu_index: int) -> dict[str, str]:
    """What a JAX or PyTorch worker's environment must say before the backend is imported.

    TensorFlow picks its GPU after import (`select_device`); JAX and torch take theirs from the
    environment, so a worker sees only its own GPU, or none when the CPU is forced.
    """
    if backend == "tensorflow":
        return {}
    environment = {"CUDA_VISIBLE_DEVICES": "" if force_cpu else str(gpu_index)}
    if backend == "jax":
        # JAX would otherwise look for a GPU plugin; XLA also grabs 75 % of GPU memory unless told.
        environment["JAX_PLATFORMS"] = "cpu" if force_cpu else ""
        environment["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        environment["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {XLA_CPU_DEVICES_FLAG}".strip()
    return environment


def jax_device_label(jax) -> str:
    """The device JAX computes on by default, for captions (`jax` passed in, so tests can stand in)."""
    device = jax.devices()[0]
    return "CPU" if device.platform == "cpu" else f"GPU ({device.device_kind})"


def torch_device_label(torch) -> str:
    """The device Keras's torch backend uses: the first visible CUDA device if any, else the CPU."""
    if not torch.cuda.is_available():
        return "CPU"
    return f"GPU ({torch.cuda.get_device_name(0)})"


def limit_threads(tf_config, threads: int) -> None:
    """Keep side-by-side workers from oversubscribing the cores (must run before TensorFlow starts)."""
    tf_config.threading.set_intra_op_parallelism_threads(threads)
    tf_config.threading.set_inter_op_parallelism_threads(threads)


def expected_device_kind(force_cpu: bool) -> str:
    """The device kind the worker will pick, found without importing TensorFlow (for cache keys)."""
    return "gpu" if not force_cpu and _gpu_count() else "cpu"


def _gpu_count() -> int:
    # The driver lists its GPUs under /proc; a sandboxed kernel (gVisor) may show only the device
    # nodes /dev/nvidia0, /dev/nvidia1, ... (not /dev/nvidiactl or /dev/nvidia-uvm).
    installed = len(glob.glob("/proc/driver/nvidia/gpus/*")) or len(glob.glob("/dev/nvidia[0-9]*"))
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return installed
    listed = [entry for entry in visible.split(",") if entry.strip() and entry.strip() != "-1"]
    return min(installed, len(listed))
