"""runtime/cpu_share.py shares the free cores among the runs in flight in this process (a QueueRunner thread and the
training loop): the per-thread CPU times it reads from /proc/self/task agree with the kernel's own thread clock,
neuroflow's helper threads are no runs, the busy threads count, and the thread count is the free cores divided
evenly among them; the monitor lowers OpenBLAS's count while two threads compute and restores it after."""
import os
import threading
import time

import pytest

from neuroflow.runtime import cpu_share
from test_thread_settings import needs_openblas, needs_two_cores, run_fresh

needs_proc_tasks = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="no /proc/self/task (not Linux)")


def test_the_free_cores_are_divided_evenly_among_the_runs_in_flight():
    assert cpu_share.next_thread_count(2, 0.0, 2, runs=2) == (1, None)      # queue runner + training loop, 2 cores
    assert cpu_share.next_thread_count(16, 0.0, 16, runs=3) == (5, None)    # whole shares: 3 x 5 of 16
    assert cpu_share.next_thread_count(16, 4.2, 16, runs=3) == (4, None)    # 12 free cores among 3 runs
    assert cpu_share.next_thread_count(4, 1.0, 4, runs=5) == (1, None)      # more runs than cores: one each
    assert cpu_share.next_thread_count(1, 0.0, 2, runs=2) == (1, None)      # already fair: no raise pending
    assert cpu_share.next_thread_count(2, 0.0, 2, runs=1) == (2, None)      # one run keeps the free cores
    count, pending = cpu_share.next_thread_count(1, 0.0, 2, runs=1)         # a run ended: rise after two samples
    assert (count, pending) == (1, 2)
    assert cpu_share.next_thread_count(count, 0.0, 2, pending, runs=1) == (2, None)
    assert cpu_share.next_thread_count(1, 0.0, 2, pending, runs=2) == (1, None)  # it came back: raise dropped


def test_threads_busy_for_a_quarter_of_the_sample_are_runs_in_flight():
    before = {1: 100, 2: 100, 3: 100}
    # 0.25 s at 100 ticks/s: 25 ticks of wall time; a quarter of it is 6.25 ticks
    after = {1: 120, 2: 106, 3: 107, 4: 50}  # 4 started during the sample: no earlier reading, not counted
    assert cpu_share.runs_in_flight(before, after, 0.25, 100) == 2
    assert cpu_share.runs_in_flight(before, {1: 101, 2: 100}, 0.25, 100) == 1  # all idle: still one run
    assert cpu_share.runs_in_flight({}, {}, 0.25, 100) == 1  # nothing readable: the rule as without threads


@needs_proc_tasks
def test_thread_ticks_match_the_kernels_thread_clock_and_leave_out_neuroflows_helpers():
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, name="neuroflow-test-helper")
    worker = threading.Thread(target=stop.wait, name="QueueRunnerLike")
    helper.start()
    worker.start()
    try:
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        start = time.thread_time()
        while time.thread_time() - start < 0.3:  # burn CPU in this thread
            sum(range(1000))
        ticks = cpu_share.kernel_thread_ticks()
        clock = time.thread_time()
        assert helper.native_id not in ticks
        assert worker.native_id in ticks and ticks[worker.native_id] <= 1  # it only waits
        assert ticks[threading.get_native_id()] / ticks_per_second == pytest.approx(clock, abs=0.05)
    finally:
        stop.set()
        helper.join()
        worker.join()


@needs_openblas
@needs_two_cores
@needs_proc_tasks
def test_the_monitor_gives_two_computing_threads_a_share_each_and_restores_the_count_after():
    # Other processes are scripted away (none busy); the threads' own CPU time is real, read from /proc.
    code = """
        import threading
        import numpy as np
        cpu_share.SAMPLE_SECONDS = 0.05
        cpu_share.BUSY_SHARE = 0.05  # a loaded test machine may give each thread little CPU; any busy one counts
        cpu_share.cores_busy_elsewhere = lambda *args: 0.0
        cores = cpu_share.usable_cores()
        def wait_for(count):
            for _ in range(1000):
                if blas_threads.openblas_threads() == count:
                    return True
                time.sleep(0.01)
            return False
        tf.Session()
        seen = [wait_for(cores)]
        stop = threading.Event()
        def compute():
            a = np.random.rand(256, 256)
            while not stop.is_set():
                a @ a
        workers = [threading.Thread(target=compute) for _ in range(2)]
        for w in workers:
            w.start()
        seen.append(wait_for(max(1, cores // 2)))
        stop.set()
        for w in workers:
            w.join()
        seen.append(wait_for(cores))
        print(json.dumps(seen))
    """
    assert run_fresh(code) == [True, True, True]
