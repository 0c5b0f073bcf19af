"""`tf.examples`: the classic tutorial helpers (`from neuroflow.examples.tutorials.mnist import input_data`)."""
