"""The Saver crash test's child process (run as a script) and the test's side of it (`Server`, `check_consistent`).

As a script it is a small fork server: it imports neuroflow and builds the model once, then on each "fork" line
from stdin forks a worker that resumes from the latest checkpoint (as a restarted training job would) and saves
forever, each save holding values that all derive from its step: to a new prefix per step (`model.ckpt-<step>`),
or with `--same-prefix` always over `model.ckpt`; in TensorFlow's checkpoint format (Saver's), or with
`--neuroflow-format` in neuroflow's earlier one. The test SIGKILLs the worker at a random moment (or restores
while it saves) and checks the folder. Forking keeps each kill cheap (no new interpreter), so dozens take seconds.

Protocol (one line each): "ready" at start; "fork" -> the worker's pid; "reap" -> the worker's wait status;
"quit" ends the server.
"""
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import neuroflow as tf  # noqa: E402

SHAPES = {"w": ((128, 256), np.float32), "layer/b": ((1000,), np.float64), "n": ((16,), np.int32)}
PREFIX = "model.ckpt"


def expected(step):
    """The values every variable holds in the save at `step` (each differs per element and per step, so a
    mix of two saves or a partly written tensor cannot pass)."""
    out = {}
    for name, (shape, dtype) in SHAPES.items():
        base = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
        out[name] = (base * 0.001 + step).astype(dtype) if dtype != np.int32 else (base + step).astype(dtype)
    out["global_step"] = np.int64(step)
    return out


def build():
    """The model in the default graph: the variables, one assign op fed per variable, and a Saver."""
    variables = {name: tf.Variable(np.zeros(shape, dtype), name=name) for name, (shape, dtype) in SHAPES.items()}
    variables["global_step"] = tf.train.get_or_create_global_step()
    feeds = {name: tf.placeholder(v.dtype.base_dtype, v.shape) for name, v in variables.items()}
    assign = tf.group(*[v.assign(feeds[name]) for name, v in variables.items()])
    saver = tf.train.Saver(max_to_keep=3)
    return variables, feeds, assign, saver


# --- the test's side -------------------------------------------------------------------------------------------------
def check_restored(sess, variables, path):
    """Checks that the values just restored from `path` all come from one single save; returns its step."""
    step = int(sess.run(variables["global_step"]))
    values = expected(step)
    for name, var in variables.items():
        np.testing.assert_array_equal(sess.run(var), values[name], err_msg=f"{name} in {path}")
    return step


def check_consistent(directory, saver, sess, variables):
    """Restores the latest checkpoint and checks that it, and every checkpoint the state file lists, holds the
    values of one single save (of the step its name carries, if any). Returns the latest step, or None when no
    save has completed yet."""
    latest = tf.train.latest_checkpoint(directory)
    if latest is None:
        return None
    saver.restore(sess, latest)
    step = check_restored(sess, variables, latest)
    for path in tf.train.get_checkpoint_state(directory).all_model_checkpoint_paths:
        reader = tf.train.NewCheckpointReader(path)
        values = expected(int(reader.get_tensor("global_step")))
        if path.rsplit("-", 1)[-1].isdigit():
            assert int(path.rsplit("-", 1)[1]) == values["global_step"], path
        for name in variables:
            np.testing.assert_array_equal(reader.get_tensor(name), values[name], err_msg=f"{name} in {path}")
    return step


def _last_commit(directory):
    """What changes exactly when a save completes: the newest checkpoint's name and its index's bytes."""
    latest = tf.train.latest_checkpoint(directory)
    if latest is None:
        return None
    try:
        with open(latest + ".index", "rb") as f:
            return latest, f.read()
    except FileNotFoundError:   # deleted by max_to_keep after a newer save: that newer one changes the name
        return latest, None


