"""What the tests of the compiler's absorb pass share: one traced run of a small graph, with the pass's reader
phase or numba switched off on request, giving the values and the names of the nodes that ran."""
import neuroflow as tf
from neuroflow.runtime import accel
from neuroflow.runtime.compiler import passes


def run_traced(build, feeds, readers=True, use_numba=True):
    """(values of build(*placeholders), names of the nodes a traced run executed); `feeds`: one array per
    placeholder; `readers` False: absorb_consumers' reader phase off; `use_numba` False: NumPy's kernels."""
    tf.reset_default_graph()
    phs = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in feeds]
    fetches = build(*phs)
    saved_readers, saved_numba = passes._absorb_readers, accel._available[0]
    accel._available[0] = use_numba
    if not readers:
        passes._absorb_readers = lambda program: None
    try:
        with tf.Session() as sess:
            meta = tf.RunMetadata()
            values = sess.run(fetches, dict(zip(phs, feeds)),
                              options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=meta)
    finally:
        passes._absorb_readers, accel._available[0] = saved_readers, saved_numba
    return values, [ns.node_name.split("/")[-1] for dev in meta.step_stats.dev_stats for ns in dev.node_stats]
