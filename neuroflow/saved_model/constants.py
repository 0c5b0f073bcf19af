"""The names of a SavedModel's files, folders and reserved collection keys (`tf.saved_model.constants`)."""

__all__ = ["ASSETS_DIRECTORY", "ASSETS_KEY", "EXTRA_ASSETS_DIRECTORY", "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY",
           "TRAIN_OP_KEY", "INIT_OP_SIGNATURE_KEY", "TRAIN_OP_SIGNATURE_KEY", "SAVED_MODEL_SCHEMA_VERSION",
           "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME"]

ASSETS_DIRECTORY = "assets"
ASSETS_KEY = "saved_model_assets"
EXTRA_ASSETS_DIRECTORY = "assets.extra"
LEGACY_INIT_OP_KEY = "legacy_init_op"
MAIN_OP_KEY = "saved_model_main_op"
TRAIN_OP_KEY = "saved_model_train_op"
INIT_OP_SIGNATURE_KEY = "__saved_model_init_op"
TRAIN_OP_SIGNATURE_KEY = "__saved_model_train_op"
SAVED_MODEL_SCHEMA_VERSION = 1
SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
