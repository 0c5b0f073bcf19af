"""A complete TF1-style training workflow on scikit-learn's 8x8 digits (1,797 images):

1. split the data into train / dev / test sets (the dev set chooses when to stop; the test set is touched once),
2. feed training batches through a tf.data pipeline (shuffled each epoch) and switch the same iterator to the
   dev and test sets for evaluation,
3. stop early when dev accuracy stops improving, keeping the best weights,
4. checkpoint the best model with tf.train.Saver and restore it for the final test,
5. repeat everything under three random seeds and report the mean and spread of the test accuracy.

Run: python examples/digits_workflow.py   (needs scikit-learn: pip install "neuroflow[examples]")
"""
import os
import sys
import tempfile

import numpy as np

try:
    from sklearn.datasets import load_digits
except ImportError:
    sys.exit("examples/digits_workflow.py needs scikit-learn for its dataset: "
             "pip install \"neuroflow[examples]\" (or pip install scikit-learn)")

import neuroflow as tf

digits = load_digits()
images = (digits.data / 16.0).astype(np.float32)      # pixel values 0..16 -> 0..1
labels = digits.target.astype(np.int64)


def experiment(seed):
    """Trains one model under `seed` and returns its test accuracy; its checkpoints go to a scratch folder
    that is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"digits-seed{seed}-") as checkpoint_dir:
        return train_and_test(seed, checkpoint_dir)


def train_and_test(seed, checkpoint_dir):
    """Splits, trains with early stopping (checkpointing into `checkpoint_dir`), and tests the best model."""
    # 1. Split: 70% train, 15% dev, 15% test; the same permutation for images and labels.
    x_train, x_dev, x_test, y_train, y_dev, y_test = tf.data.split(
        images, labels, ratios=(0.7, 0.15, 0.15), seed=seed)

    # 2. The input pipeline: one reinitializable iterator, three datasets.
    train_data = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(1000, seed=seed).batch(64)
    dev_data = tf.data.Dataset.from_tensor_slices((x_dev, y_dev)).batch(512)
    test_data = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(512)
    iterator = tf.data.Iterator.from_structure(train_data.output_types, train_data.output_shapes)
    x, y = iterator.get_next()                       # no feed_dict: batches flow straight into the graph
    use_train, use_dev, use_test = (iterator.make_initializer(d) for d in (train_data, dev_data, test_data))

    # The model: a small MLP with dropout, trained with Adam.
    training = tf.placeholder_with_default(False, shape=[])
    hidden = tf.layers.dense(x, 64, activation=tf.nn.relu)
    hidden = tf.layers.dropout(hidden, rate=0.2, training=training, seed=seed)
    logits = tf.layers.dense(hidden, 10)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.int32))

    saver = tf.train.Saver(max_to_keep=1)
    stopper = tf.train.EarlyStopping(patience=5, mode="max")

    def accuracy(sess, init, n):
        sess.run(init)
        hits = 0
        while True:
            try:
                hits += sess.run(correct)
            except tf.errors.OutOfRangeError:
                return hits / n

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(100):
            # One epoch: run the training iterator until the dataset is exhausted.
            sess.run(use_train)
            while True:
                try:
                    sess.run(train_op, {training: True})
                except tf.errors.OutOfRangeError:
                    break
            # 3. Early stopping on the dev set; save each new best model.
            dev_accuracy = accuracy(sess, use_dev, len(y_dev))
            if stopper.best is None or dev_accuracy > stopper.best:
                saver.save(sess, os.path.join(checkpoint_dir, "model"), global_step=epoch)
            if stopper.update(dev_accuracy, sess):
                break

    # 4. A fresh session restores the best checkpoint: the only time the test set is used.
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(checkpoint_dir))
        test_accuracy = accuracy(sess, use_test, len(y_test))
    print(f"seed {seed}: stopped after epoch {stopper.stopped_step}, best dev accuracy {stopper.best:.3f}, "
          f"test accuracy {test_accuracy:.3f}")
    return test_accuracy


# 5. The lecture's advice: run with different random seeds and report the average.
results = tf.train.repeat_with_seeds(experiment, seeds=(0, 1, 2), name="test accuracy")
print(results)
