"""`Tensor`: one output edge of an Operation, with its static shape and dtype. Operators are attached by ops/."""
from . import tensor_shape as _shape

__all__ = ["Tensor"]


class Tensor:
    """A symbolic handle to one output of an `Operation`; `Session.run` computes its value.

    Tensors compare and hash by identity (TF 1.x), so they can key a `feed_dict`.

    Example:
        >>> c = tf.constant([[1.0, 2.0]])
        >>> print(c)
        Tensor("Const:0", shape=(1, 2), dtype=float32)
    """

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "__weakref__")
    # Makes NumPy defer to our reflected operators: `np_array * tensor` builds a graph op.
    __array_priority__ = 100

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._consumers = []

    # --- identity ---------------------------------------------------------------------------
    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def name(self):
        return f"{self._op.name}:{self._value_index}"

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op.graph

    @property
    def device(self):
        return self._op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Narrows the static shape (e.g. a placeholder's `None` dims) where it is compatible."""
        shape = _shape.as_shape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self._shape} is not compatible with supplied shape {shape}")
        self._shape = self._shape.merge_with(shape)

    def consumers(self):
        """The operations that take this tensor as an input."""
        return list(self._consumers)

    # --- evaluation ---------------------------------------------------------------------------
    def eval(self, feed_dict=None, session=None):
        """Runs the graph to compute this tensor in `session` (or the default session)."""
        from ..runtime.session import _session_for
        session = _session_for(self.graph, session, "evaluate tensor using `eval()`", "eval(session=sess)",
                               "tensor's")
        return session.run(self, feed_dict)

    # --- Python protocol ----------------------------------------------------------------------
    def __str__(self):
        parts = [f'"{self.name}"']
        if self._shape.ndims is not None:
            parts.append(f"shape={self._shape}")
        parts.append(f"dtype={self._dtype.name}")
        if self.device:
            parts.append(f"device={self.device}")
        return "Tensor(" + ", ".join(parts) + ")"

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` instead of "
                        "`if t:` to test if a tensor is defined, and use TensorFlow ops such as tf.cond to execute "
                        "subgraphs conditioned on the value of a tensor.")

    def __iter__(self):
        raise TypeError("Tensor objects are only iterable when eager execution is enabled. To iterate over this "
                        "tensor use tf.map_fn.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"Cannot convert a symbolic Tensor ({self.name}) to a numpy array. A graph "
                                  "tensor has no value until a Session runs it: use sess.run(tensor).")

    def __len__(self):
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name}) Please call `x.shape` "
                        "rather than `len(x)` for shape information.")

    def __reduce__(self):
        raise TypeError("A graph Tensor cannot be pickled; save values with tf.train.Saver instead.")

    @classmethod
    def _override_operator(cls, operator, func):
        """Installs an operator overload (used by `neuroflow.ops.overloads`)."""
        setattr(cls, operator, func)
