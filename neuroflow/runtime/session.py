"""`tf.Session` and `tf.InteractiveSession`: run fetches with feeds, compiling one Plan per signature and
keeping this session's variable values; the default-session stack. (`ConfigProto` and the other configuration
messages live in runtime/session_config.py.)"""
import collections.abc
import contextlib
import threading

import numpy as np

from ..framework import dtypes
from ..framework.graph import get_default_graph
from ..framework.operation import Operation
from ..framework.tensor import Tensor
from .context import RunContext
from .cpu_share import apply_session_config
from .fetches import FetchStructure, structure_key
from .memory import tune_allocator
from .placement import prepare_context
from .plan import Plan
from .run_metadata import RunMetadata, RunOptions, run_plan_traced, traced_run, wants_trace
from .session_config import ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, jit_requested

__all__ = ["Session", "InteractiveSession", "get_default_session", "ConfigProto", "GPUOptions", "GraphOptions",
           "OptimizerOptions", "RunOptions",
           "RunMetadata"]


class _SessionStack(threading.local):
    def __init__(self):
        self.stack = []


_sessions = _SessionStack()
_get_ident = threading.get_ident


def get_default_session():
    """The innermost session made default by `with sess:` / `sess.as_default()` (or an InteractiveSession)."""
    return _sessions.stack[-1] if _sessions.stack else None


def _session_for(graph, session, action, hint, what):
    """The session to evaluate something of `graph` in, with TensorFlow's messages when there is none."""
    if session is None:
        session = get_default_session()
        if session is None:
            sep = ":" if action.startswith("execute") else ""
            raise ValueError(f"Cannot {action}: No default session is registered. Use `with sess.as_default(){sep}` "
                             f"or pass an explicit session to `{hint}`")
    if session.graph is not graph:
        verb = action.split(" using")[0]
        raise ValueError(f"Cannot use the given session to {verb}: the {what} graph is different from the "
                         "session's graph.")
    return session


def _shape_str(shape):
    return str(shape)


_REMEMBERED_LIST = 64  # longest fed list whose array a _FeedSpec keeps for the next run


