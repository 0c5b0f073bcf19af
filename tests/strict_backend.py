"""A strict array module for tests: NumPy's functions behind a wrapper whose arrays refuse every silent
conversion, so a kernel that computes with NumPy instead of the `xp` it was given fails loudly.

`StrictArray` is not an ndarray: NumPy's ufuncs and array functions refuse it (`__array_ufunc__` and
`__array_function__` raise), and so does `np.asarray` (`__array__` raises). The module's own functions unwrap
their arguments, call NumPy, and wrap the results; they refuse plain NumPy arrays too (an array a kernel made
with NumPy), except in the functions that move data onto the backend (`asarray`, `array`, ...). What CuPy allows
on its arrays stays allowed: Python scalars from size-1 arrays (`float`, `int`, `bool`), `.item()`, `.tolist()`,
shape metadata (`np.shape`, `np.ndim`, `np.size`). Every refusal is also appended to `escapes`, so a kernel that
catches the exception still fails the test.
"""
import operator
import traceback
import types

import numpy as _np

__all__ = ["StrictArray", "BackendEscape", "escapes", "asnumpy", "backend"]

escapes = []  # the message of every refused conversion since the test last cleared it


class BackendEscape(TypeError):
    """A strict array reached NumPy, or a NumPy array reached the strict module, without an explicit copy."""


def _refuse(what):
    kernel_lines = [f"{f.filename.split('/neuroflow/')[-1]}:{f.lineno}" for f in traceback.extract_stack()
                    if "/neuroflow/" in f.filename]
    what += f" (at {kernel_lines[-1]})" if kernel_lines else ""
    escapes.append(what)
    raise BackendEscape(what)


# Functions that take host data onto the backend: the only ones that accept plain NumPy arrays.
_UPLOADS = {"asarray", "array", "asanyarray", "ascontiguousarray", "asfortranarray", "copy"}
# NumPy functions that only read metadata: CuPy arrays answer them too.
_METADATA = {_np.shape, _np.ndim, _np.size}


def _unwrap(value, where, allow_host):
    if type(value) is StrictArray:
        return value._a
    if isinstance(value, _np.ndarray):
        if not allow_host:
            _refuse(f"{where} received a NumPy array of shape {value.shape}: made with NumPy, not the backend")
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v, where, allow_host) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v, where, allow_host) for k, v in value.items()}
    return value


def _wrap(value):
    if isinstance(value, _np.ndarray):
        return StrictArray(value)
    if isinstance(value, _np.generic):
        return StrictArray(_np.asarray(value))  # CuPy's reductions give 0-d arrays, not host scalars
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if isinstance(value, _np.random.Generator):
        return _Proxy(value, "Generator")
    return value


def _call(fn, where, allow_host, args, kwargs):
    return _wrap(fn(*_unwrap(args, where, allow_host), **_unwrap(kwargs, where, allow_host)))


class _Proxy:
    """Wraps a NumPy callable or namespace (function, ufunc, submodule, random Generator): calls unwrap and
    wrap; attributes that are callables or namespaces are proxied in turn; classes and constants pass."""

    def __init__(self, target, name):
        self._target, self._name = target, name

    def __call__(self, *args, **kwargs):
        allow_host = self._name.rsplit(".", 1)[-1] in _UPLOADS
        return _call(self._target, self._name, allow_host, args, kwargs)

    def __getattr__(self, name):
        return _proxy(getattr(self._target, name), f"{self._name}.{name}")

    def __repr__(self):
        return f"<strict {self._name}>"


def _proxy(value, name):
    if isinstance(value, type) or name.rsplit(".", 1)[-1].startswith("__"):
        return value  # dtypes, scalar types, finfo, errstate: no arrays in them
    if callable(value) or isinstance(value, types.ModuleType):
        return _Proxy(value, name)
    return value


class StrictArray:
    """A NumPy array seen only through the strict module: NumPy itself refuses it."""

    __slots__ = ("_a",)
    __hash__ = None

    def __init__(self, array):
        self._a = array

    def __array__(self, *args, **kwargs):
        _refuse(f"np.asarray (or NumPy code) received a strict array of shape {self._a.shape}")

    def __array_ufunc__(self, ufunc, method, *args, **kwargs):
        _refuse(f"NumPy's ufunc {ufunc.__name__} received a strict array: a kernel computed with NumPy, not its xp")

    def __array_function__(self, func, types_, args, kwargs):
        if func in _METADATA:
            return func(*_unwrap(args, func.__name__, True), **kwargs)
        _refuse(f"np.{func.__name__} received a strict array: a kernel computed with NumPy, not its xp")

    def __getattr__(self, name):
        if name.startswith("__"):  # __array_interface__, __array_struct__: NumPy's conversion back doors
            raise AttributeError(name)
        return _wrap(_proxy(getattr(self._a, name), f"ndarray.{name}"))

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key, "indexing", False)])

    def __setitem__(self, key, value):
        self._a[_unwrap(key, "indexing", False)] = _unwrap(value, "item assignment", False)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(row) for row in self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return operator.index(self._a)

    def __bool__(self):
        return bool(self._a)

    def __complex__(self):
        return complex(self._a)

    def __repr__(self):
        return f"strict({self._a!r})"


def _binary(fn, reflected=False):
    def method(self, other):
        other = _unwrap(other, fn.__name__, False)
        return _wrap(fn(other, self._a) if reflected else fn(self._a, other))
    return method


def _inplace(fn):
    def method(self, other):
        fn(self._a, _unwrap(other, fn.__name__, False), out=self._a)
        return self
    return method


for _name, _fn in [("add", _np.add), ("sub", _np.subtract), ("mul", _np.multiply), ("truediv", _np.true_divide),
                   ("floordiv", _np.floor_divide), ("mod", _np.remainder), ("pow", _np.power),
                   ("matmul", _np.matmul), ("and", _np.bitwise_and), ("or", _np.bitwise_or),
                   ("xor", _np.bitwise_xor), ("lshift", _np.left_shift), ("rshift", _np.right_shift)]:
    setattr(StrictArray, f"__{_name}__", _binary(_fn))
    setattr(StrictArray, f"__r{_name}__", _binary(_fn, reflected=True))
    setattr(StrictArray, f"__i{_name}__", _inplace(_fn))
for _name, _fn in [("eq", _np.equal), ("ne", _np.not_equal), ("lt", _np.less), ("le", _np.less_equal),
                   ("gt", _np.greater), ("ge", _np.greater_equal)]:
    setattr(StrictArray, f"__{_name}__", _binary(_fn))
for _name, _fn in [("neg", _np.negative), ("pos", _np.positive), ("abs", _np.absolute), ("invert", _np.invert)]:
    setattr(StrictArray, f"__{_name}__", lambda self, _fn=_fn: _wrap(_fn(self._a)))


class _StrictModule(types.ModuleType):
    """The `xp` the tests hand to kernels: NumPy's namespace, proxied."""

    ndarray = StrictArray

    def __getattr__(self, name):
        value = _proxy(getattr(_np, name), name)
        setattr(self, name, value)
        return value


def asnumpy(array):
    """The explicit copy back to the host (CuPy's name): the one way out of the strict backend."""
    return array._a.copy() if type(array) is StrictArray else _np.asarray(array)


backend = _StrictModule("strict_numpy")
backend.asnumpy = asnumpy
