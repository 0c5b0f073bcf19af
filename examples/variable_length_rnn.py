"""An LSTM learns whether a sequence of +1s and -1s sums to more than zero, from batches whose sequences have
different lengths: each batch is padded only to its own longest sequence, so the graph's time dimension is
known only at run time ([None, None, 1]), and `sequence_length` tells dynamic_rnn where each sequence ends.
The padding is deliberately +1s: a model that read past the true ends would be misled by it."""
import numpy as np

import neuroflow as tf

SHORTEST, LONGEST = 3, 15
rng = np.random.default_rng(0)


def batch(size, longest=LONGEST):
    """Sequences of odd lengths up to `longest` (odd, so no sum is zero) padded with +1s to the batch's longest;
    labels: sum > 0."""
    lengths = rng.choice(np.arange(SHORTEST, longest + 1, 2), size)
    values = rng.choice([-1.0, 1.0], (size, lengths.max(), 1)).astype(np.float32)
    labels = np.array([values[b, :n].sum() > 0 for b, n in enumerate(lengths)], np.int64)
    values[np.arange(lengths.max()) >= lengths[:, None]] = 1.0
    return values, lengths, labels


tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, None, 1])     # [batch, time, features]; time differs batch to batch
lengths = tf.placeholder(tf.int32, [None])
labels = tf.placeholder(tf.int64, [None])
_, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(32), x, sequence_length=lengths, dtype=tf.float32)
logits = tf.layers.dense(state.h, 2)                 # the state at each sequence's own last step
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
train = tf.train.AdamOptimizer(0.01).minimize(loss)

test_x, test_lengths, test_labels = batch(1000)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, 401):
        xb, nb, yb = batch(64, longest=rng.choice(np.arange(SHORTEST, LONGEST + 1, 2)))
        batch_loss, _ = sess.run([loss, train], {x: xb, lengths: nb, labels: yb})
        if step % 100 == 0:
            print(f"step {step}: time steps in this batch {xb.shape[1]}, loss {batch_loss:.4f}")
    acc = sess.run(accuracy, {x: test_x, lengths: test_lengths, labels: test_labels})
    print(f"test accuracy: {acc:.3f}")
