"""`tf.train.MonitoredTrainingSession`, `MonitoredSession`, `SingularMonitoredSession`, `ChiefSessionCreator`
and `Scaffold`: a session that initializes or restores the model (from the latest checkpoint), starts the queue
runners, finalizes the graph, and calls `SessionRunHook`s around each `run`, as TF 1.x's monitored_session.py.

Single-process only: `master` is accepted and passed to `Session`; a non-chief uses the same creator without the
chief-only saving hooks (there is no cluster to wait for).
"""
from .. import tf_logging as logging
from ..framework import errors
from ..framework.graph import GraphKeys, get_default_graph
from ..framework.graph_api import add_to_collection, get_collection
from . import basic_session_run_hooks as hooks_lib
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues

__all__ = ["Scaffold", "SessionCreator", "ChiefSessionCreator", "WorkerSessionCreator", "MonitoredSession",
           "SingularMonitoredSession", "MonitoredTrainingSession"]

USE_DEFAULT = object()


class Scaffold:
    """The pieces needed to create or restore a model's session: init_op, init_feed_dict, init_fn, ready_op,
    ready_for_local_init_op, local_init_op, summary_op, saver. `finalize()` fills the missing ones from the graph's
    collections (`GraphKeys.INIT_OP`, ...) or TF's defaults, and finalizes the graph."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None, ready_for_local_init_op=None,
                 local_init_op=None, summary_op=None, saver=None, copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            coalesce = lambda a, b: a if a is not None else b  # noqa: E731
            init_op = coalesce(init_op, copy_from_scaffold.init_op)
            init_feed_dict = coalesce(init_feed_dict, copy_from_scaffold._init_feed_dict)
            init_fn = coalesce(init_fn, copy_from_scaffold._user_init_fn)
            ready_op = coalesce(ready_op, copy_from_scaffold.ready_op)
            ready_for_local_init_op = coalesce(ready_for_local_init_op, copy_from_scaffold.ready_for_local_init_op)
            local_init_op = coalesce(local_init_op, copy_from_scaffold.local_init_op)
            summary_op = coalesce(summary_op, copy_from_scaffold.summary_op)
            saver = coalesce(saver, copy_from_scaffold.saver)
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._summary_op = summary_op
        self._saver = saver

    def finalize(self):
        """Creates the missing ops (from the collections or TF's defaults) and finalizes the default graph."""
        from ..variables import collections as var_collections
        if self._init_op is None:
            self._init_op = Scaffold.get_or_default("init_op", GraphKeys.INIT_OP,
                                                    var_collections.global_variables_initializer)
        if self._ready_op is None:
            self._ready_op = Scaffold.get_or_default("ready_op", GraphKeys.READY_OP,
                                                     var_collections.report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op", GraphKeys.READY_FOR_LOCAL_INIT_OP,
                lambda: var_collections.report_uninitialized_variables(var_collections.global_variables()))
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default("local_init_op", GraphKeys.LOCAL_INIT_OP,
                                                          Scaffold.default_local_init_op)
        if self._summary_op is None:
            from ..summary.summary_ops import merge_all
            self._summary_op = Scaffold.get_or_default("summary_op", GraphKeys.SUMMARY_OP, merge_all)
        if self._saver is None:
            from .saver import Saver
            self._saver = Scaffold.get_or_default("saver", GraphKeys.SAVERS,
                                                  lambda: Saver(sharded=True, allow_empty=True))
        get_default_graph().finalize()
        logging.info("Graph was finalized.")
        return self

    @property
    def init_fn(self):
        return self._init_fn

    @property
    def init_op(self):
        return self._init_op

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def ready_for_local_init_op(self):
        return self._ready_for_local_init_op

    @property
    def local_init_op(self):
        return self._local_init_op

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def saver(self):
        return self._saver

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        """The single item in `collection_key`, or `default_constructor()` added to it (None is not added)."""
        elements = get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError(f"More than one item in the collection \"{collection_key}\". Please indicate "
                                   f"which one to use by passing it to the tf.Scaffold constructor as:  "
                                   f"tf.Scaffold({arg_name}=item to use)")
            return elements[0]
        op = default_constructor()
        if op is not None:
            add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        """Initializes the local variables and the lookup tables (when neuroflow has them)."""
        from ..ops.control_flow_ops import group
        from ..variables import collections as var_collections
        ops = [var_collections.local_variables_initializer()]
        try:
            from .. import initializers
            ops.append(initializers.tables_initializer())
        except (ImportError, AttributeError):
            pass
        return group(*ops)


class SessionCreator:
    """A factory of `tf.Session`s."""

    def create_session(self):
        raise NotImplementedError("create_session is not implemented for {}.".format(self))


def _run_if_not_none(sess, op, feed_dict=None):
    if op is not None:
        sess.run(op, feed_dict=feed_dict)


def _uninitialized(sess, ready_op):
    if ready_op is None:
        return []
    names = sess.run(ready_op)
    return [n.decode() if isinstance(n, bytes) else str(n) for n in getattr(names, "ravel", lambda: names)()]


class ChiefSessionCreator(SessionCreator):
    """Creates a session and restores the model from `checkpoint_filename_with_path` or the latest checkpoint in
    `checkpoint_dir`; without a checkpoint it runs the scaffold's init_op and init_fn. Then local_init_op, and the
    ready check (RuntimeError when variables are still uninitialized)."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config

    def create_session(self):
        from ..runtime.session import Session
        from .checkpoint_management import latest_checkpoint
        scaffold = self._scaffold.finalize()
        sess = Session(self._master, graph=get_default_graph(), config=self._config)
        path = self._checkpoint_filename_with_path
        if path is None and self._checkpoint_dir:
            path = latest_checkpoint(self._checkpoint_dir)
        if path:
            scaffold.saver.restore(sess, path)
        else:
            _run_if_not_none(sess, scaffold.init_op, scaffold.init_feed_dict)
            if scaffold.init_fn:
                scaffold.init_fn(sess)
        not_ready_for_local = _uninitialized(sess, scaffold.ready_for_local_init_op)
        if not_ready_for_local:
            raise RuntimeError("Init operations did not make model ready for local_init. Variables not initialized: "
                               + ", ".join(not_ready_for_local))
        _run_if_not_none(sess, scaffold.local_init_op)
        not_ready = _uninitialized(sess, scaffold.ready_op)
        if not_ready:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: {scaffold.init_op}, init fn: "
                               f"{scaffold.init_fn}, local_init_op: {scaffold.local_init_op}, error: Variables not "
                               "initialized: " + ", ".join(not_ready))
        return sess


class WorkerSessionCreator(ChiefSessionCreator):
    """A non-chief's creator. In one process it initializes or restores as the chief does (no cluster to wait on)."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        super().__init__(scaffold=scaffold, master=master, config=config)
        self._max_wait_secs = max_wait_secs


class _LocalCoordinator:
    """A stand-in for `tf.train.Coordinator` when neuroflow's is not available (no queue runners to join)."""

    def __init__(self):
        self._stop = False

    def should_stop(self):
        return self._stop

    def request_stop(self, ex=None):  # pylint: disable=unused-argument
        self._stop = True

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):  # noqa: D401
        pass


