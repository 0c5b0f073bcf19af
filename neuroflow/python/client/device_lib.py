"""`tensorflow.python.client.device_lib`: `list_local_devices`, truthfully: the CPU and each visible GPU."""
import os
import random

__all__ = ["list_local_devices", "DeviceAttributes"]

_INCARNATION = random.getrandbits(63) or 1  # TensorFlow gives each device of a process a random nonzero id


class DeviceAttributes:
    """One device, with the fields (and the text form) of TensorFlow's DeviceAttributes proto."""

    def __init__(self, name, device_type, memory_limit, incarnation, physical_device_desc=""):
        self.name = name
        self.device_type = device_type
        self.memory_limit = memory_limit
        self.incarnation = incarnation
        self.physical_device_desc = physical_device_desc
        self.locality = {}

    def __str__(self):
        lines = [f'name: "{self.name}"', f'device_type: "{self.device_type}"', f"memory_limit: {self.memory_limit}",
                 "locality {", "}", f"incarnation: {self.incarnation}"]
        if self.physical_device_desc:
            lines.append(f'physical_device_desc: "{self.physical_device_desc}"')
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _host_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # a platform without these
        return 0


def list_local_devices(session_config=None):
    """The devices this process can run ops on: the CPU, then each visible GPU (runtime/backend_gpu.py).

    Example:
        >>> [d.name for d in device_lib.list_local_devices() if d.device_type == "GPU"]   # one visible GPU
        ['/device:GPU:0']
    """
    from ...runtime.backend_gpu import gpu_devices
    devices = [DeviceAttributes("/device:CPU:0", "CPU", _host_memory(), _INCARNATION)]
    for gpu in gpu_devices():
        devices.append(DeviceAttributes(gpu.device_name, "GPU", gpu.memory_limit, (_INCARNATION + 1 + gpu.index) % (1 << 63) or 1,
                                        gpu.description))
    return devices
