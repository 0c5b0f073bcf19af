"""Experiment helpers for plain Session loops: early stopping on a dev metric (with best-weight restore),
repeating an experiment over seeds (mean ± std), and a cheap progress bar."""
import math
import numbers
import random
import sys
import time

import numpy as np

from ..framework import graph as _graph_mod
from ..framework.context import executing_eagerly
from ..framework.graph import Graph, GraphKeys
from ..framework.random_seed import set_random_seed

__all__ = ["EarlyStopping", "ProgressBar", "SeedResults", "repeat_with_seeds"]


# --- early stopping ------------------------------------------------------------------------------------------
class EarlyStopping:
    """Stops training when a dev metric has not improved for `patience` checks, and puts back the best weights.

    Call `update(value, sess)` once per evaluation (e.g. per epoch). It returns True when training should stop.
    Whenever the value improves, a copy of the variables' current values in `sess` is kept (a snapshot, not
    references: later training steps never change it). When `update` decides to stop and `restore_best_weights`
    is true, it writes that snapshot back into the session; if your loop ends for another reason (the epoch
    budget), call `restore(sess)` yourself — restoring twice is harmless.

    Args:
        patience: the number of checks in a row without improvement after which training stops (as in Keras;
            0 and 1 both stop at the first check that does not improve).
        min_delta: an improvement must beat the best value by more than this (absolute value).
        mode: "min" (a loss: lower is better) or "max" (an accuracy: higher is better).
        restore_best_weights: keep snapshots and restore the best one on stop.
        var_list: variables to snapshot (graph `tf.Variable`s, or op names); default: all global variables of the
            session's graph at the time of each snapshot (so it can be created before the model). In eager mode
            pass the eager variables.
        baseline: a value the metric must beat before anything counts as an improvement.
        verbose: print a line when stopping.

    Attributes:
        best: the best value so far (inf / -inf before the first update, or `baseline`).
        best_step: the step of the best value (None before any improvement).
        stopped_step: the step at which `update` returned True (None while training goes on).
        wait: checks since the last improvement.
        step: steps seen (the step numbers `update` assigns when you pass none).

    Example:
        >>> stopper = tf.train.EarlyStopping(patience=3, mode="max")
        >>> for epoch in range(100):
        ...     train_one_epoch(sess)
        ...     dev_accuracy = sess.run(accuracy, {x: x_dev, y: y_dev})
        ...     if stopper.update(dev_accuracy, sess):
        ...         break
        >>> stopper.restore(sess)  # the weights of the best epoch (already done if update() stopped the loop)
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min", restore_best_weights=True, var_list=None,
                 baseline=None, verbose=0):
        if mode not in ("min", "max"):
            raise ValueError(f'EarlyStopping mode must be "min" or "max", got {mode!r}')
        if not isinstance(patience, numbers.Integral) or patience < 0:
            raise ValueError(f"patience must be a non-negative integer, got {patience!r}")
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.var_list = None if var_list is None else list(var_list)
        self.baseline = baseline
        self.verbose = verbose
        self.reset()

    def reset(self):
        """Forgets everything: the best value, the snapshot, the counters."""
        worst = math.inf if self.mode == "min" else -math.inf
        self.best = worst if self.baseline is None else float(self.baseline)
        self.best_step = None
        self.stopped_step = None
        self.wait = 0
        self.step = 0
        self._snapshot = None

    @property
    def should_stop(self):
        """True once `update` has returned True."""
        return self.stopped_step is not None

    def improved(self, value):
        """Whether `value` beats the best so far by more than `min_delta` (NaN never does)."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, value, sess=None, step=None):
        """Records one evaluation of the monitored metric; returns True when training should stop.

        Args:
            value: the metric (a Python or NumPy number).
            sess: the Session holding the variables (default: the default session). Needed for snapshots when
                `restore_best_weights` is true.
            step: a step number to record (epoch, global step); default: 0, 1, 2, ... per call.
        """
        value = float(np.asarray(value))
        step = self.step if step is None else step
        self.step += 1
        if self.improved(value):
            self.best, self.best_step, self.wait = value, step, 0
            if self.restore_best_weights:
                self._snapshot = self._take_snapshot(sess)
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_step = step
            if self.restore_best_weights and self._snapshot is not None:
                self.restore(sess)
            if self.verbose:
                print(f"Early stopping at step {step}: best {self.best:.6g} at step {self.best_step}"
                      + (" (weights restored)" if self.restore_best_weights and self._snapshot else ""))
            return True
        return False

    def restore(self, sess=None):
        """Writes the best snapshot back into `sess`'s variables; returns False if there is none to restore."""
        if self._snapshot is None:
            return False
        store, _ = self._storage(sess, need_keys=False)
        for key, value in self._snapshot.items():
            store[key] = np.array(value, copy=True)  # a fresh copy: the snapshot survives further training
        return True

    # The variable values live in the session's storage (`sess._ctx.variables`, keyed by variable op name) or,
    # eagerly, in the eager context (keyed by each variable's storage key).
    def _storage(self, sess, need_keys=True):
        if sess is None:
            from ..runtime.session import get_default_session
            sess = get_default_session()
        if sess is None:
            if executing_eagerly():
                from ..eager.state import context
                if need_keys and self.var_list is None:
                    raise ValueError("EarlyStopping in eager mode needs var_list= (the variables to snapshot)")
                keys = [v if isinstance(v, str) else v._key for v in self.var_list or ()]
                return context.variables, keys
            raise ValueError("EarlyStopping needs the Session holding the variables: call update(value, sess) or "
                             "run inside `with sess.as_default():` (or pass restore_best_weights=False)")
        if not need_keys:
            return sess._ctx.variables, None
        var_list = self.var_list
        if var_list is None:
            var_list = sess.graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
        keys = [v if isinstance(v, str) else v.op.name for v in var_list]
        return sess._ctx.variables, keys

    def _take_snapshot(self, sess):
        store, keys = self._storage(sess)
        # Uninitialized variables have no value to keep; they are left alone on restore.
        from ..runtime.backend_gpu import host_value  # a GPU variable holds a device array
        return {k: np.array(host_value(store[k]), copy=True) for k in keys if k in store}

    def __repr__(self):
        return (f"<EarlyStopping mode={self.mode} patience={self.patience} best={self.best:.6g} "
                f"best_step={self.best_step} wait={self.wait} stopped_step={self.stopped_step}>")


