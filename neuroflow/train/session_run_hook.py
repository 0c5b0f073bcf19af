"""`tf.train.SessionRunHook` and the small records passed to hooks (`SessionRunArgs`, `SessionRunContext`,
`SessionRunValues`): the interface a `MonitoredSession` calls around each `run`.

The call order (TF's documented one): `begin()` once before the session exists (the graph may still change);
`after_create_session(session, coord)` once the session is created and initialized (the graph is finalized);
then per `run`: `before_run(run_context)` (may return a `SessionRunArgs` whose fetches and feeds are merged
into the call) and `after_run(run_context, run_values)` (with the results of the hook's own fetches);
`end(session)` once at the end, unless the session stopped on an exception other than end of input.
"""
import collections

__all__ = ["SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues"]


class SessionRunHook:
    """Hook to extend calls to `MonitoredSession.run()`; every method does nothing by default."""

    def begin(self):
        """Called once before the session is created; the graph can still be changed here."""

    def after_create_session(self, session, coord):  # pylint: disable=unused-argument
        """Called when the session has been created and initialized (the graph is finalized)."""

    def before_run(self, run_context):  # pylint: disable=unused-argument
        """Called before each `run()`; may return a `SessionRunArgs` to add fetches/feeds, or None."""
        return None

    def after_run(self, run_context, run_values):  # pylint: disable=unused-argument
        """Called after each `run()` with the results of the fetches this hook asked for."""

    def end(self, session):  # pylint: disable=unused-argument
        """Called once at the end of the session (not when it ends on an exception)."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a `run()` call: `fetches` (any fetch structure), `feed_dict`, `options`."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """The `run()` call being made: the caller's `original_args`, the `session`, and a stop request flag."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        """The `SessionRunArgs` of the caller's `run()` (its fetches and feed_dict)."""
        return self._original_args

    @property
    def session(self):
        """The raw session the call runs in (hooks may run other ops in it)."""
        return self._session

    @property
    def stop_requested(self):
        """Whether a hook asked to stop (then `MonitoredSession.should_stop()` becomes True)."""
        return self._stop_requested

    def request_stop(self):
        """Asks the monitored session to stop after this `run()`."""
        self._stop_requested = True


SessionRunValues = collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])
SessionRunValues.__doc__ = "The results of a hook's `SessionRunArgs.fetches` (same structure), options, metadata."
