"""The OpDef pattern: one class per primitive declaring attributes, `infer`, `forward(xp, ...)` and `grad`,
and the registry of them by TensorFlow type name."""
import functools

__all__ = ["OpDef", "register", "get_opdef", "registered_opdefs", "InferenceError"]

_REGISTRY = {}


class InferenceError(ValueError):
    """Raised by `infer` with the core of a shape message; `apply_op` adds the node, input shapes and user line."""


class OpDef:
    """A kind of operation. Subclasses set class attributes and override the methods, in this order:

    - `type_name`: TensorFlow's (and where possible ONNX's) op type, e.g. "MatMul".
    - `input_names`: names of the inputs (used in messages and for constants' names), or `variadic = True`.
    - `same_dtype`: names of inputs that must share one dtype (TF's type attr "T"); Python values given for
      them are converted to the dtype of the first tensor among them.
    - `allowed_dtypes`: the dtypes "T" may take (None: any).
    - `infer(inputs, attrs)`: static output (TensorShape, DType) pairs from input tensors and attrs.
    - `forward(xp, *arrays, **attrs)`: the kernel, written against array module `xp` (NumPy on CPU).
    - `grad(op, *output_grads)`: the vector-Jacobian product built from ops (one entry per input, None where
      not differentiable), or `grad = None` for an op that has no gradient.

    Flags: `stateful` (reads or writes session state: never folded or deduplicated), `foldable` (may be
    evaluated at graph-build time when its inputs are constant), `may_alias_input` (forward may return a view
    of an input, so fetched values are copied), `read_at_use` (a variable's value: read again just before each
    consumer runs, so reads ordered after an update see it), `ref_inputs` (input positions that take a variable
    reference).
    """

    type_name = None
    input_names = ("x",)
    variadic = False
    same_dtype = ()
    allowed_dtypes = None
    num_outputs = 1
    stateful = False
    foldable = True
    may_alias_input = False
    read_at_use = False
    ref_inputs = ()
    grad = None

    def infer(self, inputs, attrs):
        raise NotImplementedError(f"{self.type_name} has no shape inference")

    def forward(self, xp, *arrays, **attrs):
        raise NotImplementedError(f"{self.type_name} has no kernel")

    def kernel(self, op, ctx):
        """A callable(*arrays) computing this op's outputs in a session (`ctx`: its RunContext).

        The default binds `forward` to the backend and the node's attributes once, at plan-compile time;
        stateful ops override this to capture the session's variables or random generators.
        """
        if op._attrs:
            return functools.partial(self.forward, ctx.xp, **op._attrs)
        return functools.partial(self.forward, ctx.xp)

    def static_value(self, op, index):
        """The output's value if it is known without running anything (Const, Shape of a known shape), or None."""
        return None

    def explain_failure(self, arrays, attrs, exc):
        """The message for a kernel failure at run time; ops override it to speak TensorFlow's words."""
        return f"{type(exc).__name__}: {exc}"

    def __repr__(self):
        return f"<OpDef {self.type_name}>"


def register(cls):
    """Class decorator: instantiates an OpDef subclass once and registers it under its `type_name`."""
    if cls.type_name in _REGISTRY:
        raise ValueError(f"OpDef {cls.type_name} registered twice")
    instance = cls()
    _REGISTRY[cls.type_name] = instance
    return instance


def get_opdef(type_name):
    return _REGISTRY[type_name]


def registered_opdefs():
    return dict(_REGISTRY)
