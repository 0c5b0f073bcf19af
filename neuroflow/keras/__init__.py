"""`tf.keras`: a Keras-style high-level API (Sequential, functional and subclassed Models, compile/fit) built on
neuroflow's graph engine."""
from . import (activations, backend, callbacks, initializers, layers, losses, metrics, models,  # noqa: F401
               optimizers, regularizers, utils)
from .engine.input_layer import Input  # noqa: F401
from .models import Model, Sequential, load_model  # noqa: F401
