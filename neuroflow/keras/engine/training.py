"""`tf.keras.Model`: compile, fit, evaluate, predict and the *_on_batch methods, on the graph engine.

`compile` builds, in the model's graph, the target and sample-weight placeholders, each output's loss, the
metrics and the total loss (plus the layers' regularization losses); the first `fit` adds the optimizer's update
ops and the layers' updates (batch-norm moving averages) as one train op. Each of train/test/predict then runs as
one compiled Session plan (`Session.make_callable`) fed with NumPy batches, so a Keras epoch costs what a
hand-written `sess.run` loop costs.
"""
import contextlib

import numpy as np

from .. import backend, callbacks as cbks, optimizers
from ..progbar import Progbar
from . import training_arrays as ta
from .network import Network
from .training_graph import CompiledGraph

__all__ = ["Model"]


class Model(Network):
    """A Keras model: a functional `Model(inputs, outputs)` or a subclass with `call`, plus training.

    Example:
        >>> inputs = tf.keras.Input(shape=(64,))
        >>> h = tf.keras.layers.Dense(32, activation="relu")(inputs)
        >>> model = tf.keras.Model(inputs, tf.keras.layers.Dense(10, activation="softmax")(h))
        >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, epochs=5, validation_split=0.2)
    """

    # Training state as class defaults: it exists whatever Network.__init__ does, and before compile.
    optimizer = None
    loss = None
    stop_training = False
    history = None
    _compile_args = None
    _compiled = None

    # --- compile --------------------------------------------------------------------------------------------------
    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, **kwargs):
        """Configures training.

        Args:
            optimizer: a name ('sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta'), a `tf.keras.optimizers` instance,
                or a `tf.train` optimizer.
            loss: a name ('mse', 'categorical_crossentropy', 'sparse_categorical_crossentropy', ...), a callable
                `(y_true, y_pred)`, a `tf.keras.losses.Loss`; a list or dict (by output name) for several outputs.
            metrics: names ('accuracy'/'acc' pick binary, categorical or sparse categorical accuracy from the loss,
                'mae', 'mse', ...) or callables; a dict by output name for several outputs.
            loss_weights: a list or dict of per-output factors of the total loss.
            weighted_metrics: metrics weighted by `sample_weight` / `class_weight`.

        Raises:
            ValueError: an unknown optimizer, loss or metric name, or loss entries that do not match the outputs.
        """
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile`: {set(kwargs)}")
        if sample_weight_mode not in (None, "samplewise"):
            raise NotImplementedError("sample_weight_mode='temporal' is not supported yet: weights are per sample.")
        if target_tensors is not None:
            raise NotImplementedError("compile(target_tensors=...) is not supported: targets are fed from NumPy.")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights,
                              "weighted_metrics": weighted_metrics}
        self._compiled = None
        if self.outputs:
            self._build_compiled()

    def _build_compiled(self):
        args = self._compile_args
        outputs = list(self.outputs)
        names = self._output_names()
        with outputs[0].graph.as_default():
            self._compiled = CompiledGraph(self, list(self.inputs), outputs, names, self._input_names(), args)

    def _input_names(self):
        names = getattr(self, "input_names", None)
        return list(names) if names else [f"input_{i + 1}" for i in range(len(self.inputs or []))]

    def _output_names(self):
        names = getattr(self, "output_names", None)
        return list(names) if names else [f"output_{i + 1}" for i in range(len(self.outputs or []))]

    @property
    def metrics_names(self):
        """The names of the values train_on_batch / evaluate return: 'loss', then per-output losses (several
        outputs), then the metrics."""
        return list(self._compiled.out_labels) if self._compiled is not None else []

    def _check_compiled(self):
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")

    # --- from data to the compiled graph --------------------------------------------------------------------------
    def _ensure_built(self, x):
        """Builds a subclassed (or not yet built) model from the first data it sees, then the training graph."""
        if not self.outputs:
            arrays = x if isinstance(x, (list, tuple)) else [x]
            shapes = [(None,) + tuple(np.shape(a)[1:]) for a in arrays]
            for a in arrays:
                if np.asarray(a).dtype.kind not in "fiub":
                    raise ValueError(f"Please provide as model inputs either a single array or a list of arrays. "
                                     f"Got an array of dtype {np.asarray(a).dtype}.")
            self.build(shapes if isinstance(x, (list, tuple)) else shapes[0])
        if self._compile_args is not None and self._compiled is None:
            self._build_compiled()

    def _graph(self):
        return self.outputs[0].graph

    def _session(self):
        with self._graph().as_default():
            return backend.get_session()

    def _standardize(self, x, y=None, sample_weight=None, class_weight=None):
        """(inputs, targets, weights): lists of arrays checked against the model (Keras's errors)."""
        self._ensure_built(x)
        compiled = self._compiled
        input_shapes = [tuple(t.shape.as_list()) if t.shape.ndims is not None else None for t in self.inputs]
        inputs = ta.standardize(x, self._input_names(), input_shapes, "input")
        if y is None:   # fine for predict, and for models trained by their own `add_loss` losses only
            return inputs, ([] if compiled is not None and not compiled.targets else None), None
        if compiled is None:
            self._check_compiled()
        try:
            targets = ta.standardize(y, compiled.target_names, compiled.target_shapes, "target",
                                     check_shapes=compiled.check_target_shapes)
        except ValueError as e:
            raise ValueError(compiled.explain_target_error(str(e))) from None
        weights_in = ta.as_list(sample_weight, compiled.target_names, "sample_weight") if sample_weight is not None \
            else [None] * len(targets)
        weights = [ta.sample_weights(t, w, class_weight, name)
                   for t, w, name in zip(targets, weights_in, compiled.target_names)]
        if all(w is None for w in weights):
            weights = None
        elif any(w is None for w in weights):
            weights = [np.ones(len(t), np.float32) if w is None else w for t, w in zip(targets, weights)]
        ta.check_array_lengths(inputs, targets, weights)
        return inputs, targets, weights

    # --- fit ------------------------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False, **kwargs):
        """Trains the model for `epochs` epochs.

        Args:
            x, y: NumPy arrays (lists or dicts of arrays for several inputs/outputs), or `x` a `tf.data.Dataset`
                yielding (inputs, targets) or (inputs, targets, sample_weights) batches (then `y` is None).
            batch_size: samples per step (default 32; not with datasets).
            epochs: the index of the last epoch (training runs epochs initial_epoch .. epochs-1).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch.
            callbacks: `tf.keras.callbacks.Callback` instances.
            validation_split: the fraction of the (last) samples held out for validation.
            validation_data: (x_val, y_val) or (x_val, y_val, val_sample_weight), or a dataset.
            shuffle: shuffle the samples each epoch (True), whole batches ('batch'), or not (False).
            class_weight: {class index: weight} scaling the loss of each sample by its class.
            sample_weight: one weight per sample.
            initial_epoch: the epoch to start at (to resume training).
            steps_per_epoch: batches per epoch (datasets; default: one pass over the data).
            validation_steps: validation batches (datasets).
            validation_freq: validate every this many epochs (or at the epochs in a list).

        Returns:
            A `History` whose `history` dict holds 'loss', the metrics and their 'val_' versions per epoch.

        Raises:
            RuntimeError: the model is not compiled.
            ValueError: data that does not fit the model (Keras's messages).
        """
        if kwargs.pop("nb_epoch", None) is not None:
            raise TypeError("The `nb_epoch` argument in `fit` has been renamed `epochs`.")
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        self._check_compiled()
        source, num_samples, first = self._training_source(x, y, batch_size, shuffle, sample_weight, class_weight,
                                                           validation_split, steps_per_epoch)
        val_source = self._validation_source(validation_data, first, batch_size, validation_steps)
        compiled = self._compiled
        with self._graph().as_default():
            step = compiled.train_step(self._session(), weighted=first["weighted"])
            val_step = None
            if val_source is not None:
                val_step = compiled.test_step(self._session(), weighted=first["val_weighted"])
            if verbose and num_samples is not None:
                if val_source is not None and val_source.num_samples is not None:
                    print(f"Train on {num_samples} samples, validate on {val_source.num_samples} samples")
                else:
                    print(f"Train on {num_samples} samples")
            callback_list = self._callbacks(callbacks, verbose, epochs, source, num_samples, val_source is not None,
                                            first["batch_size"])
            ta.fit_loop(self, step, source, compiled.out_labels, epochs, callback_list, val_step, val_source,
                        initial_epoch, validation_freq)
        return self.history

    def _training_source(self, x, y, batch_size, shuffle, sample_weight, class_weight, validation_split, steps):
        if _is_dataset(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using dataset as input.")
            if validation_split:
                raise ValueError("`validation_split` argument is not supported when input `x` is a dataset or a "
                                 "dataset iterator. Please use `validation_data` instead.")
            source = self._dataset_source(x, steps, class_weight)
            if self._compiled is None:   # a model built from its data: the first batch builds it
                source.peek()
            return source, None, {"weighted": True, "val_weighted": True, "batch_size": None}
        if steps is not None:
            raise ValueError("`steps_per_epoch` is only for datasets and generators; with arrays use `batch_size`.")
        batch_size = ta.check_batch_size(batch_size)
        inputs, targets, weights = self._standardize(x, y, sample_weight, class_weight)
        if y is None and self._compiled.targets:
            raise ValueError("You must pass target data `y` to fit (or a dataset yielding (inputs, targets)).")
        arrays = inputs + targets + (weights or [])
        val = None
        if validation_split:
            arrays, val = ta.split_validation(arrays, validation_split)
        source = ta.ArraySource(arrays, batch_size, shuffle)
        self._split_validation = None
        if val is not None:
            self._split_validation = ta.ArraySource(val, batch_size)
        return source, source.num_samples, {"weighted": weights is not None, "val_weighted": weights is not None,
                                            "batch_size": batch_size}

    def _validation_source(self, validation_data, first, batch_size, validation_steps):
        if validation_data is None:
            source = getattr(self, "_split_validation", None)
            self._split_validation = None
            return source
        if _is_dataset(validation_data):
            first["val_weighted"] = True
            return self._dataset_source(validation_data, validation_steps, None)
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError("When passing validation_data, it must contain 2 (x_val, y_val) or 3 (x_val, y_val, "
                             f"val_sample_weights) items, however it contains {len(validation_data)} items")
        val_x, val_y = validation_data[0], validation_data[1]
        val_w = validation_data[2] if len(validation_data) == 3 else None
        inputs, targets, weights = self._standardize(val_x, val_y, val_w)
        first["val_weighted"] = weights is not None
        return ta.ArraySource(inputs + targets + (weights or []), ta.check_batch_size(batch_size))

    def _callbacks(self, callbacks, verbose, epochs, source, num_samples, do_validation, batch_size):
        self.history = cbks.History()
        user = list(callbacks or [])
        stateful = []
        callback_list = [cbks.BaseLogger(stateful_metrics=stateful)]
        if verbose:
            count_mode = "samples" if num_samples is not None else "steps"
            callback_list.append(cbks.ProgbarLogger(count_mode, stateful_metrics=stateful))
        callback_list = cbks.CallbackList(callback_list + user + [self.history])
        labels = self._compiled.out_labels
        callback_list.set_model(self)
        callback_list.set_params({"batch_size": batch_size, "epochs": epochs, "steps": source.steps,
                                  "samples": num_samples, "verbose": verbose, "do_validation": do_validation,
                                  "metrics": labels + (["val_" + n for n in labels] if do_validation else [])})
        return callback_list

    # --- datasets and generators ----------------------------------------------------------------------------------
    def _dataset_source(self, dataset, steps, class_weight, for_predict=False):
        """Batches pulled from a tf.data dataset through an iterator in the model's graph (re-initialized each
        epoch when `steps` is None)."""
        with self._graph().as_default() if self.outputs else contextlib.nullcontext():
            iterator = dataset.make_initializable_iterator()
            next_element = iterator.get_next()
        state = {}

        def session():
            if "session" not in state:
                state["session"] = backend.get_session() if not self.outputs else self._session()
            return state["session"]

        def next_batch():
            return self._split_batch(session().run(next_element), class_weight, for_predict)

        def reset():
            session().run(iterator.initializer)

        if steps is not None:
            reset()
        return ta.IteratorSource(next_batch, steps, reset)

    def _split_batch(self, element, class_weight, for_predict=False):
        """A dataset or generator element -> the arrays the step functions take (only the inputs to predict).

        Raises:
            ValueError: an element without targets for a model that needs them.
        """
        if not isinstance(element, tuple) or len(element) not in (1, 2, 3):   # tuples split, as in Keras
            element = (element,)
        x = element[0]
        y = element[1] if len(element) > 1 and not for_predict else None
        w = element[2] if len(element) > 2 else None
        inputs, targets, weights = self._standardize(x, y, w, class_weight)
        if for_predict:
            return inputs
        if targets is None:
            raise ValueError("The data must yield (inputs, targets) or (inputs, targets, sample_weights) to train or "
                             "evaluate this model; it yielded a single structure.")
        if weights is None:
            weights = [np.ones(len(t), np.float32) for t in targets]
        return inputs + targets + weights

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Trains on batches from a Python generator (or a `tf.keras.utils.Sequence`-like object with
        `__len__`/`__getitem__`) yielding (x, y) or (x, y, sample_weight); `steps_per_epoch` batches per epoch."""
        self._check_compiled()
        next_batch, steps_per_epoch = _generator_reader(generator, steps_per_epoch)
        first = next_batch()
        self._ensure_built(first[0])
        pending = [first]

        def pull():
            return self._split_batch(pending.pop() if pending else next_batch(), class_weight)
        source = ta.IteratorSource(pull, steps_per_epoch)
        val_source = None
        flags = {"val_weighted": True}
        if validation_data is not None:
            if isinstance(validation_data, (list, tuple)) and len(validation_data) in (2, 3) and not callable(
                    getattr(validation_data, "__next__", None)):
                val_source = self._validation_source(validation_data, flags, None, validation_steps)
            else:
                val_next, val_steps = _generator_reader(validation_data, validation_steps)
                val_source = ta.IteratorSource(lambda: self._split_batch(val_next(), None), val_steps)
        compiled = self._compiled
        with self._graph().as_default():
            step = compiled.train_step(self._session(), weighted=True)
            val_step = compiled.test_step(self._session(), weighted=flags["val_weighted"]) if val_source else None
            callback_list = self._callbacks(callbacks, verbose, epochs, source, None, val_source is not None, None)
            ta.fit_loop(self, step, source, compiled.out_labels, epochs, callback_list, val_step, val_source,
                        initial_epoch, validation_freq)
        return self.history

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """evaluate on batches from a generator; `steps` batches."""
        self._check_compiled()
        next_batch, steps = _generator_reader(generator, steps)
        first = next_batch()
        self._ensure_built(first[0])
        pending = [first]
        source = ta.IteratorSource(lambda: self._split_batch(pending.pop() if pending else next_batch(), None), steps)
        with self._graph().as_default():
            outs = ta.test_loop(self._compiled.test_step(self._session(), weighted=True), source,
                                len(self._compiled.out_labels))
        return outs[0] if len(outs) == 1 else outs

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """predict on batches from a generator yielding x (or (x, y) tuples whose x is used)."""
        next_batch, steps = _generator_reader(generator, steps)

        def pull():
            return self._split_batch(next_batch(), None, for_predict=True)
        return self._predict_from_source(ta.IteratorSource(pull, steps), verbose)

    # --- evaluate / predict ---------------------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, callbacks=None,
                 max_queue_size=10, workers=1, use_multiprocessing=False):
        """The loss (and metrics) on the given data, averaged over the samples (weighted by `sample_weight`).

        Returns:
            A scalar (loss only) or a list [loss, metrics...] named by `model.metrics_names`.
        """
        self._check_compiled()
        if _is_dataset(x):
            source, weighted = self._dataset_source(x, steps, None), True
        else:
            inputs, targets, weights = self._standardize(x, y, sample_weight)
            if targets is None:
                raise ValueError("You must pass target data `y` to evaluate.")
            source = ta.ArraySource(inputs + targets + (weights or []), ta.check_batch_size(batch_size))
            weighted = weights is not None
        compiled = self._compiled
        with self._graph().as_default():
            step = compiled.test_step(self._session(), weighted=weighted)
            callback_list = cbks.CallbackList(callbacks)
            callback_list.set_model(self)
            progbar = None
            if verbose == 1:
                progbar = Progbar(source.num_samples if source.num_samples is not None else source.steps,
                                  unit_name="sample" if source.num_samples is not None else "step")
            outs = ta.test_loop(step, source, len(compiled.out_labels), callback_list, progbar, compiled.out_labels)
        return outs[0] if len(outs) == 1 else outs

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None, max_queue_size=10, workers=1,
                use_multiprocessing=False):
        """The model's outputs for `x`, computed in batches (training=False): an array, or a list for several
        outputs."""
        if _is_dataset(x):
            if not self.outputs:
                raise ValueError("Build the model (call it on data, or fit it) before predicting from a dataset.")
            source = self._dataset_source(x, steps, None, for_predict=True)
        else:
            inputs = self._standardize(x)[0]
            source = ta.ArraySource(inputs, ta.check_batch_size(batch_size))
        return self._predict_from_source(source, verbose)

    def _predict_from_source(self, source, verbose):
        with self._graph().as_default():
            step = _predict_step(self, self._session())
            progbar = None
            if verbose == 1:
                progbar = Progbar(source.num_samples if source.num_samples is not None else source.steps,
                                  unit_name="sample" if source.num_samples is not None else "step")
            outs = ta.predict_loop(step, source, progbar)
        if outs is None:
            raise ValueError("No data to predict on: the input is empty.")
        return outs[0] if len(outs) == 1 else outs

    # --- one batch ------------------------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True):
        """One training step on one batch. Returns the loss, or [loss, metrics...] (`metrics_names`)."""
        self._check_compiled()
        inputs, targets, weights = self._standardize(x, y, sample_weight, class_weight)
        with self._graph().as_default():
            outs = self._compiled.train_step(self._session(), weighted=weights is not None)(
                inputs + targets + (weights or []))
        return outs[0] if len(outs) == 1 else list(outs)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True):
        """The loss (and metrics) on one batch, without training. Returns a scalar or a list."""
        self._check_compiled()
        inputs, targets, weights = self._standardize(x, y, sample_weight)
        with self._graph().as_default():
            outs = self._compiled.test_step(self._session(), weighted=weights is not None)(
                inputs + targets + (weights or []))
        return outs[0] if len(outs) == 1 else list(outs)

    def predict_on_batch(self, x):
        """The outputs for one batch (training=False)."""
        inputs = self._standardize(x)[0]
        with self._graph().as_default():
            outs = _predict_step(self, self._session())(inputs)
        return outs[0] if len(outs) == 1 else outs

    def reset_metrics(self):
        """Metrics here are computed per batch and averaged per epoch: nothing to reset."""

    # --- saving ---------------------------------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None):
        """Saves the architecture, weights, and training configuration (and optimizer state) in one file that
        `tf.keras.models.load_model` reads (neuroflow's safe format: JSON and raw tensors, no pickle)."""
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """Saves the weights: a TensorFlow-style checkpoint (`filepath.index` + data file) by default, or one file
        when `filepath` ends in '.h5' / '.keras' (or `save_format='h5'`)."""
        from ..saving import save_weights
        save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, by_name=False):
        """Loads weights saved by `save_weights` or `save` (in order, or matched by layer name with
        `by_name=True`)."""
        from ..saving import load_weights
        load_weights(self, filepath, by_name=by_name)


def _predict_step(model, session):
    compiled = model._compiled
    outputs = list(model.outputs)
    if compiled is None or len(compiled.outputs) != len(outputs) or any(
            a is not b for a, b in zip(compiled.outputs, outputs)):
        # Predicting needs no compile: a small cache of the outputs' callable per session.
        cache = model.__dict__.setdefault("_predict_cache", {})
        key = (id(session),) + tuple(id(t) for t in outputs + list(model.inputs))
        fn = cache.get(key)
        if fn is None or fn[0] is not session:
            fn = cache[key] = (session, session.make_callable(outputs, list(model.inputs)))
        call = fn[1]
        return lambda arrays: call(*arrays)
    return compiled.predict_step(session)


def _is_dataset(x):
    from ...data.dataset_ops import Dataset
    return isinstance(x, Dataset)


def _generator_reader(generator, steps):
    """(next_batch, steps) for a generator, or a Sequence-like object (len + indexing; steps defaults to len)."""
    if hasattr(generator, "__getitem__") and hasattr(generator, "__len__") and not isinstance(generator, (
            list, tuple, np.ndarray)):
        steps = len(generator) if steps is None else steps
        position = [0]

        def next_item():
            item = generator[position[0] % len(generator)]
            position[0] += 1
            return item
        return next_item, steps
    if steps is None:
        raise ValueError("`steps_per_epoch=None` is only valid for a generator based on the `keras.utils.Sequence` "
                         "class. Please specify `steps_per_epoch` or use the `keras.utils.Sequence` class.")
    iterator = iter(generator)
    return (lambda: next(iterator)), steps

