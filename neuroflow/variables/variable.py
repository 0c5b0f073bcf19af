"""`tf.Variable` (TF 1.x reference variables): a VariableV2 node holding state in each Session, with its
initializer (`W/Assign`), snapshot (`W/read`) and the tensor operators of its value."""
from ..framework.apply import apply_op, convert_to_tensor, register_tensor_conversion_function
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape, unknown_shape
from ..ops import array_ops, state_ops
from ..ops.overloads import install as _install_operators
from ..ops.state_ops import VariableV2

__all__ = ["Variable"]


class Variable:
    """A tensor whose value persists across `Session.run` calls and can be updated (by assign or optimizers).

    Args:
        initial_value: a tensor or value (or a callable returning one) giving the value at initialization.
        trainable: added to `TRAINABLE_VARIABLES` (optimizers train it) when True.
        collections: graph collections to add it to (default `[GLOBAL_VARIABLES]`).
        validate_shape: if False, the variable's shape may be unknown and change on assignment.
        name: the node name (default "Variable").
        dtype: converts `initial_value` to this dtype.

    Example:
        >>> W = tf.Variable([0.2, 0.7], name="W")
        >>> W
        <tf.Variable 'W:0' shape=(2,) dtype=float32_ref>
    """

    __array_priority__ = 100

    def __new__(cls, *args, **kwargs):
        from ..framework.context import eager_mode, executing_eagerly
        if cls is Variable and executing_eagerly():
            from ..eager.variable import EagerVariable
            return EagerVariable(*args, **kwargs)  # not a Variable: __init__ below is skipped
        if cls is Variable and getattr(get_default_graph(), "_lifts_variables", False):
            from ..eager.variable import EagerVariable
            with eager_mode():  # created while tracing a tf.function: lifted out, as TensorFlow does
                return EagerVariable(*args, **kwargs)
        return super().__new__(cls)

    def __init__(self, initial_value=None, trainable=True, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
                 import_scope=None, constraint=None, use_resource=None, synchronization=None, aggregation=None,
                 shape=None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(f"collections argument to Variable constructor must be a list, tuple, or set. Got "
                             f"{collections} of type {type(collections)}")
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        self._constraint = constraint
        init_from_fn = callable(initial_value)
        values = [] if init_from_fn or not isinstance(initial_value, Tensor) else [initial_value]
        graph = initial_value.graph if isinstance(initial_value, Tensor) else get_default_graph()
        # Like TensorFlow's init_scope: a variable's initializer never depends on the control dependencies of
        # the block it is created in (e.g. slots made by minimize() under control_dependencies(UPDATE_OPS)).
        with graph.control_dependencies(None), name_scope(name, "Variable", values) as scope:
            if init_from_fn:
                with name_scope("Initializer"):
                    value = convert_to_tensor(initial_value(), name="initial_value", dtype=dtype)
            else:
                value = convert_to_tensor(initial_value, name="initial_value", dtype=dtype)
            self._initial_value = value
            if shape is not None:
                var_shape = TensorShape(shape)
            elif validate_shape:
                var_shape = value.shape
                if not var_shape.is_fully_defined():
                    raise ValueError(f"initial_value must have a shape specified: {value}")
            else:
                var_shape = unknown_shape()
            self._variable = apply_op(VariableV2, [], {"shape": var_shape, "dtype": value.dtype.base_dtype,
                                                       "container": "", "shared_name": ""}, name=scope)
            self._initializer_op = state_ops.assign(self._variable, value, validate_shape=validate_shape,
                                                    name="Assign").op
            self._snapshot = array_ops.identity(self._variable, name="read")
        self._variable.graph.add_to_collections(collections, self)

    # --- identity -----------------------------------------------------------------------------
    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._variable.graph

    @property
    def device(self):
        return self._variable.device

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def initializer(self):
        """The op that assigns the initial value (run by `tf.global_variables_initializer()`)."""
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    # --- values ---------------------------------------------------------------------------------
    def value(self):
        """The snapshot tensor (`W/read:0`) that ops use."""
        return self._snapshot

    def read_value(self):
        """A new tensor reading the variable's value."""
        return array_ops.identity(self._variable, name="read")

    def _ref(self):
        return self._variable

    def _as_graph_element(self):
        return self._variable

    def eval(self, session=None):
        """The variable's value in `session` (or the default session)."""
        return self._variable.eval(session=session)

    def load(self, value, session=None):
        """Writes `value` into the variable in `session` without adding ops to the graph."""
        from ..runtime.session import _session_for
        session = _session_for(self.graph, session, "load variable", "load(value, session=sess)", "variable's")
        session.run(self._initializer_op, {self._initial_value: value})

    # --- updates ------------------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        """An op writing `value` into the variable when run. Example: `sess.run(W.assign([1.0, 2.0]))`."""
        out = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        out = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        out = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    # --- Python protocol ---------------------------------------------------------------------------------
    def __repr__(self):
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    @classmethod
    def _override_operator(cls, operator, func):
        # Operators act on the variable's value (its `read` snapshot).
        def on_value(self, *args):
            return func(self.value(), *args)
        on_value.__name__ = operator
        setattr(cls, operator, on_value)


def _convert_variable(var, dtype=None, name=None, as_ref=False):
    return var._ref() if as_ref else var.value()


register_tensor_conversion_function(Variable, _convert_variable)
_install_operators(Variable)
VariableV1 = Variable

