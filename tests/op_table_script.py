"""Op-table rows for the ops that call Python or act on the side: py_func / numpy_function (PyFunc,
PyFuncStateless), tf.py_function (EagerPyFunc), tf.Print, tf.print (PrintV2), tf.Assert, and tf.custom_gradient
(IdentityN); the rows' finite differences check the gradients of py_function and custom_gradient. Behaviour beyond
values (errors, printing, counting) is in test_script_ops.py, test_py_function.py, test_logging_ops.py and
test_custom_gradient.py."""
import numpy as np

import neuroflow as tf
from op_table_base import Row, _values, binary_samples, unary_samples


def _passed_through(x, side_op):
    """`x` after `side_op` ran (a control dependency; in eager mode the op already ran and is None)."""
    with tf.control_dependencies([side_op] if side_op is not None else []):
        return tf.identity(x)


def _print_v2(x):
    return _passed_through(x, tf.print("value:", x, {"doubled": x * 2}))


def _assert(x):
    return _passed_through(x, tf.Assert(tf.reduce_all(tf.less(x, 10.0)), ["x must stay below 10:", x]))


@tf.custom_gradient
def _square_with_custom_gradient(x):
    def grad(dy):
        return dy * 2.0 * x
    return x * x, grad


@tf.custom_gradient
def _product_with_custom_gradient(x, y):
    def grad(dy):
        return dy * y, dy * x
    return x * y, grad


def _rows():
    samples = unary_samples()
    return [
        Row("py_func", lambda x: tf.py_func(np.square, [x], tf.float64), np.square, samples, grad=False,
            data_dependent_shape=True, foldable=False),
        Row("py_func_stateless", lambda x: tf.py_func(np.square, [x], tf.float64, stateful=False), np.square,
            samples[:3], grad=False, data_dependent_shape=True, foldable=False),
        Row("numpy_function", lambda x, y: tf.numpy_function(np.multiply, [x, y], tf.float64), np.multiply,
            binary_samples()[:5], grad=False, data_dependent_shape=True, foldable=False),
        Row("py_function", lambda x: tf.py_function(lambda t: t * t * t, [x], tf.float64), lambda x: x ** 3,
            samples, data_dependent_shape=True, foldable=False),
        Row("Print", lambda x: tf.Print(x, [x, tf.shape(x)], "op table: "), lambda x: x, samples, foldable=False),
        # Their output is an Identity of the input (after the op, a control input), which folds like any Identity.
        Row("print", _print_v2, lambda x: x, samples[:3], grad=False),
        Row("Assert", _assert, lambda x: x, samples[:3], grad=False),
        Row("custom_gradient", _square_with_custom_gradient, np.square, samples),
        Row("custom_gradient_two_inputs", _product_with_custom_gradient, np.multiply,
            [(_values((3, 4), (-2, 2), np.float64), _values((3, 4), (-2, 2), np.float64)),
             (_values((), (-2, 2), np.float64), _values((), (-2, 2), np.float64))]),
    ]


ROWS = _rows()

COVERED_ELSEWHERE = set()
