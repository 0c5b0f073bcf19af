"""A neuroflow graph as TensorFlow's GraphDef message, in the form TensorFlow's `import_graph_def` accepts: the
type attributes TensorFlow's OpDefs require (`T`, `Tidx`, `N`, ...) added from the tensors' dtypes, attributes
that TensorFlow passes as inputs (a reduction's axes, ConcatV2's axis) written back as Const inputs, and
attributes TensorFlow's OpDefs do not declare left out. The reverse of `tf_graph_import`."""
import numpy as np

from . import dtypes
from .tf_proto_convert import UnconvertibleAttr, attr_to_tf, shape_to_proto, tensor_to_proto
from .tf_protos import GraphDef as TFGraphDef

__all__ = ["graph_to_tf_graph_def", "graph_def_to_tf", "graph_def_message", "message_with_exact_form", "TF_PRODUCER",
           "IN_PROCESS_ONLY"]

TF_PRODUCER = 1882   # the GraphDef version TensorFlow 2.x writes (VersionDef.producer), which it reads back

# Attributes that neuroflow's OpDefs hold and TensorFlow passes as an input: op -> (input position, TF input
# name, dtype of the Const); position -1 is after the other inputs (ConcatV2's axis).
_ATTRS_AS_INPUTS = {
    **{op: (1, "reduction_indices") for op in ("Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ReduceJoin")},
    "ArgMax": (1, "dimension"), "ArgMin": (1, "dimension"), "Cumsum": (1, "axis"), "Cumprod": (1, "axis"),
    "ExpandDims": (1, "dim"), "ConcatV2": (-1, "axis"), "GatherV2": (2, "axis"), "Split": (0, "split_dim"),
    "SplitV": (2, "split_dim")}
_REDUCTIONS = frozenset(("Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ReduceJoin"))
_TIDX_OF_MOVED = {"Sum": "Tidx", "Mean": "Tidx", "Max": "Tidx", "Min": "Tidx", "Prod": "Tidx", "All": "Tidx",
                  "Any": "Tidx", "ArgMax": "Tidx", "ArgMin": "Tidx", "Cumsum": "Tidx", "Cumprod": "Tidx",
                  "ExpandDims": "Tdim", "ConcatV2": "Tidx", "GatherV2": "Taxis", "SplitV": None, "Split": None,
                  "ReduceJoin": None}
_NOT_IN_TF = {"Softmax": ("axis",), "LogSoftmax": ("axis",), "SplitV": ("axis",), "Split": ("axis",)}
_REORDERED_INPUTS = {"ApplyMomentum": (0, 1, 2, 4, 3), "SparseApplyMomentum": (0, 1, 2, 4, 5, 3)}

# Ops whose TensorFlow OpDef has no "T" (their dtypes have other names, or none).
_NO_T = frozenset((
    "Const", "Placeholder", "PlaceholderWithDefault", "VariableV2", "NoOp", "Cast", "IsVariableInitialized", "All",
    "Any", "Range", "GatherV2", "OneHot", "Fill", "Bitcast", "RandomUniform", "RandomStandardNormal",
    "TruncatedNormal", "RandomUniformInt", "Multinomial", "ReadFile", "WriteFile", "StringJoin", "DecodeRaw",
    "ParseExample", "DecodeCSV", "Assert", "Print", "PrintV2", "LogicalAnd", "LogicalOr", "LogicalNot",
    "MergeSummary", "ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary", "TensorSummaryV2",
    "Where", "Einsum", "SparseToDense", "ScatterNd", "GatherNd", "Shape", "ZerosLike", "OnesLike", "BroadcastTo",
    "TopKV2", "Size", "Rank", "ReduceJoin", "PyFunc", "PyFuncStateless", "EagerPyFunc"))
