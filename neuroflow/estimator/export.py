"""`tf.estimator.export`: the serving input receivers (`ServingInputReceiver`, `TensorServingInputReceiver`,
`build_parsing_serving_input_receiver_fn`, `build_raw_serving_input_receiver_fn`), the export outputs, and what
`Estimator.export_saved_model` does with them: a SavedModel in a new timestamped folder of `export_dir_base`,
tagged 'serve', with one SignatureDef per valid export output, built in a `temp-<timestamp>` sibling and renamed
into place whole, as TensorFlow does."""
import collections
import os
import time

from .. import tf_logging as logging
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor import Tensor
from .export_output import ClassificationOutput, ExportOutput, PredictOutput, RegressionOutput

__all__ = ["ServingInputReceiver", "TensorServingInputReceiver", "build_parsing_serving_input_receiver_fn",
           "build_raw_serving_input_receiver_fn", "ExportOutput", "ClassificationOutput", "RegressionOutput",
           "PredictOutput"]

_SINGLE_FEATURE_KEY, _SINGLE_RECEIVER_KEY = "feature", "input"
_MAX_DIRECTORY_ATTEMPTS = 10


def _tf():
    import neuroflow
    return neuroflow


def _check_receiver_tensors(receiver_tensors, what="receiver_tensors"):
    if receiver_tensors is None:
        raise ValueError(f"{what} must be defined.")
    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {_SINGLE_RECEIVER_KEY: receiver_tensors}
    for name, tensor in receiver_tensors.items():
        if not isinstance(name, str):
            raise ValueError(f"{what} keys must be strings: {name}.")
        if not isinstance(tensor, (Tensor, SparseTensor)):
            raise ValueError(f"receiver_tensor {name} must be a Tensor or SparseTensor.")
    return dict(receiver_tensors)


def _check_features(features):
    if features is None:
        raise ValueError("features must be defined.")
    if not isinstance(features, dict):
        features = {_SINGLE_FEATURE_KEY: features}
    for name, tensor in features.items():
        if not isinstance(name, str):
            raise ValueError(f"feature keys must be strings: {name}.")
        if not isinstance(tensor, (Tensor, SparseTensor)):
            raise ValueError(f"feature {name} must be a Tensor or SparseTensor.")
    return dict(features)


def _check_alternatives(alternatives):
    if alternatives is None:
        return None
    if not isinstance(alternatives, dict):
        raise ValueError(f"receiver_tensors_alternatives must be a dict: {alternatives}.")
    return {name: _check_receiver_tensors(tensors, "receiver_tensors_alternatives")
            for name, tensors in alternatives.items()}


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """What a serving_input_receiver_fn returns: the `features` the model_fn gets (a dict, or one Tensor named
    'feature') and the `receiver_tensors` a request feeds (a dict, or one Tensor named 'input').

    Raises:
        ValueError: a missing part, a key that is not a string or a value that is not a (Sparse)Tensor.
    """

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        return super().__new__(cls, _check_features(features), _check_receiver_tensors(receiver_tensors),
                               _check_alternatives(receiver_tensors_alternatives))


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """A receiver whose `features` is one Tensor passed to the model_fn as it is (not in a dict)."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        if not isinstance(features, (Tensor, SparseTensor)):
            raise ValueError(f"feature must be a Tensor or SparseTensor; got {features}.")
        return super().__new__(cls, features, _check_receiver_tensors(receiver_tensors),
                               _check_alternatives(receiver_tensors_alternatives))


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A serving_input_receiver_fn that takes serialized tf.Examples (a string placeholder
    'input_example_tensor', receiver key 'examples') and parses them with `feature_spec` into the features."""

    def serving_input_receiver_fn():
        tf = _tf()
        serialized = tf.placeholder(dtype=tf.string, shape=[default_batch_size], name="input_example_tensor")
        features = tf.parse_example(serialized, feature_spec)
        return ServingInputReceiver(features, {"examples": serialized})

    return serving_input_receiver_fn


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A serving_input_receiver_fn that feeds the features themselves: one placeholder per feature of `features`
    (a dict of Tensors, or one Tensor), of its dtype and shape after the batch dimension and its op's name."""

    def serving_input_receiver_fn():
        tf = _tf()
        given = features if isinstance(features, dict) else {_SINGLE_FEATURE_KEY: features}
        placeholders = {}
        for name, tensor in given.items():
            shape = tensor.get_shape()
            tail = shape.as_list()[1:] if shape.ndims is not None else None
            placeholders[name] = tf.placeholder(dtype=tensor.dtype, name=tensor.op.name,
                                                shape=None if tail is None else [default_batch_size] + tail)
        return ServingInputReceiver(placeholders, placeholders.copy())

    return serving_input_receiver_fn


