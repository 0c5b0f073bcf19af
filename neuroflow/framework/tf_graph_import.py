"""TensorFlow's GraphDef message as neuroflow's GraphDef, ready for `import_graph_def`: attribute values
converted, TensorFlow's defaults filled in where a writer left them out, TensorFlow's attributes that neuroflow
derives itself (`T`, `Tidx`, ...) or has no use for left out, constant inputs that neuroflow's OpDefs take as
attributes (a reduction's axes, ConcatV2's axis) folded in, TF's older, resource or composite op types mapped to
neuroflow's, TF1 cond frames rewritten (tf_cond_import), and all op types neuroflow lacks reported at once."""
import collections
import importlib
import logging

import numpy as np

from . import dtypes
from .graph_io import GraphDef
from .graph_io_import import _LAZY_OP_PACKAGES
from .operation import NodeDef
from .tf_cond_import import rewrite_conds
from .tf_while_import import LOOP_OPS, import_while_loops, while_node
from .tensor_shape import TensorShape
from .tf_proto_convert import UnconvertibleAttr, attr_from_tf, tensor_from_proto

__all__ = ["graph_def_from_tf", "is_tf_graph_def", "UNSUPPORTED_TITLE"]

_log = logging.getLogger("neuroflow")
UNSUPPORTED_TITLE = "Cannot import the graph: it uses op types neuroflow does not have"

# TensorFlow's type attributes, which neuroflow's OpDefs infer from their inputs, and attributes for its own kernels
# (cuDNN, gradient hints, index checking policies) that neuroflow's ops do not take.
_DERIVED_ATTRS = frozenset((
    "T", "Tidx", "Tshape", "Tpaddings", "Tperm", "Index", "Tindices", "Tparams", "Taxis", "Tmultiples", "Tdim",
    "Tlen", "TI", "U", "Tblock_shape", "Tcrops", "Tsplits", "Tcond", "Tin", "Tout", "Tnumsamples", "Tseed",
    "Tlabels", "Targmax", "Tsegmentids", "Tnumsegments", "Tidx_out", "Tshift", "shape_type", "index_type",
    "use_cudnn_on_gpu", "Truncate", "exponential_avg_factor", "grad_a", "grad_b", "grad_x", "grad_y",
    "incompatible_shape_error", "bad_indices_policy", "Tk"))
_DROPPED_PER_OP = {"PlaceholderWithDefault": ("dtype",), "Identity": ("dtype",), "AddN": ("N",), "Einsum": ("N",),
                   "VariableV2": ("allowed_devices", "debug_name", "_shared_name")}

# TensorFlow's defaults of attributes that its writers may leave out (`strip_default_attrs`), for the attributes
# neuroflow's OpDefs read: filled in before the import.
_CONV = {"explicit_paddings": [], "data_format": "NHWC", "dilations": [1, 1, 1, 1]}
_TF_DEFAULTS = {
    "Placeholder": {"shape": TensorShape(None)}, "Conv2D": _CONV, "DepthwiseConv2dNative": _CONV,
    "Conv2DBackpropInput": _CONV, "Conv2DBackpropFilter": _CONV, "DepthwiseConv2dNativeBackpropInput": _CONV,
    "DepthwiseConv2dNativeBackpropFilter": _CONV, "MatMul": {"transpose_a": False, "transpose_b": False},
    "BatchMatMulV2": {"adj_x": False, "adj_y": False},
    **{op: {"keep_dims": False} for op in ("Mean", "Sum", "Max", "Min", "Prod", "All", "Any")},
    "Squeeze": {"squeeze_dims": []}, "StridedSlice": {k: 0 for k in ("begin_mask", "end_mask", "ellipsis_mask",
                                                                      "new_axis_mask", "shrink_axis_mask")},
    "MaxPool": {"data_format": "NHWC"}, "AvgPool": {"data_format": "NHWC"}, "BiasAdd": {"data_format": "NHWC"},
    "Pack": {"axis": 0}, "Unpack": {"axis": 0},
    **{op: {"epsilon": 0.0001, "data_format": "NHWC", "is_training": True} for op in (
        "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")},
    "Cumsum": {"exclusive": False, "reverse": False}, "Cumprod": {"exclusive": False, "reverse": False},
    "LeakyRelu": {"alpha": 0.2}, "OneHot": {"axis": -1},
    "ResizeBilinear": {"align_corners": False, "half_pixel_centers": False},
    "ResizeNearestNeighbor": {"align_corners": False, "half_pixel_centers": False}, "TopKV2": {"sorted": True},
    "VariableV2": {"container": "", "shared_name": ""}, "VarHandleOp": {"container": "", "shared_name": ""},
    "Assign": {"validate_shape": True, "use_locking": True},
    "LRN": {"depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5},
    **{op: {"seed": 0, "seed2": 0} for op in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal",
                                              "RandomUniformInt")},
    "ArgMax": {"output_type": dtypes.int64}, "ArgMin": {"output_type": dtypes.int64},
    "Shape": {"out_type": dtypes.int32}, "Size": {"out_type": dtypes.int32}}

