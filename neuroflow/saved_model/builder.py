"""`tf.saved_model.builder.SavedModelBuilder` (TF1's API): writes TensorFlow's SavedModel directory —
`saved_model.pb` (a SavedModel proto holding tagged MetaGraphDefs with their signatures) and
`variables/variables.index` + `.data-00000-of-00001` (a checkpoint) — crash-safely: everything is built in a
hidden sibling folder that is renamed into place by `save()`, and an export directory that holds files is never
touched."""
import logging
import os
import shutil
import tempfile

from ..framework.graph import get_default_graph
from ..framework.operation import Operation
from . import constants

__all__ = ["SavedModelBuilder", "Builder"]

_log = logging.getLogger("neuroflow")
_NOT_EMPTY = ("Export directory {} already exists, and isn't empty. Please choose a different export directory, or "
              "delete all the contents of the specified directory.")


def _is_non_empty(path):
    return os.path.lexists(path) and (not os.path.isdir(path) or bool(os.listdir(path)))


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return   # a platform without directory handles: the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_file(path, data):
    """Writes `data` to `path` through a temporary file in the same folder, synced, then renamed over it."""
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(folder)


def _validate_tensor_info(info):
    if info is None:
        raise AssertionError("All TensorInfo protos used in the SignatureDefs must have the name and dtype fields "
                             "set.")
    if info.WhichOneof("encoding") is None:
        raise AssertionError(f"Invalid `tensor_info`: {info}. All TensorInfo protos used in the SignatureDefs must "
                             "have one of the 'encoding' fields (e.g., name or coo_sparse) set.")
    if info.dtype == 0:   # DT_INVALID
        raise AssertionError(f"Invalid `tensor_info`: {info}. All TensorInfo protos used in the SignatureDefs must "
                             "have the dtype field set.")


def _validate_signature_def_map(signature_def_map):
    for signature in signature_def_map.values():
        for info in list(signature.inputs.values()) + list(signature.outputs.values()):
            _validate_tensor_info(info)
    for key, what in ((constants.INIT_OP_SIGNATURE_KEY, "initialization"),
                      (constants.TRAIN_OP_SIGNATURE_KEY, "the train op")):
        if key in signature_def_map:
            raise KeyError(f'SignatureDef map key "{key}" is reserved for {what}. Please use a different key.')