# --- repeating an experiment over seeds ----------------------------------------------------------------------
class SeedResults:
    """What `repeat_with_seeds` returns: per-seed values with their mean and (sample) standard deviation.

    Attributes:
        seeds: the seeds, in order.
        values: the experiment's return value for each seed (numbers, or dicts of numbers).
        mean, std: floats for numeric results; dicts {metric: float} for dict results. `std` is the sample
            standard deviation (ddof=1), 0.0 for a single seed.
    `str(results)` reads "accuracy 0.953 ± 0.004 over 3 seeds"; `format(results, ".4f")` picks the precision;
    `results["loss"]` is the SeedResults of one metric of a dict result.
    """

    def __init__(self, seeds, values, name="value"):
        self.seeds = list(seeds)
        self.values = list(values)
        self.name = name
        self.is_dict = bool(self.values) and isinstance(self.values[0], dict)
        if self.is_dict:
            keys = list(self.values[0])
            self.mean = {k: self._mean([v[k] for v in self.values]) for k in keys}
            self.std = {k: self._std([v[k] for v in self.values]) for k in keys}
        else:
            self.mean = self._mean(self.values)
            self.std = self._std(self.values)

    @staticmethod
    def _mean(xs):
        return float(np.mean(xs)) if xs else math.nan

    @staticmethod
    def _std(xs):
        return float(np.std(xs, ddof=1)) if len(xs) > 1 else 0.0

    @property
    def per_seed(self):
        """{seed: value}."""
        return dict(zip(self.seeds, self.values))

    def __getitem__(self, metric):
        if not self.is_dict:
            raise TypeError("Only results of experiments returning a dict can be indexed by metric name")
        return SeedResults(self.seeds, [v[metric] for v in self.values], name=metric)

    def __len__(self):
        return len(self.values)

    def __format__(self, spec):
        spec = spec or ".3f"
        n = len(self.values)
        tail = f" over {n} seed{'s' if n != 1 else ''}"
        if self.is_dict:
            body = ", ".join(f"{k} {format(self.mean[k], spec)} ± {format(self.std[k], spec)}" for k in self.mean)
        else:
            body = f"{self.name} {format(self.mean, spec)} ± {format(self.std, spec)}"
        return body + tail

    def __str__(self):
        return format(self, "")

    def __repr__(self):
        return f"<SeedResults {self} per_seed={self.per_seed}>"