# Op types TensorFlow has in several versions with one meaning for the outputs neuroflow has.
_RENAMED = {"Add": "AddV2", "MaxPoolV2": "MaxPool", "RandomStandardNormal": "RandomNormal", "RandomUniformInt": "RandomUniform",
            "FusedBatchNorm": "FusedBatchNormV3", "FusedBatchNormV2": "FusedBatchNormV3", "Variable": "VariableV2",
            "VarHandleOp": "VariableV2", "ReadVariableOp": "Identity", "AssignVariableOp": "Assign",
            "VarIsInitializedOp": "IsVariableInitialized", "BatchMatMul": "BatchMatMulV2",
            "BatchMatMulV3": "BatchMatMulV2", **{
                f"Resource{op}": op for op in (
                    "ApplyGradientDescent", "ApplyMomentum", "ApplyAdagrad", "ApplyAdadelta", "ApplyRMSProp",
                    "ApplyCenteredRMSProp", "ApplyAdam", "SparseApplyMomentum", "SparseApplyAdagrad",
                    "SparseApplyAdadelta", "SparseApplyRMSProp", "SparseApplyCenteredRMSProp", "ScatterAdd",
                    "ScatterSub", "ScatterUpdate")},
            "AssignAddVariableOp": "AssignAdd", "AssignSubVariableOp": "AssignSub", "ResourceGather": "GatherV2",
            "ParseExampleV2": "ParseExample"}
# TensorFlow's updates of resource variables, which neuroflow does on its variables (the handle's VariableV2): their
# type attributes are neuroflow's to infer; TF's resource kernels lock only where asked.
_RESOURCE_UPDATES = frozenset(op for op in _RENAMED if op.startswith("Resource") or op.endswith("VariableOp"))

# Inputs of TensorFlow's ops that neuroflow's OpDefs take as attributes: op type -> (input position, attr,
# converter); position -1 is the last input (ConcatV2's axis follows its N values).
_AXES = lambda v: tuple(int(a) for a in np.ravel(v))   # noqa: E731
_INT = lambda v: int(np.asarray(v).reshape(()))        # noqa: E731
_INPUTS_AS_ATTRS = {
    **{op: (1, "axis", _AXES) for op in ("Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ReduceJoin")},
    **{op: (1, "axis", _INT) for op in ("ArgMax", "ArgMin", "Cumsum", "Cumprod", "ExpandDims")},
    "ConcatV2": (-1, "axis", _INT), "GatherV2": (2, "axis", _INT), "Split": (0, "axis", _INT),
    "SplitV": (2, "axis", _INT)}
_LIST = lambda v: [int(a) for a in np.ravel(v)]   # noqa: E731
_POOL_INPUTS = {"MaxPoolV2": ((1, "ksize"), (2, "strides"))}   # TF's V2 pools take their windows as inputs
_RANDOM_DEFAULTS = {"RandomUniform": {"minval": 0.0, "maxval": 1.0},
                    "RandomStandardNormal": {"mean": 0.0, "stddev": 1.0},
                    "TruncatedNormal": {"mean": 0.0, "stddev": 1.0}}
_REORDERED_INPUTS = {"ApplyMomentum": (0, 1, 2, 4, 3), "SparseApplyMomentum": (0, 1, 2, 5, 3, 4),
                     "ResourceApplyMomentum": (0, 1, 2, 4, 3), "ResourceSparseApplyMomentum": (0, 1, 2, 5, 3, 4)}
