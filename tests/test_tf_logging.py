"""tf.logging: TensorFlow's levels, its default verbosity (WARN) and its stderr format `LEVEL:tensorflow:msg`,
log_every_n / log_first_n per calling line — run in a fresh process, as a script sees it."""
import logging
import subprocess
import sys
import textwrap

import neuroflow as tf


def _run(body):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(body)], capture_output=True, text=True, timeout=120)


def test_levels_are_pythons():
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR, tf.logging.FATAL) == \
        (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)
    assert tf.logging.warn is tf.logging.warning and tf.get_logger() is logging.getLogger("tensorflow")


def test_default_verbosity_is_warn_and_the_format_is_tensorflows():
    done = _run("""
        import neuroflow as tf
        print(tf.logging.get_verbosity())
        tf.logging.info("hidden")
        tf.logging.warning("careful %d", 1)
        tf.logging.set_verbosity(tf.logging.INFO)
        print(tf.logging.get_verbosity())
        tf.logging.info("shown %s", "now")
        tf.logging.debug("not shown")
        tf.logging.error("bad")
        tf.logging.fatal("worse")
        print("still running")
    """)
    assert done.returncode == 0
    assert done.stdout == "30\n20\nstill running\n"
    assert done.stderr == ("WARNING:tensorflow:careful 1\nINFO:tensorflow:shown now\nERROR:tensorflow:bad\n"
                           "CRITICAL:tensorflow:worse\n")


def test_log_every_n_and_log_first_n_count_per_line():
    done = _run("""
        import neuroflow as tf
        tf.logging.set_verbosity(tf.logging.INFO)
        for i in range(7):
            tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)
            tf.logging.log_first_n(tf.logging.WARN, "first %d", 2, i)
        tf.logging.log_if(tf.logging.INFO, "if %d", False, 0)
        tf.logging.log_if(tf.logging.INFO, "if %d", True, 1)
    """)
    assert done.stderr.splitlines() == ["INFO:tensorflow:every 0", "WARNING:tensorflow:first 0",
                                        "WARNING:tensorflow:first 1", "INFO:tensorflow:every 3",
                                        "INFO:tensorflow:every 6", "INFO:tensorflow:if 1"]


def test_a_configured_root_logger_gets_the_messages_instead():
    done = _run("""
        import logging, sys
        logging.basicConfig(stream=sys.stdout, format="root %(name)s %(message)s")
        import neuroflow as tf
        tf.logging.warning("once")
    """)
    assert done.stdout == "root tensorflow once\n" and done.stderr == ""


def test_records_name_the_users_line():
    done = _run("""
        import logging, sys
        logging.basicConfig(stream=sys.stdout, format="%(filename)s:%(lineno)d %(levelname)s %(message)s")
        import neuroflow as tf
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.info("a")
        tf.logging.log_first_n(tf.logging.WARN, "b", 1)
        tf.logging.log_if(tf.logging.ERROR, "c", True)
        tf.logging.log(tf.logging.INFO, "d")
    """)
    assert done.stdout.splitlines() == ["<string>:6 INFO a", "<string>:7 WARNING b", "<string>:8 ERROR c",
                                        "<string>:9 INFO d"], done.stderr