class SavedModelBuilder:
    """Builds a SavedModel (TensorFlow 1.x's `tf.saved_model.builder.SavedModelBuilder`).

    Call `add_meta_graph_and_variables` once (it saves the variables of `sess`), then `add_meta_graph` for more
    tagged graphs sharing those variables, then `save()`. Nothing appears at `export_dir` until `save()`, which
    renames the finished folder into place: a crash never leaves a half-written SavedModel there.

    Args:
        export_dir: the folder to create; it must not exist, or be empty.

    Raises:
        AssertionError: `export_dir` exists and is not empty (TensorFlow's error).

    Example:
        >>> builder = tf.saved_model.builder.SavedModelBuilder("/tmp/export/1")
        >>> builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING],
        ...     signature_def_map={"serving_default": tf.saved_model.predict_signature_def({"x": x}, {"y": y})})
        >>> builder.save()
    """

    def __init__(self, export_dir):
        from ..framework.tf_protos import SavedModel
        self._export_dir = os.fspath(export_dir)
        if _is_non_empty(self._export_dir):
            raise AssertionError(_NOT_EMPTY.format(self._export_dir))
        self._saved_model = SavedModel(saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION)
        self._has_saved_variables = False
        self._staging = None   # the hidden sibling folder the SavedModel is built in, until save()
        self._placed = False   # save() has moved this builder's folder to export_dir
        self._asset_files = {}   # {file name under assets/: the source path it was copied from}

    def _staging_dir(self):
        if self._staging is None:
            parent = os.path.dirname(os.path.abspath(self._export_dir))
            os.makedirs(parent, exist_ok=True)
            self._staging = tempfile.mkdtemp(prefix=f".{os.path.basename(self._export_dir)}.tmp-", dir=parent)
        return self._staging

    # --- meta graphs ------------------------------------------------------------------------------------------------
    @staticmethod
    def _add_main_op(main_op, graph):
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(f"Expected {main_op} to be an Operation but got type {type(main_op)} instead.")
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
            if graph.get_collection(key):
                raise ValueError(f"Graph already contains one or more main ops under the collection {key}.")
        graph.add_to_collection(constants.MAIN_OP_KEY, main_op)

    @staticmethod
    def _saver(saver):
        if saver is not None:
            return saver
        from ..train.saver import Saver
        return Saver(sharded=True, allow_empty=True)

    def _tag_and_add(self, meta_graph_def, tags, signature_def_map):
        meta_graph_def.meta_info_def.tags.extend(list(tags))
        for key, signature in signature_def_map.items():
            meta_graph_def.signature_def[key].CopyFrom(signature)
        self._saved_model.meta_graphs.add().CopyFrom(meta_graph_def)

    def _meta_graph(self, saver, graph, clear_devices):
        from ..train.tf_meta_graph import export_tf_meta_graph
        return export_tf_meta_graph(graph=graph, saver=saver, clear_devices=clear_devices)

    def add_meta_graph_and_variables(self, sess, tags, signature_def_map=None, assets_collection=None,
                                     legacy_init_op=None, clear_devices=False, main_op=None,
                                     strip_default_attrs=False, saver=None):
        """Saves the variables of `sess` and adds the graph of `sess` tagged with `tags`. Call it once, first.

        Args:
            sess: the Session whose variable values are saved.
            tags: the tags (e.g. [tf.saved_model.tag_constants.SERVING]) a loader asks for.
            signature_def_map: {key: SignatureDef} (see `signature_def_utils`).
            assets_collection: scalar string constants naming files (vocabularies, ...) to copy into `assets/`;
                at load time the init op sees each constant fed with its copy's path.
            legacy_init_op, main_op: an Operation the loader runs after restoring the variables.
            clear_devices: drop device placements.
            strip_default_attrs: accepted for TensorFlow compatibility.
            saver: the Saver to save with (default: a Saver of all saveable objects).

        Raises:
            AssertionError: called twice, or a SignatureDef with a TensorInfo lacking name or dtype.
            KeyError: a reserved signature key.
            TypeError / ValueError: a main op that is no Operation, or a graph that has one already.
        """
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already been saved. Please invoke "
                                 "`add_meta_graph()` instead.")
        signature_def_map = signature_def_map or {}
        _validate_signature_def_map(signature_def_map)
        assets = [_asset_path(t) for t in assets_collection or []]
        graph = sess.graph if sess is not None else get_default_graph()
        with graph.as_default():
            self._add_main_op(main_op if main_op is not None else legacy_init_op, graph)
            saver = self._saver(saver)
            variables_dir = os.path.join(self._staging_dir(), constants.VARIABLES_DIRECTORY)
            os.makedirs(variables_dir, exist_ok=True)
            saver.save(sess, os.path.join(variables_dir, constants.VARIABLES_FILENAME), write_meta_graph=False,
                       write_state=False)
            meta_graph_def = self._meta_graph(saver, graph, clear_devices)
        self._add_assets(meta_graph_def, assets)
        self._tag_and_add(meta_graph_def, tags, signature_def_map)
        self._has_saved_variables = True

    def add_meta_graph(self, tags, signature_def_map=None, assets_collection=None, legacy_init_op=None,
                       clear_devices=False, main_op=None, strip_default_attrs=False, saver=None):
        """Adds the default graph tagged with `tags`, sharing the variables saved by `add_meta_graph_and_variables`.

        Raises:
            AssertionError: `add_meta_graph_and_variables` was not called before.
        """
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been saved yet. Please invoke "
                                 "`add_meta_graph_and_variables()` first.")
        signature_def_map = signature_def_map or {}
        _validate_signature_def_map(signature_def_map)
        assets = [_asset_path(t) for t in assets_collection or []]
        graph = get_default_graph()
        self._add_main_op(main_op if main_op is not None else legacy_init_op, graph)
        meta_graph_def = self._meta_graph(self._saver(saver), graph, clear_devices)
        self._add_assets(meta_graph_def, assets)
        self._tag_and_add(meta_graph_def, tags, signature_def_map)

    def _add_assets(self, meta_graph_def, assets):
        """Copies each (tensor, source path) asset into assets/ (a name taken by a different file gets a suffix,
        as in TensorFlow) and records it in the meta graph's asset_file_def."""
        from .utils import build_tensor_info
        for tensor, source in assets:
            name = os.path.basename(source)
            base, i = name, 0
            while name in self._asset_files and not _same_file(self._asset_files[name], source):
                i += 1
                name = f"{base}_{i}"
            if name not in self._asset_files:
                if self._placed:
                    raise AssertionError("Assets cannot be added after save(): the SavedModel is in place.")
                folder = os.path.join(self._staging_dir(), constants.ASSETS_DIRECTORY)
                os.makedirs(folder, exist_ok=True)
                shutil.copyfile(source, os.path.join(folder, name))
                self._asset_files[name] = source
            meta_graph_def.asset_file_def.add(tensor_info=build_tensor_info(tensor), filename=name)

    # --- writing ----------------------------------------------------------------------------------------------------
    def save(self, as_text=False):
        """Writes `saved_model.pb` (or `saved_model.pbtxt` with `as_text`) and moves the SavedModel into place.

        Returns:
            The path of the written SavedModel file.

        Raises:
            AssertionError: `export_dir` was filled by someone else meanwhile (it is left as it is).
        """
        if as_text:
            from ..framework.tf_protos import text_format
            name, data = constants.SAVED_MODEL_FILENAME_PBTXT, text_format.MessageToString(self._saved_model).encode()
        else:
            name, data = constants.SAVED_MODEL_FILENAME_PB, self._saved_model.SerializeToString(deterministic=True)
        if self._placed and self._staging is None:
            # saved before: export_dir is this builder's own folder, where the file is replaced atomically
            _write_file(os.path.join(self._export_dir, name), data)
            return os.path.join(self._export_dir, name)
        staging = self._staging_dir()
        _write_file(os.path.join(staging, name), data)
        variables_dir = os.path.join(staging, constants.VARIABLES_DIRECTORY)
        if os.path.isdir(variables_dir):
            _fsync_dir(variables_dir)
        if _is_non_empty(self._export_dir):
            raise AssertionError(_NOT_EMPTY.format(self._export_dir))
        try:
            os.replace(staging, self._export_dir)   # replaces an empty folder; a filled one raises
        except OSError:
            raise AssertionError(_NOT_EMPTY.format(self._export_dir)) from None
        self._staging, self._placed = None, True
        _fsync_dir(os.path.dirname(os.path.abspath(self._export_dir)))
        path = os.path.join(self._export_dir, name)
        _log.info("SavedModel written to: %s", path)
        return path

    def __del__(self):
        staging = getattr(self, "_staging", None)
        if staging is not None:   # never saved: the half-built folder is not the user's
            shutil.rmtree(staging, ignore_errors=True)


Builder = SavedModelBuilder


def _asset_path(tensor):
    """(tensor, the file path it holds) for an asset: a scalar string constant, as TensorFlow requires."""
    from ..framework.tensor import Tensor
    from ..framework.tensor_util import constant_value
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Asset path tensor {tensor} must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError(f"Asset path tensor {tensor} must be of type constant.")
    if tensor.dtype.base_dtype.name != "string":
        raise TypeError(f"Asset path tensor {tensor}` must be of dtype string.")
    if tensor.shape.ndims != 0:
        raise TypeError(f"Asset path tensor {tensor} must be a scalar.")
    value = constant_value(tensor).item()
    path = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    if not os.path.isfile(path):
        raise ValueError(f"Asset filepath tensor {tensor} in is invalid.")
    return tensor, path


def _same_file(a, b):
    import filecmp
    return os.path.abspath(a) == os.path.abspath(b) or filecmp.cmp(a, b, shallow=False)
