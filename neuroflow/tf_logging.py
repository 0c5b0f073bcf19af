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


def log(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    """Logs at FATAL; like TensorFlow's, it does not end the program."""
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def log_if(level, msg, condition, *args):
    """Logs only when `condition` is true."""
    if condition:
        vlog(level, msg, *args)


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
    count = _next_count_at_call_site()
    log_if(level, msg, not count % n, *args)


def log_first_n(level, msg, n, *args):
    """Logs on the first `n` calls from the same line only."""
    count = _next_count_at_call_site()
    log_if(level, msg, count < n, *args)


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
    error(msg)
