"""`tf.estimator`: Estimator, EstimatorSpec, ModeKeys, RunConfig, TrainSpec/EvalSpec/train_and_evaluate and
`tf.estimator.inputs.numpy_input_fn`. The canned estimators and feature columns are not here yet."""
from . import inputs
from .estimator import EvalSpec, Estimator, TrainSpec, train_and_evaluate
from .model_fn import EstimatorSpec, ModeKeys, RunConfig

__all__ = ["Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "TrainSpec", "EvalSpec", "train_and_evaluate",
           "inputs"]
