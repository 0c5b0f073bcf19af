"""`tf.feature_column.input_layer` and `linear_model`: the dense input tensor of a model, and the weighted sum of
a linear model, built from a features dict and feature columns taken in order of column name (as TensorFlow does,
so variables and output columns are laid out like TensorFlow's)."""
from .columns import CategoricalColumn, DenseColumn, combine_rows

__all__ = ["input_layer", "linear_model"]


def _tf():
    import neuroflow
    return neuroflow


def _check_columns(feature_columns):
    columns = list(feature_columns) if isinstance(feature_columns, (list, tuple, set)) else [feature_columns]
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    names = [c.name for c in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Duplicate feature column name found for columns: {duplicates}")
    return sorted(columns, key=lambda c: c.name)


def _batch_features(features):
    tf = _tf()
    return {k: v if isinstance(v, tf.SparseTensor) else tf.convert_to_tensor(v) for k, v in features.items()}


def input_layer(features, feature_columns, weight_collections=None, trainable=True, cols_to_vars=None,
                cols_to_output_tensors=None):
    """Returns a float32 [batch, sum of widths] tensor: each dense column's value, concatenated in order of column
    name. Categorical columns must be wrapped in indicator_column or embedding_column.

    Example: `net = tf.feature_column.input_layer(features, [numeric_column("x"), indicator_column(color)])`."""
    tf = _tf()
    columns = _check_columns(feature_columns)
    for column in columns:
        if not isinstance(column, DenseColumn):
            raise ValueError(f"Items of feature_columns must be a _DenseColumn. You can wrap a categorical column "
                             f"with an embedding_column or indicator_column. Given: {column}")
    features = _batch_features(features)
    outputs = []
    with tf.variable_scope(None, default_name="input_layer"):
        for column in columns:
            with tf.variable_scope(None, default_name=column.var_scope_name) as scope:
                tensor = tf.reshape(column.dense(features), [-1, column.width])
                _record(cols_to_vars, column, scope, weight_collections)
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = tensor
                outputs.append(tensor)
        return tf.concat(outputs, axis=1)


def _record(cols_to_vars, column, scope, weight_collections):
    tf = _tf()
    created = [v for v in tf.global_variables() if v.op.name.startswith(scope.name + "/")]
    for collection in weight_collections or ():
        for v in created:
            if v not in tf.get_collection(collection):
                tf.add_to_collection(collection, v)
    if cols_to_vars is not None:
        cols_to_vars[column] = created


def linear_model(features, feature_columns, units=1, sparse_combiner="sum", weight_collections=None,
                 trainable=True, cols_to_vars=None):
    """Returns `bias + sum over columns of column_value @ weights` ([batch, units]): dense columns are multiplied by
    `linear_model/<column>/weights` ([width, units]); categorical columns add the weight rows of their ids,
    combined by `sparse_combiner` ('sum', 'mean' or 'sqrtn'). All weights and `linear_model/bias_weights` start at 0.

    Example: `logits = tf.feature_column.linear_model(features, [numeric_column("x"), color], units=3)`."""
    tf = _tf()
    if sparse_combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError(f"sparse_combiner must be one of 'sum', 'mean' or 'sqrtn', given: {sparse_combiner}")
    columns = _check_columns(feature_columns)
    for column in columns:
        if not isinstance(column, (DenseColumn, CategoricalColumn)):
            raise ValueError(f"Items of feature_columns must be either a _DenseColumn or _CategoricalColumn. "
                             f"Given: {column}")
    features = _batch_features(features)
    parts = []
    with tf.variable_scope(None, default_name="linear_model"):
        for column in columns:
            with tf.variable_scope(None, default_name=column.var_scope_name) as scope:
                if isinstance(column, CategoricalColumn):
                    weights = tf.get_variable("weights", [column.num_buckets, units], tf.float32,
                                              initializer=tf.zeros_initializer(), trainable=trainable)
                    ids, mask = column.ids(features)
                    parts.append(combine_rows(weights, ids, mask, sparse_combiner, column.weights(features),
                                              prune=False))
                else:
                    weights = tf.get_variable("weights", [column.width, units], tf.float32,
                                              initializer=tf.zeros_initializer(), trainable=trainable)
                    parts.append(tf.matmul(tf.reshape(column.dense(features), [-1, column.width]), weights))
                _record(cols_to_vars, column, scope, weight_collections)
        bias = tf.get_variable("bias_weights", [units], tf.float32, initializer=tf.zeros_initializer(),
                               trainable=trainable)
        if cols_to_vars is not None:
            cols_to_vars["bias"] = [bias]
        return tf.nn.bias_add(tf.add_n(parts), bias, name="weighted_sum")