def _make_coordinator():
    try:
        from .coordinator import Coordinator
    except ImportError:
        return _LocalCoordinator()
    return Coordinator(clean_stop_exception_types=[])


def _start_queue_runners(sess, coord):
    try:
        from .queue_runner import start_queue_runners
    except ImportError:
        return []
    return start_queue_runners(sess=sess, coord=coord) or []


class _StepContext:
    """What `run_step_fn`'s function gets: the raw `session`, `run_with_hooks`, `request_stop`."""

    def __init__(self, session, run_with_hooks_fn):
        self._session = session
        self._run_with_hooks_fn = run_with_hooks_fn

    @property
    def session(self):
        return self._session

    def run_with_hooks(self, *args, **kwargs):
        return self._run_with_hooks_fn(*args, **kwargs)

    def request_stop(self):
        raise StopIteration("step_fn has requested the iterations to stop.")


class _MonitoredSession:
    """The shared body of `MonitoredSession` and `SingularMonitoredSession`."""

    def __init__(self, session_creator, hooks, should_recover, stop_grace_period_secs=120):
        self._graph_was_finalized = get_default_graph().finalized
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._session_creator = session_creator or ChiefSessionCreator()
        self._stop_grace_period_secs = stop_grace_period_secs
        self._should_recover = should_recover
        self._sess = None
        self._coord = None
        self._threads = []
        self._should_stop = False
        self._closed = False
        self._create_session()

    def _create_session(self):
        self._sess = self._session_creator.create_session()
        self._coord = _make_coordinator()
        self._threads = _start_queue_runners(self._sess, self._coord)
        get_default_graph().finalize()
        for hook in self._hooks:
            hook.after_create_session(self._sess, self._coord)

    @property
    def graph(self):
        return None if self._sess is None else self._sess.graph

    def _tf_sess(self):
        return self._sess

    def should_stop(self):
        """True once a hook requested a stop, the coordinator stopped, or the session was closed."""
        return self._sess is None or self._closed or self._should_stop or self._coord.should_stop()

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` with the hooks' fetches and feeds merged in; returns the caller's results only.

        A `MonitoredSession` recovers from `AbortedError`/`UnavailableError` (a preempted worker in TF): it closes
        the session, creates a new one (restoring the latest checkpoint; hooks get `after_create_session` again)
        and retries the call. `SingularMonitoredSession` raises them."""
        while True:
            try:
                return self._run_with_hooks(fetches, feed_dict, options, run_metadata)
            except _PREEMPTION_ERRORS as exc:
                if not self._should_recover:
                    raise
                logging.info("An error was raised. This may be due to a preemption in a connected worker or "
                             "parameter server. The current session will be closed and a new session will be "
                             "created. This error may also occur due to a gRPC failure caused by high memory or "
                             "network bandwidth usage in the parameter servers. If this error occurs repeatedly, "
                             "try increasing the number of parameter servers assigned to the job. Error: %s", exc)
                self._close_session_for_recovery()
                self._create_session()

    def _close_session_for_recovery(self):
        try:
            self._coord.request_stop()
            self._coord.join(self._threads, stop_grace_period_secs=self._stop_grace_period_secs,
                             ignore_live_threads=True)
        except Exception:  # noqa: BLE001 - TF ignores errors while closing a failed session
            pass
        finally:
            try:
                self._sess.close()
            except Exception:  # noqa: BLE001
                pass

    def _run_with_hooks(self, fetches, feed_dict, options, run_metadata):
        if self.should_stop():
            raise RuntimeError("Run called even after should_stop requested.")
        actual_fetches = {"caller": fetches}
        run_context = SessionRunContext(original_args=SessionRunArgs(fetches, feed_dict), session=self._sess)
        hook_options = []  # local: one MonitoredSession may be run from several threads
        feed_dict = self._call_hook_before_run(run_context, actual_fetches, feed_dict, hook_options)
        options, run_metadata = _merge_hook_options(options, run_metadata, hook_options)
        outputs = self._sess.run(actual_fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata)
        for i, hook in enumerate(self._hooks):
            key = f"hook_{i}"
            hook.after_run(run_context, SessionRunValues(results=outputs.get(key), options=options,
                                                         run_metadata=run_metadata))
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs["caller"]

    def run_step_fn(self, step_fn):
        """Calls `step_fn(step_context)`; `step_context.request_stop()` ends the session's iterations."""
        try:
            return step_fn(_StepContext(self._sess, self.run))
        except StopIteration:
            self._should_stop = True
            return None

    def _call_hook_before_run(self, run_context, fetch_dict, user_feed_dict, hook_options=None):
        hook_feeds = {}
        for i, hook in enumerate(self._hooks):
            request = hook.before_run(run_context)
            if request is not None:
                if request.fetches is not None:
                    fetch_dict[f"hook_{i}"] = request.fetches
                if request.options is not None and hook_options is not None:
                    hook_options.append(request.options)
                if request.feed_dict:
                    _raise_if_feeds_intersects(hook_feeds, request.feed_dict, "Same tensor is fed by two hooks.")
                    hook_feeds.update(request.feed_dict)
        if not hook_feeds:
            return user_feed_dict
        if not user_feed_dict:
            return hook_feeds
        _raise_if_feeds_intersects(user_feed_dict, hook_feeds, "Same tensor is fed by a SessionRunHook and user.")
        merged = dict(user_feed_dict)
        merged.update(hook_feeds)
        return merged

    def close(self):
        self._close_internal()

    def _close_internal(self, exception_type=None):
        if self._closed:
            return
        try:
            if not exception_type and self._sess is not None:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            try:
                if self._coord is not None:
                    self._coord.request_stop()
                    try:
                        self._coord.join(self._threads, stop_grace_period_secs=self._stop_grace_period_secs,
                                         ignore_live_threads=True)
                    except errors.OutOfRangeError:
                        pass
            finally:
                if self._sess is not None:
                    self._sess.close()
                self._sess = None
                self._closed = True
                if not self._graph_was_finalized:
                    get_default_graph()._unsafe_unfinalize()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None


_PREEMPTION_ERRORS = (errors.AbortedError, errors.UnavailableError)


def _merge_hook_options(options, run_metadata, hook_options):
    """The run's options with the hooks' requests merged in as TensorFlow does (the highest trace level, the
    shortest timeout), and a RunMetadata for the hooks to read when none was given. Runs no hook asks anything of
    keep the caller's options (untraced runs stay on the compiled fast path)."""
    if not hook_options:
        return options, run_metadata
    import copy
    from ..runtime.run_metadata import RunMetadata, RunOptions
    merged = copy.copy(options) if options is not None else RunOptions()
    for request in hook_options:
        merged.trace_level = max(merged.trace_level, int(request.trace_level))
        if request.timeout_in_ms:
            merged.timeout_in_ms = min(t for t in (merged.timeout_in_ms, request.timeout_in_ms) if t)
    return merged, run_metadata if run_metadata is not None else RunMetadata()


def _raise_if_feeds_intersects(feeds1, feeds2, message):
    intersection = set(feeds1.keys()) & set(feeds2.keys())
    if intersection:
        raise RuntimeError(message + " Conflict(s): " + str(list(intersection)))


class MonitoredSession(_MonitoredSession):
    """A session that creates/restores the model with `session_creator` (default `ChiefSessionCreator()`), starts
    queue runners, and calls `hooks` around each `run`. Closing it (or leaving its `with` block) calls the hooks'
    `end`; leaving on `OutOfRangeError` (end of input) is a normal stop and is swallowed."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        super().__init__(session_creator, hooks, should_recover=True, stop_grace_period_secs=stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """A `MonitoredSession` built from a scaffold/checkpoint_dir directly, with `raw_session()`."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        session_creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                              checkpoint_dir=checkpoint_dir,
                                              checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(session_creator, hooks, should_recover=False, stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self):
        """The underlying `tf.Session`."""
        return self._tf_sess()


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None, hooks=None,  # noqa: N802
                             chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT,
                             save_summaries_steps=USE_DEFAULT, save_summaries_secs=USE_DEFAULT, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100, max_wait_secs=7200,
                             save_checkpoint_steps=USE_DEFAULT, summary_dir=None):
    """A `MonitoredSession` for training: on the chief it restores from / saves to `checkpoint_dir` (every 600 s
    by default, or every `save_checkpoint_steps`), writes summaries every 100 steps by default and
    `global_step/sec` every `log_step_count_steps` into `summary_dir` (default `checkpoint_dir`)."""
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    if not is_chief:
        session_creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                               max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=session_creator, hooks=hooks or [],
                                stop_grace_period_secs=stop_grace_period_secs)
    all_hooks = list(chief_only_hooks or [])
    session_creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir, master=master,
                                          config=config)
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir and not hooks_lib.tensorboard_installed():
        # Checkpoints need nothing optional; TensorBoard's files need the extra. Train on without them.
        logging.warning("MonitoredTrainingSession writes no summaries to %s: the tensorboard package is not "
                        "installed (pip install neuroflow[tensorboard])", summary_dir)
        summary_dir = None
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(hooks_lib.StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
        if (save_summaries_steps and save_summaries_steps > 0) or (save_summaries_secs and save_summaries_secs > 0):
            all_hooks.append(hooks_lib.SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps,
                                                        save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir:
        if (save_checkpoint_secs and save_checkpoint_secs > 0) or (save_checkpoint_steps and save_checkpoint_steps > 0):
            all_hooks.append(hooks_lib.CheckpointSaverHook(checkpoint_dir, save_steps=save_checkpoint_steps,
                                                           save_secs=save_checkpoint_secs, scaffold=scaffold))
    if hooks:
        all_hooks.extend(hooks)
    return MonitoredSession(session_creator=session_creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)
