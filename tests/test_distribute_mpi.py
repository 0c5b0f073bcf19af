"""neuroflow.distribute across real MPI processes: 2 and 4 ranks started with the mpirun of the `mpi` extra's Open
MPI wheel run tests/distribute_child.py. N ranks on batch shards train to the weights one process reaches on the
whole batches (SGD and Adam; graph mode, eager mode, Keras fit); collectives give NumPy's results across dtypes and
shapes (0-d, empty); broadcast makes ranks equal; a rank that raises, is killed or hangs stops the job within
seconds with a message naming it; mismatched collectives are named. Skipped when mpi4py or mpirun is absent."""
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="the mpi extra (mpi4py + Open MPI) is not installed")

import distribute_child as child  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MPIRUN = shutil.which("mpirun", path=os.path.dirname(sys.executable)) or shutil.which("mpirun")
pytestmark = pytest.mark.skipif(MPIRUN is None, reason="no mpirun next to the Python interpreter or on PATH")


def launch(ranks, scenario, out, timeout=90, env=None):
    """Runs the child on `ranks` processes; returns (exit code, output, seconds)."""
    command = [MPIRUN, "-np", str(ranks), "--oversubscribe"]
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")  # Open MPI refuses root otherwise (CI runs as root)
    command += [sys.executable, os.path.join(HERE, "distribute_child.py"), scenario, str(out)]
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([HERE, os.path.dirname(HERE)]),
                       OMPI_MCA_rmaps_base_oversubscribe="1", **(env or {}))
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                          env=environment, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, time.monotonic() - start


@pytest.fixture(scope="module", params=[2, 4], ids=["2-ranks", "4-ranks"])
def job(request, tmp_path_factory):
    """The 'all' scenario's per-rank results for `ranks` processes."""
    ranks = request.param
    out = tmp_path_factory.mktemp(f"ranks{ranks}")
    code, output, _ = launch(ranks, "all", out)
    assert code == 0, output
    load = {kind: [dict(np.load(out / f"{kind}_rank{r}.npz")) for r in range(ranks)]
            for kind in ("collectives", "broadcast", "training")}
    return ranks, load


@pytest.fixture(scope="module")
def reference():
    """One process, no MPI, plain optimizers, the whole global batch per step."""
    data = child.dataset()
    return {f"{mode} {kind}": trainer(kind, data, child.GLOBAL_BATCH, False)
            for mode, trainer in child.TRAINERS.items() for kind in ("sgd", "adam")}


@pytest.mark.parametrize("mode", ["graph", "eager", "keras"])
@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_ranks_on_shards_train_like_one_process_on_the_whole_batch(job, reference, mode, kind):
    ranks, load = job
    expected = reference[f"{mode} {kind}"]
    for name, value in expected.items():
        if name == "loss":
            continue
        initial = child.initial_weights()[name]
        assert np.abs(value - initial).max() > 1e-3, "training must move every weight for the test to mean much"
        got = [load["training"][r][f"{mode} {kind} {name}"] for r in range(ranks)]
        for r in range(ranks):
            np.testing.assert_array_equal(got[r], got[0], err_msg=f"rank {r} differs from rank 0 in {name}")
        np.testing.assert_allclose(got[0], value, rtol=2e-5, atol=2e-6, err_msg=f"{mode} {kind} {name}")


def test_keras_metric_average_callback_averages_the_loss_over_ranks(job):
    ranks, load = job
    losses = [float(load["training"][r]["keras sgd loss"]) for r in range(ranks)]
    assert max(losses) == min(losses)


