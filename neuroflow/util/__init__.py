"""Small utilities shared across neuroflow (TensorFlow's `tensorflow.python.util`)."""
