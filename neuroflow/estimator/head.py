"""The heads of the canned estimators: from a model's logits and the labels, the loss, the prediction dict and the
eval metrics under TensorFlow's keys, for binary classification (sigmoid cross-entropy), multi-class
classification (softmax cross-entropy) and regression (squared error), and the EstimatorSpec of each mode."""
from .model_fn import EstimatorSpec, ModeKeys

__all__ = ["binary_head", "multi_class_head", "regression_head", "Head"]


def _tf():
    import neuroflow
    return neuroflow


class Head:
    """What turns logits into an EstimatorSpec. `logits_dimension` is how many logits the model must produce."""

    def __init__(self, kind, logits_dimension, n_classes=None, weight_column=None, label_vocabulary=None,
                 loss_reduction=None):
        self.kind, self.logits_dimension, self.n_classes = kind, logits_dimension, n_classes
        self.weight_column, self.label_vocabulary = weight_column, label_vocabulary
        self.loss_reduction = loss_reduction or _tf().losses.Reduction.SUM

    # --- pieces --------------------------------------------------------------------------------------------------
    def _weights(self, features):
        tf = _tf()
        if self.weight_column is None:
            return 1.0
        key = self.weight_column if isinstance(self.weight_column, str) else self.weight_column.key
        return tf.reshape(tf.cast(features[key], tf.float32), [-1, 1])

    def _class_ids(self, labels):
        """Labels as int64 class ids [batch, 1]: looked up in label_vocabulary, or checked to be in range."""
        tf = _tf()
        labels = tf.reshape(tf.convert_to_tensor(labels), [-1, 1])
        if self.label_vocabulary is not None:
            if labels.dtype != tf.string:
                raise ValueError(f"Labels dtype should be string if there is a vocabulary. Given: {labels.dtype}")
            matches = tf.equal(labels, tf.constant(list(self.label_vocabulary), tf.string))
            found = tf.reduce_all(tf.reduce_any(matches, axis=1))
            check = tf.Assert(found, ["Labels must be in label_vocabulary", self.label_vocabulary])
            with tf.control_dependencies([check]):
                return tf.argmax(tf.cast(matches, tf.int32), axis=1, output_type=tf.int64)[:, None]
        if labels.dtype == tf.string:
            raise ValueError("Labels dtype should be integer. Instead got string; give label_vocabulary for "
                             "string labels.")
        labels = tf.cast(labels, tf.int64)
        in_range = tf.reduce_all(tf.logical_and(tf.greater_equal(labels, 0), tf.less(labels, self.n_classes)))
        check = tf.Assert(in_range, [f"Labels must be <= n_classes - 1 ({self.n_classes - 1}) and >= 0", labels])
        with tf.control_dependencies([check]):
            return tf.identity(labels)

    def predictions(self, logits):
        tf = _tf()
        if self.kind == "regression":
            return {"predictions": logits}
        if self.kind == "binary":
            logistic = tf.sigmoid(logits)
            probabilities = tf.concat([1.0 - logistic, logistic], axis=1)
            class_ids = tf.cast(tf.greater(logits, 0.0), tf.int64)
            out = {"logits": logits, "logistic": logistic, "probabilities": probabilities}
        else:
            probabilities = tf.nn.softmax(logits)
            class_ids = tf.argmax(logits, axis=1, output_type=tf.int64)[:, None]
            out = {"logits": logits, "probabilities": probabilities}
        out["class_ids"] = class_ids
        if self.label_vocabulary is not None:
            out["classes"] = tf.gather(tf.constant(list(self.label_vocabulary), tf.string), class_ids)
        else:
            out["classes"] = tf.as_string(class_ids)
        return out

    def unreduced_loss(self, logits, labels):
        """The per-example loss [batch, 1], and the labels as the metrics use them."""
        tf = _tf()
        if self.kind == "regression":
            labels = tf.cast(tf.reshape(tf.convert_to_tensor(labels), [-1, self.logits_dimension]), tf.float32)
            return tf.square(logits - labels), labels
        ids = self._class_ids(labels)
        if self.kind == "binary":
            loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(ids, tf.float32), logits=logits)
            return loss, ids
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids[:, 0], logits=logits)
        return loss[:, None], ids

    def training_loss(self, unreduced, weights):
        tf = _tf()
        return tf.losses.compute_weighted_loss(unreduced, weights=weights, reduction=self.loss_reduction)

    def metrics(self, predictions, unreduced, labels, weights):
        """TensorFlow's eval metric keys for this head (the Estimator adds `loss` and `global_step`)."""
        tf = _tf()
        if self.weight_column is None:
            weights = None
        else:
            weights = weights * tf.ones_like(unreduced)
        out = {"average_loss": tf.metrics.mean(unreduced, weights=weights)}
        if self.kind == "regression":
            out["label/mean"] = tf.metrics.mean(labels, weights=weights)
            out["prediction/mean"] = tf.metrics.mean(predictions["predictions"], weights=weights)
            return out
        out["accuracy"] = tf.metrics.accuracy(labels, predictions["class_ids"], weights=weights)
        if self.kind != "binary":
            return out
        labels_float = tf.cast(labels, tf.float32)
        logistic = predictions["logistic"]
        out["precision"] = tf.metrics.precision(labels, predictions["class_ids"], weights=weights)
        out["recall"] = tf.metrics.recall(labels, predictions["class_ids"], weights=weights)
        out["prediction/mean"] = tf.metrics.mean(logistic, weights=weights)
        label_mean = tf.metrics.mean(labels_float, weights=weights)
        out["label/mean"] = label_mean
        out["accuracy_baseline"] = (tf.maximum(label_mean[0], 1.0 - label_mean[0]), label_mean[1])
        out["auc"] = tf.metrics.auc(labels, logistic, weights=weights, curve="ROC")
        out["auc_precision_recall"] = tf.metrics.auc(labels, logistic, weights=weights, curve="PR",
                                                     summation_method="careful_interpolation")
        return out

    def export_outputs(self, predictions):
        """TensorFlow 1's canned heads' serving signatures: 'serving_default' and 'classification' (the class
        probabilities and names of every class) or 'regression', 'regression' (the logistic) for binary
        classification too, and 'predict' (all the predictions)."""
        from .export_output import ClassificationOutput, PredictOutput, RegressionOutput
        tf = _tf()
        outputs = {"predict": PredictOutput(predictions)}
        if self.kind == "regression":
            regression = RegressionOutput(value=predictions["predictions"])
            outputs.update({"serving_default": regression, "regression": regression})
            return outputs
        scores = predictions["probabilities"]
        if self.label_vocabulary is not None:
            class_names = tf.constant(list(self.label_vocabulary), tf.string)
        else:
            class_names = tf.as_string(tf.range(self.n_classes))
        classes = tf.tile(tf.expand_dims(class_names, 0), [tf.shape(scores)[0], 1])
        classification = ClassificationOutput(scores=scores, classes=classes)
        outputs.update({"serving_default": classification, "classification": classification})
        if self.kind == "binary":
            outputs["regression"] = RegressionOutput(value=predictions["logistic"])
        return outputs

    # --- the spec --------------------------------------------------------------------------------------------------
    def create_estimator_spec(self, features, mode, logits, labels=None, optimizer=None, train_op_fn=None):
        """The EstimatorSpec of `mode`; training minimizes the loss with `optimizer` (stepping the global step), or
        uses `train_op_fn(loss)`."""
        tf = _tf()
        with tf.name_scope("head"):
            predictions = self.predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions, export_outputs=self.export_outputs(predictions))
            unreduced, label_values = self.unreduced_loss(logits, labels)
            weights = self._weights(features)
            loss = self.training_loss(unreduced, weights)
            if mode == ModeKeys.EVAL:
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     eval_metric_ops=self.metrics(predictions, unreduced, label_values, weights))
        if train_op_fn is not None:
            train_op = train_op_fn(loss)
        else:
            train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)


