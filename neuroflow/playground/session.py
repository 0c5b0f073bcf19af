"""One browser tab's Playground, trained on its own worker thread, and the registry of live tabs.

The worker thread alone touches the Playground (its graph and Session); requests hand it work through a queue
and wait for the answer. It publishes the newest frame as a JSON string; streams send whatever is newest, so a
slow page skips frames instead of building a backlog.
"""
import bisect
import collections
import json
import queue
import secrets
import threading
import time
from concurrent.futures import Future

from .engine import Playground

__all__ = ["PlaygroundSession", "SessionRegistry", "FRAMES_PER_SECOND", "EPOCHS_PER_SECOND"]

FRAMES_PER_SECOND = 30       # pictures sent while training
EPOCHS_PER_SECOND = 60       # the original's pace: one epoch per animation frame
IDLE_SECONDS = 90            # a session with no open stream for this long is closed ...
PAUSE_SECONDS = 10           # ... and stops training after this long (its tab is gone or asleep)
EVICTABLE_SECONDS = 10       # when every slot is taken, a session idle this long may make room for a new one;
                             # a younger one may be a page that has not opened its event stream yet


class SessionClosed(RuntimeError):
    pass


class PlaygroundSession:
    """A Playground on a worker thread.

    Example:
        >>> s = PlaygroundSession("id", {"dataset": "xor"})
        >>> s.call(lambda pg: pg.epoch)
        0
        >>> s.control("step"); s.close()
    """

    def __init__(self, sid, raw_config=None, idle_seconds=IDLE_SECONDS):
        self.id = sid
        self.idle_seconds = idle_seconds
        self.closed = False
        self.playing = False
        self._queue = queue.Queue()
        self._cond = threading.Condition()
        self._version = 0
        self._snapshot = None          # (version, generation, structure_json, frame_json, history)
        self._streams = 0
        self._last_active = time.monotonic()      # creation, requests and streams opening or closing
        self._structure_gen = None
        self._structure_json = None
        self._error = None             # why training stopped, shown on the page
        ready = Future()
        self._thread = threading.Thread(target=self._run, args=(raw_config, ready), daemon=True,
                                        name=f"playground-{sid[:8]}")
        self._thread.start()
        self.notes = ready.result(timeout=60)

    # --- requests (any thread) ---------------------------------------------------------------------------------
    def call(self, fn, timeout=60):
        """Runs fn(playground) on the worker thread and returns its result (or raises its exception)."""
        if self.closed:
            raise SessionClosed(self.id)
        self.touch()
        future = Future()
        self._queue.put((fn, future))
        return future.result(timeout=timeout)

    def control(self, action):
        """play / pause / toggle / step / reset. Returns {"playing", "epoch"}."""
        def run(pg):
            if action == "play":
                self.playing = True
            elif action == "pause":
                self.playing = False
            elif action == "toggle":
                self.playing = not self.playing
            elif action == "step":
                self.playing = False
                pg.step_epoch()
            elif action == "reset":
                self._error = None
                pg.reset()
            else:
                raise ValueError(f"Unknown action {action!r}; expected play, pause, toggle, step or reset.")
            self._publish(pg)
            return {"playing": self.playing, "epoch": pg.epoch}
        return self.call(run)

    def configure(self, raw):
        """Applies settings; returns {"config", "notes"}."""
        def run(pg):
            self._error = None
            notes = pg.update(raw)
            self._publish(pg)
            return {"config": dict(pg.cfg), "notes": notes}
        return self.call(run)

    def upload(self, data):
        def run(pg):
            message = pg.upload_csv(data)
            self.playing = False
            self._publish(pg)
            return {"config": dict(pg.cfg), "message": message}
        return self.call(run)

    def wait_snapshot(self, seen_version, timeout):
        """The newest snapshot once its version exceeds `seen_version`, or None after `timeout` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self.closed or (self._snapshot and self._snapshot[0] > seen_version),
                                timeout)
            if self.closed or not self._snapshot or self._snapshot[0] <= seen_version:
                return None
            return self._snapshot

    def touch(self):
        """Marks the session as in use now (any request from its page does)."""
        with self._cond:
            self._last_active = time.monotonic()

    def attach(self):
        with self._cond:
            self._streams += 1
            self._last_active = time.monotonic()

    def detach(self):
        with self._cond:
            self._streams -= 1
            self._last_active = time.monotonic()

    @property
    def streaming(self):
        """Whether a page has this session's event stream open."""
        with self._cond:
            return self._streams > 0

    def idle_for(self):
        """Seconds since the page last showed signs of life: 0 while a stream is open, else since its last
        request, stream or (for a new session) creation."""
        with self._cond:
            return 0.0 if self._streams else time.monotonic() - self._last_active

    def close(self):
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        self._queue.put(None)

    # --- worker thread -----------------------------------------------------------------------------------------
    def _run(self, raw_config, ready):
        try:
            pg = Playground(raw_config)
        except BaseException as e:  # pragma: no cover - normalize() never raises; be safe anyway
            ready.set_exception(e)
            return
        self._publish(pg)
        ready.set_result(pg.notes)
        next_frame = next_epoch = time.perf_counter()
        try:
            while not self.closed:
                now = time.perf_counter()
                wait = 0.5 if not self.playing else max(0.0, min(next_frame, next_epoch) - now)
                if not self._serve(pg, wait):
                    break
                idle = self.idle_for()
                if idle > self.idle_seconds:
                    break
                if self.playing and idle > PAUSE_SECONDS:
                    self.playing = False
                    self._publish(pg)
                if not self.playing:
                    continue
                now = time.perf_counter()
                if now >= next_epoch:
                    try:
                        ended = pg.train_for(max(0.002, next_frame - now))
                    except Exception as e:  # a failing step pauses instead of killing the tab's session
                        self.playing = False
                        self._error = f"Training stopped: {type(e).__name__}: {e}"
                        ended = False
                    if ended:
                        next_epoch = max(next_epoch + 1.0 / EPOCHS_PER_SECOND, now - 0.1)
                if time.perf_counter() >= next_frame:
                    self._publish(pg)
                    next_frame = time.perf_counter() + 1.0 / FRAMES_PER_SECOND
        finally:
            pg.close()
            self.closed = True
            self._drain()

    def _serve(self, pg, wait):
        """Runs queued requests (waiting up to `wait` for the first). False once the session is closing."""
        try:
            item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
        except queue.Empty:
            return True
        while item is not None:
            fn, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(pg))
                except Exception as e:
                    future.set_exception(e)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return True
        return False

    def _drain(self):
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None and item[1].set_running_or_notify_cancel():
                item[1].set_exception(SessionClosed(self.id))

    def _publish(self, pg):
        if pg.generation != self._structure_gen:
            self._structure_gen = pg.generation
            self._structure_json = json.dumps(pg.structure(), separators=(",", ":"))
        frame = pg.frame()
        frame["playing"] = self.playing
        frame["error"] = self._error
        frame_json = json.dumps(frame, separators=(",", ":"))
        with self._cond:
            self._version += 1
            self._snapshot = (self._version, pg.generation, self._structure_json, frame_json, list(pg.history))
            self._cond.notify_all()