def _as_number(value, seed):
    if isinstance(value, dict):
        return {k: _as_number(v, seed) for k, v in value.items()}
    try:
        arr = np.asarray(value)
        if arr.size == 1 and arr.dtype.kind in "biuf":
            return float(arr.reshape(()))
    except (TypeError, ValueError):
        pass
    raise TypeError(f"experiment(seed={seed}) must return a number or a dict of numbers, got {value!r}")


class _FreshDefaultGraph:
    """A new empty default graph for the block, the previous one put back afterwards.

    At top level the process-wide default graph is swapped (so the experiment may call tf.reset_default_graph(),
    a common first line); inside someone's `as_default()` block a nested `as_default()` is the only option.
    """

    def __enter__(self):
        self._nested = bool(_graph_mod._stack())
        self._graph = Graph()
        if self._nested:
            self._ctx = self._graph.as_default()
            self._ctx.__enter__()
        else:
            self._saved = _graph_mod._global_default_graph
            _graph_mod._global_default_graph = self._graph
        return self._graph

    def __exit__(self, *exc):
        if self._nested:
            self._ctx.__exit__(*exc)
        else:
            _graph_mod._global_default_graph = self._saved


def _run_one(experiment, seed):
    """experiment(seed) with every generator seeded by `seed` and a fresh default graph; its result as numbers."""
    np.random.seed(seed)
    random.seed(seed)
    if executing_eagerly():
        set_random_seed(seed)
        result = experiment(seed)
    else:
        with _FreshDefaultGraph():
            set_random_seed(seed)
            result = experiment(seed)
    return _as_number(result, seed)


# Starting a worker (a fresh interpreter importing neuroflow and the experiment) takes ~0.5-2 s: below this a seed
# runs faster in this process than in a worker.
MIN_SECONDS_FOR_WORKERS = 2.0


def _runs_chosen_from_the_cores(experiment, seeds, workers):
    """parallel=None: the first seed in this process, timed; the others in `workers` worker processes when it took
    long enough for workers to pay off (and at least two seeds remain), else here too."""
    from . import seed_workers

    start = time.monotonic()
    yield seeds[0], _run_one(experiment, seeds[0])
    rest = seeds[1:]
    if workers > 1 and len(rest) > 1 and time.monotonic() - start >= MIN_SECONDS_FOR_WORKERS:
        yield from seed_workers.run_in_workers(_run_one, experiment, rest, min(workers, len(rest)),
                                               executing_eagerly())
    else:
        for seed in rest:
            yield seed, _run_one(experiment, seed)


