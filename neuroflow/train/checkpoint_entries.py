"""What a Saver saves: its `var_list` (None, a list, or a dict {name in checkpoint: variable}) resolved, with
TensorFlow's checks and errors, into entries that read and write a session's (or the eager context's) variable
storage directly — no ops are added to the graph for variables.

Saveable objects (TF's `SaveableObject` protocol: `name`, `specs` with `.name` and `.tensor`, and
`restore(restored_tensors, restored_shapes)` returning an op) are saved by evaluating their spec tensors and
restored by running their restore op, fed through placeholders built once with the Saver.
"""
from ..framework import dtypes, errors
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..framework.tensor import Tensor
from ..framework.tensor_shape import TensorShape

__all__ = []


def _eager_variable_class():
    from ..eager.variable import EagerVariable
    return EagerVariable


def _is_saveable_object(obj):
    return hasattr(obj, "specs") and callable(getattr(obj, "restore", None)) and isinstance(getattr(obj, "name",
                                                                                                    None), str)


def _variable_ref(obj):
    """The VariableV2 reference tensor of a graph variable (a Variable or its ref tensor), else None."""
    from ..variables.variable import Variable
    if isinstance(obj, Variable):
        return obj._ref()
    if isinstance(obj, Tensor) and obj.op.type == "VariableV2":
        return obj
    return None


class VariableEntry:
    """One variable under one checkpoint name: reads and writes its value in the right storage."""

    def __init__(self, name, variable):
        self.name = name
        if isinstance(variable, _eager_variable_class()):
            self.key, self.graph, self.eager = variable._key, None, True
            self.dtype, self.shape = variable.dtype.base_dtype, TensorShape(variable._shape)
        else:
            ref = _variable_ref(variable)
            self.key, self.graph, self.eager = ref.op.name, ref.graph, False
            self.dtype, self.shape = ref.dtype.base_dtype, ref.shape
        self.identity = ("eager", self.key) if self.eager else (id(self.graph), self.key)

    def storage(self, sess):
        """The dict of arrays this variable's value lives in."""
        if self.eager:
            from ..eager.state import context
            return context.variables
        if sess is None:
            raise ValueError(f"A Session is required to save or restore variable {self.key} (graph mode)")
        if getattr(sess, "_closed", False):
            raise RuntimeError("Attempted to use a closed Session.")
        if sess.graph is not self.graph:
            raise ValueError(f"Variable {self.key} is not an element of the Session's graph: create the Session on "
                             "the graph that holds the Saver's variables.")
        return sess._ctx.variables

    def read(self, sess):
        store = self.storage(sess)
        try:
            value = store[self.key]
        except KeyError:
            raise errors.FailedPreconditionError(None, None,
                                                 f"Attempting to use uninitialized value {self.key}") from None
        from ..runtime.backend_gpu import host_value  # a GPU variable holds a device array
        return host_value(value)

    def write(self, sess, array):
        self.storage(sess)[self.key] = array


class SaveableEntry:
    """A saveable object: each of its specs is one tensor in the checkpoint."""

    def __init__(self, saveable, in_graph):
        self.saveable = saveable
        self.name = saveable.name
        self.identity = ("saveable", id(getattr(saveable, "op", None) or saveable))
        self.spec_names = [spec.name for spec in saveable.specs]
        self.spec_dtypes = [dtypes.as_dtype(getattr(spec, "dtype", None) or _spec_tensor(spec).dtype).base_dtype
                            for spec in saveable.specs]
        self._feeds = self._restore_op = None
        if in_graph:
            from ..ops.array_ops import placeholder
            graph = get_default_graph()
            with graph.control_dependencies(None), name_scope("save"):
                self._feeds = [placeholder(dt, name="restore_" + _op_name(n))
                               for dt, n in zip(self.spec_dtypes, self.spec_names)]
                self._restore_op = saveable.restore(self._feeds, None)

    def read(self, sess):
        tensors = [_spec_tensor(spec) for spec in self.saveable.specs]
        if sess is None:
            return [t.numpy() for t in tensors]
        return sess.run(tensors)

    def write(self, sess, arrays):
        if self._restore_op is None:   # eager: the saveable's restore runs now
            from ..framework.apply import convert_to_tensor
            self.saveable.restore([convert_to_tensor(a) for a in arrays], None)
        else:
            sess.run(self._restore_op, dict(zip(self._feeds, arrays)))


def _spec_tensor(spec):
    tensor = spec.tensor
    return tensor() if callable(tensor) else tensor


def _op_name(name):
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in name)


def all_saveable_objects(graph=None):
    """What `Saver(var_list=None)` saves: the global variables and the SAVEABLE_OBJECTS collection."""
    graph = graph or get_default_graph()
    return graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(GraphKeys.SAVEABLE_OBJECTS)


def op_list_to_dict(op_list):
    """{checkpoint name: variable or saveable} for a list of them: a variable is named by its op name (an eager
    variable by its name without ':0').

    Raises:
        TypeError: `op_list` is no list, or holds something that is not a variable.
        ValueError: two variables share a name.
    """
    if not isinstance(op_list, (list, tuple, set)):
        raise TypeError(f"Variables to save should be passed in a dict or a list: {op_list}")
    eager_class = _eager_variable_class()
    names_to_saveables = {}
    for var in sorted(op_list, key=lambda v: getattr(v, "name", "")):
        if _is_saveable_object(var):
            name = var.name
        elif isinstance(var, eager_class):
            name = var._name
        else:
            ref = _variable_ref(var)
            if ref is None:
                raise TypeError(f"Variable to save is not a Variable: {var}")
            name = ref.op.name
        if name in names_to_saveables:
            raise ValueError(f"At least two variables have the same name: {name}")
        names_to_saveables[name] = var
    return names_to_saveables


def resolve(var_list, in_graph):
    """The entries of `var_list` (a dict, or a list given to `op_list_to_dict`), sorted by checkpoint name.

    Raises:
        TypeError / ValueError: TensorFlow's errors for non-string names, non-variables, one variable under two
            names, and checkpoint names used twice (a saveable's spec clashing with another name).
    """
    if not isinstance(var_list, dict):
        var_list = op_list_to_dict(var_list)
    eager_class = _eager_variable_class()
    entries, seen, names = [], set(), set()
    for name in sorted(var_list, key=str):
        if not isinstance(name, str):
            raise TypeError("names_to_saveables must be a dict mapping string names to trackable operations. "
                            f"Name is not a string: {name}")
        op = var_list[name]
        if _is_saveable_object(op):
            entry = SaveableEntry(op, in_graph)
        elif isinstance(op, (list, tuple)):
            for v in op:
                if _variable_ref(v) is None and not isinstance(v, eager_class):
                    raise ValueError(f"Slices must all be Variables: {v}")
            raise ValueError(f"Slices must all be slices: {op[0] if op else op}")
        elif isinstance(op, eager_class) or _variable_ref(op) is not None:
            entry = VariableEntry(name, op)
        else:
            raise TypeError("names_to_saveables must be a dict mapping string names to Tensors/Variables. Not a "
                            f"variable: {op}")
        if entry.identity in seen:
            raise ValueError(f"The same saveable will be restored with two names: {name}")
        seen.add(entry.identity)
        for key in getattr(entry, "spec_names", [name]):
            if key in names:
                raise ValueError(f"At least two variables have the same name: {key}")
            names.add(key)
        entries.append(entry)
    return entries
