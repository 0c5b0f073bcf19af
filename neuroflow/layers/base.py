"""`tf.layers.Layer`: a callable that builds its variables on first call inside its own variable scope
(`dense`, `dense_1`, ...) and puts its ops in that scope (`dense/MatMul`), as TF 1.x layers do."""
import re

from ..framework.apply import convert_to_tensor
from ..framework.graph import GraphKeys, get_default_graph
from ..variables.scope import get_variable, variable_scope

__all__ = ["Layer"]


def _snake_case(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


class Layer:
    """Base class: subclasses implement `build(input_shape)` (create variables with `add_weight`) and
    `call(inputs)` (build the ops).

    Args:
        trainable: whether its variables go to TRAINABLE_VARIABLES.
        name: the variable scope name (default: the class name in snake case, made unique).
        dtype: the dtype of its variables (default: the first input's).
    """

    def __init__(self, trainable=True, name=None, dtype=None, _scope=None, _reuse=None, **kwargs):
        self.trainable = trainable
        self._name = name
        self._base_name = name or _snake_case(type(self).__name__)
        self.dtype = dtype
        self._scope = _scope
        self._reuse = _reuse
        self.built = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []
        self._losses = []
        self.input_spec = None

    # --- properties -----------------------------------------------------------------------------
    @property
    def name(self):
        return self._scope.name if hasattr(self._scope, "name") else self._base_name

    @property
    def scope_name(self):
        return self.name

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def updates(self):
        return list(self._updates)

    @property
    def losses(self):
        return list(self._losses)

    # --- building ------------------------------------------------------------------------------------
    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **kwargs):
        """Creates (or, under reuse, fetches) a variable of this layer with `tf.get_variable`."""
        trainable = trainable and self.trainable
        var = get_variable(name, shape=shape, dtype=dtype or self.dtype, initializer=initializer,
                           regularizer=None, trainable=trainable, constraint=constraint)
        if regularizer is not None and var not in self.weights:
            from ..framework.graph import name_scope
            with name_scope(f"{name}/Regularizer"):
                loss = regularizer(var)
            if loss is not None:
                self._losses.append(loss)
                get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        return var

    def add_update(self, updates, inputs=None):
        updates = updates if isinstance(updates, (list, tuple)) else [updates]
        self._updates.extend(updates)
        for u in updates:
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, u)

    def add_loss(self, losses, inputs=None):
        losses = losses if isinstance(losses, (list, tuple)) else [losses]
        self._losses.extend(losses)
        for loss in losses:
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    # --- calling ----------------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        """Builds the variables on first call, then the ops, inside the layer's scope."""
        if self._scope is None or isinstance(self._scope, str):
            with variable_scope(self._scope, default_name=self._base_name) as captured:
                self._scope = captured
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False):
            # Ops go in the name scope opened when the scope was captured (`dense/MatMul`).
            with get_default_graph().name_scope(self._scope.original_name_scope):
                x = inputs if isinstance(inputs, (list, tuple)) else convert_to_tensor(inputs)
                if not self.built:
                    if self.dtype is None and not isinstance(x, (list, tuple)):
                        self.dtype = x.dtype.base_dtype
                    shape = [t.shape for t in x] if isinstance(x, (list, tuple)) else x.shape
                    self.build(shape)
                    self.built = True
                return self.call(x, *args, **kwargs)

    def apply(self, inputs, *args, **kwargs):
        return self(inputs, *args, **kwargs)

    def get_weights(self):
        raise NotImplementedError("get_weights needs a session: use sess.run(layer.weights)")
