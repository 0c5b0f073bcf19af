"""tf.train.Saver's crash safety, in both checkpoint formats: a saving process SIGKILLed at random moments always
leaves a complete checkpoint, and restores racing a process that keeps saving the same prefix each get one whole
save (the processes come from saver_crash_child.py)."""
import os
import random
import time

import numpy as np
import pytest

import neuroflow as tf

import saver_crash_child


def _files(directory):
    return sorted(os.listdir(directory))


def _is_partial(filename):
    return ".tmp." in filename or ".save-" in filename   # a temp file, or a save's data before its index switch


def _wait_for_a_partial_file(directory, timeout=10.0):
    """Returns as soon as a save's temp or side file shows up (or after `timeout`): random moments alone landed in
    the middle of a write too rarely when the machine was busy (writes are short beside the rest of a cycle)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not any(_is_partial(f) for f in _files(directory)):
        pass


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash test's server forks its workers")
@pytest.mark.parametrize("same_prefix, file_format", [(False, "tensorflow"), (True, "tensorflow"), (True, "neuroflow")],
                         ids=["prefix-per-step", "same-prefix-overwrites", "same-prefix-neuroflow-format"])
def test_sigkill_at_random_moments_always_leaves_a_complete_checkpoint(tmp_path, same_prefix, file_format):
    directory = str(tmp_path)
    variables, _, _, saver = saver_crash_child.build()
    rng = random.Random(20240)
    kills, steps, mid_write = 40, [], 0
    with saver_crash_child.Server(directory, tmp_path.parent / f"{tmp_path.name}-stderr.txt", same_prefix,
                                  file_format) as server, tf.Session() as sess:
        # At least `kills` rounds, and more (up to 4x) until 3 kills landed mid-write.
        while server.kills < kills or mid_write < 3 and server.kills < 4 * kills:
            server.start_worker()
            server.wait_for_a_save()      # progress each round, however slow the machine
            if server.kills % 2:          # every other kill lands while a file is being written
                _wait_for_a_partial_file(directory)
            else:                         # the others at a random moment of one whole save cycle, timed
                began = time.monotonic()
                server.wait_for_the_next_save()
                time.sleep(rng.uniform(0.0, time.monotonic() - began))
            server.kill_worker()          # SIGKILL: no cleanup, no flush, at a random point of a save
            mid_write += any(_is_partial(f) for f in _files(directory))
            step = saver_crash_child.check_consistent(directory, saver, sess, variables)
            if steps:
                assert step >= steps[-1]   # never back to an older save
            steps.append(step)
        # A last worker completes two saves before its kill: a save's completion shows at its index switch,
        # before it removes the partial files of dead writers, so only the second one proves the first's cleanup
        # done (rounds killed inside that cleanup can leave one side file each until a save gets through it).
        server.start_worker()
        server.wait_for_a_save()
        server.wait_for_the_next_save()
        server.kill_worker()
        steps.append(saver_crash_child.check_consistent(directory, saver, sess, variables))
    assert server.kills == len(steps) >= kills
    assert steps[-1] >= len(steps), steps   # each round's completed save survived the kills after it
    assert mid_write >= 3, "too few kills landed in the middle of writing a file"   # the kills hit mid-save
    # Partial files of dead writers are removed when the same checkpoint is written again: at most the last
    # kill's are left (its index temp file and its data's side file).
    assert sum(".tmp." in f for f in _files(directory)) <= 1, _files(directory)
    assert sum(".save-" in f for f in _files(directory)) <= 1, _files(directory)
    if same_prefix:
        assert {f for f in _files(directory) if not _is_partial(f)} == {
            "checkpoint", "model.ckpt.data-00000-of-00001", "model.ckpt.index", "model.ckpt.meta"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the test's saving process is forked by the crash-test server")
@pytest.mark.parametrize("file_format", ["tensorflow", "neuroflow"])
def test_restore_while_another_process_saves_the_same_prefix_gets_one_whole_save(tmp_path, file_format):
    directory = str(tmp_path)
    variables, _, _, saver = saver_crash_child.build()
    prefix = os.path.join(directory, saver_crash_child.PREFIX)
    seen = set()
    with saver_crash_child.Server(directory, tmp_path.parent / f"{tmp_path.name}-stderr.txt", True,
                                  file_format) as server, tf.Session() as sess:
        server.start_worker()
        server.wait_for_a_save()
        restores = 0
        while restores < 150 or len(seen) < 20:   # many restores, overlapping many saves
            saver.restore(sess, prefix)            # never a "corrupted" error for a save in progress
            seen.add(saver_crash_child.check_restored(sess, variables, prefix))
            reader = tf.train.NewCheckpointReader(prefix)   # a reader's tensors all come from one save too
            step = int(reader.get_tensor("global_step"))
            np.testing.assert_array_equal(reader.get_tensor("w"), saver_crash_child.expected(step)["w"])
            restores += 1
            assert restores < 20000, f"the saving process made too little progress: {sorted(seen)}"
        server.kill_worker()
    assert len(seen) >= 20
