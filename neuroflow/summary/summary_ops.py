"""TF1's summary functions — `tf.summary.scalar`, `histogram`, `image`, `audio`, `text`, `tensor_summary`, `merge`,
`merge_all` — which add summary ops to the graph (tags from name scopes, collected in `GraphKeys.SUMMARIES`).

In eager mode with a default writer (`create_file_writer(logdir).as_default()`), the same functions write
straight to that writer at the given `step` instead, as TF2's `tf.summary` does.
"""
import contextlib
import logging
import re

import numpy as np

from ..framework import context as _mode
from ..framework import dtypes
from ..framework.apply import apply_op, convert_to_tensor
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ._proto import require
from .kernels import (AudioSummaryV2, HistogramSummary, ImageSummary, MergeSummary, ScalarSummary,
                      TensorSummaryV2)

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge", "merge_all"]

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")
_log = logging.getLogger("neuroflow")


def _clean_tag(name):
    """`name` with characters TensorBoard cannot use replaced by '_' and leading '/' removed (TF logs it)."""
    if name is not None:
        new_name = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
        if new_name != name:
            _log.info("Summary name %s is illegal; using %s instead.", name, new_name)
            name = new_name
    return name


@contextlib.contextmanager
def _summary_scope(name, family=None, default_name=None, values=None):
    """Opens the summary's name scope; yields (tag, scope). The tag is the unique scope name, prefixed by
    `family` (TensorBoard's tab) when given."""
    name, family = _clean_tag(name), _clean_tag(family)
    base = name if family is None else f"{family}/{name}"
    with name_scope(base, default_name, values=values) as scope:
        tag = scope.rstrip("/") if family is None else f"{family}/{scope.rstrip('/')}"
        yield tag, scope


def _collect(val, collections, default_collections):
    if _mode.executing_eagerly():
        return
    graph = getattr(val, "graph", None) or get_default_graph()
    for key in default_collections if collections is None else collections:
        graph.add_to_collection(key, val)


def _eager_writer():
    """The default writer when running eagerly inside `writer.as_default()`, else None."""
    if not _mode.executing_eagerly():
        return None
    from .eager import default_writer
    return default_writer()


def _eager_step(collections, step):
    # In eager mode `collections` means nothing, so scalar(name, value, step) may pass the step third.
    if step is None and collections is not None and np.ndim(collections) == 0 and not isinstance(collections, str):
        step = collections
    return step


