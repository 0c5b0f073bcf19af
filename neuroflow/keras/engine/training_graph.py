"""What `Model.compile` adds to the model's graph — per output a target placeholder, a sample-weight placeholder
(defaulting to ones), the weighted loss and the metrics; the total loss with the regularization losses — and the
train/test/predict step functions: one `Session.make_callable` plan each, per session."""
import neuroflow as _tf
from ...framework import dtypes
from .. import backend
from .. import losses as losses_module
from .. import metrics as metrics_module

__all__ = []

# Built-in losses whose targets have the output's shape (sparse ones: the output's shape with a last dim of 1).
_SPARSE = (losses_module.sparse_categorical_crossentropy,)


def resolve_per_output(value, names, what, default=None):
    """A list with one entry per output from a single value, a list or a dict keyed by output name.

    Raises:
        ValueError: a list of the wrong length or an unknown dict key (Keras's messages).
    """
    if isinstance(value, dict):
        for key in value:
            if key not in names:
                raise ValueError(f'Unknown entry in {what} dictionary: "{key}". Only expected the following keys: '
                                 f"{names}")
        return [value.get(n, default) for n in names]
    if isinstance(value, (list, tuple)) and what in ("loss", "loss_weights"):
        if len(value) != len(names):
            raise ValueError(f"When passing a list as {what}, it should have one entry per model outputs. The model "
                             f"has {len(names)} outputs, but you passed {what}={value}")
        return list(value)
    return [value if value is not None else default for _ in names]


def _unique(labels):
    seen, out = {}, []
    for label in labels:
        if label in seen:
            seen[label] += 1
            label = f"{label}_{seen[label]}"
        else:
            seen[label] = 0
        out.append(label)
    return out


def _per_sample_mean(values):
    """Values reduced to one per sample (a mean over any further axes)."""
    rank = values.shape.ndims
    if rank is not None and rank > 1:
        return _tf.reduce_mean(values, axis=list(range(1, rank)))
    return values