_LAST_AXIS = {"Softmax": -1, "LogSoftmax": -1}   # TF's kernels work along the last axis; neuroflow's take it
# Checkpoint reading and writing: neuroflow's Saver does this work itself, so these nodes and what needs them
# are left out of an import (the meta graph's SaverDef names them).
_SAVER_OPS = frozenset(("SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec", "Save",
                        "SaveSlices", "Restore", "RestoreSlice"))


def is_tf_graph_def(obj):
    """Whether `obj` is a TensorFlow GraphDef message (neuroflow's copy, or one of the protobuf package)."""
    from .tf_protos import GraphDef as TFGraphDef
    if isinstance(obj, TFGraphDef):
        return True
    return type(obj).__name__ == "GraphDef" and hasattr(obj, "SerializeToString") and hasattr(obj, "node") \
        and not isinstance(obj, GraphDef)


def _as_message(graph_def):
    from .tf_protos import GraphDef as TFGraphDef
    if isinstance(graph_def, TFGraphDef):
        return graph_def
    return TFGraphDef.FromString(graph_def.SerializeToString())   # a protobuf-package message: read its bytes


def _node_name(name):
    return name[1:] if name.startswith("^") else name.rsplit(":", 1)[0] if ":" in name else name


def _registered_types():
    from .op_def import registered_opdefs
    return registered_opdefs()


def _uses_functions(node):
    """Whether a node's attributes name functions of the graph's library (TF2's While/If/PartitionedCall)."""
    for av in node.attr.values():
        kind = av.WhichOneof("value")
        if kind == "func" or (kind == "list" and av.list.func):
            return True
    return False


def unreadable_op_types(op_types):
    """Those of `op_types` (TensorFlow's names) that `import_graph_def` cannot build: neither a neuroflow op, nor
    renamed to one, nor composed of several (the TF1 loop and cond frames' types are read by their own modules)."""
    def unknown(types):
        known = set(_registered_types()) | set(_COMPOSED) | {"Div"}
        return {t for t in types if _RENAMED.get(t, t) not in known}
    unreadable = unknown(op_types)
    if unreadable:   # op families that load on first use (tf.image, select, ...) may still hold them
        for module in _LAZY_OP_PACKAGES:
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        unreadable = unknown(unreadable)
    return unreadable


def _check_supported(nodes):
    """Raises one ValueError listing every op type (with counts and a few node names) neuroflow lacks, and the
    op types used with function-valued attributes, which neuroflow cannot import yet."""
    known = set(_registered_types()) | set(_COMPOSED) | {"Div"}
    missing = [n for n in nodes if _RENAMED.get(n.op, n.op) not in known]
    if missing:
        for module in _LAZY_OP_PACKAGES:
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        known = set(_registered_types()) | set(_COMPOSED) | {"Div"}
        missing = [n for n in nodes if _RENAMED.get(n.op, n.op) not in known]
    missing += [n for n in nodes if _uses_functions(n) and _RENAMED.get(n.op, n.op) in known]
    if not missing:
        return
    counts = collections.Counter(n.op if _RENAMED.get(n.op, n.op) not in known else f"{n.op} with function "
                                 "attributes" for n in missing)
    examples = collections.defaultdict(list)
    for n in missing:
        key = n.op if _RENAMED.get(n.op, n.op) not in known else f"{n.op} with function attributes"
        if len(examples[key]) < 2:
            examples[key].append(n.name)
    listed = "; ".join(f"{op} ({count} node{'s' if count > 1 else ''}: {', '.join(repr(e) for e in examples[op])}"
                       f"{', ...' if count > 2 else ''})" for op, count in counts.most_common())
    raise ValueError(f"{UNSUPPORTED_TITLE}: {listed}. Nothing was imported.")


def _saver_nodes(nodes):
    """Names of the checkpoint I/O nodes and of every node that needs one (by data or control edge)."""
    consumers = collections.defaultdict(list)
    for n in nodes:
        for i in n.input:
            consumers[_node_name(i)].append(n.name)
    dropped = set()
    stack = [n.name for n in nodes if n.op in _SAVER_OPS]
    while stack:
        name = stack.pop()
        if name not in dropped:
            dropped.add(name)
            stack.extend(consumers[name])
    return dropped