class _FeedSpec:
    """How to check and convert values fed to one tensor (computed once per tensor)."""

    __slots__ = ("tensor", "np_dtype", "dims", "full", "is_string", "is_float", "dtype", "last_float", "last_list")

    def __init__(self, tensor):
        self.tensor = tensor
        self.dtype = tensor.dtype.base_dtype
        self.np_dtype = np.dtype(self.dtype.as_numpy_dtype)
        self.dims = tensor.shape._dims
        self.full = self.dims if self.dims is not None and None not in self.dims else None
        self.is_string = self.dtype is dtypes.string
        self.is_float = self.dtype.is_floating
        # (the Python float or int last fed, its 0-d array): a loop feeding the same float object (a learning
        # rate, a target) gets the array it got before (~0.03 us, not ~0.15). Numbers are immutable and a fed
        # array is never written to (feeds are shared values to the plan), so the reuse cannot be seen.
        self.last_float = (None, None)
        # (a copy of the flat list of numbers last fed, its array): a loop feeding equal lists (the lecture's
        # `x: [1.0, 1.0]`) gets that array again (a list comparison, ~0.03 us, not np.asarray's ~0.4). Equal
        # non-zero floats and ints convert to the same bits; a list holding a zero is never kept (0 == -0.0).
        self.last_list = (None, None)

    def convert(self, value, key):
        cls = value.__class__
        if cls is np.ndarray and value.dtype == self.np_dtype and not self.is_string:
            arr = value
        elif (cls is float or cls is int) and self.is_float:
            last = self.last_float
            if last[0] is value:
                arr = last[1]
            else:
                try:
                    arr = np.asarray(value, self.np_dtype)
                except OverflowError:  # an int beyond any float
                    arr = self._slow_convert(value, key)  # for its message
                self.last_float = (value, arr)
        elif cls is list and self.is_float:
            last = self.last_list
            try:
                same = value == last[0]
            except (TypeError, ValueError):  # items whose == gives arrays (a list of arrays)
                same = False
            if same:
                arr = last[1]
            else:
                try:
                    arr = np.asarray(value, self.np_dtype)
                except (TypeError, ValueError):
                    arr = self._slow_convert(value, key)  # for its message
                else:
                    if len(value) <= _REMEMBERED_LIST and all(
                            (x.__class__ is float or x.__class__ is int) and x != 0 for x in value):
                        self.last_list = (list(value), arr)
        else:
            arr = self._slow_convert(value, key)
        if self.full is not None:
            if arr.shape != self.full:
                self._shape_error(arr)
        elif self.dims is not None:
            dims, shape = self.dims, arr.shape
            if len(shape) != len(dims) or any(d is not None and d != s for d, s in zip(dims, shape)):
                self._shape_error(arr)
        return arr

    def _shape_error(self, arr):
        raise ValueError(f"Cannot feed value of shape {arr.shape!r} for Tensor {self.tensor.name!r}, which has "
                         f"shape {str(self.tensor.shape)!r}")

    def _slow_convert(self, value, key):
        if isinstance(value, Tensor) or hasattr(value, "_as_graph_element") and not isinstance(value, np.ndarray):
            raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python "
                            "scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the tensor "
                            f"object was {value} which was passed to the argument `feed_dict` with key {key}.")
        if isinstance(value, int) and not isinstance(value, bool) and self.dtype.is_integer:
            info = np.iinfo(self.np_dtype)
            if not info.min <= value <= info.max:
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not compatible with Tensor "
                                f"type {self.dtype}. Try explicitly setting the type of the feed tensor to a larger "
                                "type (e.g. int64).")
        if self.is_string:
            from ..framework.tensor_util import make_ndarray
            return make_ndarray(value, dtypes.string)
        try:
            return np.asarray(value, dtype=self.np_dtype)
        except (TypeError, ValueError, OverflowError) as e:
            raise ValueError(f"Cannot feed value {value!r} to Tensor {self.tensor.name!r} of dtype "
                             f"{self.dtype.name}: {e}") from None


