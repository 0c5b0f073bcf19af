"""Device strings (`/cpu:0`, `/device:GPU:1`): parsing, merging nested `tf.device` scopes, canonical form."""
import re

__all__ = ["DeviceSpec", "canonical_device", "merge_device"]

_FIELD = re.compile(r"^(job|replica|task|device|cpu|gpu|CPU|GPU):?(.*)$")


class DeviceSpec:
    """A parsed device name; unset fields are None, so an inner `tf.device` scope overrides only what it names."""

    __slots__ = ("job", "replica", "task", "device_type", "device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job, self.replica, self.task = job, replica, task
        self.device_type = device_type.upper() if isinstance(device_type, str) else device_type
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec):
        result = cls()
        if not spec:
            return result
        parts = [p for p in spec.split("/") if p]
        for part in parts:
            fields = part.split(":")
            key = fields[0]
            low = key.lower()
            if low == "job" and len(fields) == 2:
                result.job = fields[1]
            elif low == "replica" and len(fields) == 2:
                result.replica = int(fields[1])
            elif low == "task" and len(fields) == 2:
                result.task = int(fields[1])
            elif low == "device" and len(fields) in (2, 3):
                result.device_type = fields[1].upper()
                if len(fields) == 3 and fields[2] != "*":
                    result.device_index = int(fields[2])
            elif low in ("cpu", "gpu") and len(fields) <= 2:
                result.device_type = low.upper()
                if len(fields) == 2 and fields[1] != "*":
                    result.device_index = int(fields[1])
            elif len(fields) in (1, 2) and key.isupper():
                result.device_type = key
                if len(fields) == 2 and fields[1] != "*":
                    result.device_index = int(fields[1])
            else:
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
        return result

    def merge_from(self, other):
        for field in self.__slots__:
            value = getattr(other, field)
            if value is not None:
                setattr(self, field, value)

    def to_string(self):
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            out += f"/device:{self.device_type}:{index}"
        return out

    def copy(self):
        return DeviceSpec(self.job, self.replica, self.task, self.device_type, self.device_index)


def canonical_device(spec):
    """`/cpu:0` -> `/device:CPU:0` (TensorFlow's canonical spelling)."""
    if spec is None:
        return ""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return DeviceSpec.from_string(spec).to_string()


def merge_device(outer, inner):
    """The device of an op in scope `inner` nested in `outer` (both strings)."""
    merged = DeviceSpec.from_string(outer)
    merged.merge_from(DeviceSpec.from_string(inner))
    return merged.to_string()
