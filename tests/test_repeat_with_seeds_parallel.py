"""tf.train.repeat_with_seeds(..., parallel=N): seeds in worker processes give the sequential run's results, with
cores/N threads per worker; experiments workers cannot import are refused with the reason (or, by default, run in
this process); a script without the main guard gets a clear error instead of a hang."""
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime import blas_threads, cpu_share
from neuroflow.train import experiment as experiment_module
from neuroflow.train import seed_workers

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_two_cores = pytest.mark.skipif(cpu_share.usable_cores() < 2, reason="needs at least two usable cores")


def tiny_regression(seed):
    """A few gradient steps on a seeded random start: the final loss, which depends on the seed."""
    x = tf.constant(np.linspace(-1, 1, 16, dtype=np.float32).reshape(16, 1))
    w = tf.Variable(tf.random_normal([1, 1]))
    noise = np.random.rand()  # NumPy's global generator is seeded too
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - (3.0 * x + 1.0 + noise)))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        return {"loss": float(sess.run(loss)), "noise": noise}


def where_it_ran(seed):
    tf.Session().close()  # a Session applies the process's thread rule
    rendezvous = os.environ.get("NEUROFLOW_TEST_RENDEZVOUS")
    if rendezvous:   # each seed waits until the other has started: they cannot both run in one worker
        open(os.path.join(rendezvous, f"started-{seed}"), "w").close()
        deadline = time.monotonic() + 60
        while len(os.listdir(rendezvous)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    return {"pid": os.getpid(), "threads": cpu_share.threads(), "openblas": blas_threads.openblas_threads() or 0}


def fails_on_seed_one(seed):
    if seed == 1:
        raise KeyError(f"no data for seed {seed}")
    return 0.0


@needs_two_cores
def test_two_workers_give_the_sequential_results():
    sequential = tf.train.repeat_with_seeds(tiny_regression, seeds=(0, 1, 2), parallel=1)
    parallel = tf.train.repeat_with_seeds(tiny_regression, seeds=(0, 1, 2), parallel=2)
    assert parallel.seeds == sequential.seeds
    assert parallel.values == sequential.values and len({v["loss"] for v in parallel.values}) == 3
    assert str(parallel) == str(sequential)


@needs_two_cores
def test_workers_are_other_processes_with_the_cores_split(monkeypatch, tmp_path):
    monkeypatch.delenv("NEUROFLOW_NUM_THREADS", raising=False)
    monkeypatch.setenv("NEUROFLOW_TEST_RENDEZVOUS", str(tmp_path))   # on a loaded machine one worker could
    # otherwise finish the first seed before the second worker had started, and take the second seed too
    results = tf.train.repeat_with_seeds(where_it_ran, seeds=(0, 1), parallel=2)
    pids = {v["pid"] for v in results.values}
    assert os.getpid() not in pids and len(pids) == 2
    share = max(1, cpu_share.usable_cores() // 2)
    assert [v["threads"] for v in results.values] == [share, share]
    if blas_threads.openblas_threads() is not None:
        assert [v["openblas"] for v in results.values] == [share, share]


@needs_two_cores
def test_default_runs_the_first_seed_here_and_the_rest_in_workers_when_it_was_slow(monkeypatch):
    assert seed_workers.default_parallel(where_it_ran, 5) == min(5, cpu_share.usable_cores())
    assert seed_workers.default_parallel(where_it_ran, 1) == 1
    assert seed_workers.default_parallel(lambda seed: 0.0, 5) == 1
    here = os.getpid()
    monkeypatch.setattr(experiment_module, "MIN_SECONDS_FOR_WORKERS", 0.0)  # every seed counts as slow
    results = tf.train.repeat_with_seeds(where_it_ran, seeds=(0, 1, 2))
    assert [v["pid"] == here for v in results.values] == [True, False, False]
    monkeypatch.setattr(experiment_module, "MIN_SECONDS_FOR_WORKERS", 1e9)  # every seed counts as quick
    results = tf.train.repeat_with_seeds(where_it_ran, seeds=(0, 1, 2))
    assert {v["pid"] for v in results.values} == {here}
    monkeypatch.setattr(experiment_module, "MIN_SECONDS_FOR_WORKERS", 0.0)
    results = tf.train.repeat_with_seeds(lambda seed: {"pid": os.getpid()}, seeds=(0, 1, 2))  # not importable
    assert {v["pid"] for v in results.values} == {here}


def test_experiments_workers_cannot_import_are_refused_with_the_reason():
    def nested(seed):
        return 0.0
    with pytest.raises(ValueError, match=r"cannot be imported: it is a lambda.*parallel=1"):
        tf.train.repeat_with_seeds(lambda seed: 0.0, seeds=(0, 1), parallel=2)
    with pytest.raises(ValueError, match="it is defined inside another function"):
        tf.train.repeat_with_seeds(nested, seeds=(0, 1), parallel=2)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="parallel must be a whole number"):
            tf.train.repeat_with_seeds(tiny_regression, seeds=(0, 1), parallel=bad)


@needs_two_cores
def test_the_experiments_error_comes_back_as_itself():
    with pytest.raises(KeyError, match="no data for seed 1"):
        tf.train.repeat_with_seeds(fails_on_seed_one, seeds=(0, 1, 2), parallel=2)


def run_python(args, cwd):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=dict(os.environ, PYTHONPATH=REPO))


