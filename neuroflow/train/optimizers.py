"""The six TF 1.x optimizers: GradientDescent, Momentum, Adagrad, Adadelta, RMSProp, Adam — each a thin
Optimizer over its fused in-place update primitive, with TensorFlow's defaults and slot names."""
from ..framework.apply import convert_to_tensor
from ..framework.graph import name_scope
from ..ops import control_flow_ops, training_ops
from .optimizer import Optimizer

__all__ = ["GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer", "AdadeltaOptimizer",
           "RMSPropOptimizer", "AdamOptimizer"]


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad.

    Example:
        >>> train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._learning_rate), name="learning_rate")

    def _apply_dense(self, grad, var):
        return self._apply(training_ops.ApplyGradientDescent, [var],
                           [self._hyper(self._lr_t, var, "learning_rate"), grad])

    def _apply_sparse_duplicate_indices(self, grad, var):
        # Only the rows the gradient touches change (TensorFlow's scatter_sub of lr * values).
        from ..ops.math_ops import multiply
        from ..ops.scatter_ops import scatter_sub
        return scatter_sub(var, grad.indices, multiply(grad.values, self._hyper(self._lr_t, var, "learning_rate")),
                           use_locking=self._use_locking)


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (Nesterov: var -= lr * (grad + momentum * accum))."""

    _row_sparse = True  # TensorFlow's SparseApply* rule for IndexedSlices gradients

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate, self._momentum, self._use_nesterov = learning_rate, momentum, use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._learning_rate), name="learning_rate")
        self._momentum_t = convert_to_tensor(self._call_if_callable(self._momentum), name="momentum")

    def _apply_dense(self, grad, var):
        accum = self.get_slot(var, "momentum")
        return self._apply(training_ops.ApplyMomentum, [var, accum],
                           [self._hyper(self._lr_t, var, "lr"), self._hyper(self._momentum_t, var, "momentum"), grad],
                           {"use_locking": self._use_locking, "use_nesterov": self._use_nesterov})


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum); accumulators start at `initial_accumulator_value`."""

    _row_sparse = True  # TensorFlow's SparseApply* rule for IndexedSlices gradients

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._initial = learning_rate, initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot_with_value(v, self._initial, "accumulator", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._learning_rate), name="learning_rate")

    def _apply_dense(self, grad, var):
        return self._apply(training_ops.ApplyAdagrad, [var, self.get_slot(var, "accumulator")],
                           [self._hyper(self._lr_t, var, "lr"), grad])


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler 2012) with TF's defaults lr=0.001, rho=0.95, epsilon=1e-8."""

    _row_sparse = True  # TensorFlow's SparseApply* rule for IndexedSlices gradients

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False, name="Adadelta"):
        super().__init__(use_locking, name)
        self._learning_rate, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._learning_rate), name="lr")
        self._rho_t = convert_to_tensor(self._call_if_callable(self._rho), name="rho")
        self._epsilon_t = convert_to_tensor(self._call_if_callable(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        return self._apply(training_ops.ApplyAdadelta,
                           [var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update")],
                           [self._hyper(self._lr_t, var, "lr"), self._hyper(self._rho_t, var, "rho"),
                            self._hyper(self._epsilon_t, var, "epsilon"), grad])


class RMSPropOptimizer(Optimizer):
    """RMSProp with TF's defaults (decay=0.9, momentum=0, epsilon=1e-10); the `rms` slot starts at ones.
    `centered=True` normalizes by the estimated variance of the gradient instead of its second moment."""

    _row_sparse = True  # TensorFlow's SparseApply* rule for IndexedSlices gradients

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False, centered=False,
                 name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate, self._decay, self._momentum = learning_rate, decay, momentum
        self._epsilon, self._centered = epsilon, centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot_with_value(v, 1.0, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._learning_rate), name="learning_rate")
        self._decay_t = convert_to_tensor(self._call_if_callable(self._decay), name="decay")
        self._momentum_t = convert_to_tensor(self._call_if_callable(self._momentum), name="momentum")
        self._epsilon_t = convert_to_tensor(self._call_if_callable(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        hypers = [self._hyper(self._lr_t, var, "lr"), self._hyper(self._decay_t, var, "rho"),
                  self._hyper(self._momentum_t, var, "momentum"), self._hyper(self._epsilon_t, var, "epsilon"), grad]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return self._apply(training_ops.ApplyCenteredRMSProp, [var, self.get_slot(var, "mg"), rms, mom],
                               hypers)
        return self._apply(training_ops.ApplyRMSProp, [var, rms, mom], hypers)


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba) with TF's defaults lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8; the bias
    corrections use the non-slot variables `beta1_power` and `beta2_power`."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon

    def _get_beta_accumulators(self):
        return (self._get_non_slot_variable("beta1_power"), self._get_non_slot_variable("beta2_power"))

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        # Python betas make float32 accumulators whatever the variables' dtype, as in TensorFlow.
        self._create_non_slot_variable(self._beta1, "beta1_power", first_var)
        self._create_non_slot_variable(self._beta2, "beta2_power", first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = convert_to_tensor(self._call_if_callable(self._lr), name="learning_rate")
        self._beta1_t = convert_to_tensor(self._call_if_callable(self._beta1), name="beta1")
        self._beta2_t = convert_to_tensor(self._call_if_callable(self._beta2), name="beta2")
        self._epsilon_t = convert_to_tensor(self._call_if_callable(self._epsilon), name="epsilon")

    def _apply_dense(self, grad, var):
        beta1_power, beta2_power = self._get_beta_accumulators()
        values = [self._hyper(beta1_power.value(), var, "beta1_power"),
                  self._hyper(beta2_power.value(), var, "beta2_power"),
                  self._hyper(self._lr_t, var, "lr"), self._hyper(self._beta1_t, var, "beta1"),
                  self._hyper(self._beta2_t, var, "beta2"), self._hyper(self._epsilon_t, var, "epsilon"), grad]
        return self._apply(training_ops.ApplyAdam, [var, self.get_slot(var, "m"), self.get_slot(var, "v")],
                           values)

    def _finish(self, update_ops, name_scope_name):
        beta1_power, beta2_power = self._get_beta_accumulators()
        with control_flow_ops.control_dependencies([u for u in update_ops if u is not None]):
            with name_scope(None):
                update_beta1 = beta1_power.assign(
                    beta1_power.value() * self._hyper(self._beta1_t, beta1_power, "beta1"),
                    use_locking=self._use_locking)
                update_beta2 = beta2_power.assign(
                    beta2_power.value() * self._hyper(self._beta2_t, beta2_power, "beta2"),
                    use_locking=self._use_locking)
        return control_flow_ops.group(*update_ops, update_beta1, update_beta2, name=name_scope_name)