# Extra type attributes: op -> {attr: ("in", i) dtype of input i | ("out", i) of output i}; "T" of ops not in
# _NO_T is the dtype of input 0 unless given here.
_TYPE_ATTRS = {
    "Reshape": {"Tshape": ("in", 1)}, "Transpose": {"Tperm": ("in", 1)}, "Pad": {"Tpaddings": ("in", 1)},
    "PadV2": {"Tpaddings": ("in", 1)}, "MirrorPad": {"Tpaddings": ("in", 1)}, "Tile": {"Tmultiples": ("in", 1)},
    "Slice": {"Index": ("in", 1)}, "StridedSlice": {"Index": ("in", 1)}, "Shape": {"T": ("in", 0)},
    "Size": {"T": ("in", 0)}, "Rank": {"T": ("in", 0)}, "ZerosLike": {"T": ("in", 0)},
    "OnesLike": {"T": ("in", 0)}, "BroadcastTo": {"T": ("in", 0), "Tidx": ("in", 1)},
    "TopKV2": {"T": ("in", 0)},
    "FusedBatchNormV3": {"U": ("in", 1)}, "FusedBatchNormGradV3": {"U": ("in", 2)},
    "ReverseSequence": {"Tlen": ("in", 1)},
    **{op: {"Tindices": ("in", 1)} for op in ("ScatterAdd", "ScatterSub", "ScatterUpdate")}, "Fill": {"T": ("in", 1), "index_type": ("in", 0)},
    "Select": {"T": ("in", 1)}, "SelectV2": {"T": ("in", 1)}, "OneHot": {"T": ("in", 2), "TI": ("in", 0)},
    "GatherV2": {"Tparams": ("in", 0), "Tindices": ("in", 1)}, "Range": {"Tidx": ("in", 0)},
    "SplitV": {"Tlen": ("in", 1)}, "Assign": {"T": ("in", 1)},
    "SparseSoftmaxCrossEntropyWithLogits": {"Tlabels": ("in", 1)}, "ResizeBilinear": {},
    "RandomUniform": {"T": ("in", 0)}, "RandomStandardNormal": {"T": ("in", 0)},
    "TruncatedNormal": {"T": ("in", 0)}, "Where": {"T": ("in", 0)},
    "PlaceholderWithDefault": {"dtype": ("out", 0)}, "IsVariableInitialized": {"dtype": ("in", 0)},
    "Einsum": {"T": ("in", 0)}, "GatherNd": {"Tparams": ("in", 0), "Tindices": ("in", 1)},
    "ScatterNd": {"T": ("in", 1), "Tindices": ("in", 0)}, "SparseToDense": {"T": ("in", 2), "Tindices": ("in", 0)},
    "Split": {}, "StridedSliceGrad": {"Index": ("in", 0), "T": ("in", 4)},
    **{op: {"T": ("in", 1)} for op in ("Conv2DBackpropInput", "DepthwiseConv2dNativeBackpropInput", "AvgPoolGrad",
                                       "InTopK", "InTopKV2", "SparseReorder")},
    **{op: {"Tindices": ("in", 1)} for op in ("SegmentSum", "SegmentProd", "SegmentMax", "SegmentMin",
                                              "SegmentMean")},
    **{op: {"Tindices": ("in", 1), "Tnumsegments": ("in", 2)} for op in (
        "UnsortedSegmentSum", "UnsortedSegmentProd", "UnsortedSegmentMax", "UnsortedSegmentMin")},
    "Assert": {"T": ("list_in", 1)}, "Print": {"T": ("in", 0), "U": ("list_in", 1)},
    **{op: {"Tin": ("list_in", 0)} for op in ("PyFunc", "PyFuncStateless", "EagerPyFunc")}}
_COUNTED = frozenset(("Pack", "ConcatV2", "AddN", "Einsum", "IdentityN"))   # TF's N: the number of values


def _input_name(tensor, renamed=None):
    if renamed and (tensor.op.name, tensor.value_index) in renamed:
        return renamed[(tensor.op.name, tensor.value_index)]
    return tensor.op.name if tensor.value_index == 0 else f"{tensor.op.name}:{tensor.value_index}"


def _fail(op, reason):
    raise UnconvertibleAttr(f"Cannot write op '{op.name}' ({op.type}) as a TensorFlow NodeDef: {reason}")


def _reusable_const(name, graph, value):
    """`name` when the graph has a Const of that name holding `value` (the one a TensorFlow graph fed the axis
    from, kept by the import), else None."""
    op = graph._ops_by_name.get(name)
    if op is not None and op.type == "Const":
        held = np.asarray(op.get_attr("value"))
        if held.dtype == value.dtype and held.shape == value.shape and np.array_equal(held, value):
            return name
    return None


