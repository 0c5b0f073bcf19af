"""SignatureDefs: the named inputs and outputs of a SavedModel's graph and the method TensorFlow Serving calls
them with (`tf.saved_model.signature_def_utils`)."""
from ..framework import dtypes
from ..framework.tensor import Tensor
from . import signature_constants as sc
from .utils import build_tensor_info

__all__ = ["build_signature_def", "predict_signature_def", "classification_signature_def",
           "regression_signature_def", "is_valid_signature"]

_DT_STRING = dtypes.string.as_datatype_enum
_DT_FLOAT = dtypes.float32.as_datatype_enum


def build_signature_def(inputs=None, outputs=None, method_name=None):
    """A SignatureDef from {key: TensorInfo} maps and a method name.

    Example:
        >>> sig = build_signature_def({"x": build_tensor_info(x)}, {"y": build_tensor_info(y)},
        ...                           tf.saved_model.signature_constants.PREDICT_METHOD_NAME)
    """
    from ..framework.tf_protos import SignatureDef
    signature = SignatureDef()
    for key, info in (inputs or {}).items():
        signature.inputs[key].CopyFrom(info)
    for key, info in (outputs or {}).items():
        signature.outputs[key].CopyFrom(info)
    if method_name is not None:
        signature.method_name = method_name
    return signature


def predict_signature_def(inputs, outputs):
    """A 'predict' SignatureDef of {key: Tensor} inputs and outputs.

    Raises:
        ValueError: `inputs` or `outputs` is None or empty.
    """
    if not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def({k: build_tensor_info(t) for k, t in inputs.items()},
                               {k: build_tensor_info(t) for k, t in outputs.items()}, sc.PREDICT_METHOD_NAME)


def regression_signature_def(examples, predictions):
    """A 'regress' SignatureDef: serialized tf.Examples (a string Tensor) in, float predictions out.

    Raises:
        ValueError: a missing argument, or a tensor of the wrong dtype.
    """
    if examples is None:
        raise ValueError("Regression `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError("Expected regression `examples` to be of type Tensor. Found `examples` of type "
                         f"{type(examples)}.")
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    inputs = build_tensor_info(examples)
    if inputs.dtype != _DT_STRING:
        raise ValueError(f"Regression input tensors must be of type string. Found tensors with type {inputs.dtype}.")
    outputs = build_tensor_info(predictions)
    if outputs.dtype != _DT_FLOAT:
        raise ValueError(f"Regression output tensors must be of type float. Found tensors with type "
                         f"{outputs.dtype}.")
    return build_signature_def({sc.REGRESS_INPUTS: inputs}, {sc.REGRESS_OUTPUTS: outputs}, sc.REGRESS_METHOD_NAME)


def classification_signature_def(examples, classes, scores):
    """A 'classify' SignatureDef: serialized tf.Examples in; string `classes` and/or float `scores` out.

    Raises:
        ValueError: a missing argument, or a tensor of the wrong dtype.
    """
    if examples is None:
        raise ValueError("Classification `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError(f"Classification `examples` must be a string Tensor. Found `examples` of type "
                         f"{type(examples)}.")
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    inputs = build_tensor_info(examples)
    if inputs.dtype != _DT_STRING:
        raise ValueError(f"Classification input tensors must be of type string. Found tensors of type "
                         f"{inputs.dtype}")
    outputs = {}
    if classes is not None:
        info = build_tensor_info(classes)
        if info.dtype != _DT_STRING:
            raise ValueError(f"Classification classes must be of type string Tensor. Found tensors of type "
                             f"{info.dtype}.`")
        outputs[sc.CLASSIFY_OUTPUT_CLASSES] = info
    if scores is not None:
        info = build_tensor_info(scores)
        if info.dtype != _DT_FLOAT:
            raise ValueError("Classification scores must be a float Tensor.")
        outputs[sc.CLASSIFY_OUTPUT_SCORES] = info
    return build_signature_def({sc.CLASSIFY_INPUTS: inputs}, outputs, sc.CLASSIFY_METHOD_NAME)


def is_valid_signature(signature_def):
    """Whether TensorFlow Serving can serve `signature_def` (a well-formed predict, classify or regress one)."""
    if signature_def is None:
        return False
    method, inputs, outputs = signature_def.method_name, signature_def.inputs, signature_def.outputs
    if method == sc.PREDICT_METHOD_NAME:
        return bool(inputs) and bool(outputs)
    if method == sc.REGRESS_METHOD_NAME:
        return (set(inputs) == {sc.REGRESS_INPUTS} and inputs[sc.REGRESS_INPUTS].dtype == _DT_STRING
                and set(outputs) == {sc.REGRESS_OUTPUTS} and outputs[sc.REGRESS_OUTPUTS].dtype == _DT_FLOAT)
    if method == sc.CLASSIFY_METHOD_NAME:
        wanted = {sc.CLASSIFY_OUTPUT_CLASSES: _DT_STRING, sc.CLASSIFY_OUTPUT_SCORES: _DT_FLOAT}
        return (set(inputs) == {sc.CLASSIFY_INPUTS} and inputs[sc.CLASSIFY_INPUTS].dtype == _DT_STRING
                and bool(outputs) and set(outputs) <= set(wanted)
                and all(outputs[k].dtype == wanted[k] for k in outputs))
    return False
