"""`tf.keras.optimizers`: Keras's optimizers (Keras argument names and defaults: `learning_rate`/`lr`, `beta_1`,
`rho`, `epsilon=1e-7`, `decay`, `clipnorm`, `clipvalue`), each running the fused update primitive of the matching
`tf.train` optimizer, and `get` for `compile(optimizer=...)`.

The learning rate is a variable of the model's graph (`optimizer.lr`), so callbacks such as ReduceLROnPlateau can
change it between steps without rebuilding anything.
"""
import numpy as np

import neuroflow as _tf
from ..framework import dtypes
from ..train import optimizers as _train_opt
from ..train.optimizer import Optimizer as _TFOptimizerBase

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "TFOptimizer", "get", "serialize",
           "deserialize"]


class Optimizer:
    """Base of the Keras optimizers.

    Args:
        name: the name scope of its variables (`Adam/learning_rate`, `Adam/iterations`).
        **kwargs: `lr` (an alias of `learning_rate`), `decay` (lr / (1 + decay * iterations)), `clipnorm` (clip
            each gradient's norm), `clipvalue` (clip each gradient element).

    Attributes:
        lr / learning_rate: the learning-rate variable once the model is compiled and trained (read and set it
            with `tf.keras.backend.get_value` / `set_value`, or assign a number to the attribute).
        iterations: the int64 step counter variable (created with the train op).
    """

    _ALLOWED = {"lr", "decay", "clipnorm", "clipvalue"}

    def __init__(self, name, **kwargs):
        for key in kwargs:
            if key not in self._ALLOWED:
                raise TypeError(f"Unexpected keyword argument passed to optimizer: {key}")
        for key in ("clipnorm", "clipvalue"):
            if kwargs.get(key) is not None and kwargs[key] < 0:
                raise ValueError(f"Expected {key} to be a non-negative number, got {kwargs[key]}")
        self._name = name
        self._hyper = {}            # name -> Python value, replaced by a variable when the train op is built
        self._initial_decay = float(kwargs.get("decay", 0.0))
        if self._initial_decay < 0:
            raise ValueError(f"decay cannot be less than 0: {self._initial_decay}")
        self.clipnorm = kwargs.get("clipnorm")
        self.clipvalue = kwargs.get("clipvalue")
        self.iterations = None
        self._graph = None
        self._impl = None           # the tf.train optimizer doing the updates
        self._params = []           # the variables it updates, in order

    # --- hyperparameters --------------------------------------------------------------------------------
    @staticmethod
    def _learning_rate(learning_rate, kwargs):
        """`lr` is Keras 2.2's name for `learning_rate`; it wins when given."""
        lr = kwargs.pop("lr", None)
        return learning_rate if lr is None else lr

    def _set_hyper(self, name, value):
        current = self._hyper.get(name)
        if isinstance(current, _tf.Variable):
            current.load(np.asarray(value, dtype=current.dtype.base_dtype.as_numpy_dtype), self._session())
        else:
            self._hyper[name] = value

    def _get_hyper(self, name):
        return self._hyper[name]

    @property
    def lr(self):
        return self._hyper["learning_rate"]

    @lr.setter
    def lr(self, value):
        self._set_hyper("learning_rate", value)

    learning_rate = lr

    def _session(self):
        """The Keras session of the graph holding the optimizer's variables."""
        from . import backend
        if self._graph is None:
            raise RuntimeError(f"The optimizer {self._name} has no variables yet: compile and fit a model first.")
        with self._graph.as_default():
            return backend.get_session()

    def _value(self, name):
        v = self._hyper[name]
        return float(v.eval(session=self._session())) if isinstance(v, _tf.Variable) else v

    # --- building the train op ---------------------------------------------------------------------------
    def _make_impl(self, learning_rate):
        """The tf.train optimizer applying the updates with `learning_rate` (a tensor)."""
        raise NotImplementedError

    def _build_hypers(self):
        if self._graph is not None:
            return
        self._graph = _tf.get_default_graph()
        with _tf.name_scope(None), _tf.name_scope(self._name):
            self.iterations = _tf.Variable(0, dtype=dtypes.int64, trainable=False, name="iterations")
            value = self._hyper["learning_rate"]
            if not isinstance(value, _tf.Tensor) and not callable(value):
                self._hyper["learning_rate"] = _tf.Variable(float(value), dtype=dtypes.float32, trainable=False,
                                                            name="learning_rate")

    def _decayed_lr(self):
        lr = self._hyper["learning_rate"]
        lr = lr() if callable(lr) and not isinstance(lr, _tf.Variable) else lr
        if not self._initial_decay:
            return lr
        with _tf.name_scope(self._name + "_decay"):
            steps = _tf.cast(self.iterations, dtypes.float32)
            return lr / (1.0 + self._initial_decay * steps)

    def get_gradients(self, loss, params):
        """The gradients of `loss` for `params`, clipped by `clipnorm` / `clipvalue`.

        Raises:
            ValueError: a variable has no gradient (Keras's message).
        """
        grads = _tf.gradients(loss, params)
        if any(g is None for g in grads):
            missing = [p.name for p, g in zip(params, grads) if g is None]
            raise ValueError("An operation has `None` for gradient. Please make sure that all of your ops have a "
                             "gradient defined (i.e. are differentiable). Common ops without gradient: K.argmax, "
                             f"K.round, K.eval. Variables without a gradient: {missing}")
        if self.clipnorm is not None:
            grads = [_tf.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.clipvalue is not None:
            grads = [_tf.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_updates(self, loss, params):
        """The ops of one training step: the update of every variable in `params` and of `iterations`.

        Builds the optimizer's variables (learning rate, step counter, slots) in the current graph on first use.
        """
        self._build_hypers()
        self._params = list(self._params) + [p for p in params if all(p is not q for q in self._params)]
        grads = self.get_gradients(loss, params)
        if self._impl is None:
            self._impl = self._make_impl(self._decayed_lr())
        with _tf.name_scope("training"):
            update = self._impl.apply_gradients(list(zip(grads, params)), global_step=self.iterations)
            return [_apply_constraints(update, params)]

    # --- state --------------------------------------------------------------------------------------------
    @property
    def weights(self):
        """The optimizer's state variables: `iterations`, then the slots (e.g. Adam's m and v) by name."""
        if self._graph is None:
            return []
        impl = self._impl
        if impl is None:
            return [self.iterations]
        # A structural order (not by name), so a rebuilt model's state lines up with a saved one's.
        state = sorted((v for v in impl._non_slot_variables() if getattr(v, "graph", None) is self._graph),
                       key=lambda v: v.name)
        for param in self._params:
            state += [impl.get_slot(param, name) for name in impl.get_slot_names()
                      if impl.get_slot(param, name) is not None]
        return [self.iterations] + state

    def variables(self):
        """All of its variables: the state and the hyperparameter variables."""
        hypers = [v for v in self._hyper.values() if isinstance(v, _tf.Variable)]
        return self.weights + hypers

    def get_weights(self):
        """The state variables' values, as NumPy arrays, in the order of `weights`."""
        weights = self.weights
        return list(self._session().run(weights)) if weights else []

    def set_weights(self, weights):
        """Sets the state variables from NumPy arrays (in the order of `weights`).

        Raises:
            ValueError: a count or shape mismatch.
        """
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"Length of the specified weight list ({len(weights)}) does not match the number of "
                             f"weights of the optimizer ({len(params)})")
        session = self._session()
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if not p.shape.is_compatible_with(w.shape):
                raise ValueError(f"Optimizer weight shape {tuple(p.shape.as_list())} not compatible with provided "
                                 f"weight shape {w.shape}")
            p.load(w.astype(p.dtype.base_dtype.as_numpy_dtype), session)

    def get_config(self):
        config = {"name": self._name}
        for key, value in self._hyper.items():
            config[key] = self._value(key) if isinstance(value, _tf.Variable) else value
        if self._initial_decay:
            config["decay"] = self._initial_decay
        if self.clipnorm is not None:
            config["clipnorm"] = self.clipnorm
        if self.clipvalue is not None:
            config["clipvalue"] = self.clipvalue
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _apply_constraints(update, params):
    """`update`, followed by projecting each constrained variable (`kernel_constraint=...`) with its constraint,
    as Keras does after every optimizer step."""
    constrained = [p for p in params if getattr(p, "constraint", None) is not None]
    if not constrained:
        return update
    with _tf.control_dependencies([update]):
        projections = [p.assign(p.constraint(p.value())).op for p in constrained]
    return _tf.group(update, *projections)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum. Defaults as Keras: learning_rate=0.01, momentum=0.

    Example:
        >>> model.compile(tf.keras.optimizers.SGD(lr=0.1, momentum=0.9), "mse")
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        learning_rate = self._learning_rate(learning_rate, kwargs)
        super().__init__(name, **kwargs)
        if momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be between [0, 1].")
        self._hyper.update(learning_rate=learning_rate, momentum=float(momentum))
        self.nesterov = nesterov

    def _make_impl(self, learning_rate):
        if self._hyper["momentum"]:
            return _train_opt.MomentumOptimizer(learning_rate, self._hyper["momentum"], use_nesterov=self.nesterov,
                                                name=self._name)
        return _train_opt.GradientDescentOptimizer(learning_rate, name=self._name)

    def get_config(self):
        return dict(super().get_config(), nesterov=self.nesterov)


class Adam(Optimizer):
    """Adam with Keras's defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7.

    `amsgrad=True` is not available (no fused primitive for it yet): it raises NotImplementedError.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name="Adam",
                 **kwargs):
        learning_rate = self._learning_rate(learning_rate, kwargs)
        super().__init__(name, **kwargs)
        if amsgrad:
            raise NotImplementedError("Adam(amsgrad=True) is not available in neuroflow yet; use amsgrad=False.")
        self._hyper.update(learning_rate=learning_rate, beta_1=float(beta_1), beta_2=float(beta_2))
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)
        self.amsgrad = amsgrad

    def _make_impl(self, learning_rate):
        return _train_opt.AdamOptimizer(learning_rate, self._hyper["beta_1"], self._hyper["beta_2"], self.epsilon,
                                        name=self._name)

    def get_config(self):
        return dict(super().get_config(), epsilon=self.epsilon, amsgrad=self.amsgrad)


class _KerasRMSProp(_train_opt.RMSPropOptimizer):
    """tf.train's RMSProp, but with the mean-square slot starting at zero as in Keras (TF1 starts it at one)."""

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults: learning_rate=0.001, rho=0.9, momentum=0, epsilon=1e-7, centered=False."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, name="RMSprop",
                 **kwargs):
        learning_rate = self._learning_rate(learning_rate, kwargs)
        super().__init__(name, **kwargs)
        self._hyper.update(learning_rate=learning_rate, rho=float(rho), momentum=float(momentum))
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)
        self.centered = centered

    def _make_impl(self, learning_rate):
        return _KerasRMSProp(learning_rate, decay=self._hyper["rho"], momentum=self._hyper["momentum"],
                             epsilon=self.epsilon, centered=self.centered, name=self._name)

    def get_config(self):
        return dict(super().get_config(), epsilon=self.epsilon, centered=self.centered)