def scalar(name, tensor, collections=None, family=None, step=None):
    """A summary op holding one scalar value (a training curve point in TensorBoard's Scalars dashboard).

    Args:
        name: the summary's name; the tag is it inside the current name scope (`loss`, `train/loss`).
        tensor: a real numeric scalar tensor.
        collections: graph collections to add the op to (default `[tf.GraphKeys.SUMMARIES]`).
        family: optional prefix for the tag and name scope (the dashboard's section).
        step: eager mode with a default writer only: the step to record (may also be given third).
    Returns:
        A string scalar tensor: a serialized `Summary` protocol buffer (fetch it with `sess.run` and hand it to
        `FileWriter.add_summary`). Eagerly with a default writer: True once written.
    Raises:
        ImportError: the optional `tensorboard` package is missing (`pip install neuroflow[tensorboard]`).

    Example:
        >>> tf.summary.scalar("loss", loss)  # then: writer.add_summary(sess.run(merged), step)
    """
    require()
    writer = _eager_writer()
    if writer is not None:
        return writer.scalar(name, tensor, _eager_step(collections, step))
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply_op(ScalarSummary, [tag, tensor], {}, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram(name, values, collections=None, family=None, step=None):
    """A summary op with a histogram of all elements of `values` (TensorBoard's Histograms and Distributions).

    Fails at run time with InvalidArgumentError "Nan in summary histogram for: <node>" on NaN (or Infinity).
    Arguments and result as `scalar`.

    Example:
        >>> tf.summary.histogram("weights", w)
    """
    require()
    writer = _eager_writer()
    if writer is not None:
        return writer.histogram(name, values, _eager_step(collections, step))
    with _summary_scope(name, family, values=[values], default_name="HistogramSummary") as (tag, scope):
        val = apply_op(HistogramSummary, [tag, values], {}, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def image(name, tensor, max_outputs=3, collections=None, family=None, step=None):
    """A summary op with up to `max_outputs` images of a [batch, height, width, channels] tensor.

    Channels 1 (grey), 3 (RGB) or 4 (RGBA); uint8 kept, floats rescaled per image to [0, 255]. Tags are
    `<tag>/image/0`, `<tag>/image/1`, ... (`<tag>/image` when max_outputs is 1).

    Example:
        >>> tf.summary.image("inputs", tf.reshape(x, [-1, 8, 8, 1]), max_outputs=4)
    """
    require()
    writer = _eager_writer()
    if writer is not None:
        return writer.image(name, tensor, step, max_outputs)
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply_op(ImageSummary, [tag, tensor],
                       {"max_images": int(max_outputs), "bad_color": np.array([255, 0, 0, 255], np.uint8)},
                       name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """A summary op with up to `max_outputs` WAV clips of float [batch, frames(, channels)] in [-1, 1].

    Example:
        >>> tf.summary.audio("voice", waves, sample_rate=16000)
    """
    require()
    with _summary_scope(name, family=family, values=[tensor]) as (tag, scope):
        sample_rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        val = apply_op(AudioSummaryV2, [tag, tensor, sample_rate], {"max_outputs": int(max_outputs)}, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def tensor_summary(name, tensor, summary_description=None, collections=None, summary_metadata=None, family=None,
                   display_name=None):
    """A summary op holding the whole `tensor` as a TensorProto, with optional plugin `summary_metadata`.

    Example:
        >>> tf.summary.tensor_summary("logits", logits)
    """
    require()
    from ._proto import protos
    pb = protos().summary_pb2
    if summary_metadata is None:
        summary_metadata = pb.SummaryMetadata()
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    serialized = summary_metadata.SerializeToString()
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = apply_op(TensorSummaryV2, [tag, tensor, serialized], {}, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name, tensor, collections=None, step=None):
    """A summary op for TensorBoard's Text dashboard from a string tensor (Markdown is rendered).

    Raises:
        ValueError: `tensor` is not a string tensor.

    Example:
        >>> tf.summary.text("notes", tf.constant("learning rate **0.1**"))
    """
    require()
    writer = _eager_writer()
    if writer is not None:
        return writer.text(name, tensor, _eager_step(collections, step))
    tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype}")
    from ._proto import protos
    pb = protos().summary_pb2
    metadata = pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs, collections=None, name=None):
    """A summary op merging serialized summaries (e.g. the results of `scalar`, `histogram`) into one.

    Fails at run time with InvalidArgumentError when two inputs use the same tag.

    Raises:
        RuntimeError: called in eager mode.

    Example:
        >>> merged = tf.summary.merge([loss_summary, accuracy_summary])
    """
    if _mode.executing_eagerly():
        raise RuntimeError("Merging tf.summary.* ops is not compatible with eager execution. Use "
                           "tf.summary.create_file_writer(logdir).as_default() instead.")
    require()
    name = _clean_tag(name)
    with name_scope(name, "Merge", inputs):
        val = apply_op(MergeSummary, list(inputs), {}, name=name or "MergeSummary")
        _collect(val, collections, [])
    return val


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """Merges every summary op in collection `key` (optionally only those under name `scope`).

    Returns:
        The merged summary op, or None when there are no summaries.

    Example:
        >>> merged = tf.summary.merge_all()
        >>> writer.add_summary(sess.run(merged, feed), step)
    """
    if _mode.executing_eagerly():
        raise RuntimeError("Merging tf.summary.* ops is not compatible with eager execution. Use "
                           "tf.summary.create_file_writer(logdir).as_default() instead.")
    summary_ops = get_default_graph().get_collection(key, scope=scope)
    if not summary_ops:
        return None
    return merge(summary_ops, name=name)
