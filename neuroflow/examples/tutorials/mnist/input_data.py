"""`read_data_sets`: the classic MNIST loader (IDX files, train/validation/test, next_batch)."""