def _const_value(by_name, input_name, node, what):
    """The value of the constant feeding `node`'s input `input_name` (through Identity nodes)."""
    source = by_name.get(_node_name(input_name))
    while source is not None and source.op == "Identity" and source.input:
        source = by_name.get(_node_name(source.input[0]))
    if source is None or source.op != "Const":
        raise ValueError(f"Node '{node.name}' ({node.op}): its {what} input '{input_name}' must be a constant to "
                         "import into neuroflow, whose op takes it as an attribute")
    return tensor_from_proto(source.attr["value"].tensor, f"node '{source.name}'")


_NOT_A_RANGE = object()


def _through_identities(by_name, input_name):
    """(node, output index) that `input_name` names, looking through Identity nodes."""
    name, _, port = input_name.lstrip("^").partition(":")
    node = by_name.get(name)
    while node is not None and node.op == "Identity" and node.input:
        name, _, port = node.input[0].partition(":")
        node = by_name.get(name)
    return node, int(port or 0)


def _computed_axes(by_name, data, index):
    """A reduction's axes that TensorFlow computes as Range(start, limit, delta) (tf.losses, raw_rnn, reductions
    of inputs of unknown rank): a tuple when start, limit and delta are constants or the limit is the Rank of a
    tensor whose shape the writer recorded; None (all axes) for Range(0, Rank(input), 1) of the reduced input
    itself; `_NOT_A_RANGE` when the axes are not a Range."""
    node, _ = _through_identities(by_name, data[index])
    parts = [i for i in node.input if not i.startswith("^")] if node is not None and node.op == "Range" else []
    if len(parts) != 3:
        return _NOT_A_RANGE
    ends = [_through_identities(by_name, i)[0] for i in (parts[0], parts[2])]
    if any(n is None or n.op != "Const" for n in ends):
        return _NOT_A_RANGE
    start, delta = (int(np.asarray(tensor_from_proto(n.attr["value"].tensor, f"node '{n.name}'")).reshape(()))
                    for n in ends)
    limit_node, _ = _through_identities(by_name, parts[1])
    if limit_node is None or delta == 0:
        return _NOT_A_RANGE
    if limit_node.op == "Const":
        limit = int(np.asarray(tensor_from_proto(limit_node.attr["value"].tensor, f"node '{limit_node.name}'")))
        return tuple(range(start, limit, delta))
    if limit_node.op != "Rank" or not limit_node.input:
        return _NOT_A_RANGE
    ranked = _through_identities(by_name, limit_node.input[0])
    if ranked == _through_identities(by_name, data[0]) and (start, delta) == (0, 1):
        return None
    source, port = ranked
    shapes = source.attr["_output_shapes"].list.shape if source is not None and "_output_shapes" in source.attr \
        else []
    if port < len(shapes) and not shapes[port].unknown_rank:
        return tuple(range(start, len(shapes[port].dim), delta))
    return _NOT_A_RANGE


def _string_consts(by_name, names, node, what):
    keys = []
    for name in names:
        keys += [k.decode() if isinstance(k, bytes) else str(k)
                 for k in np.ravel(_const_value(by_name, name, node, what)).tolist()]
    return keys


def _parse_example(tf_node, by_name):
    """TensorFlow's ParseExample (keys as scalar string inputs) or ParseExampleV2 (keys as vectors, ragged
    features) as neuroflow's ParseExample, whose keys, types and shapes are attributes and whose inputs are the
    serialized examples and the dense defaults (TF's `names` input, debugging labels, is not used)."""
    data = [i for i in tf_node.input if not i.startswith("^")]
    controls = [i for i in tf_node.input if i.startswith("^")]
    where = f"node '{tf_node.name}' ({tf_node.op})"
    types = [attr_from_tf(tf_node.attr[key], f"attribute '{key}' of {where}") if key in tf_node.attr else []
             for key in ("sparse_types", "Tdense")]
    sparse_types, dense_types = types
    if tf_node.op == "ParseExampleV2":
        ragged = [] if "ragged_value_types" not in tf_node.attr else tf_node.attr["ragged_value_types"].list.type
        if len(data) < 5 or len(ragged) or _string_consts(by_name, [data[4]], tf_node, "ragged_keys"):
            raise ValueError(f"Cannot import {where}: ragged features are not supported")
        sparse_keys = _string_consts(by_name, [data[2]], tf_node, "sparse_keys")
        dense_keys = _string_consts(by_name, [data[3]], tf_node, "dense_keys")
        defaults = data[5:]
    else:
        n_sparse, n_dense = len(sparse_types), len(dense_types)
        sparse_keys = _string_consts(by_name, data[2:2 + n_sparse], tf_node, "sparse_keys")
        dense_keys = _string_consts(by_name, data[2 + n_sparse:2 + n_sparse + n_dense], tf_node, "dense_keys")
        defaults = data[2 + n_sparse + n_dense:]
    shapes = [[d.size for d in shape.dim] for shape in tf_node.attr["dense_shapes"].list.shape]
    if not (len(sparse_keys) == len(sparse_types) and len(dense_keys) == len(dense_types) == len(defaults)
            == len(shapes)):
        raise ValueError(f"Cannot import {where}: its keys, types, shapes and defaults do not match in number")
    attrs = {"sparse_keys": sparse_keys, "sparse_types": [t.name for t in sparse_types], "dense_keys": dense_keys,
             "dense_shapes": shapes}
    return NodeDef(tf_node.name, "ParseExample", [data[0]] + defaults + controls, tf_node.device, attrs)


