"""`tensorflow.python`'s module paths that TF1 tutorials import (`from neuroflow.python.framework import ops`):
thin modules re-exporting neuroflow's one implementation, never copies."""