def _expected_collectives(ranks):
    per_rank = [child.collective_values(r) for r in range(ranks)]
    expected = {}
    for key in per_rank[0]:
        values = [p[key] for p in per_rank]
        dtype = values[0].dtype
        total = np.sum(values, axis=0, dtype=dtype)
        if dtype != np.bool_:
            expected["average " + key] = (total // dtype.type(ranks) if dtype.kind in "iu"
                                          else (np.sum(np.asarray(values, np.complex128 if dtype.kind == "c" else
                                                                  np.float64), axis=0) / ranks).astype(dtype))
            expected["sum " + key] = total
        else:
            expected["sum " + key] = np.logical_or.reduce(values)
        if dtype.kind != "c":
            expected["max " + key] = np.max(values, axis=0)
            expected["min " + key] = np.min(values, axis=0)
        expected["broadcast " + key] = values[-1]
        if values[0].ndim:
            expected["allgather " + key] = np.concatenate([np.repeat(v, r + 1, axis=0) for r, v in enumerate(values)])
    expected["grouped0"] = np.float32(np.mean(np.arange(ranks)))
    expected["grouped1"] = np.full(3, np.sum(np.arange(ranks)) // ranks, np.int32)
    expected["grouped2"] = np.full((2, 2), np.mean(np.arange(ranks)))
    expected["eager average"] = (np.array([1.0, 2.0]) * np.mean(np.arange(1, ranks + 1))).astype(np.float32)
    expected["eager allgather"] = np.concatenate([[[r, r]] * (r + 1) for r in range(ranks)]).astype(np.int32)
    expected["eager broadcast"] = np.array([0, 0], np.int32)
    return expected


def _expected_gradients(rank, ranks):
    """d/dx of sum(allreduce(x)) + sum(broadcast(x, last rank)): 1 from the average, plus the sum of every rank's
    ones on the root only; d/drows of sum(allgather(rows)**2): this rank's rows of the sum over ranks of 2 * g."""
    return {"grad x": np.full((1, 3), 1.0 + (ranks if rank == ranks - 1 else 0)),
            "grad rows": np.full((rank + 1, 3), 2.0 * ranks * (rank + 1))}


def test_rank_queries_on_one_machine(job):
    ranks, load = job
    for r in range(ranks):
        # rank, size, local rank and size (one machine), cross rank and size (one machine), homogeneous, enabled
        np.testing.assert_array_equal(load["collectives"][r]["queries"], [r, ranks, r, ranks, 0, 1, 1, 1])


def test_collectives_and_their_gradients_across_dtypes_and_shapes_match_numpy(job):
    ranks, load = job
    for r in range(ranks):
        got = dict(load["collectives"][r])
        del got["queries"]
        expected = dict(_expected_collectives(ranks), **_expected_gradients(r, ranks))
        assert sorted(got) == sorted(expected)
        for key, value in expected.items():
            assert got[key].dtype == value.dtype and got[key].shape == value.shape, (r, key, got[key], value)
            tolerance = 1e-3 if value.dtype == np.float16 else 1e-6
            np.testing.assert_allclose(got[key], value, rtol=tolerance, err_msg=f"rank {r}: {key}")


def test_broadcast_makes_ranks_equal_from_different_initial_values(job):
    ranks, load = job
    results = load["broadcast"]
    assert not np.array_equal(results[0]["before"], results[1]["before"]), "the ranks must start different"
    for r in range(ranks):
        np.testing.assert_array_equal(results[r]["after"], results[0]["before"])
        # A new session initializes each rank's variable to its own value again; the hook replaces it by rank 0's.
        np.testing.assert_array_equal(results[r]["hooked"], results[0]["before"])
        np.testing.assert_array_equal(results[r]["keras_after"], results[0]["keras_before"])  # Keras callback
    assert not np.array_equal(results[0]["keras_before"], results[1]["keras_before"])


def test_a_killed_rank_stops_the_job_fast_naming_it(tmp_path):
    code, output, seconds = launch(2, "killed", tmp_path, timeout=60)
    assert code != 0 and seconds < 30, output
    assert "rank 1" in output and "signal 9" in output, output
    assert not (tmp_path / "done_rank0").exists()


def test_a_rank_that_raises_aborts_every_rank_naming_it(tmp_path):
    code, output, seconds = launch(2, "raises", tmp_path, timeout=60)
    assert code != 0 and seconds < 30, output
    assert "rank 1 of 2 stopped with an uncaught ValueError: rank one cannot go on" in output, output
    assert not (tmp_path / "done_rank0").exists()


def test_a_hung_rank_times_out_naming_it(tmp_path):
    code, output, seconds = launch(2, "hangs", tmp_path, timeout=60, env={"NEUROFLOW_MPI_TIMEOUT": "2"})
    assert code != 0 and seconds < 30, output
    assert re.search(r"rank 0 has waited \d+ s in allreduce\(average\) 'step' of float32\[4\] for rank\(s\) \[1\]",
                     output), output
    assert "CollectiveTimeoutError" in output, output


def test_mismatched_collectives_name_each_ranks_call(tmp_path):
    code, output, seconds = launch(2, "mismatch", tmp_path, timeout=60)
    assert code != 0, output
    assert "Mismatched collectives across ranks" in output, output
    assert "rank 0: allreduce(average) 'grads' of float32[3]" in output, output
    assert "rank 1: allreduce(average) 'grads' of float32[4]" in output, output


def test_the_example_trains_with_mpirun_on_two_ranks(tmp_path):
    """examples/mpi_training.py under `mpirun -np 2`: the digits classifier learns (the full run reaches ~0.97)."""
    pytest.importorskip("sklearn", reason="the example's dataset needs scikit-learn")
    command = [MPIRUN, "-np", "2", "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    command += [sys.executable, os.path.join(os.path.dirname(HERE), "examples", "mpi_training.py")]
    env = dict(os.environ, MPI_EXAMPLE_STEPS="120", TMPDIR=str(tmp_path))
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout
    line = [l for l in done.stdout.splitlines() if "test accuracy" in l]
    assert len(line) == 1 and line[0].startswith("2 ranks, 120 steps"), done.stdout  # printed by rank 0 only
    assert float(line[0].rsplit(" ", 1)[1]) > 0.85, done.stdout
    assert not list(tmp_path.iterdir()), "the example must remove its checkpoint folder"
