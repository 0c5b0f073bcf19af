"""`neuroflow.onnx`: export a trained graph to ONNX, to run it in other runtimes (onnxruntime from Python, C++,
C#, Java or JavaScript), and import ONNX models back into a neuroflow graph.

    import neuroflow as tf
    model = tf.onnx.export(sess, inputs=[x], outputs=[probs], path="model.onnx")   # opset 17

Variables become initializers with their current values in `sess`; the inputs' unknown dimensions stay symbolic
("batch" for a leading one), so any batch size runs. The `onnx` package (and `onnxruntime`, to run models) are
optional: `pip install 'neuroflow[onnx]'`; they are imported only when a model is built or read.
"""
from .exporter import ExportError
from .registry import exporter as register_exporter

__all__ = ["export", "from_onnx", "ExportError", "register_exporter", "OPSET"]

OPSET = 17


def export(sess, inputs, outputs, path=None, opset=OPSET, input_names=None, output_names=None,
           model_name="neuroflow", doc_string=None, optimize=True, check=True):
    """Exports the computation from `inputs` to `outputs` in `sess`'s graph as an ONNX model.

    Args:
        sess: the Session whose variable values become the model's initializers.
        inputs: the tensors the model takes (usually placeholders), or their names. Placeholders that are not
            listed must have a default (`tf.placeholder_with_default`, e.g. a `training` flag), which is used.
        outputs: the tensors the model returns, or their names.
        path: where to save the model (None: only return it).
        opset: the ONNX opset; 17 (with IR version 8) is the one supported.
        input_names, output_names: the ONNX names of inputs and outputs (default: the placeholder's op name,
            e.g. "x", and the output tensor's op name, e.g. "probs").
        model_name, doc_string: recorded in the model.
        optimize: cancel redundant Transposes and drop dead nodes.
        check: run `onnx.checker.check_model(model, full_check=True)`.

    Returns:
        The `onnx.ModelProto`.

    Raises:
        ExportError: an op that cannot be exported (the message names it, its node and the line that created
            it): a training-only op (an optimizer update, dropout or batch normalization in training mode, a
            random op), or an op type without exporter; a placeholder the outputs need that is not an input.
        ImportError: the `onnx` package is not installed.

    Example:
        >>> tf.onnx.export(sess, [x], [probs], "model.onnx")
        >>> import onnxruntime as ort
        >>> ort.InferenceSession("model.onnx").run(None, {"x": batch})[0]
    """
    from .exporter import export as _export
    return _export(sess, inputs, outputs, path, opset, input_names, output_names, model_name, doc_string,
                   optimize, check)


def from_onnx(model, graph=None, name=None):
    """Imports an ONNX model (a path or a ModelProto) into a neuroflow graph (default: the default graph).

    Graph inputs become placeholders (symbolic dims unknown), initializers become constants, nodes become
    neuroflow ops.

    Args:
        model: a path to an `.onnx` file, or an `onnx.ModelProto`.
        graph: the Graph to build in (default: the default graph).
        name: a name scope for the imported ops (default: none).

    Returns:
        (inputs, outputs): dicts {ONNX name: Tensor} of the placeholders and of the output tensors.

    Raises:
        ValueError: a node whose op type (or attributes) neuroflow cannot import, naming it.
        ImportError: the `onnx` package is not installed.

    Example:
        >>> inputs, outputs = tf.onnx.from_onnx("model.onnx")
        >>> sess.run(outputs["probs"], {inputs["x"]: batch})
    """
    from .importer import from_onnx as _from_onnx
    return _from_onnx(model, graph, name)
