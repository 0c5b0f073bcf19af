"""The canned estimators over feature columns: LinearClassifier, LinearRegressor (a `linear_model` trained with
FTRL by default), DNNClassifier and DNNRegressor (an `input_layer` and fully connected layers, Adagrad by default),
DNNLinearCombinedClassifier / Regressor (wide and deep: the sum of both logits, each part with its own optimizer),
BaselineClassifier / Regressor (a learned bias only: the prior),
with TensorFlow's variable names (`linear/linear_model/...`, `dnn/hiddenlayer_0/kernel`, `dnn/logits/...`),
defaults, prediction keys and eval metric keys (see head.py)."""
import math

from .estimator import Estimator
from .head import classifier_head, regression_head

__all__ = ["LinearClassifier", "LinearRegressor", "DNNClassifier", "DNNRegressor", "DNNLinearCombinedClassifier",
           "DNNLinearCombinedRegressor", "BaselineClassifier", "BaselineRegressor"]


def _tf():
    import neuroflow
    return neuroflow


_OPTIMIZERS = {"Adagrad": "AdagradOptimizer", "Adam": "AdamOptimizer", "Ftrl": "FtrlOptimizer",
               "RMSProp": "RMSPropOptimizer", "SGD": "GradientDescentOptimizer"}


def _optimizer(optimizer, learning_rate):
    """An optimizer instance from a name (TensorFlow's 'Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD', at the
    estimator's default learning rate), an instance, or a callable returning one."""
    tf = _tf()
    if isinstance(optimizer, str):
        if optimizer not in _OPTIMIZERS:
            raise ValueError(f"Unsupported optimizer name: {optimizer}. Supported names are: "
                             f"{tuple(sorted(_OPTIMIZERS))}")
        return getattr(tf.train, _OPTIMIZERS[optimizer])(learning_rate=learning_rate)
    if callable(optimizer) and not isinstance(optimizer, tf.train.Optimizer):
        optimizer = optimizer()
    if not isinstance(optimizer, tf.train.Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {optimizer}")
    return optimizer


def _check_columns(feature_columns):
    columns = list(feature_columns or ())
    if not columns:
        raise ValueError("feature_columns must be defined.")
    return columns


def _linear_model_fn(features, labels, mode, params):
    tf = _tf()
    head, columns = params["head"], params["feature_columns"]
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")
    with tf.variable_scope("linear"):
        logits = tf.feature_column.linear_model(features, columns, units=head.logits_dimension,
                                                sparse_combiner=params["sparse_combiner"])
    optimizer = None
    if mode == "train":
        # TensorFlow's default for linear models: min(0.2, 1 / sqrt(number of feature columns)).
        optimizer = _optimizer(params["optimizer"], min(0.2, 1.0 / math.sqrt(len(columns))))
    return head.create_estimator_spec(features, mode, logits, labels, optimizer)


def _dnn_logits(features, mode, params, units):
    tf = _tf()
    training = mode == "train"
    with tf.variable_scope("dnn"):
        with tf.variable_scope("input_from_feature_columns"):
            net = tf.feature_column.input_layer(features, params["feature_columns"])
        for layer, width in enumerate(params["hidden_units"]):
            with tf.variable_scope(f"hiddenlayer_{layer}") as scope:
                net = tf.layers.dense(net, width, activation=params["activation_fn"],
                                      kernel_initializer=tf.glorot_uniform_initializer(), name=scope)
                if params["dropout"] is not None and training:
                    net = tf.layers.dropout(net, rate=params["dropout"], training=True)
        with tf.variable_scope("logits") as scope:
            return tf.layers.dense(net, units, kernel_initializer=tf.glorot_uniform_initializer(), name=scope)


def _dnn_model_fn(features, labels, mode, params):
    head = params["head"]
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")
    logits = _dnn_logits(features, mode, params, head.logits_dimension)
    optimizer = _optimizer(params["optimizer"], 0.05) if mode == "train" else None
    return head.create_estimator_spec(features, mode, logits, labels, optimizer)


def _combined_model_fn(features, labels, mode, params):
    tf = _tf()
    head, linear_columns = params["head"], params["linear_feature_columns"]
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")
    parts = []
    if params["feature_columns"]:
        parts.append(("dnn", _dnn_logits(features, mode, params, head.logits_dimension)))
    if linear_columns:
        with tf.variable_scope("linear"):
            parts.append(("linear", tf.feature_column.linear_model(features, linear_columns,
                                                                   units=head.logits_dimension,
                                                                   sparse_combiner=params["sparse_combiner"])))
    logits = parts[0][1] if len(parts) == 1 else tf.add(parts[0][1], parts[1][1])

    def train_op_fn(loss):
        # Each part trains its own variables with its own optimizer; the global step advances once per step.
        rates = {"dnn": 0.05, "linear": min(0.2, 1.0 / math.sqrt(max(len(linear_columns), 1)))}
        updates = []
        for scope, _ in parts:
            optimizer = _optimizer(params[f"{scope}_optimizer"], rates[scope])
            variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope + "/")
            updates.append(optimizer.minimize(loss, var_list=variables))
        with tf.control_dependencies(updates):
            return tf.assign_add(tf.train.get_global_step(), 1).op
    return head.create_estimator_spec(features, mode, logits, labels, train_op_fn=train_op_fn)


