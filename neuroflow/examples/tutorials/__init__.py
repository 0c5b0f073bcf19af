"""TensorFlow 1.x tutorial helpers."""
