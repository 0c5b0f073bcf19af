"""Load time of a large frozen GraphDef: neuroflow's own protobuf codec (framework/tf_protos) beside the protobuf
package (upb, through the tensorboard package's compiled GraphDef), interleaved in one process so both see the
same machine load. Two graphs of about --megabytes each: a few large Const tensors (weights in tensor_content)
and many small nodes. Also times tf.import_graph_def of the large-constant graph and of a smaller small-node graph (the graph building
after the parse).

    .venv/bin/python benchmarks/graphdef_load.py --megabytes 100 --repeats 3
"""
import argparse
import gc
import time

import numpy as np


def large_constants(megabytes):
    from neuroflow.framework.tf_proto_convert import tensor_to_proto
    from neuroflow.framework.tf_protos import GraphDef
    graph_def = GraphDef()
    x = graph_def.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = 1
    per = int(megabytes * 2 ** 20 / 4 / 4)
    side = int(per ** 0.5)
    prev = "x"
    rng = np.random.default_rng(0)
    for i in range(4):
        w = graph_def.node.add(name=f"w{i}", op="Const")
        w.attr["dtype"].type = 1
        w.attr["value"].tensor.CopyFrom(tensor_to_proto(rng.standard_normal((side, side)).astype(np.float32)))
        m = graph_def.node.add(name=f"m{i}", op="MatMul", input=[prev, f"w{i}"])
        m.attr["T"].type = 1
        m.attr["transpose_a"].b = False
        m.attr["transpose_b"].b = False
        prev = m.name
    x.attr["shape"].shape.dim.add(size=-1)
    x.attr["shape"].shape.dim.add(size=side)
    return graph_def.SerializeToString()


def many_small_nodes(megabytes):
    """A chain of blocks Const -> AddV2 -> Relu, each adding to the previous block's Relu (block 999999 is the
    Placeholder that starts the chain)."""
    from neuroflow.framework.tf_protos import GraphDef
    start = GraphDef()
    x = start.node.add(name="block_999999/relu", op="Placeholder")
    x.attr["dtype"].type = 1
    x.attr["shape"].shape.dim.add(size=4)
    unit = GraphDef()
    c = unit.node.add(name="block_000000/bias", op="Const", device="/device:CPU:0")
    c.attr["dtype"].type = 1
    t = c.attr["value"].tensor
    t.dtype = 1
    t.tensor_shape.dim.add(size=4)
    t.tensor_content = np.arange(4, dtype="<f4").tobytes()
    a = unit.node.add(name="block_000000/add", op="AddV2", input=["block_PPPPPP/relu", "block_000000/bias"])
    a.attr["T"].type = 1
    r = unit.node.add(name="block_000000/relu", op="Relu", input=["block_000000/add"])
    r.attr["T"].type = 1
    r.attr["_output_shapes"].list.shape.add().dim.add(size=-1)
    block = unit.SerializeToString()
    count = int(megabytes * 2 ** 20 / len(block))
    # renumbered copies of the same three nodes: the bytes of a big graph without building it node by node
    parts = [start.SerializeToString()]
    parts += [block.replace(b"000000", b"%06d" % i).replace(b"PPPPPP", b"%06d" % ((i - 1) % 1000000))
              for i in range(min(count, 999999))]
    return b"".join(parts), 3 * len(parts) - 2


def _time(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
        del result
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--import-small-megabytes", type=float, default=1,
                        help="also time import_graph_def of a small-node graph this large (0: skip)")
    args = parser.parse_args()
    import neuroflow as tf
    from neuroflow.framework.tf_protos import GraphDef
    try:
        from tensorboard.compat.proto import graph_pb2
        from google.protobuf.internal import api_implementation
        theirs = f"protobuf {api_implementation.Type()}"
    except ImportError:
        graph_pb2, theirs = None, None
    big = large_constants(args.megabytes)
    small, nodes = many_small_nodes(args.megabytes)
    print(f"large constants: {len(big) / 2 ** 20:.1f} MiB, 9 nodes; small nodes: {len(small) / 2 ** 20:.1f} MiB, "
          f"{nodes} nodes (best of {args.repeats}, interleaved)")
    for label, data in (("large constants", big), ("many small nodes", small)):
        ours = _time(lambda: GraphDef.FromString(data), args.repeats)
        line = f"  {label:17s} neuroflow codec {ours:8.3f} s"
        if graph_pb2 is not None:
            other = _time(lambda: graph_pb2.GraphDef.FromString(data), args.repeats)
            line += f"   {theirs} {other:8.3f} s   ratio {ours / other:6.1f}x"
        print(line, flush=True)
    graph_def = GraphDef.FromString(big)

    def import_big():
        with tf.Graph().as_default():
            tf.import_graph_def(graph_def, name="")
    print(f"  import_graph_def of the large-constant graph (parsed): {_time(import_big, args.repeats):.3f} s")
    if args.import_small_megabytes:
        few, count = many_small_nodes(args.import_small_megabytes)
        parsed = GraphDef.FromString(few)

        def import_small():
            with tf.Graph().as_default():
                tf.import_graph_def(parsed, name="")
        parse = _time(lambda: GraphDef.FromString(few), 1)
        print(f"  small-node graph of {len(few) / 2 ** 20:.1f} MiB ({count} nodes): parse {parse:.3f} s, "
              f"import_graph_def {_time(import_small, 1):.3f} s")
    serialize = _time(lambda: graph_def.SerializeToString(), args.repeats)
    print(f"  SerializeToString of the large-constant graph: {serialize:.3f} s")


if __name__ == "__main__":
    main()