class _Canned(Estimator):
    def __init__(self, model_fn, head, feature_columns, model_dir, config, warm_start_from, **params):
        if warm_start_from is not None:
            raise NotImplementedError("warm_start_from is not supported by neuroflow's canned estimators yet")
        super().__init__(model_fn, model_dir=model_dir, config=config,
                         params={"head": head, "feature_columns": _check_columns(feature_columns), **params})


class LinearClassifier(_Canned):
    """A linear classifier over feature columns: logits = linear_model(features); n_classes == 2 uses a sigmoid
    (predictions: logits, logistic, probabilities, class_ids, classes), more classes a softmax.

    Example:
        >>> est = tf.estimator.LinearClassifier([tf.feature_column.numeric_column("x")], n_classes=3)
        >>> est.train(input_fn, steps=100)
    """

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None, loss_reduction=None,
                 sparse_combiner="sum"):
        head = classifier_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(_linear_model_fn, head, feature_columns, model_dir, config, warm_start_from,
                         optimizer=optimizer, sparse_combiner=sparse_combiner)


class LinearRegressor(_Canned):
    """A linear regressor over feature columns (squared-error loss; predictions: `predictions`)."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl",
                 config=None, partitioner=None, warm_start_from=None, loss_reduction=None, sparse_combiner="sum"):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(_linear_model_fn, head, feature_columns, model_dir, config, warm_start_from,
                         optimizer=optimizer, sparse_combiner=sparse_combiner)


def _dnn_params(hidden_units, activation_fn, dropout, optimizer, batch_norm):
    if not hidden_units:
        raise ValueError("hidden_units must be a non-empty list of layer sizes.")
    if batch_norm:
        raise NotImplementedError("DNN estimators with batch_norm=True are not supported by neuroflow yet")
    if dropout is not None and not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1): {dropout}")
    return {"hidden_units": tuple(int(u) for u in hidden_units), "activation_fn": activation_fn,
            "dropout": dropout, "optimizer": optimizer}


class DNNClassifier(_Canned):
    """A feed-forward classifier: input_layer(features) → dense layers of `hidden_units` (activation_fn, optional
    dropout while training) → logits; heads as LinearClassifier's.

    Example:
        >>> est = tf.estimator.DNNClassifier([64, 32], [tf.feature_column.numeric_column("x", shape=4)], n_classes=3)
    """

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Adagrad", activation_fn=None, dropout=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None, loss_reduction=None,
                 batch_norm=False):
        head = classifier_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        activation_fn = activation_fn or _tf().nn.relu
        super().__init__(_dnn_model_fn, head, feature_columns, model_dir, config, warm_start_from,
                         **_dnn_params(hidden_units, activation_fn, dropout, optimizer, batch_norm))


class DNNRegressor(_Canned):
    """A feed-forward regressor (squared-error loss; predictions: `predictions`)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Adagrad", activation_fn=None, dropout=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=None, batch_norm=False):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        activation_fn = activation_fn or _tf().nn.relu
        super().__init__(_dnn_model_fn, head, feature_columns, model_dir, config, warm_start_from,
                         **_dnn_params(hidden_units, activation_fn, dropout, optimizer, batch_norm))