def _convert_node(tf_node, by_name):
    if tf_node.op == "ParseExampleV2" or (tf_node.op == "ParseExample" and "Tdense" in tf_node.attr):
        return _parse_example(tf_node, by_name)
    op = _RENAMED.get(tf_node.op, tf_node.op)
    inputs = list(tf_node.input)
    attrs = {k: list(v) if isinstance(v, list) else v for k, v in _TF_DEFAULTS.get(tf_node.op, {}).items()
             if k not in tf_node.attr}
    dropped = _DROPPED_PER_OP.get(op, ())
    for key, av in tf_node.attr.items():
        if key in _DERIVED_ATTRS or key in dropped or (key.startswith("_") and key != "_output_shapes"):
            continue
        try:
            attrs[key] = attr_from_tf(av, f"attribute '{key}' of node '{tf_node.name}' ({tf_node.op})")
        except UnconvertibleAttr as e:
            raise ValueError(f"Cannot import node '{tf_node.name}' ({tf_node.op}): {e}") from None
    if tf_node.op in _INPUTS_AS_ATTRS:
        data = [i for i in inputs if not i.startswith("^")]
        position, attr, convert = _INPUTS_AS_ATTRS[tf_node.op]
        index = position if position >= 0 else len(data) + position
        if index >= len(data):
            raise ValueError(f"Node '{tf_node.name}' ({tf_node.op}) has {len(data)} inputs; expected more")
        computed = _computed_axes(by_name, data, index) if convert is _AXES else _NOT_A_RANGE
        attrs[attr] = convert(_const_value(by_name, data[index], tf_node, attr)) if computed is _NOT_A_RANGE \
            else computed
        inputs.remove(data[index])
    if tf_node.op in _POOL_INPUTS:
        data = [i for i in inputs if not i.startswith("^")]
        for position, attr in _POOL_INPUTS[tf_node.op]:
            attrs[attr] = _LIST(_const_value(by_name, data[position], tf_node, attr))
        inputs = [data[0]] + [i for i in inputs if i.startswith("^")]
    if tf_node.op == "Div":   # TF1's Div: a real division of floats, C's truncating division of integers
        dtype = attr_from_tf(tf_node.attr["T"], f"attribute 'T' of node '{tf_node.name}'") \
            if "T" in tf_node.attr else None
        op = "TruncateDiv" if dtype is not None and dtype.is_integer else "RealDiv"
    if tf_node.op in _REORDERED_INPUTS:
        data = [i for i in inputs if not i.startswith("^")]
        order = _REORDERED_INPUTS[tf_node.op]
        if len(data) == len(order):
            inputs = [data[i] for i in order] + [i for i in inputs if i.startswith("^")]
    if op in _LAST_AXIS:
        attrs["axis"] = _LAST_AXIS[op]
    if tf_node.op in _RANDOM_DEFAULTS:   # TensorFlow's draw in [0, 1) / a standard normal
        attrs.update(_RANDOM_DEFAULTS[tf_node.op])
    if tf_node.op == "RandomUniformInt":   # minval and maxval are inputs in TensorFlow, attributes in neuroflow
        data = [i for i in inputs if not i.startswith("^")]
        if len(data) != 3:
            raise ValueError(f"Node '{tf_node.name}' (RandomUniformInt) has {len(data)} inputs; expected 3")
        attrs["minval"] = _INT(_const_value(by_name, data[1], tf_node, "minval"))
        attrs["maxval"] = _INT(_const_value(by_name, data[2], tf_node, "maxval"))
        attrs["dtype"] = attr_from_tf(tf_node.attr["Tout"], f"attribute 'Tout' of node '{tf_node.name}'")
        inputs = [data[0]] + [i for i in inputs if i.startswith("^")]
    if tf_node.op in ("VarHandleOp", "AssignVariableOp"):
        attrs = {k: v for k, v in attrs.items() if k in ("dtype", "shape", "container", "shared_name")}
        if tf_node.op == "AssignVariableOp":
            attrs = {"validate_shape": True, "use_locking": False}
    if tf_node.op in _RESOURCE_UPDATES and tf_node.op not in ("ReadVariableOp", "VarIsInitializedOp"):
        attrs.pop("dtype", None)
        attrs.setdefault("use_locking", False)
    if tf_node.op == "ResourceGather":   # a gather of the variable's rows: GatherV2 along axis 0
        attrs = {"axis": 0, "batch_dims": attrs.get("batch_dims", 0)}
    if tf_node.op in ("GatherV2", "ResourceGather") and attrs.pop("batch_dims", 0):
        raise ValueError(f"Node '{tf_node.name}' ({tf_node.op}): batch_dims other than 0 cannot be imported yet")
    if attrs.get("explicit_paddings") == [] and op in ("MaxPool", "AvgPool"):
        del attrs["explicit_paddings"]
    shapes = attrs.get("_output_shapes")
    if shapes is not None and op == "FusedBatchNormV3" and tf_node.op != op:
        attrs["_output_shapes"] = list(shapes) + [shapes[-1]] * (6 - len(shapes))
    return NodeDef(tf_node.name, op, inputs, tf_node.device, attrs)


