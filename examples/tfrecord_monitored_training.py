"""Writes a TFRecord data set of tf.train.Example protos, trains a linear model from it with a tf.data pipeline
inside tf.train.MonitoredTrainingSession (checkpoints every 50 steps), is interrupted mid-run, and resumes from
the last checkpoint: the steps since that checkpoint are trained again, nothing else is lost.

Run: python examples/tfrecord_monitored_training.py
"""
import os
import shutil
import tempfile

import numpy as np

import neuroflow as tf

TRUE_W, TRUE_B = np.array([3.0, -2.0], np.float32), 1.0


def write_data(path, n=1000, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    y = x @ TRUE_W + TRUE_B + rng.normal(0, 0.01, size=n).astype(np.float32)
    with tf.python_io.TFRecordWriter(path) as writer:
        for xi, yi in zip(x, y):
            example = tf.train.Example(features=tf.train.Features(feature={
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=xi)),
                "y": tf.train.Feature(float_list=tf.train.FloatList(value=[yi]))}))
            writer.write(example.SerializeToString())


def parse(record):
    features = tf.parse_single_example(record, {"x": tf.FixedLenFeature([2], tf.float32),
                                                "y": tf.FixedLenFeature([], tf.float32)})
    return features["x"], features["y"]


class Interrupted(Exception):
    """Stands for a crash or a preempted machine."""


def train(data_path, checkpoint_dir, last_step, interrupt_at=None):
    """Builds the model in a fresh graph and trains to `last_step` (raising `Interrupted` at `interrupt_at`)."""
    tf.reset_default_graph()
    dataset = tf.data.TFRecordDataset([data_path]).map(parse).shuffle(1000, seed=1).repeat().batch(32)
    x, y = tf.data.make_one_shot_iterator(dataset).get_next()
    w = tf.Variable(tf.zeros([2]), name="w")
    b = tf.Variable(0.0, name="b")
    loss = tf.reduce_mean(tf.square(tf.reduce_sum(x * w, axis=1) + b - y))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step)
    hooks = [tf.train.StopAtStepHook(last_step=last_step), tf.train.NanTensorHook(loss)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoint_dir, save_checkpoint_steps=50,
                                           save_summaries_steps=None, log_step_count_steps=None,
                                           hooks=hooks) as sess:
        raw = sess._tf_sess()
        print(f"started at step {raw.run(global_step)}")
        while not sess.should_stop():
            sess.run(train_op)
            step = raw.run(global_step)
            if step == interrupt_at:
                raise Interrupted(f"interrupted at step {step}")
        return raw.run([w, b, global_step, loss])


def main():
    folder = tempfile.mkdtemp()
    try:
        data_path = os.path.join(folder, "train.tfrecord")
        checkpoint_dir = os.path.join(folder, "model")
        write_data(data_path)
        try:
            train(data_path, checkpoint_dir, last_step=300, interrupt_at=120)
        except Interrupted as e:
            print(f"{e}; last checkpoint: {os.path.basename(tf.train.latest_checkpoint(checkpoint_dir))}")
        w, b, step, loss = train(data_path, checkpoint_dir, last_step=300)
        print(f"finished at step {step}: w = {np.round(w, 2)}, b = {b:.2f}, loss = {loss:.5f}")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