SCRIPT = """
    import os
    import neuroflow as tf

    def experiment(seed):
        return {"pid": os.getpid(), "seed": seed}

    {call}
"""


@needs_two_cores
def test_scripts_and_notebooks(tmp_path):
    # A script's experiment: by default one after another in this process (its top-level code may be unguarded),
    # however long a seed takes.
    code = textwrap.dedent(SCRIPT).replace("import neuroflow as tf", "import neuroflow as tf\n"
                                           "import neuroflow.train.experiment as nf_experiment\n"
                                           "nf_experiment.MIN_SECONDS_FOR_WORKERS = 0")
    call = ('r = tf.train.repeat_with_seeds(experiment, seeds=(0, 1))\n'
            'print(sorted({v["pid"] == os.getpid() for v in r.values}))')
    (tmp_path / "unguarded.py").write_text(code.replace("{call}", call))
    done = run_python([str(tmp_path / "unguarded.py")], tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["[True]"], done.stderr[-2000:]
    # Asked for workers with the guard: they run it.
    call = ('if __name__ == "__main__":\n'
            '        r = tf.train.repeat_with_seeds(experiment, seeds=(0, 1), parallel=2)\n'
            '        print(sorted({v["pid"] == os.getpid() for v in r.values}), r.mean["seed"])')
    (tmp_path / "guarded.py").write_text(textwrap.dedent(SCRIPT).replace("{call}", call))
    done = run_python([str(tmp_path / "guarded.py")], tmp_path)
    assert done.returncode == 0 and done.stdout.split() == ["[False]", "0.5"], done.stderr[-2000:]
    # Asked for workers without the guard: a clear error in this process (not a hang, not a loop of workers).
    call = "tf.train.repeat_with_seeds(experiment, seeds=(0, 1), parallel=2)"
    (tmp_path / "unguarded_parallel.py").write_text(textwrap.dedent(SCRIPT).replace("{call}", call))
    done = run_python([str(tmp_path / "unguarded_parallel.py")], tmp_path)
    assert done.returncode != 0
    assert "RuntimeError: repeat_with_seeds: a worker process ended" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr
    # Typed interactively (python -c, a notebook): refused with the reason when workers are asked for.
    done = run_python(["-c", textwrap.dedent(SCRIPT).replace("{call}", call)], tmp_path)
    assert done.returncode != 0 and "defined in an interactive session" in done.stderr
