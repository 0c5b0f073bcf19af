"""Op-table rows for functional control flow (If/StatelessIf from tf.cond and tf.case, While/StatelessWhile from
tf.while_loop) against plain NumPy branching and Python loops. A stateful branch or body holds a seeded random
draw multiplied by zero, so its value stays the reference's while the op is the stateful kind."""
import numpy as np

import neuroflow as tf
from neuroflow.framework.apply import apply_op
from neuroflow.framework.tensor_shape import TensorShape
from neuroflow.ops.while_grad import IterationValue, IterationValueGrad
from op_table_base import Row, _noncontiguous, _values, unary_samples


def _noise(x):
    return tf.random_uniform([], seed=3, dtype=x.dtype) * tf.cast(0.0, x.dtype)


def _cond_pure(x):
    return tf.cond(tf.reduce_sum(x) > 0, lambda: x * x * 2.0, lambda: tf.sin(x) - x)


def _cond_pure_ref(x):
    return x * x * 2.0 if x.sum() > 0 else np.sin(x) - x


def _cond_stateful(x):
    return tf.cond(tf.reduce_sum(x) <= 0, lambda: tf.exp(x) + _noise(x), lambda: x * 3.0)


def _cond_stateful_ref(x):
    return np.exp(x) if x.sum() <= 0 else x * 3.0


def _case_exclusive(x):
    s = tf.reduce_sum(x)
    return tf.case([(s > 1.0, lambda: x * x), (s < -1.0, lambda: -x)], default=lambda: tf.cos(x), exclusive=True)


def _case_without_default(x):
    s = tf.reduce_sum(x)
    return tf.case({s > 0.0: lambda: x * 2.0, s <= 0.0: lambda: tf.sin(x)})


def _case_without_default_ref(x):
    return x * 2.0 if x.sum() > 0 else np.sin(x)


def _case_ref(x):
    s = x.sum()
    return x * x if s > 1.0 else (-x if s < -1.0 else np.cos(x))


def _while_pure(x):
    return tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y * 0.25 + tf.sin(y)), [0, x])[1]


def _while_pure_ref(x):
    for _ in range(3):
        x = x * x * 0.25 + np.sin(x)
    return x


def _while_stateful(x):
    return tf.while_loop(lambda i, y: i < 2, lambda i, y: (i + 1, tf.tanh(y) * 1.5 + _noise(y)), (0, x))[1]


def _while_stateful_ref(x):
    for _ in range(2):
        x = np.tanh(x) * 1.5
    return x


def _iteration_value(stack):
    """Iteration 1's value from a per-iteration stack (what a backward loop body reads)."""
    shape = stack.shape[1:] if stack.shape.ndims is not None else TensorShape(None)
    return apply_op(IterationValue, [stack, 1], {"dtype": stack.dtype.base_dtype, "shape": shape})


def _iteration_value_grad(stack, grad):
    """The gradient of IterationValue: zeros like the stack, `grad` at iteration 1."""
    return apply_op(IterationValueGrad, [stack, 1, grad])


def _iteration_value_grad_ref(stack, grad):
    out = np.zeros_like(stack)
    out[1] = grad
    return out


_STACKS = [(_values(s, (-2.0, 2.0), np.float64),) for s in [(3,), (2, 4), (2, 3, 1, 2), (3, 0)]] + [
    (_noncontiguous((3, 4), (-2.0, 2.0), np.float64),)]

ROWS = [
    Row("iteration_value", _iteration_value, lambda stack: stack[1], _STACKS, foldable=False),
    Row("iteration_value_grad", _iteration_value_grad, _iteration_value_grad_ref,
        [(stack, _values(stack.shape[1:], (-2.0, 2.0), np.float64)) for (stack,) in _STACKS if stack.ndim > 1],
        foldable=False),
    Row("cond_stateless", _cond_pure, _cond_pure_ref, unary_samples(), foldable=False),
    Row("cond_stateful", _cond_stateful, _cond_stateful_ref, unary_samples(), foldable=False),
    Row("case_exclusive", _case_exclusive, _case_ref, unary_samples(), foldable=False),
    Row("case_without_default", _case_without_default, _case_without_default_ref, unary_samples(), foldable=False),
    Row("while_loop_stateless", _while_pure, _while_pure_ref, unary_samples(), foldable=False),
    Row("while_loop_stateful", _while_stateful, _while_stateful_ref, unary_samples(), foldable=False),
]
COVERED_ELSEWHERE = set()