def repeat_with_seeds(experiment, seeds=(0, 1, 2), name="value", verbose=False, parallel=None):
    """Runs `experiment(seed)` once per seed and reports the mean and spread: "report the average over seeds".

    Each run gets a fresh empty default graph with `tf.set_random_seed(seed)`, and NumPy's and Python's global
    generators seeded with `seed` (their previous states are restored afterwards). In eager mode the eager global
    seed is set instead of building a graph.

    Args:
        experiment: a function of the seed returning a number (e.g. the test accuracy) or a dict of numbers.
        seeds: the seeds to run.
        name: what the number is called in the summary (dict results use their keys).
        verbose: print each seed's result as it finishes.
        parallel: how many seeds run at once, each in its own worker process with cores/parallel threads (the
            results are the same as one after another). 1: one after another in this process. None (default):
            chosen from the cores: the first seed runs here, and if it took 2 s or more the others run in one
            worker per seed up to the usable cores - when the experiment is defined in an importable module; one
            after another here when it is defined in a script or a notebook, or is a lambda or a nested function.
            Workers are spawned fresh interpreters that import the experiment (see train/seed_workers.py): only its
            return value comes back, so changes it makes to global state stay in the worker.

    Returns:
        A `SeedResults` (`values`, `per_seed`, `mean`, `std`; `str()` gives "accuracy 0.953 ± 0.004 over 3 seeds").

    Example:
        >>> def experiment(seed):
        ...     x = tf.placeholder(tf.float32, [None, 4]); ...  # build, train, evaluate
        ...     with tf.Session() as sess:
        ...         ...
        ...         return sess.run(accuracy, {x: x_test, y: y_test})
        >>> print(tf.train.repeat_with_seeds(experiment, seeds=range(5), name="accuracy"))
        accuracy 0.953 ± 0.004 over 5 seeds
    """
    from . import seed_workers

    seeds = list(seeds)
    if not seeds:
        raise ValueError("repeat_with_seeds needs at least one seed")
    seed_workers.refuse_while_bootstrapping()
    if parallel is None:
        runs = _runs_chosen_from_the_cores(experiment, seeds, seed_workers.default_parallel(experiment, len(seeds)))
    elif seed_workers.check_parallel(experiment, parallel) > 1:
        runs = seed_workers.run_in_workers(_run_one, experiment, seeds, min(parallel, len(seeds)), executing_eagerly())
    else:
        runs = ((seed, _run_one(experiment, seed)) for seed in seeds)
    values = []
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        for seed, value in runs:
            values.append(value)
            if verbose:
                shown = value if isinstance(value, dict) else {name: value}
                print(f"seed {seed}: " + ", ".join(f"{k} {v:.4f}" for k, v in shown.items()))
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    if values and isinstance(values[0], dict) and any(set(v) != set(values[0]) for v in values):
        raise ValueError(f"experiment returned dicts with different keys: {[sorted(v) for v in values]}")
    return SeedResults(seeds, values, name=name)


# --- progress bar ----------------------------------------------------------------------------------------------
def _format_time(seconds):
    if not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _format_metric(value):
    if isinstance(value, (str, bool)):
        return str(value)
    if isinstance(value, numbers.Integral) or (isinstance(value, np.generic) and np.issubdtype(value, np.integer)):
        return str(int(value))
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)


