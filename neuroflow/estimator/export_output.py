"""`tf.estimator.export.ExportOutput` and its kinds — `ClassificationOutput`, `RegressionOutput`, `PredictOutput`:
what a model_fn's EstimatorSpec offers to serve, each turned into a SignatureDef over the serving input receiver's
tensors when an Estimator exports a SavedModel."""
from ..framework import dtypes
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor import Tensor

__all__ = ["ExportOutput", "ClassificationOutput", "RegressionOutput", "PredictOutput"]


def _single_string_input(receiver_tensors, what):
    """The one string Tensor a classify or regress signature reads its serialized tf.Examples from."""
    if len(receiver_tensors) != 1:
        raise ValueError(f"{what} input must be a single string Tensor; got {receiver_tensors}")
    (examples,) = receiver_tensors.values()
    if not isinstance(examples, Tensor) or examples.dtype != dtypes.string:
        raise ValueError(f"{what} input must be a single string Tensor; got {receiver_tensors}")
    return examples


class ExportOutput:
    """One output of a served model: `as_signature_def(receiver_tensors)` gives its SignatureDef."""

    def as_signature_def(self, receiver_tensors):
        raise NotImplementedError("ExportOutput subclasses define as_signature_def")


class ClassificationOutput(ExportOutput):
    """Classification results: float `scores` [batch, classes] and/or string `classes` [batch, classes], served
    by TensorFlow Serving's Classify API from serialized tf.Examples.

    Raises:
        ValueError: neither given, or one of the wrong kind.
    """

    def __init__(self, scores=None, classes=None):
        if scores is not None and not (isinstance(scores, Tensor) and scores.dtype.is_floating):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (isinstance(classes, Tensor) and classes.dtype == dtypes.string):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        self._scores, self._classes = scores, classes

    scores = property(lambda self: self._scores)
    classes = property(lambda self: self._classes)

    def as_signature_def(self, receiver_tensors):
        from ..saved_model.signature_def_utils import classification_signature_def
        examples = _single_string_input(receiver_tensors, "Classification")
        return classification_signature_def(examples, self._classes, self._scores)


class RegressionOutput(ExportOutput):
    """A regression result: a float `value` Tensor, served by TensorFlow Serving's Regress API.

    Raises:
        ValueError: `value` is not a float Tensor.
    """

    def __init__(self, value):
        if not (isinstance(value, Tensor) and value.dtype.is_floating):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self._value = value

    value = property(lambda self: self._value)

    def as_signature_def(self, receiver_tensors):
        from ..saved_model.signature_def_utils import regression_signature_def
        examples = _single_string_input(receiver_tensors, "Regression")
        return regression_signature_def(examples, self._value)


class PredictOutput(ExportOutput):
    """Any named tensors (a dict, or one Tensor named 'output'), served by the Predict API from whatever the
    receiver takes.

    Raises:
        ValueError: a key that is not a string or a value that is not a Tensor.
    """

    def __init__(self, outputs):
        if not isinstance(outputs, dict):
            outputs = {"output": outputs}
        for key, value in outputs.items():
            if not isinstance(key, str):
                raise ValueError(f"Prediction output key must be a string; got {key}.")
            if not isinstance(value, (Tensor, SparseTensor)):
                raise ValueError(f"Prediction output value must be a Tensor; got {value}.")
        self._outputs = dict(outputs)

    outputs = property(lambda self: dict(self._outputs))

    def as_signature_def(self, receiver_tensors):
        from ..saved_model.signature_def_utils import predict_signature_def
        return predict_signature_def(receiver_tensors, self._outputs)