class Session:
    """Runs (parts of) a graph and owns the values of its variables.

    Args:
        target: ignored (single process).
        graph: the graph to run (default: the default graph now).
        config: a `tf.ConfigProto` (accepted for compatibility).

    Example:
        >>> a = tf.placeholder("float"); b = tf.placeholder("float")
        >>> with tf.Session() as sess:
        ...     print("Result:", sess.run(a + b, feed_dict={a: 4, b: 5}))
        Result: 9.0
    """

    def __init__(self, target="", graph=None, config=None):
        tune_allocator()
        apply_session_config(config)  # thread counts: the config's, NEUROFLOW_NUM_THREADS, or the free cores
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config
        self._ctx = RunContext()
        prepare_context(self._ctx, config, self._graph)  # devices: placement options, where variable values live
        self._ctx.jit_requested = jit_requested(config)  # tiny plans take the tiny VM at once (OptimizerOptions)
        self._closed = False
        self._plans = {}
        self._warm = {}
        self._structures = {}
        self._feed_specs = {}
        self._feed_keys = {}
        self._context_stack = None
        # Thread ids of the runs in flight (list append/remove are atomic): close() waits for them, so no run
        # ever sees the state it frees.
        self._running = []
        self._runs_ended = threading.Condition()
        self._callable_plans = []  # one-plan lists of make_callable's functions, emptied by close()

    # --- properties --------------------------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def() if hasattr(self._graph, "as_graph_def") else None

    @property
    def sess_str(self):
        return ""

    def list_devices(self):
        """The devices this session can place ops on: the CPU, then each visible GPU (runtime/placement.py)."""
        from .placement import full_name, local_device_names
        return [_DeviceAttributes(full_name(name), name.split(":")[1]) for name in local_device_names()]

    # --- running -------------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (a tensor, op, name, or nesting of lists/tuples/dicts/namedtuples of them).

        Args:
            fetches: what to compute; ops give None.
            feed_dict: values for tensors (keys: tensors, variables or names like "x:0").
            options: a `tf.RunOptions`; with a `trace_level` (e.g. FULL_TRACE) and a `run_metadata`, the run
                times every node (interpreted, slower) into `run_metadata.step_stats`.
            run_metadata: a `tf.RunMetadata` to fill.

        Returns:
            The values in the structure of `fetches`: NumPy arrays, and NumPy scalars for 0-d tensors.

        Raises:
            RuntimeError: the session is closed or the graph is empty.
            TypeError / ValueError: bad fetches or feeds (TensorFlow's messages).
            tf.errors.OpError: an op failed while running (the message names the node and your line).
            tf.errors.CancelledError: the session was closed while this run was in flight.
        """
        me = _get_ident()
        running = self._running
        running.append(me)  # before the check: a close() that has not seen this run sees it now
        try:
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if run_metadata is None:
                kind = fetches.__class__
                # The warm path of the common fetches (a list or tuple of leaves, one tensor or op), written out
                # here: it is `_run`'s, one call and the key's separate making less (~0.14 us a run, interleaved
                # A/B on the lecture). The keys are `structure_key`'s.
                if kind is list or kind is tuple:
                    try:
                        warm = self._warm.get(((kind, tuple(fetches)), tuple(feed_dict) if feed_dict else ()))
                    except TypeError:  # a nested structure, or an unhashable fetch: `_run` sees to it
                        warm = None
                elif kind is Tensor or kind is Operation:
                    warm = self._warm.get((fetches, tuple(feed_dict) if feed_dict else ()))
                else:
                    warm = None
                if warm is not None:
                    if self._closed:
                        self._ctx.check_cancelled()
                    return warm(feed_dict.values() if feed_dict else ())
                return self._run(fetches, feed_dict)
            if wants_trace(options, run_metadata):
                if feed_dict and not _composite_types().isdisjoint(map(type, feed_dict)):
                    feed_dict = _expand_composite_feeds(feed_dict)
                return traced_run(self, fetches, feed_dict, run_metadata)  # the slower path that times each node
            return self._run(fetches, feed_dict)
        finally:
            running.remove(me)
            if self._closed:
                self._wake_closer()

    def _run(self, fetches, feed_dict):
        key = structure_key(fetches)
        if key is not None:
            # The warm path: one lookup gives the generated function that converts the feeds, runs the plan
            # and builds the result (`_warm_runner`).
            feed_keys = tuple(feed_dict) if feed_dict else ()
            warm = self._warm.get((key, feed_keys))
            if warm is not None:
                if self._closed:
                    self._ctx.check_cancelled()
                return warm(feed_dict.values() if feed_dict else ())
        if feed_dict and not _composite_types().isdisjoint(map(type, feed_dict)):
            # SparseTensor/IndexedSlices keys: fed as their component tensors (checked here, off the warm path:
            # the expanded feed_dict is what the warm cache knows).
            return self._run(fetches, _expand_composite_feeds(feed_dict))
        structure = self._structures.get(key) if key is not None else None
        if structure is None:
            if self._graph.version == 0:
                raise RuntimeError("The Session graph is empty. Add operations to the graph before calling run().")
            structure = _ResolvedFetches(self._graph, fetches)
            if key is not None:
                self._structures[key] = structure
        if feed_dict:
            feed_keys = tuple(feed_dict)
            feed_values = feed_dict.values()
        else:
            feed_keys, feed_values = (), ()
        plan_key = (structure.signature, feed_keys)
        plan = self._plans.get(plan_key)
        if plan is None:
            plan = self._compile(structure, feed_keys)
            self._plans[plan_key] = plan
        specs = plan.feed_specs
        arrays = [spec.convert(v, k) for spec, v, k in zip(specs, feed_values, feed_keys)] if specs else ()
        if self._closed:
            self._ctx.check_cancelled()
        values = plan.run(arrays)
        if key is not None:
            self._warm[(key, feed_keys)] = _warm_runner(plan, specs, feed_keys, structure.rebuild)
        return structure.rebuild(values)

    def _resolve_feed_key(self, key):
        tensor = self._feed_keys.get(key)
        if tensor is None:
            try:
                element = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
            except (KeyError, ValueError, TypeError) as e:
                message = e.args[0] if e.args else str(e)
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: {message}") from None
            tensor = element
            if not self._graph.is_feedable(tensor):
                raise ValueError(f"Tensor {tensor} may not be fed.")
            self._feed_keys[key] = tensor
        return tensor

    def _compile(self, structure, feed_keys):
        feed_tensors = [self._resolve_feed_key(k) for k in feed_keys]
        plan = Plan(structure.tensors, structure.targets, feed_tensors, self._ctx, feeds_are_arrays=True)
        specs = []
        for t in feed_tensors:
            spec = self._feed_specs.get(t)
            if spec is None:
                spec = self._feed_specs[t] = _FeedSpec(t)
            specs.append(spec)
        plan.feed_specs = tuple(specs)
        return plan

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function `f(*feed_values)` that runs `fetches` with values for `feed_list`, skipping all
        per-call lookups."""
        feed_list = list(feed_list or [])
        # A SparseTensor in feed_list takes one value (a SparseTensorValue) for its component tensors.
        widths = [len(f._component_tensors()) if hasattr(f, "_component_tensors") else 0 for f in feed_list]
        if any(widths):
            feed_list = [t for f, w in zip(feed_list, widths) for t in (f._component_tensors() if w else [f])]
        structure = _ResolvedFetches(self._graph, fetches)
        plan = [self._compile(structure, tuple(feed_list))]
        self._callable_plans.append(plan)  # close() empties it: the plan goes with the session
        specs = plan[0].feed_specs

        def run(*args, **kwargs):
            me = threading.get_ident()
            self._running.append(me)
            try:
                if self._closed:
                    raise RuntimeError("Attempted to use a closed Session.")
                if any(widths):
                    args = [v for a, w in zip(args, widths) for v in (tuple(a) if w else (a,))]
                if len(args) != len(specs):
                    raise TypeError(f"Expected {len(specs)} feed values, got {len(args)}")
                arrays = [spec.convert(v, k) for spec, v, k in zip(specs, args, feed_list)]
                if self._closed:
                    self._ctx.check_cancelled()
                if kwargs and accept_options and wants_trace(kwargs.get("options"), kwargs.get("run_metadata")):
                    return run_plan_traced(self, structure, plan[0], arrays, kwargs["run_metadata"])
                return structure.rebuild(plan[0].run(arrays))
            finally:
                self._running.remove(me)
                if self._closed:
                    self._wake_closer()
        return run

    def plan_source(self, fetches, feed_dict=None):
        """The Python code neuroflow generated to run `fetches` with feeds for `feed_dict`'s keys (its values
        are not used). Each line calls one kernel and is commented with its node name and op type. (Not in
        TensorFlow; `NEUROFLOW_PRINT_PLANS=1` prints every plan's code as it is compiled.)

        Args:
            fetches: as for `run`.
            feed_dict: as for `run`, or just the fed tensors in the same order.

        Returns:
            The source: one section per feed shapes this signature has run with; before its first run, the
            code of its program not yet specialized to feed shapes.

        Example:
            >>> sess.run(y, {x: [[1.0, 2.0]]})
            >>> print(sess.plan_source(y, {x: None}))   # ... v3 = k1(f0, v1)  # dense/MatMul (MatMul) ...
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        structure = _ResolvedFetches(self._graph, fetches)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        plan_key = (structure.signature, feed_keys)
        plan = self._plans.get(plan_key)
        if plan is None:
            plan = self._plans[plan_key] = self._compile(structure, feed_keys)
        return plan.source()

    # --- lifetime ---------------------------------------------------------------------------------------
    def close(self):
        """Frees the session's state; using it afterwards raises RuntimeError.

        Runs in flight in other threads are cancelled (TensorFlow's CancelledError) where they can stop, or
        else finish; close() returns once they have ended, then frees the state.
        """
        if self._closed:
            return
        self._closed = True
        self._ctx.cancelled = True
        me = threading.get_ident()
        with self._runs_ended:
            while any(t != me for t in self._running):
                self._runs_ended.wait(0.1)  # woken by each ending run; the timeout only guards against a lost wake
        self._ctx.close()
        self._plans.clear()
        self._warm.clear()
        for plan in self._callable_plans:
            plan.clear()
        self._callable_plans.clear()
        self._structures.clear()

    def _wake_closer(self):
        with self._runs_ended:
            self._runs_ended.notify_all()

    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default session for `Tensor.eval()` / `Operation.run()` in the block."""
        _sessions.stack.append(self)
        try:
            yield self
        finally:
            if self in _sessions.stack:
                _sessions.stack.remove(self)

    def __enter__(self):
        stack = contextlib.ExitStack()
        stack.enter_context(self._graph.as_default())
        stack.enter_context(self.as_default())
        self._context_stack = stack
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._context_stack is not None:
            self._context_stack.close()
            self._context_stack = None
        self.close()
        return False

    def __del__(self):
        try:
            self._ctx.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _DeviceAttributes:
    def __init__(self, name, device_type):
        self.name, self.device_type = name, device_type
        self.memory_limit_bytes = 0

    def __repr__(self):
        return f"_DeviceAttributes({self.name}, {self.device_type})"


class _ResolvedFetches:
    """A fetch structure resolved against a graph: distinct tensors to compute, ops to run, and where each
    leaf's value comes from. Hashable by identity, so it keys the plan cache."""

    def __init__(self, graph, fetches):
        self._structure = FetchStructure(fetches)
        tensors, targets, positions = [], [], []
        index_of = {}
        for leaf in self._structure.leaves:
            element = _resolve_fetch(graph, leaf)
            if isinstance(element, Operation):
                if element not in targets:
                    targets.append(element)
                positions.append(None)
            else:
                if element not in index_of:
                    index_of[element] = len(tensors)
                    tensors.append(element)
                positions.append(index_of[element])
        self.tensors, self.targets, self.positions = tensors, targets, positions
        self.signature = (tuple(tensors), tuple(targets))
        self.rebuild = _flat_rebuilder(fetches, positions) or self._rebuild_nested

    def _rebuild_nested(self, values):
        leaf_values = [None if p is None else values[p] for p in self.positions]
        return self._structure.rebuild(leaf_values)


def _flat_rebuilder(fetches, positions):
    """A generated `values -> result` for the common shapes of fetches: one leaf, or a plain list or tuple of
    leaves (e.g. `[loss, train_op]` -> `lambda v: [v[0], None]`); None for nested structures."""
    items = [("None" if p is None else f"v[{p}]") for p in positions]
    if not isinstance(fetches, (list, tuple, collections.abc.Mapping)):
        if len(items) != 1:  # one SparseTensor/IndexedSlices: several tensors make one value
            return None
        body = items[0]
    elif type(fetches) in (list, tuple) and len(fetches) == len(positions) and not any(
            isinstance(f, (list, tuple, dict)) for f in fetches):
        body = f"[{', '.join(items)}]" if type(fetches) is list else f"({', '.join(items)}{',' if items else ''})"
    else:
        return None
    return eval(f"lambda v: {body}")  # noqa: S307 - built from integers only


_WARM_MAKERS = {}
_WRITTEN_OUT_FEEDS = 16  # up to this many feeds, a warm run's conversions are written out


def _warm_runner(plan, specs, feed_keys, rebuild):
    """`warm(feed values) -> result` for one (fetches, feed keys) of a session: each feed converted by its
    `_FeedSpec` (written out, `[c0(f0, k0), c1(f1, k1)]`, not a loop over zip: ~0.2 us less for three feeds),
    the plan run, the result built. It holds no reference to the session (no cycle keeps a session alive)."""
    n = len(specs)
    if n > _WRITTEN_OUT_FEEDS:
        converts = [spec.convert for spec in specs]

        def warm(values):
            return rebuild(plan.run([convert(v, k) for convert, v, k in zip(converts, values, feed_keys)]))
        return warm
    make = _WARM_MAKERS.get(n)
    if make is None:
        params = "".join(f", c{i}, k{i}" for i in range(n))
        unpack = f"    {''.join(f'f{i}, ' for i in range(n))}= values\n" if n else ""
        source = (f"def make(run_plan, rebuild{params}):\n  def warm(values):\n{unpack}"
                  f"    return rebuild(run_plan([{', '.join(f'c{i}(f{i}, k{i})' for i in range(n))}]))\n"
                  "  return warm\n")
        namespace = {}
        exec(compile(source, f"<neuroflow warm run of {n} feeds>", "exec"), namespace)  # noqa: S102 - integers only
        make = _WARM_MAKERS[n] = namespace["make"]
    return make(plan.run, rebuild, *[x for spec, key in zip(specs, feed_keys) for x in (spec.convert, key)])


_COMPOSITES = []


def _composite_types():
    """The classes fed and fetched as several tensors (SparseTensor, IndexedSlices), found once: checking a
    feed_dict's key types against them costs a warm run far less than asking each key for an attribute."""
    if not _COMPOSITES:
        from ..framework.indexed_slices import IndexedSlices
        from ..framework.sparse_tensor import SparseTensor
        _COMPOSITES.append(frozenset((SparseTensor, IndexedSlices)))
    return _COMPOSITES[0]


def _expand_composite_feeds(feed_dict):
    """A feed_dict whose SparseTensor/IndexedSlices keys are replaced by their component tensors, each fed the
    matching part of the value (a SparseTensorValue or any (indices, values, dense_shape) triple), as TF does."""
    expanded = {}
    for key, value in feed_dict.items():
        parts = getattr(key, "_component_tensors", None)
        if parts is None:
            expanded[key] = value
        else:
            expanded.update(zip(parts(), value))
    return expanded


def _resolve_fetch(graph, leaf):
    if leaf is None:
        raise TypeError(f"Fetch argument {leaf!r} has invalid type {type(leaf)}")
    try:
        return graph.as_graph_element(leaf, allow_tensor=True, allow_operation=True)
    except TypeError as e:
        raise TypeError(f"Fetch argument {leaf!r} has invalid type {type(leaf)}, must be a string or Tensor. "
                        f"({e})") from None
    except (ValueError, KeyError) as e:
        message = e.args[0] if e.args else str(e)
        raise ValueError(f"Fetch argument {leaf!r} cannot be interpreted as a Tensor. ({message})") from None


class InteractiveSession(Session):
    """A Session that makes itself (and its graph) the default on creation, for shells and notebooks:
    `t.eval()` and `op.run()` work without `with`."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._interactive = contextlib.ExitStack()
        self._interactive.enter_context(self._graph.as_default())
        self._interactive.enter_context(self.as_default())

    def close(self):
        super().close()
        stack, self._interactive = getattr(self, "_interactive", None), None
        if stack is not None:
            try:
                stack.close()
            except (IndexError, RuntimeError):  # the default stacks were unwound out of order
                pass
