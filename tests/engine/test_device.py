"""Device selection, both branches, through the `tf.config` seam (these machines have no GPU)."""

from types import SimpleNamespace

import pytest

from gradbook.engine import device
from gradbook.engine.device import cpu_forced, expected_device_kind, select_device


class FakeTfConfig:
    def __init__(self, gpus):
        self.gpus = gpus
        self.visible = None
        self.growth = {}
        self.logical = {}
        self.LogicalDeviceConfiguration = lambda: "logical"
        self.set_logical_device_configuration = lambda device, logical: self.logical.__setitem__(device, logical)
        self.experimental = SimpleNamespace(
            set_memory_growth=lambda gpu, on: self.growth.__setitem__(gpu, on),
            get_device_details=lambda gpu: {"device_name": f"Fake {gpu}"},
        )

    def list_physical_devices(self, kind):
        return ["cpu0"] if kind == "CPU" else list(self.gpus)

    def set_visible_devices(self, devices, kind):
        assert kind == "GPU"
        self.visible = list(devices)


def test_gpu_present_uses_one_gpu_with_memory_growth():
    config = FakeTfConfig(["gpu0", "gpu1"])
    label = select_device(config, force_cpu=False)
    assert label == "GPU (Fake gpu0)"
    assert config.visible == ["gpu0"]
    assert config.growth == {"gpu0": True}


def test_no_gpu_runs_on_cpu():
    config = FakeTfConfig([])
    assert select_device(config, force_cpu=False) == "CPU"
    assert config.visible == []


def test_forcing_cpu_hides_every_gpu():
    config = FakeTfConfig(["gpu0"])
    assert select_device(config, force_cpu=True) == "CPU"
    assert config.visible == [] and config.growth == {}


def test_cpu_forced_by_setting_or_environment(monkeypatch):
    monkeypatch.delenv("GRADBOOK_DEVICE", raising=False)
    assert not cpu_forced("auto")
    assert cpu_forced("cpu")
    monkeypatch.setenv("GRADBOOK_DEVICE", "cpu")
    assert cpu_forced("auto")


