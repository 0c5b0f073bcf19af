"""Keras Embedding: integer ids [batch, ...] -> rows of the `embedding/embeddings:0` matrix [input_dim,
output_dim], looked up with a gather."""
from ...framework import dtypes
from ...framework.tensor_shape import TensorShape
from ...ops import math_ops
from .. import backend, initializers, regularizers
from ..engine.base_layer import Layer

__all__ = ["Embedding"]


class Embedding(Layer):
    """Turns integer ids into dense vectors: output shape `input shape + (output_dim,)`.

    Args:
        input_dim: the vocabulary size (ids are in [0, input_dim)).
        output_dim: the size of each vector.
        embeddings_initializer: default "uniform" (in [-0.05, 0.05]).
        embeddings_regularizer, embeddings_constraint: as Dense's kernel ones.
        mask_zero: not supported (masking is not implemented).
        input_length: the sequence length, for the first layer of a Sequential.

    Example:
        >>> tf.keras.layers.Embedding(1000, 64, input_length=10)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            if input_length is not None:
                kwargs["input_shape"] = (input_length,)
        dtype = kwargs.pop("dtype", backend.floatx())
        super().__init__(dtype=dtype, activity_regularizer=activity_regularizer, **kwargs)
        if mask_zero:
            raise NotImplementedError("neuroflow's Keras layers do not support masking (mask_zero=True): pad "
                                      "sequences and let the model learn to ignore the padding id.")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        from ...nn.misc import embedding_lookup
        if inputs.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            inputs = math_ops.cast(inputs, dtypes.int32)
        outputs = embedding_lookup(self.embeddings, inputs)
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape).concatenate([self.output_dim])
