"""`tf.variable_scope` and `tf.get_variable`: variables named by variable scope (not name scope), shared
under `reuse=True` / `tf.AUTO_REUSE`, with TensorFlow's reuse errors."""
import contextlib
import inspect

from ..framework import dtypes
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..framework.tensor_shape import TensorShape
from . import initializers
from .variable import Variable

__all__ = ["VariableScope", "variable_scope", "get_variable", "get_variable_scope", "AUTO_REUSE"]


class _ReuseMode:
    def __repr__(self):
        return "tf.AUTO_REUSE"


AUTO_REUSE = _ReuseMode()


class VariableScope:
    """The settings of one variable scope: its name, reuse mode, and defaults for `get_variable`."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, caching_device=None, partitioner=None,
                 custom_getter=None, name_scope="", dtype=dtypes.float32, use_resource=None, constraint=None):
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self):
        """From now on, `get_variable` in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer):
        self._initializer = initializer

    def set_regularizer(self, regularizer):
        self._regularizer = regularizer

    def set_dtype(self, dtype):
        self._dtype = dtype

    def get_variable(self, name, shape=None, dtype=None, initializer=None, regularizer=None, reuse=None,
                     trainable=None, collections=None, validate_shape=True, constraint=None, custom_getter=None,
                     **unused):
        full_name = f"{self._name}/{name}" if self._name else name
        reuse = self._reuse if reuse is None else reuse
        initializer = self._initializer if initializer is None else initializer
        regularizer = self._regularizer if regularizer is None else regularizer
        default_dtype = self._dtype or dtypes.float32
        constraint = self._constraint if constraint is None else constraint
        getter = _get_single_variable
        for outer in (self._custom_getter, custom_getter):  # the call's own getter wraps the scope's
            if outer is not None:
                def getter(name, *args, _inner=getter, _outer=outer, **kwargs):
                    return _outer(_inner, name, *args, **kwargs)
        return getter(full_name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                      reuse=reuse, trainable=trainable, collections=collections, validate_shape=validate_shape,
                      constraint=constraint, default_dtype=default_dtype)


class _ScopeState:
    """Per-graph: the variables made by `get_variable`, the current scope, and counts for default names."""

    def __init__(self):
        self.variables = {}
        self.current = VariableScope(False)
        self.counts = {}


def _state(graph=None):
    graph = graph or get_default_graph()
    if graph._variable_scope_state is None:
        graph._variable_scope_state = _ScopeState()
    return graph._variable_scope_state


def get_variable_scope():
    """The current VariableScope."""
    return _state().current


def _reuse_of(reuse):
    return reuse is True or reuse is AUTO_REUSE


def _get_single_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, reuse=None,
                         trainable=None, collections=None, validate_shape=True, constraint=None,
                         default_dtype=dtypes.float32):
    from ..framework.context import executing_eagerly
    eager = executing_eagerly()  # eager variables are plain objects: no store, no sharing by name (TF 1.x eager)
    state = _state()
    existing = None if eager else state.variables.get(name)
    if existing is not None:
        if not _reuse_of(reuse):
            where = existing.op.location
            origin = f" Originally defined at:\n\n{where.format()}" if where is not None else ""
            raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
                             f"reuse=tf.AUTO_REUSE in VarScope?{origin}")
        if shape is not None and not TensorShape(shape).is_compatible_with(existing.shape):
            raise ValueError(f"Trying to share variable {name}, but specified shape {TensorShape(shape)} and found "
                             f"shape {existing.shape}.")
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype is not existing.dtype.base_dtype:
            raise ValueError(f"Trying to share variable {name}, but specified dtype {dtypes.as_dtype(dtype).name} "
                             f"and found dtype {existing.dtype.name}.")
        return existing
    if reuse is True:
        raise ValueError(f"Variable {name} does not exist, or was not created with tf.get_variable(). Did you mean "
                         "to set reuse=tf.AUTO_REUSE in VarScope?")
    constant_init = initializer is not None and not callable(initializer)
    if constant_init:
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        init_value = initializer
        var_dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
    else:
        shape = TensorShape(shape)
        if not shape.is_fully_defined() and validate_shape:
            raise ValueError(f"Shape of a new variable ({name}) must be fully defined, but instead was {shape}.")
        var_dtype = dtypes.as_dtype(dtype or default_dtype).base_dtype
        if initializer is None:
            if var_dtype.is_floating:
                initializer = initializers.GlorotUniform()
            elif var_dtype.is_integer or var_dtype.is_bool or var_dtype is dtypes.string:
                initializer = initializers.Zeros()
            else:
                raise ValueError(f"An initializer for variable {name} of {var_dtype.name} is required")
        init_fn = initializer
        if isinstance(init_fn, type):
            init_fn = init_fn()
        accepts_partition = _accepts(init_fn, "partition_info")

        def init_value():
            if accepts_partition:
                return init_fn(shape.as_list(), dtype=var_dtype, partition_info=None)
            return init_fn(shape.as_list(), dtype=var_dtype)
    if trainable is None:
        trainable = True
    with name_scope(None):
        var = Variable(init_value, trainable=trainable, collections=collections, validate_shape=validate_shape,
                       name=name, dtype=var_dtype, constraint=constraint)
    if not eager:
        state.variables[name] = var
    if regularizer is not None and not eager:
        with name_scope(name + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            var.graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _accepts(fn, arg):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return arg in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None, collections=None,
                 caching_device=None, partitioner=None, validate_shape=True, use_resource=None, custom_getter=None,
                 constraint=None, synchronization=None, aggregation=None):
    """Gets an existing variable (when the scope reuses) or creates a new one named `<scope>/<name>`.

    Name scopes do not affect the name; variable scopes do. Without `initializer`, floats use Glorot uniform
    and integers zeros. A constant initializer (value, list, array or tensor) sets the shape itself.

    Example:
        >>> with tf.variable_scope("layer1"):
        ...     W = tf.get_variable("W", [784, 10])
        >>> W.name
        'layer1/W:0'

    Raises:
        ValueError: the variable exists and reuse is off, or does not exist and reuse is True, or the shape
            or dtype differs from the existing variable's.
    """
    return get_variable_scope().get_variable(
        name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer, trainable=trainable,
        collections=collections, validate_shape=validate_shape, constraint=constraint, custom_getter=custom_getter)


