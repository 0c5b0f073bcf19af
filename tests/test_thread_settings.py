"""The thread settings are honoured (runtime/cpu_share.py, runtime/blas_threads.py): NEUROFLOW_NUM_THREADS and
ConfigProto(intra_op_parallelism_threads=) fix OpenBLAS's thread count (read back from OpenBLAS) or the pool's
parts; without them the count follows the cores other processes leave free. Each case runs in a fresh process, as
the counts are per process."""
import json
import os
import random
import subprocess
import sys
import textwrap

import pytest

import neuroflow as tf

from neuroflow.runtime import blas_threads, cpu_share

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_openblas = pytest.mark.skipif(blas_threads.openblas_threads() is None,
                                    reason="NumPy's BLAS is not OpenBLAS: there is no thread count to read back")
needs_two_cores = pytest.mark.skipif(cpu_share.usable_cores() < 2, reason="needs at least two usable cores")


def run_fresh(code, **env):
    """Runs `code` in a new Python process (env additions; None removes a variable); returns its last stdout line
    parsed as JSON."""
    environment = dict(os.environ, PYTHONPATH=REPO)
    for name in ("NEUROFLOW_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        environment.pop(name, None)
    for key, value in env.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    prelude = "import json, time\nimport neuroflow as tf\nfrom neuroflow.runtime import blas_threads, cpu_share\n"
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=environment,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the pure parts ----------------------------------------------------------------------------------------------
def fake_proc_stat(per_cpu):
    """/proc/stat text with the given 8 fields per cpu (and the "cpu " total line, which must be ignored)."""
    total = [sum(col) for col in zip(*per_cpu)]
    lines = ["cpu  " + " ".join(map(str, total)) + " 0 0"]
    lines += [f"cpu{i} " + " ".join(map(str, fields)) + " 0 0" for i, fields in enumerate(per_cpu)]
    return "\n".join(lines + ["intr 1 2 3", "ctxt 99"]) + "\n"


def test_busy_ticks_count_the_usable_cpus_without_idle_and_iowait():
    rng = random.Random(3)
    per_cpu = [[rng.randrange(10_000) for _ in range(8)] for _ in range(4)]
    text = fake_proc_stat(per_cpu)
    for cpus in ({0, 1, 2, 3}, {1, 3}, {2}):
        expected = sum(per_cpu[c][i] for c in cpus for i in (0, 1, 2, 5, 6, 7))
        assert cpu_share._busy_ticks(text, cpus) == expected


def test_cores_busy_elsewhere_is_the_busy_time_less_this_process_per_second():
    before = [[100, 0, 50, 1000, 5, 0, 0, 0], [200, 0, 20, 900, 0, 0, 0, 3]]
    after = [[100 + 80, 0, 50 + 10, 1000 + 10, 5, 0, 0, 0], [200 + 40, 0, 20 + 5, 900 + 55, 0, 0, 0, 3 + 5]]
    busy_seconds = ((80 + 10) + (40 + 5 + 5)) / 100
    got = [cpu_share._busy_ticks(fake_proc_stat(t), {0, 1}) / 100 for t in (before, after)]
    assert got[1] - got[0] == pytest.approx(busy_seconds)
    assert cpu_share.cores_busy_elsewhere(*got, 0.6, 0.5) == pytest.approx((busy_seconds - 0.6) / 0.5)
    # this process alone (its own time >= the busy time, as sampling rounds): nobody else
    assert cpu_share.cores_busy_elsewhere(*got, busy_seconds + 0.02, 1.0) == 0


@pytest.mark.parametrize("files,cores", [
    ({"cpu.max": "150000 100000\n"}, 2), ({"cpu.max": "50000 100000\n"}, 1), ({"cpu.max": "max 100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "400000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 4),
    ({"cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, None), ({}, None)])
def test_a_containers_cpu_quota_limits_the_usable_cores(tmp_path, files, cores):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cpu_share.cpu_quota_cores(str(tmp_path)) == cores


def test_under_a_quota_the_competition_is_the_containers_usage(tmp_path):
    assert cpu_share.busy_seconds_reader({0, 1}, quota_limited=True, root=str(tmp_path)) is None
    (tmp_path / "cpu.stat").write_text("usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n")
    read = cpu_share.busy_seconds_reader({0, 1}, quota_limited=True, root=str(tmp_path))
    assert read() == 2.5
    (tmp_path / "cpu.stat").write_text("usage_usec 4000000\n")
    assert read() == 4.0
    (tmp_path / "cpu.stat").unlink()
    (tmp_path / "cpuacct").mkdir()
    (tmp_path / "cpuacct" / "cpuacct.usage").write_text("1500000000\n")
    assert cpu_share.cgroup_usage_seconds(str(tmp_path)) == 1.5


def test_thread_count_drops_at_once_and_rises_after_two_agreeing_samples():
    assert cpu_share.next_thread_count(2, 1.0, 2) == (1, None)      # a neighbour takes a core: one thread now
    assert cpu_share.next_thread_count(2, 3.7, 2) == (1, None)      # never below one
    assert cpu_share.next_thread_count(2, 0.2, 2) == (2, None)      # background noise keeps both
    count, pending = cpu_share.next_thread_count(1, 0.0, 2)         # the neighbour left: wait for a second sample
    assert (count, pending) == (1, 2)
    assert cpu_share.next_thread_count(count, 0.0, 2, pending) == (2, None)
    assert cpu_share.next_thread_count(1, 1.0, 2, pending) == (1, None)  # it came back: the raise is dropped
    assert cpu_share.next_thread_count(2, 1.6, 8, None) == (2, 6)
    assert cpu_share.next_thread_count(2, 3.2, 8, 6) == (5, None)   # both samples wanted more: the smaller wish


# --- settings honoured, read back --------------------------------------------------------------------------------
READ_BACK = """
    sess = tf.Session({config})
    print(json.dumps({{"openblas": blas_threads.openblas_threads(), "threads": cpu_share.threads(),
                      "monitor": cpu_share._state["monitor"] is not None}}))
"""


@needs_openblas
@pytest.mark.parametrize("count", [1, 3])
def test_neuroflow_num_threads_sets_openblas_threads(count):
    got = run_fresh(READ_BACK.format(config=""), NEUROFLOW_NUM_THREADS=str(count))
    assert got == {"openblas": count, "threads": count, "monitor": False}


@needs_openblas
def test_intra_op_parallelism_threads_sets_openblas_threads_and_beats_the_environment():
    code = """
        counts = []
        for n in (1, 2, 0):  # 0: "system picks", so the last positive count stays
            tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=n, inter_op_parallelism_threads=1))
            counts.append([blas_threads.openblas_threads(), cpu_share.threads()])
        print(json.dumps(counts))
    """
    assert run_fresh(code, NEUROFLOW_NUM_THREADS="3") == [[1, 1], [2, 2], [2, 2]]


@needs_openblas
@needs_two_cores
def test_without_settings_the_count_follows_the_cores_others_leave_free():
    # The measurement of other processes is replaced by a scripted one: a neighbour busy on one core, then gone.
    code = """
        cpu_share.SAMPLE_SECONDS = 0.02
        others = [0.0]
        cpu_share.cores_busy_elsewhere = lambda *args: others[0]
        cores = cpu_share.usable_cores()
        def wait_for(count):
            for _ in range(1000):
                if blas_threads.openblas_threads() == count:
                    return True
                time.sleep(0.01)
            return False
        tf.Session()
        seen = [cpu_share._state["monitor"] is not None, wait_for(cores)]
        others[0] = cores - 1.0
        seen.append(wait_for(1))
        others[0] = 0.0
        seen.append(wait_for(cores))
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1))  # a fixed count ends the monitor
        others[0] = 0.0
        time.sleep(0.2)
        seen.append(blas_threads.openblas_threads())
        print(json.dumps(seen))
    """
    assert run_fresh(code) == [True, True, True, True, 1]


@needs_openblas
def test_eager_execution_takes_the_same_settings():
    code = """
        tf.enable_eager_execution(config=tf.ConfigProto(intra_op_parallelism_threads=1))
        print(json.dumps([blas_threads.openblas_threads(), cpu_share._state["monitor"] is not None]))
    """
    assert run_fresh(code) == [1, False]
    code = """
        tf.enable_eager_execution()
        print(json.dumps([cpu_share._state["auto"]]))
    """
    assert run_fresh(code) == [True]


def test_bad_thread_settings_are_refused_with_what_and_where():
    for bad in (1.5, -1, True, "2"):
        with pytest.raises(ValueError, match="intra_op_parallelism_threads must be a whole number"):
            tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=bad))
    code = """
        try:
            tf.Session()
        except ValueError as e:
            print(json.dumps(str(e)))
    """
    message = run_fresh(code, NEUROFLOW_NUM_THREADS="two")
    assert "NEUROFLOW_NUM_THREADS" in message and "'two'" in message


@needs_openblas
@needs_two_cores
def test_pool_parts_follow_the_budget_and_products_stay_exact():
    code = """
        import numpy as np
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1))
        blas_threads.configure()  # what a plan with compiled convolutions does: OpenBLAS on one thread, our pool
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal((512, 300)), rng.standard_normal((300, 700))
        seen = [blas_threads.openblas_threads(), blas_threads.parts(),
                bool(np.array_equal(blas_threads.parallel_matmul(a, b), a @ b))]
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2))
        seen += [blas_threads.openblas_threads(), blas_threads.parts(),
                 bool(np.allclose(blas_threads.parallel_matmul(a, b), a @ b, rtol=1e-12, atol=1e-12))]
        print(json.dumps(seen))
    """
    assert run_fresh(code) == [1, 1, True, 1, 2, True]


@needs_openblas
@needs_two_cores
def test_the_free_cores_rule_sizes_openblas_but_leaves_the_blocking_pool_whole():
    code = """
        tf.Session()
        blas_threads.configure()
        blas_threads.set_budget(1)  # what the monitor does when another process takes a core
        print(json.dumps([blas_threads.openblas_threads(), blas_threads.parts(), blas_threads.threads()]))
    """
    cores = cpu_share.usable_cores()
    assert run_fresh(code) == [1, cores, cores]


@needs_openblas
@needs_two_cores
def test_compiled_convolutions_take_the_users_thread_count():
    """The convolution kernels run their own helper threads; a fixed count must bind them too (it used all cores)."""
    code = """
        from neuroflow.runtime.accel import conv
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1))
        blas_threads.configure()
        seen = [conv._threads()]
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2))
        seen.append(conv._threads())
        print(json.dumps(seen))
    """
    assert run_fresh(code) == [1, 2]


@needs_openblas
@needs_two_cores
@pytest.mark.parametrize("variable", ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"])
def test_blas_thread_variables_the_user_set_are_kept(variable):
    """NumPy users cap BLAS with these; sizing to the free cores set OpenBLAS back to every core (the queue overlap
    benchmark, which runs with one BLAS thread per product, lost its overlap)."""
    code = """
        tf.Session()
        print(json.dumps([blas_threads.openblas_threads(), cpu_share.threads()]))
    """
    assert run_fresh(code, **{variable: "1"}) == [1, 1]
    assert run_fresh(code, **{variable: "1", "NEUROFLOW_NUM_THREADS": "2"}) == [2, 2]   # ours wins
