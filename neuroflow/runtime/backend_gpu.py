"""The GPU devices this process sees and how values move to and from them: CuPy imported only when a GPU may be
there, the visible devices from CUDA_VISIBLE_DEVICES and CUDA's device count, and counted copies.

`import neuroflow` never imports this module's CuPy: `gpu_devices()` imports it on first call, and not at all
when CUDA_VISIBLE_DEVICES is '' or CuPy is not installed. Tests install a fake device list
(`set_devices_for_testing`) whose array module is any NumPy-like module, so placement and copy counting are
tested on machines without a GPU.
"""
import contextlib
import importlib.util
import os
import threading
import types

__all__ = ["GpuDevice", "gpu_devices", "host_value", "set_devices_for_testing", "copy_counts", "reset_copy_counts",
           "cupy_installed", "deterministic_requested"]

DETERMINISTIC_ENV = "NEUROFLOW_DETERMINISTIC"

_lock = threading.Lock()
_devices = []        # [list of GpuDevice] once discovered
_override = []       # [list of GpuDevice] set by tests
# Copies made since the last reset, by direction: what the tests read to prove that a compiled plan makes
# no host round trips (one copy per feed to the device, one per fetch back).
_counts = {"host_to_device": 0, "device_to_host": 0}


class GpuDevice:
    """One visible GPU: its index among the visible ones, its array module and its copy functions.

    Attributes:
        index: the N of `/device:GPU:N` (its rank among the visible devices, as in TensorFlow).
        xp: the array module its kernels compute with (`cupy`, or a test's module).
        name: the card's name (`NVIDIA H100 80GB HBM3`), memory_limit: bytes, description: TensorFlow's
            `physical_device_desc` text.
    """

    def __init__(self, index, xp, upload, download, name="", memory_limit=0, pci_bus_id="", compute_capability="",
                 synchronize=None):
        self.index, self.xp = index, xp
        self._upload, self._download = upload, download
        self._synchronize = synchronize
        self.name, self.memory_limit = name, memory_limit
        self.pci_bus_id, self.compute_capability = pci_bus_id, compute_capability

    @property
    def device_name(self):
        return f"/device:GPU:{self.index}"

    @property
    def description(self):
        return (f"device: {self.index}, name: {self.name}, pci bus id: {self.pci_bus_id}, "
                f"compute capability: {self.compute_capability}")

    def synchronize(self):
        """Waits until the work queued on this device is done (kernels launch asynchronously); what a traced
        run calls after each GPU step so its clock measures the kernel. A test's device has nothing to wait for."""
        if self._synchronize is not None:
            self._synchronize()

    def to_device(self, array):
        """A copy of host array `array` on this device (counted; a TensorArray's list, item by item)."""
        if array.__class__ is _tensor_list_class():
            return _copy_list(array, self.to_device)
        _counts["host_to_device"] += 1
        return self._upload(array)

    def to_host(self, array):
        """A NumPy copy of device array `array` (counted; a TensorArray's list, item by item)."""
        if array.__class__ is _tensor_list_class():
            return _copy_list(array, self.to_host)
        _counts["device_to_host"] += 1
        return self._download(array)

    def __repr__(self):
        return f"<GpuDevice {self.device_name} {self.name!r}>"


def _tensor_list_class():
    from ..ops.tensor_list_value import TensorList
    return TensorList


def _copy_list(value, copy):
    """The same list with its items copied by `copy` (lists are immutable values: a copy is a new list)."""
    return value.__class__({i: copy(item) for i, item in value.entries()}, length=value.length)


def cupy_installed():
    """True when CuPy can be imported (`pip install "neuroflow[gpu]"`); imports nothing."""
    return importlib.util.find_spec("cupy") is not None


def deterministic_requested():
    """True when NEUROFLOW_DETERMINISTIC=1 asks for bit-reproducible GPU algorithms (docs/gpu.md)."""
    return os.environ.get(DETERMINISTIC_ENV, "0") not in ("", "0", "false", "False")


