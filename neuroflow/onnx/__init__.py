"""`neuroflow.onnx`: export a trained graph to ONNX (and import ONNX models)."""
