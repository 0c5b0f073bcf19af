"""neuroflow Playground: tinker with a neural network in the browser, trained by neuroflow."""
