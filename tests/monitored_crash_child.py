"""The MonitoredTrainingSession crash test's child (run as a script): trains a counter model inside
`MonitoredTrainingSession(checkpoint_dir, save_checkpoint_steps=k)` until `last_step`, printing
"start <global step>" once the session is created and "step <global step>" after each run, so the test can SIGKILL
it mid-run and check that a restart resumes from the last checkpoint.

Usage: monitored_crash_child.py CHECKPOINT_DIR K LAST_STEP SLEEP_SECS
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import neuroflow as tf  # noqa: E402


def main(checkpoint_dir, k, last_step, sleep_secs):
    count = tf.Variable(0, dtype=tf.int64, name="count")       # advances with the global step
    global_step = tf.train.get_or_create_global_step()
    train = tf.group(count.assign_add(1), global_step.assign_add(1))
    hooks = [tf.train.StopAtStepHook(last_step=last_step)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoint_dir, save_checkpoint_steps=k,
                                           save_summaries_steps=None, log_step_count_steps=None,
                                           hooks=hooks) as sess:
        raw = sess._tf_sess()
        step, counted = raw.run([global_step, count])
        print(f"start {step} {counted}", flush=True)
        while not sess.should_stop():
            sess.run(train)
            print(f"step {raw.run(global_step)}", flush=True)
            time.sleep(sleep_secs)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
