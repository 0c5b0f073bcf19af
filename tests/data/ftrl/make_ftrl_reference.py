"""Writes ftrl_reference.json: TensorFlow 2.21's tf.compat.v1.train.FtrlOptimizer on a fixed quadratic loss, the
variable and its accum/linear slots after each of 4 steps, for several settings (tests/test_ftrl.py).
Run with the anchors' python: ~/.cache/neuroflow-anchors/bin/python make_ftrl_reference.py"""
import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
SETTINGS = [dict(learning_rate=0.3), dict(learning_rate=0.1, l1_regularization_strength=0.05),
            dict(learning_rate=0.2, l2_regularization_strength=0.1, learning_rate_power=-0.7,
                 initial_accumulator_value=0.5),
            dict(learning_rate=0.2, l1_regularization_strength=0.01, l2_shrinkage_regularization_strength=0.2)]
START = [1.0, -2.0, 0.5, 0.02]
TARGET = [0.3, 0.1, -1.0, 2.0]


def main():
    out = []
    for setting in SETTINGS:
        with tf.Graph().as_default():
            var = tf.Variable(np.array(START, np.float32), name="w")
            loss = tf.reduce_sum(tf.square(var - TARGET) * [1.0, 2.0, 0.5, 3.0])
            opt = tf.train.FtrlOptimizer(**setting)
            train = opt.minimize(loss)
            steps = []
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(4):
                    sess.run(train)
                    steps.append([sess.run(v).tolist() for v in (var, opt.get_slot(var, "accum"),
                                                                 opt.get_slot(var, "linear"))])
                names = sorted(v.op.name for v in tf.global_variables())
        out.append({"setting": setting, "steps": steps, "variables": names})
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ftrl_reference.json"), "w") as f:
        json.dump({"start": START, "target": TARGET, "runs": out}, f, indent=1)


if __name__ == "__main__":
    main()