# --- what Estimator.export_saved_model uses ------------------------------------------------------------------------
def export_outputs_of(export_outputs, predictions):
    """The EstimatorSpec's export outputs, checked, with 'serving_default' named: PredictOutput(predictions) when
    none are given, the only one when there is one.

    Raises:
        TypeError: not a dict of ExportOutputs.
        ValueError: several outputs and none under 'serving_default'.
    """
    from ..saved_model.signature_constants import DEFAULT_SERVING_SIGNATURE_DEF_KEY as default_key
    if export_outputs is None:
        export_outputs = {default_key: PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
    for value in export_outputs.values():
        if not isinstance(value, ExportOutput):
            raise TypeError(f"Values in export_outputs must be ExportOutput objects. Given: {export_outputs}")
    export_outputs = dict(export_outputs)
    if len(export_outputs) == 1 and default_key not in export_outputs:
        (export_outputs[default_key],) = export_outputs.values()
    if len(export_outputs) > 1 and default_key not in export_outputs:
        raise ValueError("Multiple export_outputs were provided, but none of them is specified as the default.  Do "
                         "this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.")
    return export_outputs


def build_all_signature_defs(receiver_tensors, export_outputs, receiver_tensors_alternatives=None):
    """{key: SignatureDef} of every export output over the receiver tensors (and over each alternative receiver,
    keyed '<receiver>:<output>'); an output that cannot serve those inputs (a classification one over raw
    features) is left out and logged, as TensorFlow does."""
    from ..saved_model.signature_constants import DEFAULT_SERVING_SIGNATURE_DEF_KEY as default_key
    from ..saved_model.signature_def_utils import is_valid_signature
    receivers = [(None, receiver_tensors)] + list((receiver_tensors_alternatives or {}).items())
    signatures, excluded = {}, {}
    for receiver_name, tensors in receivers:
        for output_key, output in export_outputs.items():
            key = output_key if receiver_name is None else f"{receiver_name}:{output_key}"
            try:
                signature = output.as_signature_def(tensors)
            except ValueError as e:
                excluded[key] = str(e)
                continue
            if is_valid_signature(signature):
                signatures[key] = signature
            else:
                excluded[key] = "The signature is not valid for TensorFlow Serving."
    for key, reason in excluded.items():
        logging.warning("Signature '%s' is left out of the export: %s", key, reason)
    if not signatures:
        logging.warning("Export includes no signatures!")
    elif default_key not in signatures:
        logging.warning("Export includes no default signature!")
    return signatures


def timestamped_export_dir(export_dir_base):
    """`export_dir_base/<seconds since the epoch>` (bytes, as TensorFlow returns it), one that does not exist yet.

    Raises:
        RuntimeError: every second for 10 seconds was taken.
    """
    for attempt in range(1, _MAX_DIRECTORY_ATTEMPTS + 1):
        result = os.path.join(os.fsencode(export_dir_base), str(int(time.time())).encode())
        if not os.path.lexists(result):
            return result
        time.sleep(1)
        logging.warning("Directory %s already exists; retrying (attempt %d/%d)", os.fsdecode(result), attempt,
                        _MAX_DIRECTORY_ATTEMPTS)
    raise RuntimeError(f"Failed to obtain a unique export directory name after {_MAX_DIRECTORY_ATTEMPTS} attempts.")


def _copy_assets_extra(assets_extra, export_dir):
    """Copies {destination relative to assets.extra/: source file} into the export."""
    import shutil  # here: shutil would cost every `import neuroflow`
    for destination, source in assets_extra.items():
        target = os.path.normpath(os.path.join(export_dir, "assets.extra", destination))
        if os.path.isabs(destination) or not target.startswith(os.path.join(export_dir, "assets.extra") + os.sep):
            raise ValueError(f"assets_extra destination {destination!r} must be a relative path inside "
                             "assets.extra/")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)


