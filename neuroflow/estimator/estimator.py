"""`tf.estimator.Estimator` (train / evaluate / predict over a model_fn, checkpoints and summaries in model_dir,
resuming from the latest checkpoint) and the local `train_and_evaluate` with `TrainSpec` / `EvalSpec`. Each call
builds a fresh graph and runs it in a MonitoredTrainingSession (train) or SingularMonitoredSession (eval, predict).
"""
import collections
import inspect
import os

import numpy as np

from .. import tf_logging as logging
from .model_fn import EstimatorSpec, ModeKeys, RunConfig

__all__ = ["Estimator", "TrainSpec", "EvalSpec", "train_and_evaluate"]


def _tf():
    import neuroflow
    return neuroflow


def _checkpoint_step(path):
    return int(os.path.basename(path).rsplit("-", 1)[1]) if path and "-" in os.path.basename(path) else 0


class Estimator:
    """Trains, evaluates and predicts with `model_fn(features, labels, mode, params, config)` (any subset of
    labels/mode/params/config), keeping checkpoints and TensorBoard summaries in `model_dir`."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        config = config or RunConfig()
        if model_dir is not None and config.model_dir is not None and model_dir != config.model_dir:
            raise ValueError("model_dir are set both in constructor and RunConfig, but with different values. In "
                             f"constructor: '{model_dir}', in RunConfig: '{config.model_dir}' ")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            import tempfile  # here: tempfile (and shutil behind it) would cost every `import neuroflow`
            model_dir = tempfile.mkdtemp()
            logging.warning("Using temporary folder as model directory: %s", model_dir)
        self._model_dir = os.fspath(model_dir)
        self._config = config.replace(model_dir=self._model_dir)
        self._model_fn = model_fn
        self._params = dict(params or {})

    model_dir = property(lambda self: self._model_dir)
    config = property(lambda self: self._config)
    params = property(lambda self: dict(self._params))
    model_fn = property(lambda self: self._model_fn)

    def latest_checkpoint(self):
        return _tf().train.latest_checkpoint(self._model_dir)

    def get_variable_names(self):
        return [name for name, _ in _tf().train.list_variables(self._model_dir)]

    def get_variable_value(self, name):
        return _tf().train.load_variable(self._model_dir, name)

    # --- building ------------------------------------------------------------------------------------------------
    def _input(self, input_fn, mode):
        kwargs = {}
        args = inspect.signature(input_fn).parameters
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self._config
        if "mode" in args:
            kwargs["mode"] = mode
        result = input_fn(**kwargs)
        tf = _tf()
        if isinstance(result, tf.data.Dataset):
            result = tf.data.make_one_shot_iterator(result).get_next()
        if isinstance(result, (list, tuple)) and len(result) == 2:
            return result[0], result[1]
        return result, None

    def _call_model_fn(self, features, labels, mode):
        args = inspect.signature(self._model_fn).parameters
        kwargs = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self._config
        spec = self._model_fn(features=features, **kwargs)
        if not isinstance(spec, EstimatorSpec):
            raise ValueError(f"model_fn should return an EstimatorSpec. Given: {spec}")
        return spec

    def _scaffold(self, spec):
        tf = _tf()
        if spec.scaffold is not None:
            return spec.scaffold
        return tf.train.Scaffold(saver=tf.train.Saver(max_to_keep=self._config.keep_checkpoint_max,
                                                      sharded=True, allow_empty=True))

    # --- train / evaluate / predict ---------------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Trains for `steps` more steps, up to `max_steps`, or until input_fn's data ends; returns self."""
        tf = _tf()
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        if max_steps is not None and _checkpoint_step(self.latest_checkpoint()) >= max_steps:
            logging.info("Skipping training since max_steps has already saved.")
            return self
        with tf.Graph().as_default():
            if self._config.tf_random_seed is not None:
                tf.set_random_seed(self._config.tf_random_seed)
            global_step = tf.train.get_or_create_global_step()
            features, labels = self._input(input_fn, ModeKeys.TRAIN)
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN)
            from ..train.basic_session_run_hooks import tensorboard_installed
            if tensorboard_installed():  # without the extra, MonitoredTrainingSession writes no summaries anyway
                tf.summary.scalar("loss", spec.loss)
            all_hooks = [tf.train.NanTensorHook(spec.loss)]
            if steps is not None or max_steps is not None:
                all_hooks.append(tf.train.StopAtStepHook(num_steps=steps, last_step=max_steps))
            if self._config.log_step_count_steps:
                all_hooks.append(tf.train.LoggingTensorHook({"loss": spec.loss, "step": global_step},
                                                            every_n_iter=self._config.log_step_count_steps))
            all_hooks += list(spec.training_hooks) + list(hooks or [])
            scaffold = self._scaffold(spec)
            chief_hooks = list(spec.training_chief_hooks)
            if saving_listeners:
                chief_hooks.append(tf.train.CheckpointSaverHook(
                    self._model_dir, save_secs=self._config.save_checkpoints_secs,
                    save_steps=self._config.save_checkpoints_steps, scaffold=scaffold, listeners=saving_listeners))
                save_steps, save_secs = None, None
            else:
                save_steps, save_secs = self._config.save_checkpoints_steps, self._config.save_checkpoints_secs
            with tf.train.MonitoredTrainingSession(
                    checkpoint_dir=self._model_dir, scaffold=scaffold, hooks=all_hooks, chief_only_hooks=chief_hooks,
                    save_checkpoint_secs=save_secs, save_checkpoint_steps=save_steps,
                    save_summaries_steps=self._config.save_summary_steps, config=self._config.session_config,
                    log_step_count_steps=self._config.log_step_count_steps) as sess:
                loss = None
                while not sess.should_stop():
                    _, loss = sess.run([spec.train_op, spec.loss])
            logging.info("Loss for final step: %s.", loss)
        return self

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Runs the eval_metric_ops (and the mean loss) over input_fn's data (or `steps` batches); returns the
        metrics with `global_step`, and writes them to `model_dir/eval` (or `eval_<name>`)."""
        tf = _tf()
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if checkpoint_path is None:
            logging.info("Could not find trained model in model_dir: %s, running initialization to evaluate.",
                         self._model_dir)
        with tf.Graph().as_default():
            global_step = tf.train.get_or_create_global_step()
            features, labels = self._input(input_fn, ModeKeys.EVAL)
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL)
            metrics = dict(spec.eval_metric_ops)
            metrics.setdefault("loss", tf.metrics.mean(spec.loss))
            values = {k: v[0] for k, v in metrics.items()}
            updates = {k: v[1] for k, v in metrics.items()}
            all_hooks = list(spec.evaluation_hooks) + list(hooks or [])
            with tf.train.SingularMonitoredSession(hooks=all_hooks, scaffold=self._scaffold(spec),
                                                   checkpoint_filename_with_path=checkpoint_path,
                                                   config=self._config.session_config) as sess:
                done = 0
                while not sess.should_stop() and (steps is None or done < steps):
                    try:
                        sess.run(updates)
                    except tf.errors.OutOfRangeError:
                        break
                    done += 1
                result = sess.raw_session().run(values)
                result["global_step"] = sess.raw_session().run(global_step)
        self._write_eval_summary(result, name)
        return result

    def _write_eval_summary(self, result, name):
        tf = _tf()
        from ..train.basic_session_run_hooks import tensorboard_installed
        if not tensorboard_installed():
            # The metrics are returned all the same; only TensorBoard's copy of them needs the extra.
            logging.warning("Estimator.evaluate writes no eval summaries: the tensorboard package is not installed "
                            "(pip install neuroflow[tensorboard])")
            return
        from ..summary._proto import protos
        pb = protos().summary_pb2
        scalars = [pb.Summary.Value(tag=k, simple_value=float(v)) for k, v in result.items()
                   if k != "global_step" and np.ndim(v) == 0]
        folder = os.path.join(self._model_dir, "eval" if not name else f"eval_{name}")
        with tf.summary.FileWriter(folder) as writer:
            writer.add_summary(pb.Summary(value=scalars), int(result["global_step"]))

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None, yield_single_examples=True):
        """Yields the predictions of each example (or each batch) of input_fn's data."""
        tf = _tf()
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        with tf.Graph().as_default():
            tf.train.get_or_create_global_step()
            features, _ = self._input(input_fn, ModeKeys.PREDICT)
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT)
            predictions = spec.predictions
            if predict_keys is not None:
                keys = [predict_keys] if isinstance(predict_keys, str) else list(predict_keys)
                missing = [k for k in keys if k not in predictions]
                if missing:
                    raise ValueError(f"Expected to run at least one output from {list(predictions)}, "
                                     f"provided {missing}.")
                predictions = {k: predictions[k] for k in keys}
            all_hooks = list(spec.prediction_hooks) + list(hooks or [])
            with tf.train.SingularMonitoredSession(hooks=all_hooks, scaffold=self._scaffold(spec),
                                                   checkpoint_filename_with_path=checkpoint_path,
                                                   config=self._config.session_config) as sess:
                while not sess.should_stop():
                    try:
                        batch = sess.run(predictions)
                    except tf.errors.OutOfRangeError:
                        break
                    if not yield_single_examples:
                        yield batch
                    elif isinstance(batch, dict):
                        for i in range(len(next(iter(batch.values())))):
                            yield {k: v[i] for k, v in batch.items()}
                    else:
                        yield from batch


    def export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                           checkpoint_path=None):
        """Writes the model of `checkpoint_path` (default: the latest) as a SavedModel in a new folder
        `export_dir_base/<timestamp>`, tagged 'serve', with a SignatureDef per export output of the model_fn's
        PREDICT-mode EstimatorSpec, fed by `serving_input_receiver_fn`'s receiver tensors; `assets_extra`
        ({destination under assets.extra/: source file}) is copied in. Returns the folder's path (bytes, as
        TensorFlow).

        Raises:
            ValueError: no serving_input_receiver_fn, or no checkpoint to export.
        """
        from .export import write_saved_model
        return write_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra=assets_extra,
                                 as_text=as_text, checkpoint_path=checkpoint_path)

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                          checkpoint_path=None, strip_default_attrs=False):
        """TensorFlow 1's name of `export_saved_model`."""
        return self.export_saved_model(export_dir_base, serving_input_receiver_fn, assets_extra=assets_extra,
                                       as_text=as_text, checkpoint_path=checkpoint_path)


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks", "saving_listeners"])):
    def __new__(cls, input_fn, max_steps=None, hooks=None, saving_listeners=None):
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, tuple(hooks or ()), tuple(saving_listeners or ()))


