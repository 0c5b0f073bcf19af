"""`tf.graph_util`: convert_variables_to_constants (freezing), extract_sub_graph."""