def gpu_devices():
    """The visible GPUs, in CUDA's order (CUDA_VISIBLE_DEVICES already renumbers them from 0).

    Returns [] when CUDA_VISIBLE_DEVICES is set to '' (TensorFlow's "no GPU"), when CuPy is not installed,
    or when CUDA finds no usable device (no driver, no card). Discovered once per process, as TensorFlow does.

    Example:
        >>> [d.device_name for d in gpu_devices()]   # on a machine with two visible GPUs
        ['/device:GPU:0', '/device:GPU:1']
    """
    if _override:
        return _override[0]
    if not _devices:
        with _lock:
            if not _devices:
                _devices.append(_discover())
    return _devices[0]


def _discover():
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return []
    if not cupy_installed():
        return []
    if deterministic_requested():
        # cuBLAS is bit-reproducible on one card only with a fixed workspace when several streams run.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    try:
        import cupy
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # noqa: BLE001 - no driver, no device, a broken install: CUDA offers no GPU here
        return []
    found = []
    namespace = CupyNamespace(cupy)
    for index in range(count):
        try:
            props = cupy.cuda.runtime.getDeviceProperties(index)
            name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
            bus = f"{props.get('pciDomainID', 0):04x}:{props.get('pciBusID', 0):02x}:{props.get('pciDeviceID', 0):02x}.0"
            capability = f"{props.get('major', 0)}.{props.get('minor', 0)}"
            memory = int(props.get("totalGlobalMem", 0))
        except Exception:  # noqa: BLE001 - a device CUDA counts but cannot describe is still usable
            name, bus, capability, memory = "", "", "", 0
        found.append(GpuDevice(index, namespace, _cupy_upload(cupy, index), _cupy_download(cupy),
                               name, memory, bus, capability, _cupy_synchronize(cupy, index)))
    return found


class CupyNamespace(types.ModuleType):
    """The `xp` GPU kernels get: CuPy, plus the NumPy names kernels use that CuPy lacks (`errstate`: a GPU
    raises no floating-point errors, so it is a context manager that does nothing). Names are looked up in CuPy
    once, then kept as attributes."""

    def __init__(self, cupy):
        super().__init__("cupy")
        self.__dict__["_cupy"] = cupy
        self.errstate = _no_float_errors

    def __getattr__(self, name):
        value = getattr(self.__dict__["_cupy"], name)
        setattr(self, name, value)
        return value


def _no_float_errors(**kwargs):
    return contextlib.nullcontext()


def _cupy_upload(cupy, index):
    def upload(array):
        with cupy.cuda.Device(index):
            return cupy.asarray(array)
    return upload


def _cupy_synchronize(cupy, index):
    def synchronize():
        cupy.cuda.Device(index).synchronize()
    return synchronize


def _cupy_download(cupy):
    return cupy.asnumpy


def host_value(value):
    """`value` as a host value: a GPU array copied to a NumPy array (counted), anything else as it is. For code
    outside kernels that reads a session's storage (checkpoints, snapshots), where a GPU variable holds a device
    array.

    Example:
        >>> host_value(sess._ctx.variables["w"])   # a NumPy array, wherever "w" lives
    """
    if value is None or value.__class__.__module__ == "numpy":
        return value
    for device in gpu_devices():
        if isinstance(value, device.xp.ndarray) or value.__class__ is _tensor_list_class():
            return device.to_host(value)
    return value


def set_devices_for_testing(devices):
    """Replaces the visible GPUs by `devices` (a list of GpuDevice; [] for none); None restores discovery."""
    _override.clear()
    if devices is not None:
        _override.append(list(devices))


def copy_counts():
    """{'host_to_device': n, 'device_to_host': m}: copies made since the last `reset_copy_counts()`."""
    return dict(_counts)


def reset_copy_counts():
    for key in _counts:
        _counts[key] = 0
