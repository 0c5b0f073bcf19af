"""The Session's configuration messages, as keyword-argument bags standing in for TensorFlow's protobufs:
`tf.ConfigProto`, `tf.GPUOptions`, `tf.GraphOptions`, `tf.OptimizerOptions`, and what a Session reads of them
besides thread counts (runtime/cpu_share.py) and placement (runtime/placement.py): the JIT level."""

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "jit_requested"]


class _Options:
    """A keyword-argument bag standing in for a protobuf message (ConfigProto, GPUOptions, ...)."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = _Options()
        self.__dict__[name] = value
        return value

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


class ConfigProto(_Options):
    """Session configuration (`allow_soft_placement`, `log_device_placement`, `gpu_options`, thread counts).

    `intra_op_parallelism_threads=n` (n > 0) fixes how many threads the process's kernels use (runtime/cpu_share.py;
    0 or unset: the cores other processes leave free); the rest is accepted for compatibility (neuroflow places
    everything itself, and runs a graph's ops one after another, so `inter_op_parallelism_threads` sizes nothing).
    """


class GraphOptions(_Options):
    """`tf.GraphOptions(optimizer_options=tf.OptimizerOptions(...))`: of it only the JIT level is read."""


class OptimizerOptions(_Options):
    """`tf.OptimizerOptions(global_jit_level=...)`. `global_jit_level` ON_1 or ON_2 (TensorFlow's XLA JIT) asks
    neuroflow to compile what it can compile at once: a tiny plan runs on the tiny VM from its first warm run
    instead of after the tier-up rule's wait (runtime/compiler/tiny_plan.py). The rest is accepted, unused."""

    DEFAULT, OFF, ON_1, ON_2 = 0, -1, 1, 2   # GlobalJitLevel
    L0, L1 = -1, 0                          # opt_level


def jit_requested(config):
    """Whether `config` (a ConfigProto or None) sets graph_options.optimizer_options.global_jit_level to ON_1/ON_2."""
    options = getattr(getattr(config, "__dict__", {}).get("graph_options"), "__dict__", {}).get("optimizer_options")
    level = getattr(options, "__dict__", {}).get("global_jit_level", 0)
    return isinstance(level, int) and level > 0


class GPUOptions(_Options):
    """`tf.GPUOptions(allow_growth=True, per_process_gpu_memory_fraction=...)` - accepted, not needed."""
