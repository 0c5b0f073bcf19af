"""`timeline.Timeline` (TensorFlow's `tensorflow.python.client.timeline`): a traced run's step stats as a Chrome
trace (chrome://tracing, Perfetto), one row per device and thread, one box per node."""
import json

__all__ = ["Timeline"]


class Timeline:
    """Chrome trace events from `run_metadata.step_stats` of a run traced with `tf.RunOptions.FULL_TRACE`.

    Example:
        >>> trace = Timeline(run_metadata.step_stats).generate_chrome_trace_format()
        >>> open("timeline.json", "w").write(trace)
    """

    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False):
        """The trace as a JSON string: metadata naming each device's process, then a complete ("X") event per
        node with its op type as the name and its node name and inputs as arguments."""
        events = []
        for pid, device in enumerate(self._step_stats.dev_stats):
            events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": device.device}})
            for node in device.node_stats:
                op_type, inputs = _parse_label(node.timeline_label, node.node_name)
                args = {"name": node.node_name, "op": op_type}
                args.update({f"input{i}": name for i, name in enumerate(inputs)})
                events.append({"name": op_type, "cat": "Op", "ph": "X", "pid": pid, "tid": node.thread_id,
                               "ts": node.all_start_micros, "dur": node.all_end_rel_micros, "args": args})
        return json.dumps({"traceEvents": events}, indent=None, separators=(",", ":"))


def _parse_label(label, node_name):
    """(op type, input names) from a timeline label "name = Type(in0, in1)"."""
    if " = " not in label or not label.endswith(")"):
        return node_name, []
    call = label.split(" = ", 1)[1]
    op_type, _, rest = call.partition("(")
    inputs = [s.strip() for s in rest[:-1].split(",") if s.strip()]
    return op_type, inputs