def _free_name(name, graph):
    """`name`, or `name_1`, `name_2`, ... when the graph has an op of that name (one imported from TensorFlow
    keeps its unused axis constant)."""
    candidate, k = name, 0
    while candidate in graph._ops_by_name:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


_SCOPES = "scopes in use"   # key in `renamed` of the set of name scopes the graph's op names occupy (made once)


def _helper_scope(op, renamed):
    """The name scope of the helper nodes a composed op's TensorFlow form adds: the op's own name, unless the
    graph already holds ops under it (tf.nn.dropout's `d/Dropout/keep_prob` input of the op `d/Dropout`), then a
    free sub-scope `<name>/tf_form` (`_1`, ...), so no helper takes the name of a node the graph has."""
    if _SCOPES not in renamed:
        renamed[_SCOPES] = {name[:i] for name in op.graph._ops_by_name for i, c in enumerate(name) if c == "/"}
    scopes, candidate, k = renamed[_SCOPES], op.name, 0
    while candidate in scopes or (candidate != op.name and candidate in op.graph._ops_by_name):
        candidate = f"{op.name}/tf_form" + (f"_{k}" if k else "")
        k += 1
    return candidate


def _axis_value(op, attr_value):
    """The Const value TensorFlow expects for a moved attribute (None axes: every axis of input 0)."""
    if attr_value is None:
        rank = op.inputs[0].shape.ndims
        if rank is None:
            _fail(op, "it reduces over all axes of an input of unknown rank")
        attr_value = tuple(range(rank))
    value = np.asarray(attr_value, dtype=np.int32)
    if op.type not in _REDUCTIONS and value.size == 1:
        value = value.reshape(())   # a scalar axis, as TensorFlow's ops other than reductions require
    return value


def _explicit_einsum(equation):
    """An implicit-mode einsum equation ("ij,jk") with its output written out ("ij,jk->ik": the labels used once,
    in alphabetical order, after any ellipsis), which TensorFlow's Einsum op requires."""
    inputs = equation.replace(" ", "")
    letters = [c for c in inputs.replace("...", "") if c.isalpha()]
    once = sorted(c for c in set(letters) if letters.count(c) == 1)
    return f"{inputs}->{'...' if '...' in inputs else ''}{''.join(once)}"


def _base(dtype):
    return dtype.base_dtype.as_datatype_enum


def _add_node(graph_def, op, add_shapes, renamed):
    node = graph_def.node.add()
    node.name, node.op = op.name, op.type
    if op.device:
        node.device = op.device
    attrs = dict(op.attrs)
    inputs = [_input_name(t, renamed) for t in op.inputs]
    extra_nodes = []
    if op.type in _ATTRS_AS_INPUTS:
        position, input_name = _ATTRS_AS_INPUTS[op.type]
        value = _axis_value(op, attrs.pop("axis", None))
        const_name = _reusable_const(f"{op.name}/{input_name}", op.graph, value)
        if const_name is None:
            const_name = _free_name(f"{op.name}/{input_name}", op.graph)
            extra_nodes.append((const_name, value))
        inputs.insert(len(inputs) if position < 0 else position, const_name)
        tidx = _TIDX_OF_MOVED.get(op.type)
        if tidx:
            node.attr[tidx].type = dtypes.int32.as_datatype_enum
    for key in _NOT_IN_TF.get(op.type, ()):
        attrs.pop(key, None)
    if op.type == "Einsum" and "->" not in attrs.get("equation", "->"):
        attrs["equation"] = _explicit_einsum(attrs["equation"])
    if op.type in _REORDERED_INPUTS:
        order = _REORDERED_INPUTS[op.type]
        inputs = [inputs[i] for i in order]
    node.input.extend(inputs)
    node.input.extend("^" + c.name for c in op.control_inputs)
    for key in sorted(attrs):
        if key.startswith("_"):
            continue
        try:
            av = attr_to_tf(attrs[key], f"attribute '{key}'")
        except UnconvertibleAttr as e:
            _fail(op, str(e))
        if av is not None:
            node.attr[key].CopyFrom(av)
    _add_type_attrs(node, op)
    if add_shapes and op.outputs:
        node.attr["_output_shapes"].list.shape.extend(shape_to_proto(t.shape) for t in op.outputs)
    return extra_nodes