class Server:
    """Runs this script as a child process; `start_worker` / `kill_worker` fork and SIGKILL one saving worker.
    Leaving the `with` block stops the worker (if any) and the server."""

    def __init__(self, directory, stderr_path, same_prefix=False, file_format="tensorflow"):
        self._stderr = open(stderr_path, "w+")
        self._directory = directory
        argv = [sys.executable, os.path.abspath(__file__), directory] + (["--same-prefix"] if same_prefix else [])
        argv += ["--neuroflow-format"] if file_format == "neuroflow" else []
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                      text=True, bufsize=1)
        self._commit_at_start = None
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.worker, self.kills = None, 0

    def _pump(self):
        for line in self._proc.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _ask(self, command, timeout=20.0):
        self._proc.stdin.write(command + "\n")
        self._proc.stdin.flush()
        return self._read(timeout)

    def _read(self, timeout=20.0):
        line = self._lines.get(timeout=timeout)
        if line is None:
            raise RuntimeError(f"the crash-test server exited: {self.errors()}")
        return line

    def errors(self):
        self._stderr.seek(0)
        return self._stderr.read()

    def __enter__(self):
        assert self._read(60.0) == "ready", self.errors()
        return self

    def start_worker(self):
        self._commit_at_start = _last_commit(self._directory)
        self.worker = int(self._ask("fork"))

    def wait_for_a_save(self, timeout=120.0):
        """Waits until the worker has completed a save since `start_worker` (so every round makes progress,
        however slow the machine), polling the state file and the newest index."""
        deadline = time.monotonic() + timeout
        while _last_commit(self._directory) == self._commit_at_start:
            if "Traceback" in self.errors():   # the worker failed (it prints its error there and exits)
                raise AssertionError(f"the worker failed: {self.errors()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker completed no save in {timeout} s: {self.errors()}")
            time.sleep(0.002)

    def wait_for_the_next_save(self, timeout=120.0):
        """Waits until the worker completes one more save than it had now."""
        self._commit_at_start = _last_commit(self._directory)
        self.wait_for_a_save(timeout)

    def kill_worker(self):
        """SIGKILLs the worker and checks it died of that signal (not of an error of its own)."""
        os.kill(self.worker, signal.SIGKILL)
        status = int(self._ask("reap"))
        self.worker = None
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, self.errors()
        self.kills += 1

    def __exit__(self, *exc):
        try:
            if self.worker is not None:
                os.kill(self.worker, signal.SIGKILL)
            if self._proc.poll() is None:
                self._proc.stdin.write("quit\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=20)
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()
            self._stderr.close()
        return False


# --- the child's side ------------------------------------------------------------------------------------------------
def _work(directory, sess, feeds, assign, saver, server_pid, same_prefix):
    state = tf.train.get_checkpoint_state(directory)
    step = 0
    if state is not None:
        saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        saver.restore(sess, tf.train.latest_checkpoint(directory))
        step = int(sess.run(tf.train.get_global_step()))
    while os.getppid() == server_pid:   # never outlive the server
        step += 1
        values = expected(step)
        sess.run(assign, {feeds[name]: value for name, value in values.items()})
        saver.save(sess, os.path.join(directory, PREFIX), global_step=None if same_prefix else step)


def main():
    directory = sys.argv[1]
    same_prefix = "--same-prefix" in sys.argv[2:]
    _, feeds, assign, saver = build()
    if "--neuroflow-format" in sys.argv[2:]:
        saver._checkpoint_file_format = "neuroflow"
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    print("ready", flush=True)
    worker = None
    for line in sys.stdin:
        command = line.strip()
        if command == "fork":
            server_pid = os.getpid()
            worker = os.fork()
            if worker == 0:
                try:
                    _work(directory, sess, feeds, assign, saver, server_pid, same_prefix)
                except BaseException:  # noqa: BLE001 - any failure must reach the test as an exit status
                    traceback.print_exc()
                    sys.stderr.flush()
                    os._exit(1)
                os._exit(0)
            print(worker, flush=True)
        elif command == "reap":
            _, status = os.waitpid(worker, 0)
            print(status, flush=True)
        elif command == "quit":
            break


if __name__ == "__main__":
    main()
