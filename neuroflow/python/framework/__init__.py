"""`tensorflow.python.framework`: ops, dtypes, tensor_shape, constant_op, errors, graph_util, random_seed,
sparse_tensor — each an alias module of neuroflow's framework."""
