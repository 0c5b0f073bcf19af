"""Plan: the compiled schedule for one (fetches, feeds, targets) signature of a Session.

Compiling prunes the graph to what the fetches and targets need (stopping at fed tensors), orders it,
puts constants into a value template, binds each op's kernel once, and decides which fetched values must
be copied because they may alias state. Running then does little but call kernels.
"""
import numpy as np

from ..framework import errors

__all__ = ["Plan"]


def _needed_ops(fetch_tensors, target_ops, fed):
    """The ops the fetches and targets depend on, through data inputs (not past fed tensors) and control
    inputs; a reference input (Assign's variable) needs no value, only its own producer's ordering."""
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in fed] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        refs = op.opdef.ref_inputs
        for i, t in enumerate(op._inputs):
            if i in refs:
                if t.op.type != "VariableV2":
                    stack.append(t.op)
            elif t not in fed:
                stack.append(t.op)
        stack.extend(op._control_inputs)
    return needed


class Plan:
    """Compiled execution of one signature. `run(feed_arrays)` returns the flat fetch values."""

    def __init__(self, fetch_tensors, target_ops, feed_tensors, ctx):
        fed = set(feed_tensors)
        # Ops are created after their inputs and control inputs, so creation order is a topological order.
        order = sorted(_needed_ops(fetch_tensors, target_ops, fed), key=lambda op: op._id)
        slot_of = {t: i for i, t in enumerate(feed_tensors)}
        shared = [True] * len(feed_tensors)  # fed arrays belong to the user
        template = [None] * len(feed_tensors)
        steps = []
        scratch = None

        def new_slot(value=None, is_shared=False):
            template.append(value)
            shared.append(is_shared)
            return len(template) - 1

        fetched = set(fetch_tensors)
        for op in order:
            opdef = op.opdef
            if opdef.num_outputs == 0 and opdef.type_name == "NoOp":
                continue  # ordering is all it contributes, and the order already holds it
            value_inputs = [t for i, t in enumerate(op._inputs) if i not in opdef.ref_inputs]
            for t in value_inputs:
                # A variable is read where it is used, so a read ordered after an update sees the update.
                if t.op.opdef.read_at_use and t not in fed:
                    steps.append((t.op.opdef.kernel(t.op, ctx), (), slot_of[t], t.op))
            if opdef.read_at_use and not any(t in fetched for t in op._outputs):
                for t in op._outputs:
                    slot_of[t] = new_slot(None, True)
                continue
            in_slots = tuple(slot_of[t] for t in value_inputs)
            static = opdef.static_value(op, 0) if opdef.type_name == "Const" else None
            if static is not None:
                slot_of[op._outputs[0]] = new_slot(static, True)
                continue
            aliased = getattr(opdef, "output_is_shared", False) or (
                opdef.may_alias_input and any(shared[s] for s in in_slots))
            out_slots = []
            for t in op._outputs:
                if t in fed:
                    if scratch is None:
                        scratch = new_slot()
                    out_slots.append(scratch)
                else:
                    slot_of[t] = new_slot(None, aliased)
                    out_slots.append(slot_of[t])
            kernel = opdef.kernel(op, ctx)
            out = out_slots[0] if len(out_slots) == 1 else (tuple(out_slots) if out_slots else None)
            steps.append((kernel, in_slots, out, op))
        self.steps = tuple(steps)
        self.template = template
        self.num_feeds = len(feed_tensors)
        self.fetch_slots = tuple(slot_of[t] for t in fetch_tensors)
        self.fetch_copy = tuple(shared[slot_of[t]] for t in fetch_tensors)

    def run(self, feed_arrays):
        vals = self.template.copy()
        vals[:self.num_feeds] = feed_arrays
        with np.errstate(all="ignore"):  # TensorFlow computes inf/nan silently; so do we
            try:
                for kernel, ins, out, op in self.steps:
                    result = kernel(*[vals[i] for i in ins])
                    if out.__class__ is int:
                        vals[out] = result
                    elif out is not None:
                        for o, v in zip(out, result):
                            vals[o] = v
            except Exception as exc:  # noqa: BLE001 - every kernel failure becomes an OpError naming the node
                raise _op_error(op, exc, [vals[i] for i in ins]) from None
        results = []
        for slot, copy in zip(self.fetch_slots, self.fetch_copy):
            v = vals[slot]
            if copy or v.__class__ is not np.ndarray or not v.ndim:
                v = _to_user(v, copy)
            results.append(v)
        return results


def _to_user(value, copy):
    """What `Session.run` hands back: a fresh array, or a NumPy scalar for a 0-d value (as TensorFlow)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        return value.copy() if copy else value
    if isinstance(value, np.generic):
        return value
    return np.asarray(value)[()] if np.ndim(value) == 0 else np.array(value)


def _op_error(op, exc, arrays):
    context = op.error_context()
    if isinstance(exc, errors.OpError):
        cls = type(exc)
        return cls(op.node_def, op, exc.message + context)
    if isinstance(exc, MemoryError):
        return errors.ResourceExhaustedError(op.node_def, op, f"OOM when running {op.type}: {exc}" + context)
    message = op.opdef.explain_failure(arrays, op._attrs, exc)
    return errors.InvalidArgumentError(op.node_def, op, message + context)
