"""The summary primitives (ScalarSummary, HistogramSummary, ImageSummary, AudioSummaryV2, TensorSummaryV2,
MergeSummary): kernels that serialize a `Summary` protocol buffer into a string scalar.

They are stateless but never folded at build time (the point is to observe values at run time), and have no
gradient. Errors use TensorFlow's wording; the node name appears where TensorFlow puts it.
"""
import functools

import numpy as np

from ..framework import dtypes, errors
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from . import encoders
from ._proto import protos

__all__ = ["ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2", "TensorSummaryV2",
           "MergeSummary"]

_IMAGE_DTYPES = (dtypes.uint8, dtypes.float16, dtypes.float32, dtypes.float64)


def _bad(message):
    return errors.InvalidArgumentError(None, None, message)


def _shape_str(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _as_str(value):
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _scalar_tag(tag):
    tag = np.asarray(tag)
    if tag.ndim != 0:
        raise _bad("tags must be scalar")
    return _as_str(tag)


def _serialized(summary):
    return np.array(summary.SerializeToString(), dtype=object)


def _require_string(opdef, inputs, positions):
    for i in positions:
        if inputs[i].dtype.base_dtype != dtypes.string:
            raise TypeError(f"Input '{opdef.input_names[i]}' of '{opdef.type_name}' Op has type "
                            f"{inputs[i].dtype.base_dtype.name} that does not match expected type of string.")


class _SummaryOp(OpDef):
    """Common ground: one string scalar out, never folded, not differentiable; the kernel learns its node name
    (TensorFlow names the node in some messages)."""

    foldable = False
    grad = None
    string_inputs = (0,)

    def infer(self, inputs, attrs):
        _require_string(self, inputs, self.string_inputs)
        return [(TensorShape([]), dtypes.string)]

    def kernel(self, op, ctx):
        protos()  # fail with the install hint when the session binds the op, not midway through a run
        return functools.partial(self.forward, ctx.xp, node_name=op.name, **op.attrs)


@register
class ScalarSummary(_SummaryOp):
    """One `simple_value` per element of `values`, tagged by the matching element of `tags`."""

    type_name = "ScalarSummary"
    input_names = ("tags", "values")
    same_dtype = ("values",)
    allowed_dtypes = dtypes.REAL

    def forward(self, xp, tags, values, node_name=None):
        tags, values = np.asarray(tags), np.asarray(values)
        if tags.shape != values.shape:
            single = f" (tag '{_as_str(tags)}')" if tags.ndim == 0 else ""
            raise _bad(f"tags and values not the same shape: {_shape_str(tags.shape)} != "
                       f"{_shape_str(values.shape)}{single}")
        pb = protos().summary_pb2
        summary = pb.Summary(value=[pb.Summary.Value(tag=_as_str(t), simple_value=float(v))
                                    for t, v in zip(tags.ravel(), values.ravel())])
        return _serialized(summary)


@register
class HistogramSummary(_SummaryOp):
    """A histogram of all elements of `values` with TensorFlow's default exponential buckets."""

    type_name = "HistogramSummary"
    input_names = ("tag", "values")
    same_dtype = ("values",)
    allowed_dtypes = dtypes.REAL

    def forward(self, xp, tag, values, node_name=None):
        tag_str = _scalar_tag(tag)
        v = np.asarray(values, dtype=np.float64)
        if not np.isfinite(v).all():
            kind = "Nan" if np.isnan(v).any() else "Infinity"
            raise _bad(f"{kind} in summary histogram for: {node_name or tag_str}")
        pb = protos().summary_pb2
        return _serialized(pb.Summary(value=[pb.Summary.Value(tag=tag_str, histo=encoders.histogram_proto(v))]))


@register
class ImageSummary(_SummaryOp):
    """Up to `max_images` PNG images from a [batch, height, width, channels] tensor (channels 1, 3 or 4)."""

    type_name = "ImageSummary"
    input_names = ("tag", "tensor")
    same_dtype = ("tensor",)
    allowed_dtypes = _IMAGE_DTYPES

    def forward(self, xp, tag, tensor, max_images=3, bad_color=None, node_name=None):
        tag_str = _scalar_tag(tag)
        tensor = np.asarray(tensor)
        if tensor.ndim != 4 or tensor.shape[-1] not in (1, 3, 4):
            raise _bad(f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_str(tensor.shape)}")
        if tensor.shape[0] and (tensor.shape[1] == 0 or tensor.shape[2] == 0):
            raise _bad(f"Image dimensions must be positive, got {_shape_str(tensor.shape)}")
        bad_color = np.array([255, 0, 0, 255], np.uint8) if bad_color is None else bad_color
        pb = protos().summary_pb2
        count = min(int(tensor.shape[0]), max_images)
        values = []
        for i in range(count):
            image = encoders.normalize_image(tensor[i], bad_color)
            tag_i = f"{tag_str}/image" if max_images == 1 else f"{tag_str}/image/{i}"
            img = pb.Summary.Image(height=image.shape[0], width=image.shape[1], colorspace=image.shape[2],
                                   encoded_image_string=encoders.encode_png(image))
            values.append(pb.Summary.Value(tag=tag_i, image=img))
        return _serialized(pb.Summary(value=values))


@register
class AudioSummaryV2(_SummaryOp):
    """Up to `max_outputs` 16-bit WAV clips from float [batch, frames] or [batch, frames, channels] in [-1, 1]."""

    type_name = "AudioSummaryV2"
    input_names = ("tag", "tensor", "sample_rate")
    same_dtype = ("tensor",)
    allowed_dtypes = (dtypes.float32,)

    def infer(self, inputs, attrs):
        if inputs[2].dtype.base_dtype != dtypes.float32:
            raise TypeError(f"Input 'sample_rate' of 'AudioSummaryV2' Op has type {inputs[2].dtype.base_dtype.name} "
                            "that does not match expected type of float32.")
        return super().infer(inputs, attrs)

    def forward(self, xp, tag, tensor, sample_rate, max_outputs=3, node_name=None):
        tag_str = _scalar_tag(tag)
        tensor, sample_rate = np.asarray(tensor), np.asarray(sample_rate)
        if sample_rate.ndim != 0:
            raise _bad(f"sample_rate must be rank-0 or contain a single value, got shape "
                       f"{_shape_str(sample_rate.shape)}")
        if tensor.ndim not in (2, 3):
            raise _bad(f"Tensor must be 3-D or 2-D, got: {_shape_str(tensor.shape)}")
        clips = tensor[..., None] if tensor.ndim == 2 else tensor
        pb = protos().summary_pb2
        rate = float(sample_rate)
        values = []
        for i in range(min(int(clips.shape[0]), max_outputs)):
            tag_i = f"{tag_str}/audio" if max_outputs == 1 else f"{tag_str}/audio/{i}"
            audio = pb.Summary.Audio(sample_rate=rate, num_channels=clips.shape[2], length_frames=clips.shape[1],
                                     encoded_audio_string=encoders.encode_wav(clips[i], rate),
                                     content_type="audio/wav")
            values.append(pb.Summary.Value(tag=tag_i, audio=audio))
        return _serialized(pb.Summary(value=values))


@register
class TensorSummaryV2(_SummaryOp):
    """The whole tensor as a TensorProto, with plugin metadata (how the text plugin finds its summaries)."""

    type_name = "TensorSummaryV2"
    input_names = ("tag", "tensor", "serialized_summary_metadata")
    string_inputs = (0, 2)

    def forward(self, xp, tag, tensor, serialized_summary_metadata, node_name=None):
        tag_str = _scalar_tag(tag)
        pb = protos().summary_pb2
        metadata = pb.SummaryMetadata()
        raw = np.asarray(serialized_summary_metadata).item()
        metadata.ParseFromString(raw if isinstance(raw, bytes) else str(raw).encode("utf-8"))
        value = pb.Summary.Value(tag=tag_str, metadata=metadata, tensor=encoders.tensor_proto(np.asarray(tensor)))
        return _serialized(pb.Summary(value=[value]))


@register
class MergeSummary(_SummaryOp):
    """The union of serialized Summaries (each input a string scalar or vector); a repeated tag is an error."""

    type_name = "MergeSummary"
    input_names = ("inputs",)
    variadic = True

    def infer(self, inputs, attrs):
        if not inputs:
            raise ValueError("MergeSummary needs at least one input")
        _require_string(self, inputs, range(len(inputs)))
        return [(TensorShape([]), dtypes.string)]

    def forward(self, xp, *inputs, node_name=None):
        pb = protos().summary_pb2
        merged = pb.Summary()
        seen = set()
        for arr in inputs:
            for raw in np.asarray(arr, dtype=object).ravel():
                part = pb.Summary()
                try:
                    part.ParseFromString(raw if isinstance(raw, bytes) else str(raw).encode("utf-8"))
                except Exception:  # noqa: BLE001 - protobuf raises its own DecodeError
                    raise _bad("Could not parse one of the summary inputs") from None
                for value in part.value:
                    if value.tag in seen:
                        raise _bad(f"Duplicate tag {value.tag} found in summary inputs")
                    seen.add(value.tag)
                    merged.value.append(value)
        return _serialized(merged)