class Adagrad(Optimizer):
    """Adagrad with Keras's defaults: learning_rate=0.001, initial_accumulator_value=0.1 (which keeps the division
    finite; `epsilon` is accepted for Keras's signature)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name="Adagrad", **kwargs):
        learning_rate = self._learning_rate(learning_rate, kwargs)
        super().__init__(name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value must be non-negative: {initial_accumulator_value}")
        self._hyper["learning_rate"] = learning_rate
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)

    def _make_impl(self, learning_rate):
        return _train_opt.AdagradOptimizer(learning_rate, max(self.initial_accumulator_value, self.epsilon),
                                           name=self._name)

    def get_config(self):
        return dict(super().get_config(), initial_accumulator_value=self.initial_accumulator_value,
                    epsilon=self.epsilon)


class Adadelta(Optimizer):
    """Adadelta with Keras's defaults: learning_rate=0.001, rho=0.95, epsilon=1e-7."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        learning_rate = self._learning_rate(learning_rate, kwargs)
        super().__init__(name, **kwargs)
        self._hyper.update(learning_rate=learning_rate, rho=float(rho))
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)

    def _make_impl(self, learning_rate):
        return _train_opt.AdadeltaOptimizer(learning_rate, self._hyper["rho"], self.epsilon, name=self._name)

    def get_config(self):
        return dict(super().get_config(), epsilon=self.epsilon)


