"""`tf.train.Supervisor` (TF 1.x's deprecated training helper, the basic flow): creates or restores a session from
`logdir`, and on the chief runs background threads that save a checkpoint every `save_model_secs`, summaries and
`global_step/sec` every `save_summaries_secs`; `managed_session()` wraps it all in a context manager.
"""
import contextlib
import os
import time

from .. import tf_logging as logging
from ..framework.graph import GraphKeys, get_default_graph
from ..framework.graph_api import get_collection
from .coordinator import Coordinator, LooperThread
from .monitored_session import USE_DEFAULT, ChiefSessionCreator, Scaffold, _start_queue_runners
from .training_util import get_global_step

__all__ = ["Supervisor"]


def _protos():
    from ..summary._proto import protos
    return protos()


def _first(key):
    items = get_collection(key)
    return items[0] if items else None


class Supervisor:
    """The chief/worker session manager of TF 1.x (see TF's docs); single process."""

    USE_DEFAULT = USE_DEFAULT

    def __init__(self, graph=None, ready_op=USE_DEFAULT, ready_for_local_init_op=USE_DEFAULT, is_chief=True,
                 init_op=USE_DEFAULT, init_feed_dict=None, local_init_op=USE_DEFAULT, logdir=None,
                 summary_op=USE_DEFAULT, saver=USE_DEFAULT, global_step=USE_DEFAULT, save_summaries_secs=120,
                 save_model_secs=600, recovery_wait_secs=30, stop_grace_secs=120, checkpoint_basename="model.ckpt",
                 session_manager=None, summary_writer=USE_DEFAULT, init_fn=None, local_init_run_options=None):
        self._graph = graph or get_default_graph()
        with self._graph.as_default():
            from ..variables import collections as var_collections
            from ..summary.summary_ops import merge_all
            from .saver import Saver

            def pick(value, key, default):
                if value is not USE_DEFAULT:
                    return value
                found = _first(key)
                return found if found is not None else default()
            self._init_op = pick(init_op, GraphKeys.INIT_OP, var_collections.global_variables_initializer)
            self._ready_op = pick(ready_op, GraphKeys.READY_OP, var_collections.report_uninitialized_variables)
            self._ready_for_local_init_op = pick(
                ready_for_local_init_op, GraphKeys.READY_FOR_LOCAL_INIT_OP,
                lambda: var_collections.report_uninitialized_variables(var_collections.global_variables()))
            self._local_init_op = pick(local_init_op, GraphKeys.LOCAL_INIT_OP, Scaffold.default_local_init_op)
            self._summary_op = pick(summary_op, GraphKeys.SUMMARY_OP, merge_all)
            self._saver = pick(saver, GraphKeys.SAVERS, lambda: Saver())
            self._global_step = get_global_step(self._graph) if global_step is USE_DEFAULT else global_step
        self._is_chief = is_chief
        self._init_feed_dict = init_feed_dict
        self._init_fn = init_fn
        self._logdir = logdir
        self._save_summaries_secs = save_summaries_secs
        self._save_model_secs = save_model_secs
        self._stop_grace_secs = stop_grace_secs
        self._save_path = os.path.join(logdir, checkpoint_basename) if logdir else None
        if summary_writer is USE_DEFAULT:
            from ..summary.writer import FileWriter
            from .basic_session_run_hooks import tensorboard_installed
            summary_writer = None
            if is_chief and logdir and not tensorboard_installed():
                # Checkpoints need nothing optional; TensorBoard's files need the extra. Supervise without them.
                logging.warning("Supervisor writes no summaries to %s: the tensorboard package is not installed "
                                "(pip install neuroflow[tensorboard])", logdir)
            elif is_chief and logdir:
                summary_writer = FileWriter(logdir)
        self._summary_writer = summary_writer
        self._coord = Coordinator()
        self._started_threads = []
        self._graph.finalize()

    is_chief = property(lambda self: self._is_chief)
    coord = property(lambda self: self._coord)
    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    summary_writer = property(lambda self: self._summary_writer)
    summary_op = property(lambda self: self._summary_op)
    save_summaries_secs = property(lambda self: self._save_summaries_secs)
    global_step = property(lambda self: self._global_step)
    saver = property(lambda self: self._saver)
    save_model_secs = property(lambda self: self._save_model_secs)
    save_path = property(lambda self: self._save_path)

    def _scaffold(self):
        init_fn = (lambda scaffold, sess: self._init_fn(sess)) if self._init_fn else None
        return Scaffold(init_op=self._init_op, init_feed_dict=self._init_feed_dict, init_fn=init_fn,
                        ready_op=self._ready_op, ready_for_local_init_op=self._ready_for_local_init_op,
                        local_init_op=self._local_init_op, summary_op=self._summary_op, saver=self._saver)

    def prepare_or_wait_for_session(self, master="", config=None, wait_for_checkpoint=False, max_wait_secs=7200,
                                    start_standard_services=True):
        """Creates a session restored from the latest checkpoint in `logdir` (or initialized); on the chief starts
        the standard services; starts the queue runners."""
        self._coord.clear_stop()
        if self._summary_writer:
            self._summary_writer.reopen()
        with self._graph.as_default():
            creator = ChiefSessionCreator(scaffold=self._scaffold(), master=master, config=config,
                                          checkpoint_dir=self._logdir)
            sess = creator.create_session()
        if self._is_chief:
            self._write_graph()
            if start_standard_services:
                self.start_standard_services(sess)
        if start_standard_services:
            self.start_queue_runners(sess)
        return sess

    def _write_graph(self):
        if self._logdir:
            from ..io import write_graph
            write_graph(self._graph, self._logdir, "graph.pbtxt")
        if self._summary_writer:
            self._summary_writer.add_graph(self._graph)

    def start_standard_services(self, sess):
        """Starts the summary, step counter and checkpoint threads (chief only); returns them."""
        if not self._is_chief:
            raise RuntimeError("Only chief supervisor can start standard services. "
                               "Because only chief supervisors can write events.")
        if not self._logdir:
            logging.warning("Standard services need a 'logdir' passed to the SessionManager")
            return None
        if self._global_step is not None and self._summary_writer:
            pb = _protos()
            self._summary_writer.add_session_log(pb.event_pb2.SessionLog(status=pb.event_pb2.SessionLog.START),
                                                 int(sess.run(self._global_step)))
        threads = []
        if self._save_summaries_secs and self._summary_writer:
            if self._summary_op is not None:
                threads.append(LooperThread(self._coord, self._save_summaries_secs, target=self._save_summary,
                                            args=(sess,)))
            if self._global_step is not None:
                threads.append(_StepCounterThread(self, sess))
        if self._saver and self._save_model_secs:
            threads.append(LooperThread(self._coord, self._save_model_secs, target=self._save_checkpoint,
                                        args=(sess,)))
        for t in threads:
            t.start()
        self._started_threads.extend(threads)
        return threads

    def _save_summary(self, sess):
        if self._global_step is not None:
            summary, step = sess.run([self._summary_op, self._global_step])
        else:
            summary, step = sess.run(self._summary_op), None
        logging.info("Recording summary at step %s.", step)
        self._summary_writer.add_summary(summary, step)

    def _save_checkpoint(self, sess):
        logging.info("Saving checkpoint to path %s", self._save_path)
        self._saver.save(sess, self._save_path, global_step=self._global_step)
        if self._summary_writer and self._global_step is not None:
            pb = _protos()
            self._summary_writer.add_session_log(
                pb.event_pb2.SessionLog(status=pb.event_pb2.SessionLog.CHECKPOINT, checkpoint_path=self._save_path),
                int(sess.run(self._global_step)))

    def start_queue_runners(self, sess, queue_runners=None):
        """Starts the graph's queue runners (or `queue_runners`) under the supervisor's coordinator."""
        if queue_runners is None:
            threads = _start_queue_runners(sess, self._coord)
        else:
            threads = [t for qr in queue_runners for t in qr.create_threads(sess, coord=self._coord, daemon=True,
                                                                             start=True)]
        self._started_threads.extend(threads)
        return threads

    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Starts a thread calling `target(*args, **kwargs)` every `timer_interval_secs` until a stop."""
        looper = LooperThread(self._coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        self._started_threads.append(looper)
        return looper

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False):
        """Requests a stop, joins the threads (re-raising their first exception), closes the summary writer."""
        self._coord.request_stop()
        try:
            self._coord.join(threads if threads is not None else self._started_threads,
                             stop_grace_period_secs=self._stop_grace_secs, ignore_live_threads=ignore_live_threads)
        finally:
            self._started_threads = []
            if close_summary_writer and self._summary_writer:
                pb = _protos()
                self._summary_writer.add_session_log(pb.event_pb2.SessionLog(status=pb.event_pb2.SessionLog.STOP))
                self._summary_writer.close()

    def request_stop(self, ex=None):
        self._coord.request_stop(ex=ex)

    def should_stop(self):
        return self._coord.should_stop()

    def stop_on_exception(self):
        return self._coord.stop_on_exception()

    def wait_for_stop(self):
        self._coord.wait_for_stop()

    def summary_computed(self, sess, summary, global_step=None):
        """Writes a summary computed by the caller (at the current global step by default)."""
        if not self._summary_writer:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = int(sess.run(self._global_step))
        self._summary_writer.add_summary(summary, global_step)

    @contextlib.contextmanager
    def managed_session(self, master="", config=None, start_standard_services=True, close_summary_writer=True):
        """A context manager yielding a prepared session; on exit stops the services and closes the session.
        An exception in the block requests a stop and is re-raised by `stop()` (OutOfRangeError is a clean stop)."""
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(master=master, config=config,
                                                    start_standard_services=start_standard_services)
            yield sess
        except Exception as e:  # noqa: BLE001 - TF hands every exception to the coordinator
            self.request_stop(e)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    try:
                        sess.close()
                    except Exception:  # noqa: BLE001 - TF ignores errors from close
                        pass

    PrepareSession = prepare_or_wait_for_session
    StartQueueRunners = start_queue_runners
    StartStandardServices = start_standard_services
    Stop = stop
    RequestStop = request_stop
    Loop = loop


class _StepCounterThread(LooperThread):
    """Writes `global_step/sec` every `save_summaries_secs`."""

    def __init__(self, sv, sess):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess
        self._last_time = time.time()
        self._last_step = int(sess.run(sv.global_step))
        self._summary_tag = f"{sv.global_step.op.name}/sec"

    def run_loop(self):
        current_step = int(self._sess.run(self._sv.global_step))
        added_steps, self._last_step = current_step - self._last_step, current_step
        now = time.time()
        elapsed, self._last_time = now - self._last_time, now
        steps_per_sec = added_steps / elapsed if elapsed > 0 else float("inf")
        pb = _protos()
        self._sv.summary_writer.add_summary(
            pb.summary_pb2.Summary(value=[pb.summary_pb2.Summary.Value(tag=self._summary_tag,
                                                                       simple_value=steps_per_sec)]), current_step)
