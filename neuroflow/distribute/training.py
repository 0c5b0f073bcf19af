"""Data-parallel training with Horovod's TF1 API: `DistributedOptimizer` (gradients averaged across ranks, fused
into one collective, before the wrapped optimizer applies them), `DistributedGradientTape` for eager mode, and the
broadcast of initial variables from one rank (`broadcast_global_variables`, `broadcast_variables`,
`BroadcastGlobalVariablesHook`)."""
from ..framework.context import executing_eagerly
from ..framework.indexed_slices import IndexedSlices
from ..train.optimizer import Optimizer
from ..train.session_run_hook import SessionRunHook
from .mpi_ops import Average, Compression, broadcast, grouped_allreduce

__all__ = ["DistributedOptimizer", "DistributedGradientTape", "broadcast_global_variables", "broadcast_variables",
           "BroadcastGlobalVariablesHook"]


def _reduce_gradients(grads, compression, sparse_as_dense, op, num_groups, name):
    """The gradients (None kept in place) reduced across ranks by as few fused collectives as `num_groups` says
    (0: one for all of them)."""
    from ..framework.apply import convert_to_tensor
    present = [i for i, g in enumerate(grads) if g is not None]
    values = [convert_to_tensor(grads[i]) if sparse_as_dense and isinstance(grads[i], IndexedSlices) else grads[i]
              for i in present]
    groups = max(1, min(int(num_groups or 1), len(values))) if values else 0
    reduced = []
    for k in range(groups):
        part = values[k * len(values) // groups:(k + 1) * len(values) // groups]
        reduced += grouped_allreduce(part, op=op, compression=compression,
                                     name=f"{name}_Allreduce" + (f"_{k}" if groups > 1 else ""))
    result = list(grads)
    for i, r in zip(present, reduced):
        result[i] = r
    return result


class _DistributedOptimizer(Optimizer):
    """A tf.train optimizer whose compute_gradients returns gradients reduced across ranks."""

    def __init__(self, optimizer, name, use_locking, compression, sparse_as_dense, op, num_groups):
        super().__init__(use_locking=use_locking, name=name or f"Distributed{type(optimizer).__name__}")
        self._optimizer = optimizer
        self._compression = compression
        self._sparse_as_dense = sparse_as_dense
        self._op = op
        self._num_groups = num_groups

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's (gradient, variable) pairs with each gradient reduced across ranks (averaged
        by default): every rank then applies the same update."""
        pairs = self._optimizer.compute_gradients(*args, **kwargs)
        grads = _reduce_gradients([g for g, _ in pairs], self._compression, self._sparse_as_dense, self._op,
                                  self._num_groups, self.get_name())
        return list(zip(grads, [v for _, v in pairs]))

    def apply_gradients(self, *args, **kwargs):
        return self._optimizer.apply_gradients(*args, **kwargs)

    def get_slot(self, *args, **kwargs):
        return self._optimizer.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._optimizer.get_slot_names(*args, **kwargs)

    def variables(self, *args, **kwargs):
        return self._optimizer.variables(*args, **kwargs)


def DistributedOptimizer(optimizer, name=None, use_locking=False, device_dense="", device_sparse="",  # noqa: N802
                         compression=Compression.none, sparse_as_dense=False, backward_passes_per_step=1,
                         op=Average, num_groups=0):
    """Wraps a `tf.train` optimizer so that its gradients are reduced across all ranks before they are applied
    (Horovod's `hvd.DistributedOptimizer`). `compute_gradients`, `apply_gradients` and `minimize` all work.

    The dense gradients of one step travel in one fused collective (HOROVOD_FUSION_THRESHOLD bytes per MPI
    buffer, 64 MiB by default); IndexedSlices gradients (embeddings) are gathered, unless `sparse_as_dense`.

    Args:
        optimizer: the optimizer that applies the reduced gradients.
        name: the wrapper's name (default "Distributed" + the optimizer's class name).
        use_locking: passed to the base class.
        device_dense, device_sparse: ignored (placement is the runtime's).
        compression: `Compression.none` or `Compression.fp16`.
        sparse_as_dense: densify IndexedSlices gradients before reducing them.
        backward_passes_per_step: only 1 is supported.
        op: Average (default) or Sum.
        num_groups: split the gradients into this many fused collectives (0: one).

    Example:
        >>> opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.001 * hvd.size()))
        >>> train_op = opt.minimize(loss, global_step=global_step)
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"DistributedOptimizer wraps a tf.train.Optimizer, got {type(optimizer).__name__}; for "
                        "Keras optimizers use neuroflow.distribute.keras.DistributedOptimizer")
    if backward_passes_per_step != 1:
        raise NotImplementedError("backward_passes_per_step > 1 (local gradient accumulation) is not supported")
    return _DistributedOptimizer(optimizer, name, use_locking, compression, sparse_as_dense, op, num_groups)


