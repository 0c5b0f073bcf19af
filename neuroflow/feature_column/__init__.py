"""`tf.feature_column` (also `tf.compat.v1.feature_column`): columns that turn a features dict into model inputs
(numeric, bucketized, vocabulary-list and -file, identity, hash-bucket, crossed and weighted categorical columns,
indicator, embedding and shared embedding columns), `input_layer`, `linear_model` and `make_parse_example_spec`."""
from .columns import (bucketized_column, categorical_column_with_hash_bucket, categorical_column_with_identity,
                      categorical_column_with_vocabulary_file, categorical_column_with_vocabulary_list,
                      embedding_column, indicator_column, make_parse_example_spec, numeric_column)
from .crossed import crossed_column
from .layers import input_layer, linear_model
from .shared import shared_embedding_columns
from .weighted import weighted_categorical_column

__all__ = ["numeric_column", "bucketized_column", "categorical_column_with_vocabulary_list",
           "categorical_column_with_vocabulary_file", "categorical_column_with_identity",
           "categorical_column_with_hash_bucket", "crossed_column", "weighted_categorical_column", "indicator_column",
           "embedding_column", "shared_embedding_columns", "input_layer", "linear_model", "make_parse_example_spec"]
