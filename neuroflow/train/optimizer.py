"""`tf.train.Optimizer`: compute_gradients / apply_gradients / minimize, slots (per-variable state such as
Adam's moments) and non-slot variables (Adam's beta powers), as in TensorFlow 1.x."""
import contextlib

from ..autodiff import gradients
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.context import executing_eagerly
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..ops.subgraph import outermost_graph
from ..framework.indexed_slices import IndexedSlices, densify
from ..framework.tensor import Tensor
from ..ops import control_flow_ops, state_ops
from ..ops.math_ops import cast
from ..variables.collections import trainable_variables
from ..variables.variable import Variable

__all__ = ["Optimizer"]

_FLOAT_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64)


def _is_variable(v):
    from ..eager.variable import EagerVariable
    return isinstance(v, (Variable, EagerVariable))


def _var_name(v):
    return v._name if not isinstance(v, Variable) else v.op.name


def _graph_of(v):
    return v.graph if isinstance(v, Variable) else None


def _zeros_for(var):
    from ..ops.array_ops import zeros
    return zeros(var.shape.as_list(), dtype=var.dtype.base_dtype)


class Optimizer:
    """Base class of the optimizers. Subclasses define `_create_slots(var_list)`, `_prepare()` and
    `_apply_dense(grad, var)` (and optionally `_finish(update_ops, name)`).

    Example:
        >>> train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    """

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2
    _row_sparse = False  # an IndexedSlices gradient updates only its rows (TF's SparseApply* ops)
    _sparse_indices = None  # the rows, while _apply_sparse runs the dense update through the sparse twins

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}          # slot name -> {variable: slot variable}
        self._non_slot = {}       # (name, graph) -> variable

    def get_name(self):
        return self._name

    # --- the three steps ------------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        """compute_gradients + apply_gradients: an op that takes one training step (and increments
        `global_step` if given).

        Raises:
            ValueError: no variable has a gradient with respect to `loss`.
        """
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        usable = [v for g, v in grads_and_vars if g is not None]
        if not usable:
            raise ValueError("No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {[str(v) for _, v in grads_and_vars]} and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """A list of (gradient, variable) pairs; the gradient is None for a variable `loss` does not use."""
        if executing_eagerly():
            return self._compute_gradients_eagerly(loss, var_list, grad_loss)
        if callable(loss):
            loss = loss()
        loss = convert_to_tensor(loss)
        if loss.dtype.base_dtype not in _FLOAT_TYPES:
            raise ValueError(f"Invalid type {loss.dtype.base_dtype!r} for {loss.name}, expected: "
                             "[tf.float32, tf.float64, tf.float16].")
        if var_list is None:
            var_list = trainable_variables() + loss.graph.get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES)
        else:
            var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not _is_variable(v):
                raise TypeError(f"Argument is not a tf.Variable: {v}")
        grads = gradients(loss, var_list, grad_ys=grad_loss)
        return list(zip(grads, var_list))

    def _compute_gradients_eagerly(self, loss, var_list, grad_loss):
        """With a GradientTape: `loss` must be a callable (a value computed earlier cannot be differentiated)."""
        from ..eager.tape import GradientTape
        if not callable(loss):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a function when eager "
                               "execution is enabled.")
        with GradientTape() as tape:
            if var_list is not None:
                tape.watch(list(var_list))
            value = loss()
        var_list = list(var_list) if var_list is not None else tape.watched_variables()
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = tape.gradient(value, var_list, output_gradients=grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """An op applying the gradients to their variables (then incrementing `global_step` if given)."""
        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        pairs = []
        for g, v in grads_and_vars:
            if g is not None:
                if not isinstance(g, (Tensor, IndexedSlices)):
                    g = convert_to_tensor(g)
                if not _is_variable(v):
                    raise TypeError(f"Gradient for {v} is not paired with a tf.Variable.")
            pairs.append((g, v))
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError(f"No gradients provided for any variable: {[str(v) for _, v in pairs]}.")
        with name_scope(None):
            self._create_slots(var_list)
        update_ops = []
        with name_scope(name, self._name) as scope:
            self._prepare()
            for g, v in pairs:
                if g is None:
                    continue
                with name_scope("update_" + _var_name(v)):
                    update_ops.append(self._apply_sparse_duplicate_indices(g, v) if isinstance(g, IndexedSlices)
                                      else self._apply_dense(g, v))
            if global_step is None:
                apply_updates = self._finish(update_ops, scope)
            else:
                with control_flow_ops.control_dependencies([self._finish(update_ops, "update")]):
                    apply_updates = state_ops.assign_add(global_step, 1, name=scope)
                apply_updates = None if executing_eagerly() else apply_updates.op
            if executing_eagerly():
                return None  # the updates have been applied
            train_ops = get_default_graph().get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
            return apply_updates

    # --- hooks for subclasses -------------------------------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError

    def _apply_sparse_duplicate_indices(self, grad, var):
        """The update for an IndexedSlices gradient (repeated indices add up); by default `_apply_sparse`."""
        return self._apply_sparse(grad, var)

    def _apply_sparse(self, grad, var):
        """With `_row_sparse` (TF's SparseApply* rule: Momentum, Adagrad, Adadelta, RMSProp), the dense update's
        fused op swapped for its row-sparse twin, touching only the gradient's rows; otherwise the dense update of
        the densified gradient (Adam's rule in TensorFlow updates its moments densely too)."""
        if not self._row_sparse:
            return self._apply_dense(densify(grad), var)
        self._sparse_indices = grad.indices
        try:
            return self._apply_dense(grad.values, var)
        finally:
            self._sparse_indices = None

    def _finish(self, update_ops, name_scope_name):
        return control_flow_ops.group(*update_ops, name=name_scope_name)

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    def _hyper(self, value, var, name):
        """A hyperparameter tensor cast to the variable's dtype (TF casts learning rates the same way)."""
        t = convert_to_tensor(value, name=name) if not isinstance(value, Tensor) else value
        base = var.dtype.base_dtype
        return t if t.dtype.base_dtype is base else cast(t, base)

    def _apply(self, opdef, refs, values, attrs=None):
        """Applies a fused update primitive: its output (graph mode: group it; eager mode: already done)."""
        if self._sparse_indices is not None:  # inside _apply_sparse: the row-sparse twin, given the rows
            from ..ops.sparse_training_ops import sparse_twin
            opdef, values = sparse_twin(opdef), list(values) + [self._sparse_indices]
        return apply_op(opdef, [r._ref() for r in refs] + list(values), attrs or {"use_locking": self._use_locking},
                        name=opdef.type_name)

    # --- slots ----------------------------------------------------------------------------------------------------
    def _zeros_slot(self, var, slot_name, op_name):
        return self._get_or_make_slot(var, lambda: _zeros_for(var), slot_name,
                                      op_name)

    def _get_or_make_slot(self, var, make_initial, slot_name, op_name):
        slots = self._slots.setdefault(slot_name, {})
        if var not in slots:
            taken = sum(var in per_var for per_var in self._slots.values())  # W/Adam, then W/Adam_1, as TF
            suffix = f"_{taken}" if taken else ""
            with name_scope(None):
                slots[var] = Variable(make_initial, trainable=False, name=f"{_var_name(var)}/{op_name}{suffix}",
                                      dtype=var.dtype.base_dtype)
        return slots[var]

    def _get_or_make_slot_with_value(self, var, value, slot_name, op_name):
        def initial():
            from ..ops.grad_support_ops import broadcast_to
            return broadcast_to(convert_to_tensor(value, dtype=var.dtype.base_dtype), var.shape.as_list())
        return self._get_or_make_slot(var, initial, slot_name, op_name)

    def get_slot(self, var, name):
        """The slot variable `name` (e.g. "m") for `var`, or None."""
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self):
        return sorted(self._slots)

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        graph = colocate_with.graph if isinstance(colocate_with, Variable) else None
        key = (name, graph)
        var = self._non_slot.get(key)
        if var is None:
            with (graph.as_default() if graph is not None else contextlib.nullcontext()), name_scope(None):
                var = Variable(initial_value, name=name, trainable=False)
            self._non_slot[key] = var
        return var

    def _get_non_slot_variable(self, name, graph=None):
        found = self._non_slot.get((name, None))  # eager variables (also when used inside tf.function)
        if found is None and not executing_eagerly():
            # Inside a cond branch or loop body the variables live in the outermost graph (where they were made).
            found = self._non_slot.get((name, outermost_graph(graph)))
        return found

    def _non_slot_variables(self):
        return list(self._non_slot.values())

    def variables(self):
        """The optimizer's own variables (slots and non-slot ones such as Adam's beta powers), by name."""
        graph = None if executing_eagerly() else outermost_graph()
        found = [v for v in self._non_slot_variables() if _graph_of(v) is graph]
        for per_var in self._slots.values():
            found.extend(v for v in per_var.values() if _graph_of(v) is graph)
        return sorted(found, key=lambda v: v.name)
