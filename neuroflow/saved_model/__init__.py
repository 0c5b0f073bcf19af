"""`tf.saved_model` (TensorFlow 1.x's API, also `tf.compat.v1.saved_model`): write and load TensorFlow's SavedModel
directories — `builder`, `loader`, `simple_save`, signatures, tags and TensorInfo helpers."""
from . import builder, constants, loader, signature_constants, signature_def_utils, tag_constants, utils
from .builder import Builder, SavedModelBuilder
from .constants import (ASSETS_DIRECTORY, ASSETS_KEY, LEGACY_INIT_OP_KEY, MAIN_OP_KEY, SAVED_MODEL_FILENAME_PB,
                        SAVED_MODEL_FILENAME_PBTXT, SAVED_MODEL_SCHEMA_VERSION, VARIABLES_DIRECTORY,
                        VARIABLES_FILENAME)
from .loader import contains_saved_model, load, maybe_saved_model_directory
from .signature_constants import (CLASSIFY_INPUTS, CLASSIFY_METHOD_NAME, CLASSIFY_OUTPUT_CLASSES,
                                  CLASSIFY_OUTPUT_SCORES, DEFAULT_SERVING_SIGNATURE_DEF_KEY, PREDICT_INPUTS,
                                  PREDICT_METHOD_NAME, PREDICT_OUTPUTS, REGRESS_INPUTS, REGRESS_METHOD_NAME,
                                  REGRESS_OUTPUTS)
from .signature_def_utils import (build_signature_def, classification_signature_def, is_valid_signature,
                                  predict_signature_def, regression_signature_def)
from .simple_save import simple_save
from .tag_constants import EVAL, GPU, SERVING, TPU, TRAINING
from .utils import build_tensor_info, get_tensor_from_tensor_info

__all__ = ["builder", "constants", "loader", "signature_constants", "signature_def_utils", "tag_constants", "utils",
           "Builder", "SavedModelBuilder", "load", "simple_save", "contains_saved_model", "maybe_saved_model_directory",
           "build_signature_def", "classification_signature_def", "is_valid_signature", "predict_signature_def",
           "regression_signature_def", "build_tensor_info", "get_tensor_from_tensor_info",
           "ASSETS_DIRECTORY", "ASSETS_KEY", "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY", "SAVED_MODEL_FILENAME_PB",
           "SAVED_MODEL_FILENAME_PBTXT", "SAVED_MODEL_SCHEMA_VERSION", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME",
           "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME", "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES",
           "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "PREDICT_INPUTS", "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS",
           "REGRESS_INPUTS", "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS", "EVAL", "GPU", "SERVING", "TPU", "TRAINING"]
