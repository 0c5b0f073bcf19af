"""`tf.compat.v1.disable_v2_behavior` / `enable_v2_behavior`: the TF 1.15 switches between TF1 and TF2 semantics,
of which neuroflow has one: eager execution by default (its TF1 shapes, variables and control flow do not change)."""
from ..framework.context import disable_eager_execution, enable_eager_execution

__all__ = ["disable_v2_behavior", "enable_v2_behavior"]


def disable_v2_behavior():
    """TF1 semantics: graph mode by default (neuroflow's default already). Call it at program start."""
    disable_eager_execution()


def enable_v2_behavior():
    """TF2's default of eager execution. Call it at program start, before building any graph op."""
    enable_eager_execution()