def _add_type_attrs(node, op):
    data_inputs = list(op.inputs)
    spec = dict(_TYPE_ATTRS.get(op.type, {}))
    if op.type not in _NO_T and "T" not in spec and data_inputs and "T" not in node.attr:
        spec["T"] = ("in", 0)
    for attr, (where, index) in spec.items():
        if attr in node.attr:
            continue
        if where == "list_in":   # a list of types: those of the inputs from `index` on
            node.attr[attr].list.SetInParent()
            node.attr[attr].list.type.extend(_base(t.dtype) for t in data_inputs[index:])
            continue
        tensors = data_inputs if where == "in" else op.outputs
        if index < len(tensors):
            node.attr[attr].type = _base(tensors[index].dtype)
    if op.type in _COUNTED and "N" not in node.attr:
        node.attr["N"].i = len(data_inputs) - (1 if op.type == "ConcatV2" and "axis" not in op.attrs else 0)


def _add_const(graph_def, name, value):
    node = graph_def.node.add()
    node.name, node.op = name, "Const"
    node.attr["dtype"].type = dtypes.as_dtype(value.dtype).as_datatype_enum
    node.attr["value"].tensor.CopyFrom(tensor_to_proto(value))


def graph_to_tf_graph_def(graph, ops=None, add_shapes=False, message_class=TFGraphDef):
    """TensorFlow's GraphDef message of `graph` (or of its operations `ops`), importable by TensorFlow, as an
    instance of `message_class` (TensorFlow's GraphDef or a subclass).

    Raises:
        UnconvertibleAttr (a ValueError): an op whose attributes have no TensorFlow form (a cond branch or loop
            body sub-graph, a Python object), naming the op.
    """
    graph_def = message_class()
    graph_def.versions.producer = TF_PRODUCER
    renamed = {}   # (op name, output index) -> the TF node output that stands for it
    for op in (graph.get_operations() if ops is None else ops):
        if op.type in _COMPOSED:
            _COMPOSED[op.type](graph_def, op, renamed, add_shapes)
            continue
        for name, value in _add_node(graph_def, op, add_shapes, renamed):
            _add_const(graph_def, name, value)
    if add_shapes:   # the Consts the export adds (an attr of neuroflow's op is an input in TensorFlow's) too
        for node in graph_def.node:
            if node.op == "Const" and "_output_shapes" not in node.attr:
                node.attr["_output_shapes"].list.shape.add().CopyFrom(node.attr["value"].tensor.tensor_shape)
    return graph_def


def _simple(graph_def, name, op_type, inputs, controls=(), **attrs):
    node = graph_def.node.add(name=name, op=op_type, input=list(inputs) + ["^" + c for c in controls])
    for key, value in attrs.items():
        node.attr[key].CopyFrom(attr_to_tf(value))
    return node


def _dropout(graph_def, op, renamed, add_shapes):
    """neuroflow's one-kernel Dropout as the ops TensorFlow's nn.dropout builds: U = RandomUniform(noise_shape),
    keep = U >= rate, mask = Cast(keep), y = x / (1 - rate) * mask (the same values whenever rate is 0; other
    draws come from TensorFlow's generator). Output 1, the mask, is `<name>/mask`."""
    x, keep_prob, noise_shape = (_input_name(t, renamed) for t in op.inputs)
    dtype = op.inputs[0].dtype.base_dtype
    name, scope = op.name, _helper_scope(op, renamed)
    controls = [c.name for c in op.control_inputs]
    rate = op.get_attr("rate")
    one = np.asarray(1, dtype.as_numpy_dtype)
    _add_const(graph_def, f"{scope}/one", one)
    if rate is None:
        _simple(graph_def, f"{scope}/rate", "Sub", [f"{scope}/one", keep_prob], T=dtype)
    else:
        _add_const(graph_def, f"{scope}/rate", np.asarray(rate, dtype.as_numpy_dtype))
    _simple(graph_def, f"{scope}/random_uniform", "RandomUniform", [noise_shape], controls, dtype=dtype,
            seed=int(op.get_attr("seed") or 0), seed2=int(op.get_attr("seed2") or 0),
            T=op.inputs[2].dtype.base_dtype)
    _simple(graph_def, f"{scope}/keep", "GreaterEqual", [f"{scope}/random_uniform", f"{scope}/rate"], T=dtype)
    _simple(graph_def, f"{scope}/mask", "Cast", [f"{scope}/keep"], SrcT=dtypes.bool, DstT=dtype, Truncate=False)
    _simple(graph_def, f"{scope}/keep_prob", "Sub", [f"{scope}/one", f"{scope}/rate"], T=dtype)
    _simple(graph_def, f"{scope}/scaled", "RealDiv", [x, f"{scope}/keep_prob"], T=dtype)
    _simple(graph_def, name, "Mul", [f"{scope}/scaled", f"{scope}/mask"], T=dtype)
    renamed[(name, 1)] = f"{scope}/mask"