class _DistributedGradientTape:
    """A GradientTape whose `gradient` returns gradients reduced across ranks; everything else is the tape's."""

    def __init__(self, tape, compression, sparse_as_dense, op, num_groups):
        self._tape = tape
        self._settings = (compression, sparse_as_dense, op, num_groups)

    def __enter__(self):
        self._tape.__enter__()
        return self

    def __exit__(self, *exc):
        return self._tape.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self._tape, name)

    def gradient(self, target, sources, output_gradients=None, **kwargs):
        """The tape's gradients, each reduced across ranks (averaged by default), in the structure of `sources`."""
        from ..util import nest
        grads = self._tape.gradient(target, sources, output_gradients, **kwargs)
        compression, sparse_as_dense, op, num_groups = self._settings
        flat = _reduce_gradients(nest.flatten(grads) if grads is not None else [None], compression,
                                 sparse_as_dense, op, num_groups, "DistributedGradientTape")
        return nest.pack_sequence_as(sources, flat)


def DistributedGradientTape(gradtape, device_dense="", device_sparse="", compression=Compression.none,  # noqa: N802
                            sparse_as_dense=False, op=Average, num_groups=0):
    """Wraps a `tf.GradientTape` so that `gradient()` reduces the gradients across ranks (Horovod's
    `hvd.DistributedGradientTape`).

    Example:
        >>> with tf.GradientTape() as tape:
        ...     loss = loss_fn(model(x), y)
        >>> tape = hvd.DistributedGradientTape(tape)
        >>> grads = tape.gradient(loss, variables)
    """
    return _DistributedGradientTape(gradtape, compression, sparse_as_dense, op, num_groups)


def broadcast_variables(variables, root_rank):
    """Assigns rank `root_rank`'s value to each variable on every rank. In graph mode returns the op that does
    it; in eager mode does it now (and returns None).

    Example:
        >>> hvd.broadcast_variables(model.variables, root_rank=0)
    """
    from ..ops import control_flow_ops
    from ..ops.state_ops import assign
    variables = list(variables)
    if executing_eagerly():
        for v in variables:
            v.assign(broadcast(v.read_value(), root_rank, name="HorovodBroadcast_" + _short_name(v)))
        return None
    return control_flow_ops.group(*[assign(v, broadcast(v, root_rank, name="HorovodBroadcast_" + _short_name(v)))
                                    for v in variables])


def _short_name(variable):
    return variable.name.split(":")[0].replace("/", "_")


def broadcast_global_variables(root_rank):
    """The op assigning rank `root_rank`'s value to every global variable on every rank (run it once after
    initialization, so that all ranks start from the same weights).

    Raises:
        RuntimeError: in eager mode (use `broadcast_variables`), as in Horovod.

    Example:
        >>> sess.run(tf.global_variables_initializer()); sess.run(hvd.broadcast_global_variables(0))
    """
    if executing_eagerly():
        raise RuntimeError("hvd.broadcast_global_variables() does not support eager execution. Please use "
                           "`hvd.broadcast_variables(<model/optimizer variables>)` instead.")
    from ..variables.collections import global_variables
    return broadcast_variables(global_variables(), root_rank)


class BroadcastGlobalVariablesHook(SessionRunHook):
    """A SessionRunHook that broadcasts every global variable from rank `root_rank` once the session is created
    (after the variables are initialized or restored), for MonitoredTrainingSession.

    Example:
        >>> hooks = [hvd.BroadcastGlobalVariablesHook(0)]
        >>> with tf.train.MonitoredTrainingSession(hooks=hooks, checkpoint_dir=ckpt if hvd.rank() == 0 else None):
    """

    def __init__(self, root_rank, device=""):
        super().__init__()
        self.root_rank = root_rank
        self.bcast_op = None
        self._graph = None

    def begin(self):
        from ..framework.graph import get_default_graph
        if self.bcast_op is None or self._graph is not get_default_graph():
            self._graph = get_default_graph()
            self.bcast_op = broadcast_global_variables(self.root_rank)

    def after_create_session(self, session, coord):
        session.run(self.bcast_op)
