"""Reading checkpoints without a Saver: `tf.train.NewCheckpointReader`, `load_checkpoint`, `list_variables`,
`load_variable`, and `init_from_checkpoint` (warm-starting variables' initializers from a checkpoint)."""
import os

from ..framework import errors
from .checkpoint_format import CheckpointFile
from .checkpoint_management import latest_checkpoint

__all__ = ["NewCheckpointReader", "load_checkpoint", "list_variables", "load_variable", "init_from_checkpoint"]


class CheckpointReader:
    """Reads tensors from one checkpoint (TF's `CheckpointReader`); each read is verified by its checksum.

    Example:
        >>> reader = tf.train.NewCheckpointReader("/tmp/model/model-2")
        >>> reader.get_variable_to_shape_map()
        {'W': [2, 3], 'global_step': []}
        >>> reader.get_tensor("W")

    Raises (on construction):
        tf.errors.NotFoundError: no checkpoint with this prefix.
        tf.errors.DataLossError: a truncated or corrupted checkpoint file.
    """

    def __init__(self, filepattern):
        self._file = CheckpointFile(os.fspath(filepattern))

    def get_variable_to_shape_map(self):
        """{name: shape as a list of ints}."""
        return {name: list(info.shape) for name, info in self._file.tensors.items()}

    def get_variable_to_dtype_map(self):
        """{name: tf.DType}."""
        return {name: info.dtype for name, info in self._file.tensors.items()}

    def has_tensor(self, tensor_str):
        return tensor_str in self._file.tensors

    def get_tensor(self, tensor_str):
        """The value of tensor `tensor_str` as a NumPy array.

        Raises:
            tf.errors.NotFoundError: no such tensor ("Key <name> not found in checkpoint").
            tf.errors.DataLossError: its bytes fail the checksum.
        """
        if tensor_str not in self._file.tensors:
            raise errors.NotFoundError(None, None, f"Key {tensor_str} not found in checkpoint")
        return self._file.read([tensor_str])[tensor_str]

    def debug_string(self):
        """One line per tensor, `name (DT_FLOAT) [2,3]`, as bytes (TF's format)."""
        lines = []
        for name in sorted(self._file.tensors):
            info = self._file.tensors[name]
            shape = ",".join(str(d) for d in info.shape)
            if info.dtype is not None:
                dtype = info.dtype.proto_name.upper()
            else:   # a TensorFlow-format tensor of a dtype neuroflow lacks, e.g. bfloat16
                from .tensor_bundle import dtype_name
                dtype = dtype_name(info).upper()
            lines.append(f"{name} (DT_{dtype}) [{shape}]\n")
        return "".join(lines).encode("utf-8")


def NewCheckpointReader(filepattern):  # noqa: N802 - TensorFlow's public name
    """A CheckpointReader for the checkpoint prefix `filepattern`."""
    return CheckpointReader(filepattern)


def _checkpoint_filename(ckpt_dir_or_file):
    ckpt_dir_or_file = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(ckpt_dir_or_file):
        return latest_checkpoint(ckpt_dir_or_file)
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file):
    """A CheckpointReader for a checkpoint prefix, or for the latest checkpoint in a folder.

    Raises:
        ValueError: the folder has no checkpoint.
    """
    filename = _checkpoint_filename(ckpt_dir_or_file)
    if filename is None:
        raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {ckpt_dir_or_file}")
    return NewCheckpointReader(filename)


def list_variables(ckpt_dir_or_file):
    """[(name, shape)] of every tensor in the checkpoint, sorted by name.

    Example: `tf.train.list_variables("/tmp/model")` -> `[('W', [2, 3]), ('global_step', [])]`.
    """
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def load_variable(ckpt_dir_or_file, name):
    """The value of tensor `name` (a trailing ':0' is ignored) in the checkpoint, as a NumPy array."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """Makes the initializers of variables load their values from a checkpoint (warm start / fine-tuning).

    Args:
        ckpt_dir_or_file: a checkpoint prefix, or a folder (its latest checkpoint).
        assignment_map: {checkpoint name or scope: variable, variable name, or scope}:
            `{"old_scope/": "new_scope/"}` maps every variable under `new_scope` (made by `tf.get_variable`) to
            the tensor of the same relative name under `old_scope` (`"/"` is the checkpoint's root);
            `{"old_scope/w": "new_scope/w"}` or `{"old_scope/w": w_variable}` maps one variable.

    The values are read now and become the variables' initial values: run `tf.global_variables_initializer()`
    (created after this call) to load them.

    Raises:
        ValueError: a tensor is missing from the checkpoint, or its shape does not match the variable's.
    """
    from ..variables.scope import _state
    from ..variables.variable import Variable
    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    store_vars = _state().variables
    for tensor_name, current in sorted(assignment_map.items(), key=lambda kv: kv[0]):
        var = current if isinstance(current, Variable) else store_vars.get(current)
        if var is not None:
            if tensor_name not in shapes:
                raise ValueError(f"Tensor {tensor_name} is not found in {ckpt_dir_or_file} checkpoint {shapes}")
            _set_initializer(var, reader, tensor_name, shapes[tensor_name])
            continue
        scopes = current[:current.rindex("/")] if "/" in current else ""
        if not tensor_name.endswith("/"):
            raise ValueError(f"Assignment map with scope only name {scopes} should map to scope only {tensor_name}. "
                             "Should be 'scope/': 'other_scope/'.")
        for var_name in sorted(n for n in store_vars if not scopes or n.startswith(scopes + "/")):
            full = var_name[len(scopes):]
            if current != "/":
                full = full[1:]
            if tensor_name != "/":
                full = tensor_name + full
            full = full.rstrip("/")
            if full not in shapes:
                raise ValueError(f"Tensor {full} ({var_name[len(scopes) + 1:]} in {tensor_name}) is not found in "
                                 f"{ckpt_dir_or_file} checkpoint")
            _set_initializer(store_vars[var_name], reader, full, shapes[full])


def _set_initializer(variable, reader, tensor_name, ckpt_shape):
    from ..framework.constant_op import constant
    from ..framework.graph import name_scope
    from ..ops import state_ops
    if not variable.shape.is_compatible_with(ckpt_shape):
        raise ValueError(f"Shape of variable {variable.name} ({variable.shape}) doesn't match with shape of tensor "
                         f"{tensor_name} ({ckpt_shape}) from checkpoint reader.")
    dtype = variable.dtype.base_dtype
    value = reader.get_tensor(tensor_name)   # first: a dtype neuroflow lacks is refused here, by name
    stored = reader.get_variable_to_dtype_map()[tensor_name]
    if stored is not dtype:
        raise ValueError(f"Variable {variable.name} has dtype {dtype.name} but tensor {tensor_name} in the checkpoint "
                         f"has dtype {stored.name}.")
    graph = variable.graph
    with graph.as_default(), graph.control_dependencies(None), name_scope(variable.op.name + "/"):
        initial = constant(value, dtype=dtype, name="checkpoint_initializer")
        init_op = state_ops.assign(variable._ref(), initial, name="checkpoint_initializer_assign").op
    # As TensorFlow does: the variable's initializer now restores from the checkpoint.
    variable._initializer_op = init_op
    variable._initial_value = initial