class variable_scope:  # noqa: N801 - TensorFlow's public name
    """`with tf.variable_scope("layer1", reuse=tf.AUTO_REUSE):` — prefixes variable names (and op names).

    Args:
        name_or_scope: a name (nested under the current scope) or a VariableScope to re-enter.
        default_name: used, made unique, when `name_or_scope` is None.
        values: tensors passed to the block (picks the graph).
        initializer, regularizer, dtype, constraint, custom_getter: defaults for `get_variable` inside.
        reuse: True (reuse, inherited by sub-scopes), tf.AUTO_REUSE (create or reuse), or None (inherit).
        auxiliary_name_scope: also open a name scope for ops (default True).
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, reuse=None, dtype=None,
                 use_resource=None, constraint=None, auxiliary_name_scope=True):
        if name_or_scope is None and default_name is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if reuse is False:
            reuse = None  # TF 1.x: reuse cannot be switched off inside a reusing scope
        if not (reuse is None or reuse is True or reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if name_or_scope is not None and not isinstance(name_or_scope, (str, VariableScope)):
            raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._values = values
        self._settings = dict(initializer=initializer, regularizer=regularizer, caching_device=caching_device,
                              partitioner=partitioner, custom_getter=custom_getter, dtype=dtype,
                              use_resource=use_resource, constraint=constraint)
        self._reuse = reuse
        self._auxiliary_name_scope = auxiliary_name_scope
        self._stack = None

    def __enter__(self):
        from ..framework.graph import _graph_of
        graph = _graph_of(self._values)
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(graph.as_default())
        state = _state(graph)
        parent = state.current
        target = self._name_or_scope
        if isinstance(target, VariableScope):
            full_name = target.name
            name_scope_str = target.original_name_scope
            if self._auxiliary_name_scope:
                self._stack.enter_context(graph.name_scope(name_scope_str or None))
            base = target
            reuse = self._reuse if self._reuse else target.reuse
        else:
            if target is None:
                prefix = parent.name + "/" if parent.name else ""
                key = prefix + self._default_name
                count = state.counts.get(key, 0)
                state.counts[key] = count + 1
                local = self._default_name if count == 0 else f"{self._default_name}_{count}"
            else:
                local = target
                key = (parent.name + "/" if parent.name else "") + local
                state.counts[key] = state.counts.get(key, 0) + 1
            full_name = f"{parent.name}/{local}" if parent.name else local
            name_scope_str = ""
            if self._auxiliary_name_scope:
                name_scope_str = self._stack.enter_context(graph.name_scope(local))
            base = parent
            reuse = self._reuse if self._reuse else parent.reuse
        settings = {k: (v if v is not None else getattr(base, k)) for k, v in self._settings.items()}
        if settings["dtype"] is None:
            settings["dtype"] = dtypes.float32
        scope = VariableScope(reuse, name=full_name, name_scope=name_scope_str, **settings)
        state.current = scope
        saved_counts = dict(state.counts) if isinstance(target, VariableScope) else None
        self._restore = (state, parent, full_name, saved_counts)
        return scope

    def __exit__(self, *exc):
        state, parent, full_name, saved_counts = self._restore
        state.current = parent
        if saved_counts is not None:
            state.counts = saved_counts  # re-entering a captured scope leaves default names as they were
        else:
            # As TensorFlow: leaving a named scope resets its sub-scopes' default-name counts, so entering it
            # again (say with reuse=True) makes the same names ("model/rnn", not "model/rnn_1").
            prefix = full_name + "/"
            state.counts = {k: v for k, v in state.counts.items() if not k.startswith(prefix)}
        return self._stack.__exit__(*exc)
