"""The Keras engine: layers, the functional network graph, Sequential, and training."""
