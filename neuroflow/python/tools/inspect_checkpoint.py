"""`tensorflow.python.tools.inspect_checkpoint`: print what a checkpoint holds (the "Save and Restore" guide's
`chkp.print_tensors_in_checkpoint_file`), in TensorFlow's format, through `tf.train.NewCheckpointReader`."""
import re

import numpy as np

from ...train.checkpoint_utils import NewCheckpointReader

__all__ = ["print_tensors_in_checkpoint_file"]


def _count_params(reader, count_exclude_pattern=""):
    exclude = re.compile(count_exclude_pattern) if count_exclude_pattern else None
    shapes = reader.get_variable_to_shape_map()
    return sum(int(np.prod(shape, dtype=np.int64)) for name, shape in shapes.items()
               if exclude is None or not exclude.search(name))


def print_tensors_in_checkpoint_file(file_name, tensor_name, all_tensors, all_tensor_names=False,
                                     count_exclude_pattern=""):
    """Prints the tensors of the checkpoint prefix `file_name`: every name and value (`all_tensors`), every name
    (`all_tensor_names`), one tensor (`tensor_name`), or else one `name (DT_FLOAT) [shape]` line per tensor; then
    the total number of parameters. A checkpoint that cannot be read prints its error, as in TensorFlow.

    Example:
        >>> chkp.print_tensors_in_checkpoint_file("/tmp/model.ckpt", tensor_name="", all_tensors=True)
        tensor_name:  v1
        [1. 1. 1.]
    """
    try:
        reader = NewCheckpointReader(file_name)
        if all_tensors or all_tensor_names:
            for name in sorted(reader.get_variable_to_shape_map()):
                print("tensor_name: ", name)
                if all_tensors:
                    print(reader.get_tensor(name))
        elif not tensor_name:
            print(reader.debug_string().decode("utf-8"))
        else:
            print("tensor_name: ", tensor_name)
            print(reader.get_tensor(tensor_name))
        print(f"# Total number of params: {_count_params(reader, count_exclude_pattern)}")
    except Exception as e:  # noqa: BLE001 - TensorFlow prints the failure rather than raising it
        print(str(e))
