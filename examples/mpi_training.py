"""Data-parallel training over MPI with Horovod's TF1 API (neuroflow.distribute), on scikit-learn's 8x8 digits.
A Horovod program for TensorFlow 1.x runs unchanged with `import neuroflow.distribute as hvd`:

1. `hvd.init()`; each process (rank) reads its own shard of the data: `Dataset.shard(hvd.size(), hvd.rank())`,
2. the optimizer is wrapped in `hvd.DistributedOptimizer`, which averages the gradients across ranks (one fused
   MPI allreduce per step), with the learning rate scaled by the number of ranks,
3. `hvd.broadcast_global_variables(0)` gives every rank rank 0's initial weights (with MonitoredTrainingSession:
   `hooks=[hvd.BroadcastGlobalVariablesHook(0)]`),
4. only rank 0 writes checkpoints (and would write summaries); the test accuracy is averaged over the ranks'
   test shards with `hvd.allreduce`.

Run: mpirun -np 2 python examples/mpi_training.py   (add --oversubscribe with more ranks than cores; as root,
     --allow-run-as-root). Under Slurm: srun -n 4 python examples/mpi_training.py. One process alone also works.
Needs: pip install "neuroflow[mpi,examples]" (mpi4py, Open MPI and scikit-learn).
"""
import os
import sys
import tempfile

import numpy as np

try:
    from sklearn.datasets import load_digits
except ImportError:
    sys.exit("examples/mpi_training.py needs scikit-learn for its dataset: pip install \"neuroflow[examples]\"")

import neuroflow as tf
import neuroflow.distribute as hvd

STEPS = int(os.environ.get("MPI_EXAMPLE_STEPS", "300"))  # steps per rank (the test runs fewer)
BATCH = 32                                                # samples per rank per step

# 1. One process per rank; each reads its own shard of the training data.
try:
    hvd.init()
except ImportError as exc:
    sys.exit(f"examples/mpi_training.py: {exc}")
digits = load_digits()
images = (digits.data / 16.0).astype(np.float32)
x_train, x_test, y_train, y_test = tf.data.split(images, digits.target.astype(np.int64), ratios=(0.8, 0.2), seed=0)

dataset = (tf.data.Dataset.from_tensor_slices((x_train, y_train)).shard(hvd.size(), hvd.rank())
           .shuffle(1000, seed=hvd.rank()).repeat().batch(BATCH))
x, y = dataset.make_one_shot_iterator().get_next()

tf.set_random_seed(hvd.rank())  # different initial weights on purpose: the broadcast below makes them equal
hidden = tf.layers.dense(x, 64, tf.nn.relu)
logits = tf.layers.dense(hidden, 10)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))

# 2. Gradients averaged across ranks; the global batch is size() times larger, so is the learning rate.
optimizer = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.002 * hvd.size()))
global_step = tf.train.get_or_create_global_step()
train_op = optimizer.minimize(loss, global_step=global_step)

# The test accuracy: each rank scores its shard of the test set, the ranks average the counts.
test_x = tf.constant(x_test[hvd.rank()::hvd.size()])
test_y = tf.constant(y_test[hvd.rank()::hvd.size()])
correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(tf.layers.dense(tf.layers.dense(test_x, 64, tf.nn.relu, name="dense",
                                                                                     reuse=True), 10,
                                                                     name="dense_1", reuse=True), 1), test_y),
                                tf.float32))
accuracy = hvd.allreduce(correct, op=hvd.Sum) / hvd.allreduce(tf.cast(tf.size(test_y), tf.float32), op=hvd.Sum)

# 3 and 4. Broadcast rank 0's weights at the start; only rank 0 keeps checkpoints.
saver = tf.train.Saver(max_to_keep=2)
checkpoints = tempfile.TemporaryDirectory(prefix="mpi-training-") if hvd.rank() == 0 else None
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(hvd.broadcast_global_variables(0))
    for _ in range(STEPS):
        _, step_loss, step = sess.run([train_op, loss, global_step])
        if step % 100 == 0 and hvd.rank() == 0:
            print(f"step {step}: loss {step_loss:.4f} (rank 0's batch)")
            saver.save(sess, os.path.join(checkpoints.name, "model"), global_step=step)
    test_accuracy = sess.run(accuracy)
if hvd.rank() == 0:
    print(f"{hvd.size()} ranks, {STEPS} steps of {BATCH} samples per rank: test accuracy {test_accuracy:.3f}")
    print(f"checkpoints (written by rank 0 only): {tf.train.latest_checkpoint(checkpoints.name)}")
    checkpoints.cleanup()
hvd.shutdown()
