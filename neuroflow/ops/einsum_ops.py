"""`tf.einsum`: one Einsum primitive over one or two operands (NumPy's einsum as the kernel), with static shapes
from the equation and gradients that are einsums themselves (letters an operand sums over alone are broadcast
back)."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from .shape_inference import broadcast_shape

__all__ = ["einsum"]

_ELLIPSIS = "."  # "..." is kept as this one character inside parsed subscripts


def parse_equation(equation, num_inputs):
    """(input subscripts, output subscripts) of an einsum equation, "..." written as "."; the output of an implicit
    equation is NumPy's and TensorFlow's: an ellipsis, then the letters used once, sorted."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = [t.replace("...", _ELLIPSIS) for t in lhs.split(",")]
    if len(terms) != num_inputs:
        raise ValueError(f"Expecting {len(terms)} inputs for equation {equation!r}, got {num_inputs}")
    for t in terms + [rhs.replace("...", _ELLIPSIS)]:
        letters = t.replace(_ELLIPSIS, "")
        if t.count(_ELLIPSIS) > 1 or not all(c.isalpha() for c in letters):
            raise ValueError(f"Invalid einsum equation {equation!r}")
    if arrow:
        output = rhs.replace("...", _ELLIPSIS)
    else:
        counts = {}
        for c in "".join(terms).replace(_ELLIPSIS, ""):
            counts[c] = counts.get(c, 0) + 1
        output = (_ELLIPSIS if any(_ELLIPSIS in t for t in terms) else "") + "".join(
            sorted(c for c, n in counts.items() if n == 1))
    for c in output.replace(_ELLIPSIS, ""):
        if not any(c in t for t in terms):
            raise ValueError(f"Output subscript {c!r} does not appear in the inputs of {equation!r}")
    return terms, output


def _numpy_equation(terms, output):
    return ",".join(terms).replace(_ELLIPSIS, "...") + "->" + output.replace(_ELLIPSIS, "...")


@register
class Einsum(OpDef):
    """The contraction an einsum equation (attr `equation`, NumPy's notation) describes, of one or two operands."""

    type_name = "Einsum"
    input_names = ("inputs",)
    variadic = True
    same_dtype = ("inputs",)
    allowed_dtypes = dtypes.NUMBER
    broadcasts_inputs = True  # ellipsis dims broadcast: the engine sums gradients back to each operand's shape

    def infer(self, inputs, attrs):
        terms, output = parse_equation(attrs["equation"], len(inputs))
        sizes, batch = {}, TensorShape([])
        for t, x in zip(terms, inputs):
            if x.shape.ndims is None:
                return [(TensorShape(None), inputs[0].dtype.base_dtype)]
            dims = x.shape.as_list()
            letters = t.replace(_ELLIPSIS, "")
            if (_ELLIPSIS in t and len(dims) < len(letters)) or (_ELLIPSIS not in t and len(dims) != len(letters)):
                raise InferenceError(f"Expected input with {len(letters)} dimensions for subscripts {t!r}, got "
                                     f"shape {x.shape.bracket_str()}")
            start = t.index(_ELLIPSIS) if _ELLIPSIS in t else len(t)
            n_batch = len(dims) - len(letters)
            batch = broadcast_shape(batch, TensorShape(dims[start:start + n_batch]))
            for c, d in zip(letters, dims[:start] + dims[start + n_batch:]):
                known = sizes.get(c)
                if known is not None and d is not None and known != d and 1 not in (known, d):
                    raise InferenceError(f"Dimensions must be equal, but are {known} and {d} for subscript {c!r}")
                if known is None or known == 1:
                    sizes[c] = d
        out = []
        for c in output:
            out.extend(batch.as_list() if c == _ELLIPSIS else [sizes.get(c)])
        return [(TensorShape(out), inputs[0].dtype.base_dtype)]

    def forward(self, xp, *arrays, equation):
        terms, output = parse_equation(equation, len(arrays))
        return xp.einsum(_numpy_equation(terms, output), *arrays)

    def grad(self, op, g):
        terms, output = parse_equation(op.get_attr("equation"), len(op.inputs))
        grads = []
        for i, (term, x) in enumerate(zip(terms, op.inputs)):
            letters = term.replace(_ELLIPSIS, "")
            if len(set(letters)) != len(letters):
                raise NotImplementedError(f"neuroflow's einsum gradient does not take repeated subscripts in one "
                                          f"operand ({term!r})")
            others = [(t, y) for j, (t, y) in enumerate(zip(terms, op.inputs)) if j != i]
            available = output + "".join(t for t, _ in others)
            # Letters only this operand has are summed in the forward pass: their gradient is broadcast back.
            kept = "".join(c for c in term if c in available)
            equation = _numpy_equation([output] + [t for t, _ in others], kept)
            partial = apply_op(Einsum, [g] + [y for _, y in others], {"equation": equation}, name="Einsum")
            grads.append(partial if kept == term else _broadcast_back(partial, kept, term, x))
        return grads


def _broadcast_back(partial, kept, term, x):
    """`partial` (subscripts `kept`) with size-1 axes for the letters of `term` it lacks, broadcast to x's shape."""
    from .array_ops import shape
    from .grad_support_ops import broadcast_to, expand_dims
    if _ELLIPSIS in term and x.shape.ndims is None:
        raise NotImplementedError("neuroflow's einsum gradient needs the rank of an operand with an ellipsis")
    position = 0
    n_batch = (x.shape.ndims - len(term) + 1) if _ELLIPSIS in term else 0
    for c in term:
        if c == _ELLIPSIS:
            for _ in range(0 if c in kept else n_batch):
                partial = expand_dims(partial, position)
            position += n_batch
            continue
        if c not in kept:
            partial = expand_dims(partial, position)
        position += 1
    return broadcast_to(partial, shape(x))


def einsum(equation, *inputs, **kwargs):
    """A tensor contraction written in Einstein notation, as NumPy's einsum ("ij,jk->ik" is a matrix product,
    "bij,bjk->bik" a batched one, "...ij->...ji" a transpose; an implicit output keeps the letters used once).

    Args:
        equation: the subscripts, e.g. "ijk,kl->ijl".
        *inputs: one or two tensors of one dtype.
        name: the node name (keyword only).

    Example:
        >>> tf.einsum("bth,hd->btd", hidden, weights)   # a dense layer over every time step
    """
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for this function: {', '.join(sorted(kwargs))}")
    if not 1 <= len(inputs) <= 2:
        raise NotImplementedError("neuroflow's einsum takes one or two operands")
    with name_scope(name, "einsum", list(inputs)) as scope:
        tensors = [convert_to_tensor(x, name="input") for x in inputs]
        parse_equation(equation, len(tensors))  # the equation's errors, before any node
        return apply_op(Einsum, tensors, {"equation": equation}, name=scope)
