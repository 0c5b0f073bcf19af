"""Running the seeds of `tf.train.repeat_with_seeds` in worker processes (`parallel=N`).

Workers are started with multiprocessing's "spawn" method (a fresh interpreter: no inherited threads or locks, the
same on every OS), so the experiment travels by reference and must be importable: a function at the top level of a
module, or of a script whose top-level code is under `if __name__ == "__main__":` (workers import the script).
Lambdas, functions defined inside other functions and functions typed into a notebook or the REPL are not; asking
for workers with one is refused with the reason, while the default (`parallel=None`) quietly runs such experiments
one after another in this process, as before. Each worker runs with cores/N threads (NEUROFLOW_NUM_THREADS, unless
the user set it), so N trainings share the cores instead of each taking them all.
"""
import os
import pickle
import sys

from ..runtime.cpu_share import usable_cores

__all__ = ["default_parallel", "run_in_workers", "why_not_importable"]

_MAIN_GUARD_ADVICE = ('worker processes import your script to find the experiment, so its top-level code (the call '
                      'to repeat_with_seeds included) must be under `if __name__ == "__main__":`')


def why_not_importable(experiment):
    """None when worker processes can import `experiment`, else why they cannot (for the error message)."""
    qualname = getattr(experiment, "__qualname__", "")
    if "<lambda>" in qualname:
        return "it is a lambda"
    if "<locals>" in qualname:
        return "it is defined inside another function"
    if getattr(experiment, "__module__", None) == "__main__" and not getattr(sys.modules.get("__main__"),
                                                                            "__file__", None):
        return "it is defined in an interactive session (a notebook or the REPL), which worker processes cannot import"
    try:
        pickle.dumps(experiment)
    except Exception as e:  # pickle raises many kinds (PicklingError, TypeError, AttributeError)
        return f"it cannot be pickled ({type(e).__name__}: {e})"
    return None


def _in_worker_or_child():
    import multiprocessing
    return multiprocessing.parent_process() is not None


def default_parallel(experiment, seed_count):
    """How many workers `parallel=None` uses: one per seed up to the usable cores, for an experiment defined in an
    importable module (not a script or notebook) when there are two cores and two seeds; else 1 (this process)."""
    workers = min(usable_cores(), seed_count)
    if workers < 2 or getattr(experiment, "__module__", "__main__") == "__main__":
        return 1
    if why_not_importable(experiment) is not None or _in_worker_or_child():
        return 1
    return workers


def check_parallel(experiment, parallel):
    """The worker count for an explicit `parallel` (refusing experiments workers cannot import)."""
    if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
        raise ValueError(f"repeat_with_seeds: parallel must be a whole number of worker processes of at least 1 "
                         f"(1: one seed after another in this process; None: chosen from the cores), not "
                         f"{parallel!r}")
    if parallel > 1:
        reason = why_not_importable(experiment)
        if reason is not None:
            name = getattr(experiment, "__qualname__", repr(experiment))
            raise ValueError(f"repeat_with_seeds(parallel={parallel}) runs the experiment in worker processes, which "
                             f"must import it, but {name!r} cannot be imported: {reason}. Define it at the top level "
                             f"of a .py module (and import it), or pass parallel=1 to run the seeds in this process.")
    return parallel


def _start_worker(threads, eager):
    if not os.environ.get("NEUROFLOW_NUM_THREADS"):
        os.environ["NEUROFLOW_NUM_THREADS"] = str(threads)
    if eager:
        from ..framework.context import enable_eager_execution
        enable_eager_execution()


def refuse_while_bootstrapping():
    """Raises when called while a spawned worker imports the main script (its top-level code is not guarded)."""
    import multiprocessing
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(f"repeat_with_seeds was called while a worker process was starting: {_MAIN_GUARD_ADVICE}.")


def run_in_workers(run_one, experiment, seeds, parallel, eager):
    """Yields (seed, run_one(experiment, seed)) in seed order, computed by `parallel` spawned worker processes
    with usable cores / parallel threads each; the experiment's exceptions come back as themselves."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    threads = max(1, usable_cores() // parallel)
    pool = ProcessPoolExecutor(parallel, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(threads, eager))
    try:
        futures = [pool.submit(run_one, experiment, seed) for seed in seeds]
        for seed, future in zip(seeds, futures):
            try:
                value = future.result()
            except BrokenProcessPool as e:
                raise RuntimeError(f"repeat_with_seeds: a worker process ended without returning the result of seed "
                                   f"{seed} (its error, if any, is printed above). If the experiment is defined in a "
                                   f"script, {_MAIN_GUARD_ADVICE}; or pass parallel=1 to run the seeds in this "
                                   f"process.") from e
            yield seed, value
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