def _random(graph_def, op, renamed, add_shapes):
    """neuroflow's random ops carry their range or moments as attributes; TensorFlow's draw in [0, 1) or from a
    standard normal and the range is applied by Mul/Add nodes (RandomUniformInt takes minval/maxval inputs)."""
    shape = _input_name(op.inputs[0], renamed)
    dtype = op.get_attr("dtype").base_dtype
    name = op.name
    controls = [c.name for c in op.control_inputs]
    seeds = {"seed": int(op.get_attr("seed") or 0), "seed2": int(op.get_attr("seed2") or 0)}
    shape_dtype = op.inputs[0].dtype.base_dtype
    if op.type == "RandomUniform" and dtype.is_integer:
        scope = _helper_scope(op, renamed)
        _add_const(graph_def, f"{scope}/min", np.asarray(op.get_attr("minval"), dtype.as_numpy_dtype))
        _add_const(graph_def, f"{scope}/max", np.asarray(op.get_attr("maxval"), dtype.as_numpy_dtype))
        _simple(graph_def, name, "RandomUniformInt", [shape, f"{scope}/min", f"{scope}/max"], controls, Tout=dtype,
                T=shape_dtype, **seeds)
        return
    if op.type == "RandomUniform":
        low, high = op.get_attr("minval"), op.get_attr("maxval")
        scale, shift, tf_type = high - low, low, "RandomUniform"
    else:
        scale, shift = op.get_attr("stddev"), op.get_attr("mean")
        tf_type = "RandomStandardNormal" if op.type == "RandomNormal" else op.type
    if scale == 1 and shift == 0:
        _simple(graph_def, name, tf_type, [shape], controls, dtype=dtype, T=shape_dtype, **seeds)
        return
    scope = _helper_scope(op, renamed)
    _simple(graph_def, f"{scope}/{tf_type}", tf_type, [shape], controls, dtype=dtype, T=shape_dtype, **seeds)
    _add_const(graph_def, f"{scope}/scale", np.asarray(scale, dtype.as_numpy_dtype))
    _add_const(graph_def, f"{scope}/shift", np.asarray(shift, dtype.as_numpy_dtype))
    _simple(graph_def, f"{scope}/mul", "Mul", [f"{scope}/{tf_type}", f"{scope}/scale"], T=dtype)
    _simple(graph_def, name, "AddV2", [f"{scope}/mul", f"{scope}/shift"], T=dtype)


def _softmax(graph_def, op, renamed, add_shapes):
    """TensorFlow's Softmax works along the last axis: another axis is swapped to the end and back, as
    tf.nn.softmax(axis=...) builds it."""
    axis, rank = op.get_attr("axis"), op.inputs[0].shape.ndims
    if axis in (None, -1) or (rank is not None and axis == rank - 1):
        for name, value in _add_node(graph_def, op, add_shapes, renamed):
            _add_const(graph_def, name, value)
        return
    if rank is None:
        _fail(op, f"TensorFlow's {op.type} works along the last axis; axis {axis} of an input of unknown rank "
                  "cannot be moved there")
    dtype = op.inputs[0].dtype.base_dtype
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    name, scope = op.name, _helper_scope(op, renamed)
    _add_const(graph_def, f"{scope}/perm", np.asarray(perm, np.int32))
    _simple(graph_def, f"{scope}/to_last", "Transpose", [_input_name(op.inputs[0], renamed), f"{scope}/perm"],
            [c.name for c in op.control_inputs], T=dtype, Tperm=dtypes.int32)
    _simple(graph_def, f"{scope}/{op.type}", op.type, [f"{scope}/to_last"], T=dtype)
    _simple(graph_def, name, "Transpose", [f"{scope}/{op.type}", f"{scope}/perm"], T=dtype, Tperm=dtypes.int32)