class TFOptimizer(Optimizer):
    """Wraps a `tf.train` optimizer (e.g. `tf.train.AdamOptimizer(1e-3)`) for `compile`; its own learning rate is
    used, so callbacks that change `lr` do not apply to it."""

    def __init__(self, optimizer, iterations=None):
        super().__init__(optimizer.get_name())
        self.optimizer = optimizer
        self._impl = optimizer

    @property
    def lr(self):
        raise AttributeError("a wrapped tf.train optimizer has no Keras `lr` variable")

    learning_rate = lr

    def get_updates(self, loss, params):
        if self._graph is None:
            self._graph = _tf.get_default_graph()
            with _tf.name_scope(None):
                self.iterations = _tf.Variable(0, dtype=dtypes.int64, trainable=False, name="iterations")
        self._params = list(params)
        with _tf.name_scope("training"):
            grads_and_vars = self.optimizer.compute_gradients(loss, params)
            update = self.optimizer.apply_gradients(grads_and_vars, global_step=self.iterations)
            return [_apply_constraints(update, params)]

    def get_config(self):
        raise NotImplementedError("A wrapped tf.train optimizer cannot be serialized; save with "
                                  "include_optimizer=False or use a tf.keras.optimizers optimizer.")


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta}


def serialize(optimizer):
    """{"class_name": ..., "config": ...} for a Keras optimizer."""
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    """The optimizer described by `config` ({"class_name", "config"}), looking in `custom_objects` first.

    Raises:
        ValueError: an unknown class name.
    """
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name.lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: {name}")
    return cls.from_config(dict(config.get("config", {})))


def get(identifier):
    """`compile(optimizer=...)`'s lookup: a name ('sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta') with Keras's
    defaults, a Keras optimizer, a `tf.train` optimizer (wrapped in TFOptimizer), or a config dict.

    Raises:
        ValueError: anything else (Keras's message).
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, _TFOptimizerBase):
        return TFOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer: {identifier}. Known names: {sorted(_BY_NAME)}")
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")