class EvalSpec(collections.namedtuple("EvalSpec", ["input_fn", "steps", "name", "hooks", "exporters",
                                                   "start_delay_secs", "throttle_secs"])):
    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None, start_delay_secs=120,
                throttle_secs=600):
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        return super().__new__(cls, input_fn, steps, name, tuple(hooks or ()), _checked_exporters(exporters),
                               start_delay_secs, throttle_secs)


def _checked_exporters(exporters):
    """EvalSpec's exporters as a tuple (one Exporter, an iterable of them, or None), each with its own name."""
    from .exporter import Exporter
    if not exporters:
        return ()
    if isinstance(exporters, Exporter):
        exporters = [exporters]
    try:
        exporters = list(exporters)
    except TypeError:
        exporters = None
    if exporters is None or not all(isinstance(e, Exporter) for e in exporters):
        raise TypeError(f"`exporters` must be an Exporter, an iterable of Exporter, or `None`, found {exporters}.")
    names = []
    for exporter in exporters:
        if not exporter.name:
            raise ValueError("An Exporter cannot have a name that is `None` or empty. All exporter names: "
                             f"{[e.name for e in exporters]}")
        if not isinstance(exporter.name, str):
            raise ValueError(f"An Exporter must have a string name. Given: {type(exporter.name)}")
        if exporter.name in names:
            raise ValueError("`exporters` must have unique names. Such a name cannot be `None`. All exporter names: "
                             f"{[e.name for e in exporters]}")
        names.append(exporter.name)
    return tuple(exporters)


