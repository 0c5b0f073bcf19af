"""`tf.train.FtrlOptimizer`: FTRL-Proximal (McMahan et al. 2013, TensorFlow's ApplyFtrlV2 rule, with l1, l2 and l2
shrinkage), the default optimizer of the canned linear estimators. A composition of assignments: FTRL is rarely the
hot loop of a NumPy program, so it has no fused primitive; its updates equal TensorFlow's (tests/data/ftrl/)."""
from ..framework.apply import convert_to_tensor
from ..ops import control_flow_ops, math_ops, state_ops
from ..ops.grad_support_ops import where
from .optimizer import Optimizer

__all__ = ["FtrlOptimizer"]


class FtrlOptimizer(Optimizer):
    """accum += g^2; linear += g' - (accum_new^-p - accum^-p) / lr * var; var = (sign(linear) l1 - linear) /
    (accum_new^-p / lr + 2 l2) where |linear| > l1, else 0 (p = learning_rate_power, g' = g + 2 l2_shrinkage var).

    Example:
        >>> train_op = tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01).minimize(loss)
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name="Ftrl",
                 accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0):
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value {initial_accumulator_value} needs to be positive or zero")
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power} needs to be negative or zero")
        for what, value in [("l1_regularization_strength", l1_regularization_strength),
                            ("l2_regularization_strength", l2_regularization_strength),
                            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)]:
            if value < 0.0:
                raise ValueError(f"{what} {value} needs to be positive or zero")
        self._learning_rate, self._power = learning_rate, learning_rate_power
        self._initial, self._l1, self._l2 = initial_accumulator_value, l1_regularization_strength, \
            l2_regularization_strength
        self._shrinkage = l2_shrinkage_regularization_strength
        self._accum_name, self._linear_name = accum_name, linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot_with_value(v, self._initial, "accum", self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._learning_rate), name="learning_rate")

    def _apply_dense(self, grad, var):
        return self._update(grad, var)

    def _apply_sparse_duplicate_indices(self, grad, var):
        # TensorFlow's SparseApplyFtrl updates only the gradient's rows (repeated indices add up); the others keep
        # their variable and slots, where the dense rule would move them (a zero gradient still changes `var`).
        from ..framework.indexed_slices import IndexedSlices, densify
        from ..ops.grad_support_ops import expand_dims, ones_like
        rows = IndexedSlices(ones_like(grad.indices, dtype=var.dtype.base_dtype), grad.indices,
                             grad.dense_shape[:1] if grad.dense_shape is not None else None)
        touched = math_ops.minimum(densify(rows), 1.0)
        while touched.shape.ndims < var.shape.ndims:
            touched = expand_dims(touched, -1)
        return self._update(densify(grad), var, touched)

    def _update(self, grad, var, touched=None):
        lr = self._hyper(self._lr_t, var, "learning_rate")
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        value = var.value() if hasattr(var, "value") else var
        new_accum = accum + grad * grad
        shrunk = grad + 2.0 * self._shrinkage * value if self._shrinkage else grad
        if self._power == -0.5:  # the usual power: sqrt, as TensorFlow's kernel special-cases it
            sigma = (math_ops.sqrt(new_accum) - math_ops.sqrt(accum)) / lr
            quadratic = math_ops.sqrt(new_accum) / lr + 2.0 * self._l2
        else:
            sigma = (math_ops.pow(new_accum, -self._power) - math_ops.pow(accum, -self._power)) / lr
            quadratic = math_ops.pow(new_accum, -self._power) / lr + 2.0 * self._l2
        new_linear = linear + shrunk - sigma * value
        new_var = where(math_ops.abs(new_linear) > self._l1,
                        (math_ops.sign(new_linear) * self._l1 - new_linear) / quadratic, value * 0.0)
        if touched is not None:
            new_var, new_accum, new_linear = [touched * new + (1.0 - touched) * old for new, old in
                                              [(new_var, value), (new_accum, accum), (new_linear, linear)]]
        # All three read the old values before any of them is written.
        with control_flow_ops.control_dependencies([new_var, new_accum, new_linear]):
            return control_flow_ops.group(
                state_ops.assign(linear, new_linear, use_locking=self._use_locking),
                state_ops.assign(accum, new_accum, use_locking=self._use_locking),
                state_ops.assign(var, new_var, use_locking=self._use_locking))
