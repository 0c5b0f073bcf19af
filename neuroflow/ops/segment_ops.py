"""Segment reductions: sums, products, maxima and minima of the rows of `data` that share a segment id — sorted
ids (SegmentSum, ...: one output row per id up to the largest) and unsorted ones with a given number of segments
(UnsortedSegmentSum, ...: negative ids dropped) — and the mean / sqrt_n compositions."""
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import name_scope
from ..framework.op_def import InferenceError, OpDef, register
from ..framework.tensor_shape import TensorShape
from ..framework.tensor_util import constant_value
from .op_util import check_index_dtype, invalid_argument, shape_text

__all__ = ["segment_sum", "segment_prod", "segment_max", "segment_min", "segment_mean", "unsorted_segment_sum",
           "unsorted_segment_prod", "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_mean",
           "unsorted_segment_sqrt_n"]

_UFUNC = {"sum": "add", "prod": "multiply", "max": "maximum", "min": "minimum"}


def _empty_value(xp, kind, dtype):
    """What an unsorted reduction gives a segment no row falls in (TensorFlow's identities: the lowest value
    for max, the highest for min)."""
    if kind in ("sum", "prod"):
        return 0 if kind == "sum" else 1
    info = xp.finfo(dtype) if xp.dtype(dtype).kind == "f" else xp.iinfo(dtype)
    return info.min if kind == "max" else info.max


def _reduce_into(xp, kind, flat_data, flat_ids, num_segments):
    out = xp.full((num_segments,) + flat_data.shape[1:], _empty_value(xp, kind, flat_data.dtype), flat_data.dtype)
    getattr(xp, _UFUNC[kind]).at(out, flat_ids, flat_data)
    return out


class _SegmentReduction(OpDef):
    """One reduction (`kind`) of data rows by segment id; `sorted_ids` says which of TensorFlow's two families."""

    kind = None
    sorted_ids = False
    allowed_dtypes = dtypes.REAL

    def infer(self, inputs, attrs):
        data, ids = inputs[0], inputs[1]
        check_index_dtype(ids, "segment_ids")
        if self.sorted_ids:
            if ids.shape.ndims not in (None, 1):
                raise InferenceError(f"Shape must be rank 1 but is rank {ids.shape.ndims}")
            rows = None
            k = 1
        else:
            rows = _static_num_segments(inputs[2])
            k = ids.shape.ndims
        if data.shape.ndims is None or k is None:
            return [(TensorShape(None), data.dtype.base_dtype)]
        if data.shape.ndims < k:
            raise InferenceError(f"Shape must be at least rank {k} but is rank {data.shape.ndims}")
        lead = TensorShape(data.shape.as_list()[:k])
        if not lead.is_compatible_with(ids.shape):
            raise InferenceError(f"Shapes {lead.bracket_str()} and {ids.shape.bracket_str()} are incompatible")
        return [(TensorShape([rows] + data.shape.as_list()[k:]), data.dtype.base_dtype)]

    def grad(self, op, g):
        from .segment_grads import segment_grad
        return [segment_grad(op, g, self.kind)] + [None] * (len(op.inputs) - 1)


def _static_num_segments(t):
    if t.shape.ndims not in (None, 0):
        raise InferenceError(f"Shape must be rank 0 but is rank {t.shape.ndims}")
    value = constant_value(t)
    return None if value is None else int(value)


class _UnsortedSegmentReduction(_SegmentReduction):
    input_names = ("data", "segment_ids", "num_segments")
    shape_arg_inputs = (2,)

    def forward(self, xp, data, ids, num_segments):
        n = int(num_segments)
        if data.shape[:ids.ndim] != ids.shape:
            raise invalid_argument(f"data.shape = {shape_text(data)} does not start with segment_ids.shape = "
                                   f"{shape_text(ids)}")
        flat_ids = ids.reshape(-1)
        flat_data = data.reshape((flat_ids.size,) + data.shape[ids.ndim:])
        if flat_ids.size and flat_ids.max() >= n:
            bad = int(xp.argmax(flat_ids >= n))
            raise invalid_argument(f"segment_ids[{bad}] = {int(flat_ids[bad])} is out of range [0, {n})")
        kept = flat_ids >= 0
        if not bool(kept.all()):  # negative ids are dropped, as TensorFlow
            flat_ids, flat_data = flat_ids[kept], flat_data[kept]
        return _reduce_into(xp, self.kind, flat_data, flat_ids, n)


class _SortedSegmentReduction(_SegmentReduction):
    input_names = ("data", "segment_ids")
    sorted_ids = True
    data_dependent_shape = True  # one row per id up to the largest one

    def forward(self, xp, data, ids):
        if data.ndim < 1 or ids.shape[0] != data.shape[0]:
            raise invalid_argument("segment_ids should be the same size as dimension 0 of input.")
        n = int(ids[-1]) + 1 if ids.size else 0
        if ids.size:
            if int(ids.min()) < 0:
                raise invalid_argument(f"Segment id {int(ids.min())} out of range [0, {n}), possibly because "
                                       "'segment_ids' input is not sorted.")
            if bool((ids[1:] < ids[:-1]).any()):
                raise invalid_argument("segment ids are not increasing")
        out = _reduce_into(xp, self.kind, data, ids, n)
        if self.kind in ("max", "min") and n:
            present = xp.zeros((n,), dtype=bool)
            present[ids] = True
            out[~present] = 0  # TensorFlow's sorted max/min give 0 for an empty segment
        return out


