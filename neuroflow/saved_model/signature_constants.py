"""The keys and method names of SignatureDefs that TensorFlow Serving understands
(`tf.saved_model.signature_constants`)."""

__all__ = ["DEFAULT_SERVING_SIGNATURE_DEF_KEY", "PREDICT_INPUTS", "PREDICT_OUTPUTS", "PREDICT_METHOD_NAME",
           "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME", "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES",
           "REGRESS_INPUTS", "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS", "SUPERVISED_TRAIN_METHOD_NAME",
           "SUPERVISED_EVAL_METHOD_NAME"]

DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"

PREDICT_INPUTS = "inputs"
PREDICT_OUTPUTS = "outputs"
PREDICT_METHOD_NAME = "tensorflow/serving/predict"

CLASSIFY_INPUTS = "inputs"
CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
CLASSIFY_OUTPUT_CLASSES = "classes"
CLASSIFY_OUTPUT_SCORES = "scores"

REGRESS_INPUTS = "inputs"
REGRESS_METHOD_NAME = "tensorflow/serving/regress"
REGRESS_OUTPUTS = "outputs"

SUPERVISED_TRAIN_METHOD_NAME = "tensorflow/supervised/training"
SUPERVISED_EVAL_METHOD_NAME = "tensorflow/supervised/eval"