def history_after(history, epoch):
    """The loss-curve points newer than `epoch` (history is sorted by epoch)."""
    return history[bisect.bisect_right(history, epoch, key=lambda h: h[0]):]


class SessionRegistry:
    """The live sessions by id, with a cap: when full, the session idle longest (no stream, no request, for at
    least EVICTABLE_SECONDS) is closed to make room, and its id is remembered so its page can be told why."""

    MAX_REMEMBERED_EVICTIONS = 1024

    def __init__(self, max_sessions=16, idle_seconds=IDLE_SECONDS):
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self._sessions = {}
        self._evicted = collections.OrderedDict()      # id -> why it was closed
        self._lock = threading.Lock()

    def create(self, raw_config):
        """A new session (its id is 128 random bits).

        Raises:
            RuntimeError: every slot is in use (a stream is open, or the page was active in the last
                EVICTABLE_SECONDS).
        """
        self.reap()
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                idle = max(self._sessions.values(), key=lambda s: s.idle_for())
                if idle.streaming or idle.idle_for() < EVICTABLE_SECONDS:
                    raise RuntimeError(f"Too many open Playground tabs (the limit is {self.max_sessions}) and all "
                                       "of them are in use; close one and reload this page.")
                self._evict(idle)
            sid = secrets.token_urlsafe(16)
            session = PlaygroundSession(sid, raw_config, self.idle_seconds)
            self._sessions[sid] = session
            return session

    def _evict(self, session):
        """Closes `session` to make room (the caller holds the lock), remembering why for its page."""
        del self._sessions[session.id]
        self._evicted[session.id] = (f"This tab's Playground session was closed to make room for another tab: at "
                                     f"most {self.max_sessions} can be open, and this one had been idle the longest.")
        while len(self._evicted) > self.MAX_REMEMBERED_EVICTIONS:
            self._evicted.popitem(last=False)
        session.close()

    def evict(self, sid):
        """Closes session `sid` as if it had been idle longest when room was needed (its page is told why)."""
        with self._lock:
            if sid in self._sessions:
                self._evict(self._sessions[sid])

    def eviction(self, sid):
        """Why session `sid` was closed to make room for another, or None if it was not."""
        with self._lock:
            return self._evicted.get(sid)

    def get(self, sid):
        with self._lock:
            s = self._sessions.get(sid)
        return s if s is not None and not s.closed else None

    def remove(self, sid):
        with self._lock:
            s = self._sessions.pop(sid, None)
        if s is not None:
            s.close()

    def reap(self):
        """Closes sessions whose page has been gone for idle_seconds."""
        with self._lock:
            stale = [s for s in self._sessions.values() if s.closed or s.idle_for() > self.idle_seconds]
            for s in stale:
                del self._sessions[s.id]
        for s in stale:
            s.close()

    def close_all(self):
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for s in sessions:
            s.close()

    def __len__(self):
        with self._lock:
            return len(self._sessions)
