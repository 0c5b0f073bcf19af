"""`tf.logging`: TensorFlow 1.x's logging functions on Python's `logging`, through the logger named "tensorflow".

As in TensorFlow, the logger gets its own stderr handler in the format `INFO:tensorflow:message` unless the root
logger is already configured, and the default verbosity is the root logger's (WARN): `tf.logging.info` prints
after `tf.logging.set_verbosity(tf.logging.INFO)`.
"""
import logging as _logging
import sys as _sys
import threading as _threading

__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "get_logger", "log", "debug", "info", "warn", "warning",
           "error", "fatal", "vlog", "log_if", "log_every_n", "log_first_n", "get_verbosity", "set_verbosity",
           "flush", "TaskLevelStatusMessage"]

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_logger = None
_logger_lock = _threading.Lock()
_log_counts = {}
_log_counts_lock = _threading.Lock()


def get_logger():
    """The "tensorflow" logger (`tf.get_logger()`), given a stderr handler on first use when the root logger has
    none (stdout and INFO in an interactive interpreter, as TensorFlow does)."""
    global _logger
    if _logger is not None:
        return _logger
    with _logger_lock:
        if _logger is None:
            logger = _logging.getLogger("tensorflow")
            if not _logging.getLogger().handlers:
                interactive = hasattr(_sys, "ps1") or bool(_sys.flags.interactive)
                if interactive:
                    logger.setLevel(INFO)
                handler = _logging.StreamHandler(_sys.stdout if interactive else _sys.stderr)
                handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT, None))
                logger.addHandler(handler)
            _logger = logger
    return _logger


def _log(level, msg, args, kwargs, depth):
    # The record names the user's file and line (as TensorFlow's findCaller does), not this module's.
    kwargs.setdefault("stacklevel", depth + 1)
    get_logger().log(level, msg, *args, **kwargs)


def log(level, msg, *args, **kwargs):
    _log(level, msg, args, kwargs, 2)


def debug(msg, *args, **kwargs):
    _log(DEBUG, msg, args, kwargs, 2)


def info(msg, *args, **kwargs):
    _log(INFO, msg, args, kwargs, 2)


def warning(msg, *args, **kwargs):
    _log(WARN, msg, args, kwargs, 2)


warn = warning


def error(msg, *args, **kwargs):
    _log(ERROR, msg, args, kwargs, 2)


def fatal(msg, *args, **kwargs):
    """Logs at FATAL; like TensorFlow's, it does not end the program."""
    _log(FATAL, msg, args, kwargs, 2)


def vlog(level, msg, *args, **kwargs):
    _log(level, msg, args, kwargs, 2)


def log_if(level, msg, condition, *args):
    """Logs only when `condition` is true."""
    if condition:
        _log(level, msg, args, {}, 2)


def _next_count_at_call_site():
    """How often the calling line has asked before (0 the first time): counts are kept per file and line."""
    frame = _sys._getframe(2)
    key = (frame.f_code.co_filename, frame.f_lineno)
    with _log_counts_lock:
        count = _log_counts.get(key, 0)
        _log_counts[key] = count + 1
    return count


def log_every_n(level, msg, n, *args):
    """Logs on the 1st, (n+1)th, (2n+1)th, ... call from the same line."""
    if not _next_count_at_call_site() % n:
        _log(level, msg, args, {}, 2)


def log_first_n(level, msg, n, *args):
    """Logs on the first `n` calls from the same line only."""
    if _next_count_at_call_site() < n:
        _log(level, msg, args, {}, 2)


def get_verbosity():
    """The level below which messages are dropped (WARN until `set_verbosity`)."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v):
    """Sets the level below which messages are dropped, e.g. `tf.logging.set_verbosity(tf.logging.INFO)`."""
    get_logger().setLevel(v)


def flush():
    for handler in get_logger().handlers:
        handler.flush()


def TaskLevelStatusMessage(msg):  # noqa: N802 - TensorFlow's name
    _log(ERROR, msg, (), {}, 2)
