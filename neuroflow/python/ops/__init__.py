"""`tensorflow.python.ops`: the op modules TF1 code imports (array_ops, math_ops, nn_ops, init_ops,
variable_scope, control_flow_ops, ...), each looking names up in neuroflow's public namespaces — no copies."""