def _squared_difference(tf_node):
    """TensorFlow's SquaredDifference, which neuroflow composes: Square(Sub(x, y)) (the node keeps its name)."""
    data = [i for i in tf_node.input if not i.startswith("^")]
    controls = [i for i in tf_node.input if i.startswith("^")]
    if len(data) != 2:
        raise ValueError(f"Node '{tf_node.name}' (SquaredDifference) has {len(data)} inputs; expected 2")
    difference = f"{tf_node.name}/difference"
    return [NodeDef(difference, "Sub", data + controls, tf_node.device, {}),
            NodeDef(tf_node.name, "Square", [difference], tf_node.device, {})]


# TensorFlow op types that neuroflow builds from other ops: each becomes the nodes it stands for
_COMPOSED = {"SquaredDifference": _squared_difference}


def graph_def_from_tf(tf_graph_def):
    """neuroflow's GraphDef of a TensorFlow GraphDef message.

    Returns:
        A GraphDef; its `skipped` lists the checkpoint I/O nodes left out ({"name", "op", "reason"}).

    Raises:
        ValueError: op types neuroflow lacks (all listed, with counts), function-valued attributes, or axis
            inputs that are not constants.
    """
    message = _as_message(tf_graph_def)
    nodes, loops = list(message.node), {}
    if any(n.op in LOOP_OPS for n in nodes):   # TF1 while frames -> While nodes (tf_while_import)
        nodes, loops = import_while_loops(nodes)
    nodes = rewrite_conds(nodes)
    dropped = _saver_nodes(nodes)
    kept = [n for n in nodes if n.name not in dropped]
    _check_supported(kept)
    by_name = {n.name: n for n in nodes}
    converted = []
    for n in kept:
        if n.name in loops:
            converted.append(while_node(n, loops))
        elif n.op in _COMPOSED:
            converted.extend(_COMPOSED[n.op](n))
        else:
            converted.append(_convert_node(n, by_name))
    skipped = [{"name": n.name, "op": n.op, "reason": "checkpoint reading/writing is done by neuroflow's Saver"}
               for n in nodes if n.name in dropped]
    if skipped:
        _log.info("import_graph_def left out %d checkpoint I/O node(s) (SaveV2/RestoreV2 and what needs them); "
                  "neuroflow's Saver saves and restores the variables.", len(skipped))
    versions = {"producer": message.versions.producer, "min_consumer": message.versions.min_consumer}
    return GraphDef(converted, skipped, versions)
