"""The OpDef pattern: one class per primitive declaring attributes, `infer`, `forward(xp, ...)` and `grad`,
and the registry of them by TensorFlow type name."""
import functools

__all__ = ["OpDef", "register", "unregister", "get_opdef", "registered_opdefs", "InferenceError"]

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

    Traits (class attributes with defaults; the plan compiler, shape specialization, the gradient engine and
    eager execution read them, so no op type is named anywhere else):

    - `is_identity` (False): output 0 is input 0, unchanged (Identity, StopGradient): the compiler drops
      the step and reads the input instead.
    - `identity_if_same_shape` (False): output 0 is input 0 whenever input 0 already has the output's shape
      (Reshape, BroadcastTo, Squeeze, ...): dropped when both shapes are known and equal.
    - `is_broadcast` (False): output 0 is input 0 broadcast to a shape, values unchanged (BroadcastTo): a
      consumer that `broadcasts_inputs` may read input 0 instead when its other operand has that shape.
    - `depends_only_on_input_shape` (False): the output depends only on input 0's shape and dtype, never on
      its values (Shape, Size, ZerosLike): folded to a constant once that shape is known.
    - `shape_arg_inputs` (()): positions of the inputs whose *values* set the output's shape (Reshape's
      `shape`, Fill's `dims`); they must be constants before the output's shape counts as known. Integer
      inputs that only index or label data (GatherV2's indices) are not shape arguments.
    - `data_dependent_shape` (False): the output's shape depends on input values in a way no constant input
      pins down (Where, Multinomial, a dataset's last batch): a shape seen on one run says nothing about the
      next.
    - `output_is_shared` (False): the output is storage someone else owns (a constant's attribute array, a
      variable, a feed): fetches copy it before the user may mutate it.
    - `broadcasts_inputs` (False): inputs broadcast against each other; the gradient engine sums each input's
      gradient back to that input's shape.
    - `python_operator` (None): a function from `operator` that, on NumPy scalars of one dtype, gives this
      elementwise op's result (AddV2: `operator.add`): the compiler calls it for 0-d operands.
    - `is_constant` (False): the output is fixed when the graph is built and `static_value(op, 0)` returns it
      (Const).
    - `only_orders` (False): does nothing but order its control inputs before its consumers (NoOp): the
      compiler needs no step for it.
    - `must_be_fed` (False): a value that must be fed (Placeholder): unfed, running it raises, so the step is
      kept even when nothing reads its output.

    Hooks besides `infer`/`forward`/`grad`: `canonicalize_attrs` (attributes as every later stage sees them),
    `kernel`, `static_value`, `simplify_with_scalar` (cheaper forms when one input is a 0-d constant),
    `explain_failure`.
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

    is_identity = False
    identity_if_same_shape = False
    is_broadcast = False
    depends_only_on_input_shape = False
    shape_arg_inputs = ()
    data_dependent_shape = False
    output_is_shared = False
    broadcasts_inputs = False
    python_operator = None
    is_constant = False
    only_orders = False
    must_be_fed = False

    def canonicalize_attrs(self, inputs, attrs):
        """The attributes as the node stores them and every later stage reads them (defaults filled in,
        negative axes made positive, ...), from the converted input tensors and the caller's `attrs`.

        Pure: returns a new dict (or `attrs` itself when nothing changes) and never mutates `attrs`; `infer`
        then only reads them. Runs in graph and eager mode alike, before `infer`.
        """
        return attrs

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

    def simplify_with_scalar(self, scalar_position, scalar, floating):
        """A cheaper equivalent of this binary op when input `scalar_position` is the 0-d constant `scalar`
        (`floating`: the output dtype is floating or complex), or None. Returns ("input", k) when the output is
        input k itself, or (unary_opdef, k) when it is `unary_opdef` (an elementwise OpDef naming its
        array-module function in `ufunc`) applied to input k. A 0-d constant never changes the other operand's
        shape or dtype, so only the values need to agree."""
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


def unregister(type_name):
    """Removes an OpDef from the registry (for tests that register a toy OpDef for a while)."""
    del _REGISTRY[type_name]


def get_opdef(type_name):
    return _REGISTRY[type_name]


def registered_opdefs():
    return dict(_REGISTRY)
