"""TensorFlow's text for a tensor's values (Tensor::SummarizeValue): the flat, bracketed form tf.Print and
tf.Assert write, and the numpy-like form with "..." that tf.print writes (print_v2)."""
import numpy as np

__all__ = ["host_array", "summarize", "summarize_v2"]


def host_array(array):
    """`array` (a backend array) as a NumPy array on the host: an explicit copy through `tolist`, which every
    backend offers; NumPy arrays pass unchanged."""
    if isinstance(array, (np.ndarray, np.generic)):
        return np.asarray(array)
    return np.array(array.tolist(), dtype=array.dtype).reshape(np.shape(array))


def _element(value, dtype, quote_strings):
    """One element as TensorFlow's StrCat writes it: the shortest of %.6g/%.9g (float) or %.15g/%.17g
    (double) that reads back exactly; bools as 1/0; bytes C-escaped."""
    kind = dtype.kind
    if kind == "b":
        return "1" if value else "0"
    if kind in "iu":
        return str(int(value))
    if kind == "f":
        number = float(value)
        if np.isnan(number):
            return "-nan" if np.signbit(number) else "nan"
        short, long_ = (6, 9) if dtype.itemsize <= 4 else (15, 17)
        text = "%.*g" % (short, number)
        parsed = np.float32(text) if dtype.itemsize <= 4 else float(text)
        return text if parsed == value else "%.*g" % (long_, number)
    if kind in "OSU":
        raw = value.encode("utf8") if isinstance(value, str) else bytes(value)
        text = raw.decode("latin-1").encode("unicode_escape").decode("ascii").replace('"', '\\"').replace("'", "\\'")
        return f'"{text}"' if quote_strings else text
    return "?"  # complex and other types: TensorFlow prints "?" too


def summarize(array, max_entries=3):
    """Tensor::SummarizeValue(max_entries): the first `max_entries` elements in row-major order with a bracket
    pair per dimension, "..." where elements were left out (TF1's tf.Print and tf.Assert text).

    Example: summarize(np.array([[1, 2], [3, 4]])) == "[1 2][3...]..."
    """
    array = host_array(array)
    flat = array.reshape(-1)
    limit = flat.size if max_entries is None or max_entries < 0 else min(max_entries, flat.size)
    texts = [_element(v, array.dtype, False) for v in flat[:limit]]
    if array.ndim == 0:
        return " ".join(texts) + ("..." if flat.size > limit else "")
    out = []
    _one_dim(0, array.shape, limit, texts, [0], out)
    if flat.size > limit:
        out.append("...")
    return "".join(out)


def _one_dim(dim, shape, limit, texts, index, out):
    """TensorFlow's PrintOneDim: `index[0]` is the next element to write."""
    if index[0] >= limit:
        return
    if dim == len(shape) - 1:
        for i in range(shape[dim]):
            if index[0] >= limit:
                if dim != 0:
                    out.append("...")
                return
            if i > 0:
                out.append(" ")
            out.append(texts[index[0]])
            index[0] += 1
        return
    for _ in range(shape[dim]):
        opened = index[0] < limit
        if opened:
            out.append("[")
        _one_dim(dim + 1, shape, limit, texts, index, out)
        if index[0] < limit or opened:
            out.append("]")


def summarize_v2(array, max_entries=3):
    """Tensor::SummarizeValue(max_entries, print_v2=true): the first and last `max_entries` entries of every
    dimension, "..." between, rows on new lines as NumPy prints them; strings quoted (tf.print's text).

    Example: summarize_v2(np.arange(10)) == "[0 1 2 ... 7 8 9]"
    """
    array = host_array(array)
    size = array.size
    limit = size if max_entries is None or max_entries < 0 else min(max_entries, size)
    if array.ndim == 0:
        return _element(array[()], array.dtype, True) if limit else ""
    out = []
    _one_dim_v2(array, 0, limit, out)
    return "".join(out)


def _spacing(dim, ndim, out):
    if dim == ndim - 1:
        out.append(" ")
        return
    out.append("\n" * (ndim - dim - 1) + " " * (dim + 1))


def _row(array, i):
    """array[i] as an array (indexing an object array's last dimension gives the element itself)."""
    row = array[i]
    return row if isinstance(row, np.ndarray) else np.asarray(row, dtype=array.dtype)


def _one_dim_v2(array, dim, ends, out):
    """TensorFlow's PrintOneDimV2 over the sub-array `array` (its dimension 0 is the tensor's `dim`)."""
    if array.ndim == 0:
        out.append(_element(array[()], array.dtype, True))
        return
    ndim = array.ndim + dim
    out.append("[")
    count = array.shape[0]
    for i in range(min(ends, count)):
        if i > 0:
            _spacing(dim, ndim, out)
        _one_dim_v2(_row(array, i), dim + 1, ends, out)
    if count > 2 * ends:
        _spacing(dim, ndim, out)
        out.append("...")
    for i in range(max(ends, count - ends), count):
        _spacing(dim, ndim, out)
        _one_dim_v2(_row(array, i), dim + 1, ends, out)
    out.append("]")