def write_saved_model(estimator, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                      checkpoint_path=None):
    """`Estimator.export_saved_model`'s work: the model_fn in PREDICT mode over the receiver's features, the
    variables of `checkpoint_path` (default: the latest), the signatures of its export outputs; returns the new
    folder's path (bytes)."""
    import shutil  # here, as tempfile: they would cost every `import neuroflow`
    import tempfile
    tf = _tf()
    from ..saved_model import builder as builder_lib, tag_constants
    from .model_fn import ModeKeys
    if not serving_input_receiver_fn:
        raise ValueError("An input_receiver_fn must be defined.")
    checkpoint_path = checkpoint_path or estimator.latest_checkpoint()
    if not checkpoint_path:
        raise ValueError(f"Couldn't find trained model at {estimator.model_dir}.")
    export_dir = timestamped_export_dir(export_dir_base)
    final = os.fsdecode(export_dir)
    with tf.Graph().as_default():
        if estimator.config.tf_random_seed is not None:
            tf.set_random_seed(estimator.config.tf_random_seed)
        tf.train.get_or_create_global_step()
        receiver = serving_input_receiver_fn()
        if not isinstance(receiver, (ServingInputReceiver, TensorServingInputReceiver)):
            raise ValueError(f"serving_input_receiver_fn must return a ServingInputReceiver; got {receiver}")
        spec = estimator._call_model_fn(receiver.features, None, ModeKeys.PREDICT)
        signatures = build_all_signature_defs(receiver.receiver_tensors,
                                              export_outputs_of(spec.export_outputs, spec.predictions),
                                              receiver.receiver_tensors_alternatives)
        scaffold = spec.scaffold
        local_init_op = scaffold.local_init_op if scaffold is not None else None
        if local_init_op is None:
            local_init_op = tf.train.Scaffold.default_local_init_op()
        saver = (scaffold.saver if scaffold is not None else None) or tf.train.Saver(sharded=True, allow_empty=True)
        # Everything is written inside a private temp-<timestamp>-* folder (the builder's own staging too), so a
        # failure at any point removes all of it; the finished SavedModel is renamed into place whole.
        os.makedirs(os.path.dirname(final), exist_ok=True)
        work = tempfile.mkdtemp(prefix=f"temp-{os.path.basename(final)}-", dir=os.path.dirname(final))
        try:
            built = os.path.join(work, "export")
            with tf.Session(config=estimator.config.session_config) as sess:
                saver.restore(sess, checkpoint_path)
                builder = builder_lib.SavedModelBuilder(built)
                builder.add_meta_graph_and_variables(
                    sess, [tag_constants.SERVING], signature_def_map=signatures, main_op=local_init_op,
                    assets_collection=tf.get_collection(tf.GraphKeys.ASSET_FILEPATHS), strip_default_attrs=True,
                    saver=saver)
            builder.save(as_text)
            if assets_extra:
                _copy_assets_extra(assets_extra, built)
            os.rename(built, final)   # onto nothing (or an empty folder): a filled one is never replaced
        finally:
            shutil.rmtree(work, ignore_errors=True)
    logging.info("SavedModel written to: %s", final)
    return export_dir