class _EvaluateAfterSaves:
    """TensorFlow's local-mode evaluator: after a checkpoint save (but the first, at the start of training),
    evaluates it once `throttle_secs` have passed since the last evaluation, and evaluates the final checkpoint at
    the end of training if not done yet."""

    def __init__(self, estimator, eval_spec, max_steps=None):
        from ..train.basic_session_run_hooks import SecondOrStepTimer
        self._estimator, self._spec, self._max_steps = estimator, eval_spec, max_steps
        self._timer = SecondOrStepTimer(every_secs=eval_spec.throttle_secs)
        self._first_save = True
        self.metrics = None
        self.export_results = []

    # CheckpointSaverListener's methods (duck-typed: the hook only calls them).
    def begin(self):
        pass

    def before_save(self, session, global_step_value):
        pass

    def after_save(self, session, global_step_value):
        if self._first_save:  # the save at the start of training: nothing trained yet
            self._first_save = False
            return
        if self._timer.should_trigger_for_step(global_step_value):
            self._timer.update_last_triggered_step(global_step_value)
            self._evaluate(global_step_value)

    def end(self, session, global_step_value):
        if self.metrics is None or self.metrics["global_step"] != global_step_value:
            self._evaluate(global_step_value)

    def _evaluate(self, step):
        logging.info("Evaluating the checkpoint of step %s.", step)
        checkpoint = self._estimator.latest_checkpoint()
        self.metrics = self._estimator.evaluate(self._spec.input_fn, steps=self._spec.steps, hooks=self._spec.hooks,
                                                checkpoint_path=checkpoint, name=self._spec.name)
        # TensorFlow's rule: the export is the final one once the evaluated step reaches max_steps
        final = self._max_steps is not None and self.metrics["global_step"] >= self._max_steps
        base = os.path.join(self._estimator.model_dir, "export")
        self.export_results = [exporter.export(self._estimator, os.path.join(base, exporter.name), checkpoint,
                                               self.metrics, final) for exporter in self._spec.exporters]


def train_and_evaluate(estimator, train_spec, eval_spec):
    """Local mode: trains to `train_spec.max_steps`, evaluating each new checkpoint at most once every
    `eval_spec.throttle_secs` seconds and the final one, each evaluation followed by `eval_spec.exporters`'
    exports (into model_dir/export/<exporter name>); returns (the last eval metrics, the last exports' results)."""
    listener = _EvaluateAfterSaves(estimator, eval_spec, train_spec.max_steps)
    estimator.train(train_spec.input_fn, hooks=train_spec.hooks, max_steps=train_spec.max_steps,
                    saving_listeners=list(train_spec.saving_listeners) + [listener])
    if listener.metrics is None:  # nothing to train (max_steps already reached): evaluate what is there
        listener._evaluate(_checkpoint_step(estimator.latest_checkpoint()))
    return listener.metrics, listener.export_results