class CompiledGraph:
    """The training graph of one compiled model (see the module docstring).

    Attributes:
        out_labels: 'loss', then '<output>_loss' for each of several outputs, then the metric names.
        targets, sample_weights: the placeholders fed with each batch.
        total_loss: the scalar the optimizer minimizes.
    """

    def __init__(self, model, inputs, outputs, output_names, input_names, args):
        self.model = model
        self.inputs = inputs
        self.outputs = outputs
        self.output_names = output_names
        self.input_names = input_names
        n = len(outputs)
        loss_fns = [losses_module.get(loss) for loss in resolve_per_output(args["loss"], output_names, "loss")]
        loss_weights = resolve_per_output(args["loss_weights"], output_names, "loss_weights", 1.0)
        metrics = resolve_per_output(args["metrics"], output_names, "metrics")
        weighted_metrics = resolve_per_output(args["weighted_metrics"], output_names, "weighted_metrics")
        # Outputs without a loss (None, or missing from a loss dict) get no target, weights or metrics.
        kept = [i for i, fn in enumerate(loss_fns) if fn is not None]
        self.target_names = [output_names[i] for i in kept]
        self.loss_fns = [loss_fns[i] for i in kept]
        self.targets, self.sample_weights, self.target_shapes, self.check_target_shapes = [], [], [], []
        output_losses = []
        with _tf.name_scope("loss"):
            for i, fn in zip(kept, self.loss_fns):
                out, name = outputs[i], output_names[i]
                shape = tuple(out.shape.as_list()) if out.shape.ndims is not None else None
                target = backend.placeholder(ndim=len(shape), dtype=out.dtype.base_dtype, name=name + "_target") \
                    if shape is not None else _tf.placeholder(out.dtype.base_dtype, name=name + "_target")
                self.targets.append(target)
                builtin = getattr(fn, "fn", fn)
                self.target_shapes.append(shape[:-1] + (1,) if builtin in _SPARSE and shape is not None else shape)
                self.check_target_shapes.append(_is_builtin(builtin))
                with _tf.name_scope(name + "_loss"):
                    per_sample = fn(target, out)
                    batch = _tf.shape(per_sample)[:1] if per_sample.shape.ndims else _tf.shape(out)[:1]
                    sw = _tf.placeholder_with_default(_tf.ones(batch, dtype=per_sample.dtype), shape=[None],
                                                      name=name + "_sample_weights")
                    self.sample_weights.append(sw)
                    output_losses.append((loss_weights[i], _weighted_mean(per_sample, sw)))
        self.out_labels = ["loss"] + ([f"{name}_loss" for name in self.target_names] if n > 1 else [])
        with _tf.name_scope("loss"):
            terms = [loss if weight == 1.0 else weight * loss for weight, loss in output_losses]
            regularization = [_tf.cast(r, dtypes.float32) if r.dtype.base_dtype != dtypes.float32 else r
                              for r in model.losses]
            if not terms and not regularization:
                raise ValueError("The model cannot be compiled because it has no loss to optimize.")
            total = _tf.add_n(terms) if len(terms) > 1 else (terms[0] if terms else None)
            if regularization:
                reg = _tf.add_n(regularization) if len(regularization) > 1 else regularization[0]
                total = reg if total is None else total + reg
            self.total_loss = total
        self.metric_tensors = []
        metric_labels = []
        with _tf.name_scope("metrics"):
            for i, fn, target, sw in zip(kept, self.loss_fns, self.targets, self.sample_weights):
                out, name, entries, weighted_entries = outputs[i], output_names[i], metrics[i], weighted_metrics[i]
                shape = tuple(out.shape.as_list()) if out.shape.ndims is not None else None
                for entries_, weighted in ((entries, False), (weighted_entries, True)):
                    for entry in _as_list(entries_):
                        label, metric_fn = metrics_module.resolve(entry, fn, shape)
                        label = ("weighted_" if weighted else "") + label
                        with _tf.name_scope(label):
                            values = _per_sample_mean(metric_fn(target, out))
                            if weighted:
                                sw_cast = _tf.cast(sw, values.dtype)
                                value = _tf.reduce_sum(values * sw_cast) / _tf.maximum(_tf.reduce_sum(sw_cast),
                                                                                         1e-7)
                            else:
                                value = _tf.reduce_mean(values)
                        metric_labels.append(label if n == 1 else f"{name}_{label}")
                        self.metric_tensors.append(value)
        self.out_labels = _unique(self.out_labels + metric_labels)
        self.fetches = [self.total_loss] + ([loss for _, loss in output_losses] if n > 1 else []) + \
            self.metric_tensors
        self._train_op = None
        self._functions = {}

    # --- checks ---------------------------------------------------------------------------------------------------
    def explain_target_error(self, message):
        """Keras's shape error for targets, plus its hint when integer labels meet categorical_crossentropy."""
        if message.endswith("but got array with shape (1,)") and any(
                getattr(fn, "fn", fn) is losses_module.categorical_crossentropy for fn in self.loss_fns):
            message += (". `categorical_crossentropy` expects targets to be binary matrices (1s and 0s) of shape "
                        "(samples, classes). If your targets are integer classes, you can convert them to the expected "
                        "format via `tf.keras.utils.to_categorical(y)`. Alternatively, you can use the loss function "
                        "`sparse_categorical_crossentropy` instead, which does expect integer targets.")
        return message

    # --- step functions -------------------------------------------------------------------------------------------
    def train_op(self):
        """The op of one training step: the optimizer's updates and the layers' updates (built on first use)."""
        if self._train_op is None:
            model = self.model
            params = model.trainable_weights
            if not params:
                raise ValueError("The model has no trainable weights to optimize.")
            with _tf.name_scope("training"):
                updates = model.optimizer.get_updates(self.total_loss, params) + list(model.updates)
                self._train_op = _tf.group(*updates)
        return self._train_op

    def _feeds(self, weighted, with_targets=True):
        feeds = list(self.inputs)
        if with_targets:
            feeds += self.targets
            if weighted:
                feeds += [w for w in self.sample_weights if w is not None]
        return feeds

    def _function(self, key, session, make):
        entry = self._functions.get(key)
        if entry is None or entry[0] is not session:
            entry = self._functions[key] = (session, make())
        return entry[1]

    def train_step(self, session, weighted):
        """`step(arrays) -> [loss, metrics...]`: one training step on [inputs..., targets..., weights...]."""
        train_op = self.train_op()
        backend.get_session()  # initializes the variables the train op added (optimizer slots, learning rate)
        phase = backend.learning_phase()
        feeds = self._feeds(weighted)
        is_tensor = not isinstance(phase, int)

        def make():
            return session.make_callable(self.fetches + [train_op], feeds + ([phase] if is_tensor else []))
        call = self._function(("train", weighted, is_tensor), session, make)
        nfetch = len(self.fetches)
        if is_tensor:
            def step(arrays):
                return call(*arrays, True)[:nfetch]
        else:
            def step(arrays):
                return call(*arrays)[:nfetch]
        return step

    def test_step(self, session, weighted):
        """`step(arrays) -> [loss, metrics...]` without training (learning phase False)."""
        call = self._function(("test", weighted), session,
                              lambda: session.make_callable(self.fetches, self._feeds(weighted)))
        return lambda arrays: call(*arrays)

    def predict_step(self, session):
        call = self._function(("predict",), session,
                              lambda: session.make_callable(list(self.outputs), list(self.inputs)))
        return lambda arrays: call(*arrays)


def _weighted_mean(per_sample, weights):
    """sum(per_sample * weights) / number of elements (Keras's SUM_OVER_BATCH_SIZE): the plain mean when every
    weight is one."""
    rank = per_sample.shape.ndims
    w = _tf.cast(weights, per_sample.dtype)
    if rank is not None and rank > 1:
        w = _tf.reshape(w, [-1] + [1] * (rank - 1))
    total = _tf.reduce_sum(per_sample * w)
    return total / _tf.cast(_tf.size(per_sample), per_sample.dtype)


def _as_list(entries):
    if entries is None:
        return []
    return list(entries) if isinstance(entries, (list, tuple)) else [entries]


def _is_builtin(fn):
    """Whether `fn` is one of Keras's loss functions (their targets' shapes are checked)."""
    name = getattr(fn, "__name__", None)
    return name is not None and getattr(losses_module, name, None) is fn