def _expand_dims(graph_def, op, renamed, add_shapes):
    """neuroflow's ExpandDims may insert several axes at once; TensorFlow's inserts one: a chain, in ascending
    order of the output positions."""
    axes = sorted(int(a) for a in np.ravel(op.get_attr("axis")))
    if len(axes) <= 1 or any(a < 0 for a in axes):
        for name, value in _add_node(graph_def, op, add_shapes, renamed):
            _add_const(graph_def, name, value)
        return
    dtype = op.inputs[0].dtype.base_dtype
    source, controls = _input_name(op.inputs[0], renamed), [c.name for c in op.control_inputs]
    scope = _helper_scope(op, renamed)
    for k, axis in enumerate(axes):
        target = op.name if k == len(axes) - 1 else f"{scope}/expand_{k}"
        _add_const(graph_def, f"{scope}/dim_{k}", np.asarray(axis, np.int32))
        _simple(graph_def, target, "ExpandDims", [source, f"{scope}/dim_{k}"], controls if k == 0 else (),
                T=dtype, Tdim=dtypes.int32)
        source = target


def _tensordot(graph_def, op, renamed, add_shapes):
    """neuroflow's one-op Tensordot as tf.tensordot builds it: each operand transposed (free axes, contracted
    axes) and reshaped to a matrix, a MatMul, the result reshaped to the free dimensions (read at run time, so an
    unknown batch dimension works), then permuted by `perm`."""
    a, b = op.inputs
    a_axes, b_axes, perm = list(op.get_attr("a_axes")), list(op.get_attr("b_axes")), op.get_attr("perm")
    if a.shape.ndims is None or b.shape.ndims is None:
        _fail(op, "tensordot of inputs of unknown rank")
    contracted = [a.shape.as_list()[i] for i in a_axes]
    if any(d is None for d in contracted):
        contracted = [b.shape.as_list()[j] for j in b_axes]
    if any(d is None for d in contracted):
        _fail(op, "tensordot over axes of unknown size")
    size = int(np.prod(contracted, dtype=np.int64))
    a_free = [i for i in range(a.shape.ndims) if i not in a_axes]
    b_free = [j for j in range(b.shape.ndims) if j not in b_axes]
    dtype, name, int32 = a.dtype.base_dtype, op.name, dtypes.int32
    controls, scope = [c.name for c in op.control_inputs], _helper_scope(op, renamed)
    free_sizes = [int(np.prod([t.shape.as_list()[i] for i in free], dtype=np.int64))
                  if size == 0 and all(t.shape.as_list()[i] is not None for i in free) else -1
                  for t, free in ((a, a_free), (b, b_free))]   # -1 cannot be resolved against 0 elements
    consts = {"perm_a": a_free + a_axes, "perm_b": b_axes + b_free, "shape_a": [free_sizes[0], size],
              "shape_b": [size, free_sizes[1]],
              "free_a": a_free, "free_b": b_free, "zero": 0}
    for key, value in consts.items():
        _add_const(graph_def, f"{scope}/{key}", np.asarray(value, np.int32))
    for side, tensor in (("a", a), ("b", b)):
        source = _input_name(tensor, renamed)
        _simple(graph_def, f"{scope}/transpose_{side}", "Transpose", [source, f"{scope}/perm_{side}"], controls,
                T=dtype, Tperm=int32)
        _simple(graph_def, f"{scope}/matrix_{side}", "Reshape", [f"{scope}/transpose_{side}", f"{scope}/shape_{side}"],
                T=dtype, Tshape=int32)
        _simple(graph_def, f"{scope}/shape_of_{side}", "Shape", [source], T=dtype, out_type=int32)
        _simple(graph_def, f"{scope}/dims_{side}", "GatherV2",
                [f"{scope}/shape_of_{side}", f"{scope}/free_{side}", f"{scope}/zero"], Tparams=int32, Tindices=int32,
                Taxis=int32, batch_dims=0)
    _simple(graph_def, f"{scope}/matmul", "MatMul", [f"{scope}/matrix_a", f"{scope}/matrix_b"], T=dtype,
            transpose_a=False, transpose_b=False)
    _simple(graph_def, f"{scope}/shape", "ConcatV2", [f"{scope}/dims_a", f"{scope}/dims_b", f"{scope}/zero"], T=int32,
            N=2, Tidx=int32)
    reshaped = name if perm is None else f"{scope}/unpermuted"
    _simple(graph_def, reshaped, "Reshape", [f"{scope}/matmul", f"{scope}/shape"], T=dtype, Tshape=int32)
    if perm is not None:
        _add_const(graph_def, f"{scope}/perm", np.asarray(list(perm), np.int32))
        _simple(graph_def, name, "Transpose", [reshaped, f"{scope}/perm"], T=dtype, Tperm=int32)


