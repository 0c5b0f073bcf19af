"""neuroflow's `tf.RunMetadata` as TensorFlow's RunMetadata protocol buffer (the `tensorboard` package's), for
`FileWriter.add_run_metadata`: per-node start/end times, outputs and bytes, as TensorBoard's graph view reads them."""
from ..framework import dtypes
from ._proto import require

__all__ = ["run_metadata_proto"]


def run_metadata_proto(run_metadata):
    """A serializable RunMetadata proto for `run_metadata` (a TensorFlow proto passes through unchanged)."""
    if hasattr(run_metadata, "SerializeToString"):
        return run_metadata
    require()
    from tensorboard.compat.proto import config_pb2
    proto = config_pb2.RunMetadata()
    for device in run_metadata.step_stats.dev_stats:
        dev = proto.step_stats.dev_stats.add(device=device.device)
        for node in device.node_stats:
            stats = dev.node_stats.add(node_name=node.node_name, all_start_micros=node.all_start_micros,
                                       op_start_rel_micros=node.op_start_rel_micros,
                                       op_end_rel_micros=node.op_end_rel_micros,
                                       all_end_rel_micros=node.all_end_rel_micros,
                                       timeline_label=node.timeline_label, thread_id=node.thread_id)
            total = 0
            for slot, np_dtype, shape, nbytes in node.outputs:
                out = stats.output.add(slot=slot)
                description = out.tensor_description
                try:
                    description.dtype = dtypes.as_dtype(np_dtype).as_datatype_enum
                except TypeError:
                    pass  # a dtype TensorFlow has no enum for: shape and bytes still shown
                for size in shape:
                    description.shape.dim.add(size=size)
                description.allocation_description.requested_bytes = nbytes
                description.allocation_description.allocated_bytes = nbytes
                description.allocation_description.allocator_name = "cpu"
                total += nbytes
            if node.outputs:
                stats.memory.add(allocator_name="cpu", total_bytes=total)
    return proto
