"""The MNIST tutorial helpers (`input_data`)."""
