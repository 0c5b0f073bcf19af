"""Op-table rows written as TensorFlow GraphDefs and run by real TensorFlow (the anchors' environment, skipped
where it is absent): for each row below, TensorFlow imports neuroflow's exported graph and computes what
neuroflow computes. The rows cover each rule of the export: type attributes TensorFlow requires (T, Tidx, Index,
Tindices, N, ...), attributes written back as Const inputs (reductions, concat, split, argmax, cumsum, gather),
ops written as TensorFlow's compositions (softmax along another axis, tensordot, several expand_dims axes),
implicit einsum."""
import json
import logging

import numpy as np
import pytest
from anchor_tf import ANCHOR_PYTHON, run_tf
from op_table import ROWS

import neuroflow as tf
from neuroflow.framework.tf_graph_export import graph_to_tf_graph_def

pytestmark = pytest.mark.skipif(ANCHOR_PYTHON is None, reason="the anchors' TensorFlow is not installed")

NAMES = [
    "add", "multiply", "maximum", "squared_difference", "truediv", "floordiv", "pow", "less", "equal", "logical_and",
    "logical_not", "abs", "sqrt", "rsqrt", "exp", "log", "tanh", "sigmoid", "sign", "floor", "cast", "cast_float",
    "matmul", "matmul_transposed", "matmul_batched", "add_n", "arg_max", "argmin_int32", "argmax_last", "cumsum0",
    "cumprod1_rev", "concat", "concat3_axis0", "expand_dims", "fill", "gather", "gather_axis", "gather_nd",
    "broadcast_to", "clip_by_value", "einsum_ik,jk", "einsum_ij->ji", "einsum_bij,bjk->bik", "getitem",
    "getitem_newaxis", "identity", "conv2d_same_s2_odd", "conv2d_dilated_same", "conv2d_transpose_same_s2",
    "depthwise_conv2d_same", "max_pool_3x3_s2_same", "avg_pool_2x3_s1x2_valid", "nn.bias_add", "nn.elu",
    "nn.leaky_relu", "nn.l2_normalize_-1", "nn.embedding_lookup", "nn.in_top_k_1", "nn.batch_normalization",
    "matrix_inverse", "matrix_band_part0-1", "cross", "invert_permutation", "linspace", "Assert", "segment_sum",
    "unsorted_segment_max", "bitwise_and_int32", "left_shift_int32", "atan2", "erf", "lgamma", "is_nan",
    "tensordot_0", "tensordot_1", "tensordot_2", "tensordot_pairs", "tensordot_grad", "reduce_prod_grad",
]
EXTRA = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_prod", "reduce_all", "nn.softmax", "nn.log_softmax",
         "split", "unstack", "stack", "transpose", "reshape", "pad", "tile", "slice", "strided_slice", "squeeze",
         "one_hot", "range", "where", "top_k", "nn.relu6", "nn.softplus", "nn.softmax_axis0"]


def _selected_rows():
    by_name = {row.name: row for row in ROWS}
    wanted = [by_name[name] for name in NAMES]
    prefixes = tuple(EXTRA)
    wanted += [row for row in ROWS if row.name.startswith(prefixes) and row.name not in NAMES][:60]
    return wanted


def _export(row, directory, index):
    """Writes the row's first sample as graph + feeds + neuroflow's outputs; None when it has no tensor output."""
    sample = row.samples[0] if isinstance(row.samples[0], tuple) else (row.samples[0],)
    graph = tf.Graph()
    with graph.as_default():
        feeds, placeholders = {}, []
        for i, value in enumerate(sample):
            value = np.asarray(value)
            placeholders.append(tf.placeholder(tf.as_dtype(value.dtype), value.shape, name=f"in{i}"))
            feeds[f"in{i}:0"] = value
        result = row.fn(*placeholders)
        fetches = [t for t in (result if isinstance(result, (list, tuple)) else [result]) if isinstance(t, tf.Tensor)]
        if not fetches:
            return None
        with tf.Session() as sess:
            values = sess.run(fetches, feeds)
        message = graph_to_tf_graph_def(graph)
    (directory / f"{index}.pb").write_bytes(message.SerializeToString())
    np.savez(directory / f"{index}.npz", **{f"feed_{k}": v for k, v in feeds.items()},
             **{f"out_{i}": v for i, v in enumerate(values)})
    return {"row": row.name, "fetches": [t.name for t in fetches], "feeds": list(feeds)}


def test_tensorflow_runs_neuroflows_export_of_op_table_rows(tmp_path):
    logging.disable(logging.WARNING)
    try:
        rows = _selected_rows()
        index = {}
        for i, row in enumerate(rows):
            entry = _export(row, tmp_path, i)
            if entry is not None:
                index[str(i)] = entry
    finally:
        logging.disable(logging.NOTSET)
    assert len(index) >= 90
    (tmp_path / "index.json").write_text(json.dumps(index))
    out = run_tf("""
import json, sys
import numpy as np
v1 = tf.compat.v1
v1.disable_v2_behavior()
folder = sys.argv[1]
index = json.load(open(folder + "/index.json"))
failures = {}
for key, entry in index.items():
    try:
        graph_def = v1.GraphDef()
        graph_def.ParseFromString(open(f"{folder}/{key}.pb", "rb").read())
        data = np.load(f"{folder}/{key}.npz")
        with tf.Graph().as_default():
            v1.import_graph_def(graph_def, name="")
            with v1.Session() as sess:
                got = sess.run(entry["fetches"], {name: data["feed_" + name] for name in entry["feeds"]})
        for i, value in enumerate(got):
            want = data[f"out_{i}"]
            value = np.asarray(value)
            same = value.shape == want.shape and (
                np.allclose(value, want, rtol=1e-5, atol=1e-6, equal_nan=True) if want.dtype.kind in "fc"
                else np.array_equal(value, want))
            if not same:
                failures[entry["row"]] = f"output {i} differs"
    except Exception as e:
        failures[entry["row"]] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
print(json.dumps(failures))
""", tmp_path)
    failures = json.loads(out.strip().splitlines()[-1])
    assert failures == {}