def _parse_example(graph_def, op, renamed, add_shapes):
    """neuroflow's ParseExample (keys, types and shapes as attributes) as TensorFlow's ParseExample, which takes
    `names` (empty) and each key as scalar string inputs (helper Consts), with attrs Nsparse, Ndense, sparse_types,
    Tdense and dense_shapes (a FixedLenSequenceFeature's leading -1: an unknown dim)."""
    from .tensor_shape import TensorShape
    sparse_keys, dense_keys = list(op.get_attr("sparse_keys")), list(op.get_attr("dense_keys"))
    scope = _helper_scope(op, renamed)
    keys = []
    _add_const(graph_def, f"{scope}/names", np.zeros((0,), object))
    for kind, names in (("sparse_keys", sparse_keys), ("dense_keys", dense_keys)):
        for k, key in enumerate(names):
            keys.append(f"{scope}/{kind}_{k}")
            _add_const(graph_def, keys[-1], np.asarray(str(key).encode(), object))
    defaults = []
    for k, (default, shape) in enumerate(zip(op.inputs[1:], op.get_attr("dense_shapes"))):
        # TensorFlow wants a default of the feature's shape (a sequence feature's: one value); neuroflow keeps
        # them flat. An empty default (a required feature) stays as it is.
        target = [] if shape and int(shape[0]) == -1 else [int(d) for d in shape]
        defaults.append(_input_name(default, renamed))
        if default.shape.as_list() != target and default.shape.num_elements() != 0:
            _add_const(graph_def, f"{scope}/default_{k}/shape", np.asarray(target, np.int32))
            defaults[-1] = _simple(graph_def, f"{scope}/default_{k}", "Reshape",
                                   [defaults[-1], f"{scope}/default_{k}/shape"], T=default.dtype.base_dtype,
                                   Tshape=dtypes.int32).name
    node = graph_def.node.add(name=op.name, op="ParseExample")
    if op.device:
        node.device = op.device
    node.input.extend([_input_name(op.inputs[0], renamed), f"{scope}/names"] + keys + defaults +
                      ["^" + c.name for c in op.control_inputs])
    node.attr["Nsparse"].i, node.attr["Ndense"].i = len(sparse_keys), len(dense_keys)
    node.attr["sparse_types"].list.SetInParent()
    node.attr["sparse_types"].list.type.extend(_base(dtypes.as_dtype(t)) for t in op.get_attr("sparse_types"))
    node.attr["Tdense"].list.SetInParent()
    node.attr["Tdense"].list.type.extend(_base(t.dtype) for t in op.inputs[1:])
    node.attr["dense_shapes"].list.SetInParent()
    node.attr["dense_shapes"].list.shape.extend(
        shape_to_proto(TensorShape([None if int(d) == -1 else int(d) for d in shape]))
        for shape in op.get_attr("dense_shapes"))
    if add_shapes:
        node.attr["_output_shapes"].list.shape.extend(shape_to_proto(t.shape) for t in op.outputs)