def _family(base, prefix):
    return {kind: register(type(f"{prefix}{kind.capitalize()}", (base,), {
        "type_name": f"{prefix}{kind.capitalize()}", "kind": kind, "__module__": __name__,
        "__doc__": f"The {kind} of the rows of `data` in each segment ({prefix or 'sorted '}ids)."}))
        for kind in ("sum", "prod", "max", "min")}


SORTED = _family(_SortedSegmentReduction, "Segment")
UNSORTED = _family(_UnsortedSegmentReduction, "UnsortedSegment")


# --- public functions ------------------------------------------------------------------------------------------
def _sorted(kind, default_name):
    def fn(data, segment_ids, name=None):
        return apply_op(SORTED[kind], [data, segment_ids], name=name or default_name)
    fn.__name__ = fn.__qualname__ = f"segment_{kind}"
    fn.__doc__ = (f"The {kind} of the rows of `data` sharing an id in `segment_ids` (sorted, non-negative; one "
                  f"output row per id from 0 to the largest).\n\n    Example: `tf.segment_{kind}([[1, 2], [3, 4], "
                  f"[5, 6]], [0, 0, 1])` reduces rows 0 and 1 into output row 0.")
    return fn


def _unsorted(kind, default_name):
    def fn(data, segment_ids, num_segments, name=None):
        with name_scope(name, default_name, [data, segment_ids, num_segments]) as scope:
            ids = convert_to_tensor(segment_ids, name="segment_ids")
            n = convert_to_tensor(num_segments, dtype=ids.dtype.base_dtype if not hasattr(num_segments, "dtype")
                                  else None, name="num_segments")
            return apply_op(UNSORTED[kind], [data, ids, n], name=scope)
    fn.__name__ = fn.__qualname__ = f"unsorted_segment_{kind}"
    fn.__doc__ = (f"The {kind} of the entries of `data` by `segment_ids` (any order, any shape that `data`'s "
                  f"starts with; negative ids are dropped) into `num_segments` output rows.")
    return fn


segment_sum = _sorted("sum", "SegmentSum")
segment_prod = _sorted("prod", "SegmentProd")
segment_max = _sorted("max", "SegmentMax")
segment_min = _sorted("min", "SegmentMin")
unsorted_segment_sum = _unsorted("sum", "UnsortedSegmentSum")
unsorted_segment_prod = _unsorted("prod", "UnsortedSegmentProd")
unsorted_segment_max = _unsorted("max", "UnsortedSegmentMax")
unsorted_segment_min = _unsorted("min", "UnsortedSegmentMin")


def _counts_like(data, ids, num_segments):
    """The number of rows in each segment (at least 1), shaped to divide the segment sums."""
    from .segment_grads import broadcastable_to_rows
    from .grad_support_ops import ones_like
    from .math_ops import cast, maximum
    ones = cast(ones_like(ids), data.dtype.base_dtype)
    if num_segments is None:
        counts = segment_sum(ones, ids)
    else:
        counts = unsorted_segment_sum(ones, ids, num_segments)
    return broadcastable_to_rows(maximum(counts, constant_one(data)), data, ids)


def constant_one(like):
    from .op_util import constant_like
    return constant_like(1, like)


def segment_mean(data, segment_ids, name=None):
    """The mean of the rows of `data` sharing an id in sorted `segment_ids` (0 for an empty segment)."""
    from .math_ops import truediv
    with name_scope(name, "SegmentMean", [data, segment_ids]) as scope:
        data = convert_to_tensor(data, name="data")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        return truediv(segment_sum(data, ids), _counts_like(data, ids, None), name=scope)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """The mean of the entries of `data` by `segment_ids` into `num_segments` rows (0 for an empty segment)."""
    from .math_ops import truediv
    with name_scope(name, "UnsortedSegmentMean", [data, segment_ids, num_segments]) as scope:
        data = convert_to_tensor(data, name="data")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        return truediv(unsorted_segment_sum(data, ids, num_segments),
                       _counts_like(data, ids, num_segments), name=scope)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """The sum of the entries of `data` by `segment_ids`, divided by the square root of each segment's count."""
    from .math_ops import sqrt, truediv
    with name_scope(name, "UnsortedSegmentSqrtN", [data, segment_ids, num_segments]) as scope:
        data = convert_to_tensor(data, name="data")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        return truediv(unsorted_segment_sum(data, ids, num_segments),
                       sqrt(_counts_like(data, ids, num_segments)), name=scope)