def binary_head(weight_column=None, label_vocabulary=None, loss_reduction=None):
    return Head("binary", 1, 2, weight_column, label_vocabulary, loss_reduction)


def multi_class_head(n_classes, weight_column=None, label_vocabulary=None, loss_reduction=None):
    if n_classes is None or n_classes <= 2:
        raise ValueError(f"n_classes must be > 2: {n_classes}")
    return Head("multi_class", n_classes, n_classes, weight_column, label_vocabulary, loss_reduction)


def regression_head(label_dimension=1, weight_column=None, loss_reduction=None):
    if label_dimension < 1:
        raise ValueError(f"Invalid label_dimension {label_dimension}.")
    return Head("regression", label_dimension, None, weight_column, None, loss_reduction)


def classifier_head(n_classes, weight_column=None, label_vocabulary=None, loss_reduction=None):
    """The head a canned classifier uses for `n_classes` (2: binary)."""
    if n_classes is None or n_classes < 2:
        raise ValueError(f"n_classes must be > 1: {n_classes}")
    if label_vocabulary is not None:
        if not isinstance(label_vocabulary, (list, tuple)) or len(label_vocabulary) != n_classes:
            raise ValueError(f"label_vocabulary should be a list or tuple of n_classes ({n_classes}) strings. "
                             f"Given: {label_vocabulary}")
        label_vocabulary = tuple(label_vocabulary)
    if n_classes == 2:
        return binary_head(weight_column, label_vocabulary, loss_reduction)
    return multi_class_head(n_classes, weight_column, label_vocabulary, loss_reduction)