def _gather_grad(graph_def, op, renamed, add_shapes):
    """neuroflow's GatherV2Grad (a gather's gradient made dense: optimizers without a row-sparse update) along axis
    0 as TensorFlow writes that sum: UnsortedSegmentSum(grad, indices, params_shape[0])."""
    if op.get_attr("axis") != 0:
        _fail(op, "GatherV2Grad along an axis other than 0 has no TensorFlow form")
    grad, indices, params_shape = op.inputs
    scope = _helper_scope(op, renamed)
    for part, value in (("begin", [0]), ("end", [1]), ("strides", [1])):
        _add_const(graph_def, f"{scope}/rows/{part}", np.asarray(value, np.int32))
    _simple(graph_def, f"{scope}/rows", "StridedSlice",
            [_input_name(params_shape, renamed)] + [f"{scope}/rows/{p}" for p in ("begin", "end", "strides")],
            [c.name for c in op.control_inputs], T=params_shape.dtype.base_dtype, Index=dtypes.int32, begin_mask=0,
            end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=1)
    node = _simple(graph_def, op.name, "UnsortedSegmentSum",
                   [_input_name(grad, renamed), _input_name(indices, renamed), f"{scope}/rows"],
                   T=grad.dtype.base_dtype, Tindices=indices.dtype.base_dtype,
                   Tnumsegments=params_shape.dtype.base_dtype)
    if op.device:
        node.device = op.device
    if add_shapes:
        node.attr["_output_shapes"].list.shape.extend(shape_to_proto(t.shape) for t in op.outputs)


# neuroflow op types whose attributes differ from TensorFlow's op of that name, or that TensorFlow lacks: written
# as the TensorFlow ops they stand for
_COMPOSED = {"Dropout": _dropout, "RandomUniform": _random, "RandomNormal": _random, "TruncatedNormal": _random,
             "Softmax": _softmax, "LogSoftmax": _softmax, "ExpandDims": _expand_dims, "Tensordot": _tensordot,
             "ParseExample": _parse_example, "GatherV2Grad": _gather_grad}


def graph_def_to_tf(graph_def, add_shapes=False):
    """TensorFlow's GraphDef message of neuroflow's GraphDef (rebuilt in a scratch graph for its dtypes)."""
    from .graph import Graph
    from .graph_io_import import import_nodes
    scratch = Graph()
    created = import_nodes(graph_def, scratch, "")
    return graph_to_tf_graph_def(scratch, [created[n.name] for n in graph_def.node], add_shapes)


# Ops whose token names a Python function of this process: TensorFlow cannot run them from a file either, and
# neuroflow's import of TensorFlow's PyFunc nodes does not read their Tout yet, so Graph.as_graph_def() keeps such
# graphs in neuroflow's form, whose bytes import back in this process as before.
IN_PROCESS_ONLY = frozenset(("PyFunc", "PyFuncStateless", "EagerPyFunc"))


def graph_def_message(graph, add_shapes=False):
    """What `Graph.as_graph_def()` returns: TensorFlow's GraphDef message of `graph` (`tf.GraphDef`: `node`
    loops, `SerializeToString()` bytes TensorFlow loads), remembering neuroflow's exact form so that an import in
    this process, while the message is unchanged, rebuilds exactly the ops written (Dropout, Softmax's axis, ...).

    A graph TensorFlow's vocabulary cannot describe (cond branches and loop bodies as sub-graphs, ops holding
    Python objects such as tf.data datasets) or holding py_funcs is returned in neuroflow's own GraphDef, as
    before: its bytes are JSON, which `tf.GraphDef().ParseFromString` and `tf.import_graph_def` read back exactly.
    """
    from .graph_io import as_graph_def
    exact = as_graph_def(graph)   # with output shapes: shapes set with set_shape survive the round trip
    try:
        if exact.skipped:
            raise UnconvertibleAttr(exact.skipped[0]["reason"])
        if any(op.type in IN_PROCESS_ONLY for op in graph.get_operations()):
            raise UnconvertibleAttr("a py_func's token names a Python function of this process")
        from .graph_def_files import GraphDef
        converted = graph_to_tf_graph_def(graph, add_shapes=add_shapes, message_class=GraphDef)
    except ValueError:   # UnconvertibleAttr: a sub-graph or a Python object has no TensorFlow form
        exact.derived_in_tf_form = True   # graph_util's results of it: TensorFlow's message where they have one
        return exact
    return message_with_exact_form(converted, exact)


def message_with_exact_form(converted, exact):
    """`tf.GraphDef` holding `converted` (TensorFlow's GraphDef message) that gives `exact` (neuroflow's GraphDef
    it was made from) to an import while its bytes are unchanged."""
    from .graph_def_files import GraphDef
    message = converted
    if type(converted) is not GraphDef:
        message = GraphDef()
        message.MergeFrom(converted)
    message.__dict__["_neuroflow_form"] = (exact, message.SerializeToString())
    return message