def test_expected_kind_follows_driver_presence(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(device.glob, "glob", lambda pattern: ["/proc/driver/nvidia/gpus/0000:01:00.0"])
    assert expected_device_kind(force_cpu=False) == "gpu"
    assert expected_device_kind(force_cpu=True) == "cpu"
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert expected_device_kind(force_cpu=False) == "cpu"
    monkeypatch.setattr(device.glob, "glob", lambda pattern: [])
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert expected_device_kind(force_cpu=False) == "cpu"



def test_gpus_are_counted_from_device_nodes_where_proc_does_not_list_them(monkeypatch):
    # gVisor shows /dev/nvidia0 but no /proc/driver/nvidia; nvidiactl and nvidia-uvm are not GPUs.
    nodes = {"/proc/driver/nvidia/gpus/*": [], "/dev/nvidia[0-9]*": ["/dev/nvidia0", "/dev/nvidia1"]}
    monkeypatch.setattr(device.glob, "glob", lambda pattern: nodes[pattern])
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert len(device.worker_slots(force_cpu=False, cores=16)) == 2
    nodes["/dev/nvidia[0-9]*"] = []
    assert expected_device_kind(force_cpu=False) == "cpu"


def test_worker_slots_one_per_core_sharing_the_cores_or_one_per_gpu():
    assert device.worker_slots(force_cpu=False, cores=2, gpus=0) == [device.WorkerSlot(0, 1), device.WorkerSlot(0, 1)]
    assert device.worker_slots(force_cpu=False, cores=16, gpus=2) == [device.WorkerSlot(0, 8), device.WorkerSlot(1, 8)]
    assert len(device.worker_slots(force_cpu=True, cores=16, gpus=2)) == 16  # GPUs ignored when the CPU is forced
    assert device.worker_slots(force_cpu=False, count=1, cores=4, gpus=0) == [device.WorkerSlot(0, 4)]


def test_each_worker_takes_its_own_gpu_and_its_share_of_threads():
    config = FakeTfConfig(["gpu0", "gpu1"])
    select_device(config, force_cpu=False, gpu_index=1)
    assert config.visible == ["gpu1"] and config.growth == {"gpu1": True}
    config.threading = SimpleNamespace(
        set_intra_op_parallelism_threads=lambda n: setattr(config, "intra", n),
        set_inter_op_parallelism_threads=lambda n: setattr(config, "inter", n),
    )
    device.limit_threads(config, 3)
    assert (config.intra, config.inter) == (3, 3)


def test_cuda_visible_devices_limits_the_gpu_count(monkeypatch):
    monkeypatch.setattr(device.glob, "glob", lambda pattern: ["gpu-a", "gpu-b", "gpu-c"])
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert len(device.worker_slots(force_cpu=False, cores=8)) == 1
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert len(device.worker_slots(force_cpu=False, cores=8)) == 3


def test_jax_and_torch_workers_get_their_gpu_or_none_through_the_environment():
    # TensorFlow chooses after import; JAX and torch must be told before, by environment variables.
    assert device.backend_environment("tensorflow", force_cpu=False, gpu_index=1) == {}
    jax_gpu = device.backend_environment("jax", force_cpu=False, gpu_index=1)
    assert jax_gpu["CUDA_VISIBLE_DEVICES"] == "1" and jax_gpu["JAX_PLATFORMS"] == ""
    assert jax_gpu["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert jax_gpu["XLA_FLAGS"].endswith("--xla_force_host_platform_device_count=2")
    jax_cpu = device.backend_environment("jax", force_cpu=True, gpu_index=1)
    assert jax_cpu["CUDA_VISIBLE_DEVICES"] == "" and jax_cpu["JAX_PLATFORMS"] == "cpu"
    assert device.backend_environment("torch", force_cpu=True, gpu_index=0) == {"CUDA_VISIBLE_DEVICES": ""}
    assert device.backend_environment("torch", force_cpu=False, gpu_index=3) == {"CUDA_VISIBLE_DEVICES": "3"}


def test_jax_label_names_the_gpu_it_computes_on():
    fake = lambda platform, kind: SimpleNamespace(devices=lambda: [SimpleNamespace(platform=platform, device_kind=kind)])
    assert device.jax_device_label(fake("gpu", "NVIDIA H100")) == "GPU (NVIDIA H100)"
    assert device.jax_device_label(fake("cpu", "cpu")) == "CPU"


def test_torch_label_names_the_cuda_device_or_the_cpu():
    def fake(available):
        cuda = SimpleNamespace(is_available=lambda: available, get_device_name=lambda index: f"NVIDIA A{index}")
        return SimpleNamespace(cuda=cuda)

    assert device.torch_device_label(fake(True)) == "GPU (NVIDIA A0)"
    assert device.torch_device_label(fake(False)) == "CPU"


def test_tensorflow_and_jax_workers_see_two_cpu_devices(monkeypatch):
    # A data-parallel snippet needs two replicas on one machine; the backend allows setting that
    # only before it starts, so the worker does it for every snippet.
    config = FakeTfConfig([])
    device.split_cpu(config)
    assert config.logical == {"cpu0": ["logical", "logical"]}
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")  # a reader's own flags are kept
    flags = device.backend_environment("jax", force_cpu=True, gpu_index=0)["XLA_FLAGS"].split()
    assert flags == ["--xla_dump_to=/tmp/x", "--xla_force_host_platform_device_count=2"]


def test_gradbook_workers_sets_the_pool_size_and_rejects_nonsense(monkeypatch, tmp_path):
    from gradbook.engine.runner import SnippetRunner, workers_from_environment

    monkeypatch.delenv("GRADBOOK_WORKERS", raising=False)
    assert workers_from_environment() is None
    monkeypatch.setenv("GRADBOOK_WORKERS", "3")
    runner = SnippetRunner(tmp_path, tmp_path / "cache", report=lambda text: None)  # workers start lazily
    assert len(runner.pool.workers) == 3
    assert len(SnippetRunner(tmp_path, tmp_path / "cache", workers=1, report=lambda text: None).pool.workers) == 1
    for nonsense in ("0", "-2", "four"):
        monkeypatch.setenv("GRADBOOK_WORKERS", nonsense)
        with pytest.raises(ValueError, match="GRADBOOK_WORKERS must be a positive whole number"):
            workers_from_environment()