def _combined_params(linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                     dnn_hidden_units, dnn_activation_fn, dnn_dropout, batch_norm, linear_sparse_combiner):
    linear_feature_columns = list(linear_feature_columns or ())
    dnn_feature_columns = list(dnn_feature_columns or ())
    if not linear_feature_columns and not dnn_feature_columns:
        raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
    params = {"linear_feature_columns": linear_feature_columns, "linear_optimizer": linear_optimizer,
              "sparse_combiner": linear_sparse_combiner, "dnn_optimizer": dnn_optimizer}
    if dnn_feature_columns:
        if not dnn_hidden_units:
            raise ValueError(f"dnn_hidden_units must be defined when dnn_feature_columns is specified. Given: "
                             f"{dnn_feature_columns}")
        params.update(_dnn_params(dnn_hidden_units, dnn_activation_fn or _tf().nn.relu, dnn_dropout, dnn_optimizer,
                                  batch_norm))
    return dnn_feature_columns, params


class _Combined(Estimator):
    def __init__(self, head, model_dir, config, warm_start_from, dnn_feature_columns, params):
        if warm_start_from is not None:
            raise NotImplementedError("warm_start_from is not supported by neuroflow's canned estimators yet")
        super().__init__(_combined_model_fn, model_dir=model_dir, config=config,
                         params={"head": head, "feature_columns": dnn_feature_columns, **params})


class DNNLinearCombinedClassifier(_Combined):
    """Wide and deep: logits = linear_model(linear_feature_columns) + DNN(dnn_feature_columns); the linear part
    trains with `linear_optimizer` (FTRL), the DNN part with `dnn_optimizer` (Adagrad). Heads as LinearClassifier's.

    Example:
        >>> est = tf.estimator.DNNLinearCombinedClassifier(linear_feature_columns=[crossed],
        ...                                                dnn_feature_columns=[age, embedded], dnn_hidden_units=[64])
    """

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=None,
                 dnn_dropout=None, n_classes=2, weight_column=None, label_vocabulary=None,
                 input_layer_partitioner=None, config=None, warm_start_from=None, loss_reduction=None,
                 batch_norm=False, linear_sparse_combiner="sum"):
        head = classifier_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(head, model_dir, config, warm_start_from, *_combined_params(
            linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
            dnn_activation_fn, dnn_dropout, batch_norm, linear_sparse_combiner))


class DNNLinearCombinedRegressor(_Combined):
    """Wide and deep regression (squared-error loss; predictions: `predictions`)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None, dnn_activation_fn=None,
                 dnn_dropout=None, label_dimension=1, weight_column=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=None, batch_norm=False, linear_sparse_combiner="sum"):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, model_dir, config, warm_start_from, *_combined_params(
            linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
            dnn_activation_fn, dnn_dropout, batch_norm, linear_sparse_combiner))


def _baseline_model_fn(features, labels, mode, params):
    tf = _tf()
    head = params["head"]
    first = features[sorted(features)[0]] if isinstance(features, dict) else features
    if isinstance(first, tf.SparseTensor):
        batch = first.dense_shape[0]
    else:
        batch = tf.shape(tf.convert_to_tensor(first), out_type=tf.int64)[0]
    with tf.variable_scope("baseline"):
        bias = tf.get_variable("bias", [head.logits_dimension], tf.float32, initializer=tf.zeros_initializer())
        logits = bias * tf.ones(tf.stack([tf.cast(batch, tf.int32), head.logits_dimension]))
    optimizer = _optimizer(params["optimizer"], 0.3) if mode == "train" else None
    return head.create_estimator_spec(features, mode, logits, labels, optimizer)


class BaselineClassifier(Estimator):
    """Predicts the class distribution of the training labels whatever the features (a learned bias: the prior),
    a baseline for other models. Its variable: `baseline/bias`; FTRL at 0.3 by default."""

    def __init__(self, model_dir=None, n_classes=2, weight_column=None, label_vocabulary=None, optimizer="Ftrl",
                 config=None, loss_reduction=None):
        head = classifier_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(_baseline_model_fn, model_dir=model_dir, config=config,
                         params={"head": head, "optimizer": optimizer})


class BaselineRegressor(Estimator):
    """Predicts the mean of the training labels whatever the features (a learned bias)."""

    def __init__(self, model_dir=None, label_dimension=1, weight_column=None, optimizer="Ftrl", config=None,
                 loss_reduction=None):
        head = regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(_baseline_model_fn, model_dir=model_dir, config=config,
                         params={"head": head, "optimizer": optimizer})
