"""`tf.estimator`: Estimator, EstimatorSpec, ModeKeys, RunConfig, TrainSpec/EvalSpec/train_and_evaluate and
`tf.estimator.inputs.numpy_input_fn`, and the canned LinearClassifier, LinearRegressor, DNNClassifier,
DNNRegressor and DNNLinearCombinedClassifier / Regressor over `tf.feature_column`, and BaselineClassifier /
Regressor; `tf.estimator.export`: serving input receivers and export outputs for
`Estimator.export_saved_model`, and the Exporters train_and_evaluate runs after its evaluations."""
from . import export, inputs
from .estimator import EvalSpec, Estimator, TrainSpec, train_and_evaluate
from .exporter import Exporter, FinalExporter, LatestExporter
from .canned import (BaselineClassifier, BaselineRegressor, DNNClassifier, DNNLinearCombinedClassifier,
                     DNNLinearCombinedRegressor, DNNRegressor, LinearClassifier, LinearRegressor)
from .model_fn import EstimatorSpec, ModeKeys, RunConfig

__all__ = ["Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "TrainSpec", "EvalSpec", "train_and_evaluate",
           "inputs", "export", "Exporter", "FinalExporter", "LatestExporter", "LinearClassifier", "LinearRegressor", "DNNClassifier", "DNNRegressor",
           "DNNLinearCombinedClassifier", "DNNLinearCombinedRegressor", "BaselineClassifier", "BaselineRegressor"]