def _is_dynamic(stream):
    """Whether `stream` redraws a line with \\r: a terminal, or a Jupyter output stream."""
    if type(stream).__module__.startswith("ipykernel"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A one-line progress display for plain training loops: count/total, bar, percentage, metrics, rate, ETA.

    On a terminal (or in Jupyter) the line is redrawn in place at most every `min_interval` seconds, so calling
    `update` every step costs almost nothing. On other streams (a log file, CI output) a plain line is written
    every `log_interval` seconds instead, and a last one on `close()`.

    Args:
        total: the number of steps, or an iterable to wrap (its length, if it has one, is the total). None:
            unknown (no bar, percentage or ETA).
        unit: what is counted ("step", "epoch", "batch").
        width: characters of the bar.
        file: the stream (default: sys.stderr at creation time).
        desc: a prefix, e.g. "train".
        min_interval: seconds between redraws on a terminal.
        log_interval: seconds between plain lines on a non-terminal stream.
        dynamic: force in-place redraws (True) or plain lines (False); default: detect.
        disable: draw nothing.

    Example:
        >>> with tf.train.ProgressBar(1000, desc="train") as bar:
        ...     for step in range(1000):
        ...         _, l = sess.run([train_op, loss])
        ...         bar.update(loss=l)
        train: 1000/1000 [==============================] 100% loss=0.0123 | 812 step/s in 00:01
        >>> for batch in tf.train.ProgressBar(range(100), unit="batch"):
        ...     ...
    """

    def __init__(self, total=None, unit="step", width=30, file=None, desc=None, min_interval=0.1, log_interval=10.0,
                 dynamic=None, disable=False):
        self.iterable = None
        if total is not None and not isinstance(total, numbers.Number):
            self.iterable = total
            total = len(total) if hasattr(total, "__len__") else None
        self.total = None if total is None else int(total)
        self.unit, self.width, self.desc = unit, int(width), desc
        self.file = sys.stderr if file is None else file
        self.min_interval, self.log_interval = float(min_interval), float(log_interval)
        self.dynamic = _is_dynamic(self.file) if dynamic is None else bool(dynamic)
        self.disable = disable
        self.n = 0
        self.metrics = {}
        self.closed = False
        self._clock = time.monotonic
        self._start = self._clock()
        self._last_draw = -math.inf if self.dynamic else self._start
        self._drawn_n = None
        self._drawn_final = False
        self._line_len = 0

    # --- counting ---------------------------------------------------------------------------------------------
    def update(self, n=1, **metrics):
        """Advances by `n` and records `metrics` (e.g. `loss=0.1234`); redraws if enough time has passed."""
        self.n += n
        if metrics:
            self.metrics.update(metrics)
        if self.disable or self.closed:
            return
        now = self._clock()
        interval = self.min_interval if self.dynamic else self.log_interval
        if now - self._last_draw >= interval or (self.dynamic and self.total is not None and self.n >= self.total):
            self._draw(now)

    def set_postfix(self, **metrics):
        """Records metrics without advancing (shown at the next redraw)."""
        self.metrics.update(metrics)

    def write(self, message):
        """Prints `message` on its own line without garbling the bar (which is redrawn below it)."""
        if self.dynamic and self._line_len and not self.disable:
            self.file.write("\r" + " " * self._line_len + "\r")
            self._line_len = 0
        self.file.write(str(message) + "\n")
        if self.dynamic and not self.closed and not self.disable:
            self._draw(self._clock())
        self._flush()

    def close(self):
        """Draws the final state and ends the line. Safe to call more than once."""
        if self.closed:
            return
        self.closed = True
        if self.disable:
            return
        if self._drawn_n != self.n or not self._drawn_final:
            self._draw(self._clock(), final=True)
        if self.dynamic:
            self.file.write("\n")
            self._flush()

    # --- drawing ----------------------------------------------------------------------------------------------
    def format_line(self, now=None, final=False):
        """The text of the progress line at time `now` (for custom displays)."""
        now = self._clock() if now is None else now
        elapsed = max(now - self._start, 1e-9)
        parts = [f"{self.desc}:"] if self.desc else []
        if self.total is not None:
            parts.append(f"{self.n}/{self.total}")
            frac = min(max(self.n / self.total, 0.0), 1.0) if self.total else 1.0
            if self.dynamic and self.width > 0:
                filled = int(frac * self.width)
                arrow = ">" if filled < self.width else ""
                parts.append("[" + ("=" * filled + arrow).ljust(self.width)[:self.width] + "]")
            parts.append(f"{frac * 100:3.0f}%")
        else:
            parts.append(f"{self.n} {self.unit}{'s' if self.n != 1 else ''}")
        if self.metrics:
            parts.append(" ".join(f"{k}={_format_metric(v)}" for k, v in self.metrics.items()))
        rate = self.n / elapsed
        if rate >= 100:
            speed = f"{rate:.0f} {self.unit}/s"
        elif rate >= 1 or rate == 0:
            speed = f"{rate:.3g} {self.unit}/s"
        else:
            speed = f"{1 / rate:.3g} s/{self.unit}"
        if final or (self.total is not None and self.n >= self.total):
            timing = f"in {_format_time(elapsed)}"
        elif self.total is not None and rate > 0:
            timing = f"ETA {_format_time((self.total - self.n) / rate)}"
        else:
            timing = f"elapsed {_format_time(elapsed)}"
        return " ".join(parts) + f" | {speed} {timing}"

    def _draw(self, now, final=False):
        line = self.format_line(now, final)
        if self.dynamic:
            pad = max(self._line_len - len(line), 0)
            self.file.write("\r" + line + " " * pad)
            self._line_len = len(line)
        else:
            self.file.write(line + "\n")
        self._flush()
        self._last_draw = now
        self._drawn_n = self.n
        self._drawn_final = final or (self.total is not None and self.n >= self.total)

    def _flush(self):
        flush = getattr(self.file, "flush", None)
        if flush is not None:
            flush()

    # --- protocols --------------------------------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        if self.iterable is None:
            raise TypeError("ProgressBar(total) is not iterable: wrap an iterable, e.g. ProgressBar(range(1000))")
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()

    def __len__(self):
        if self.total is None:
            raise TypeError("this ProgressBar has no total")
        return self.total

    def __repr__(self):
        return f"<ProgressBar {self.format_line()}>"
