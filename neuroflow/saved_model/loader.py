"""`tf.saved_model.loader.load` (TF1's API): reads a SavedModel directory written by TensorFlow or neuroflow,
imports the MetaGraphDef whose tags match into the session's graph, restores its variables and runs its init op."""
import logging
import os

from . import constants

__all__ = ["load", "maybe_saved_model_directory", "contains_saved_model", "parse_saved_model"]

_log = logging.getLogger("neuroflow")


def maybe_saved_model_directory(export_dir):
    """Whether `export_dir` holds a SavedModel file (`saved_model.pb` or `.pbtxt`); it may still fail to load."""
    export_dir = os.fspath(export_dir)
    return any(os.path.isfile(os.path.join(export_dir, name))
               for name in (constants.SAVED_MODEL_FILENAME_PBTXT, constants.SAVED_MODEL_FILENAME_PB))


contains_saved_model = maybe_saved_model_directory


def parse_saved_model(export_dir):
    """The SavedModel proto of `export_dir` (binary `saved_model.pb`, else text `saved_model.pbtxt`).

    Raises:
        OSError: no SavedModel file there, or one that cannot be parsed (TensorFlow's IOError).
    """
    from ..framework.tf_protos import SavedModel, text_format
    export_dir = os.fspath(export_dir)
    pb = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    pbtxt = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
    saved_model = SavedModel()
    if os.path.isfile(pb):
        with open(pb, "rb") as f:
            data = f.read()
        try:
            saved_model.ParseFromString(data)
        except Exception as e:   # any malformed byte: the file is data, the error names it
            raise OSError(f"Cannot parse file {pb}: {e}.") from None
        if data and not saved_model.ListFields():
            raise OSError(f"Cannot parse file {pb}: it holds no SavedModel field.")
    elif os.path.isfile(pbtxt):
        with open(pbtxt, "rb") as f:
            data = f.read()
        try:
            text_format.Parse(data.decode("utf-8"), saved_model)
        except Exception as e:
            raise OSError(f"Cannot parse file {pbtxt}: {e}.") from None
    else:
        raise OSError(f"SavedModel file does not exist at: {export_dir}{os.path.sep}"
                      f"{{{constants.SAVED_MODEL_FILENAME_PBTXT}|{constants.SAVED_MODEL_FILENAME_PB}}}")
    return saved_model


def _meta_graph_for_tags(saved_model, tags):
    available = []
    for meta_graph_def in saved_model.meta_graphs:
        available.append(set(meta_graph_def.meta_info_def.tags))
        if set(meta_graph_def.meta_info_def.tags) == set(tags):
            return meta_graph_def
    raise RuntimeError(f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in SavedModel, "
                       f"with available tags '{available}'. To inspect available tag-sets in the SavedModel, please "
                       "use the SavedModel CLI: `saved_model_cli`.")


def _scoped(name, import_scope):
    return f"{import_scope}/{name}" if import_scope else name


def _init_op(meta_graph_def, graph, import_scope):
    """The op to run after restoring: the `__saved_model_init_op` signature's, else the main op collection's."""
    signature = meta_graph_def.signature_def.get(constants.INIT_OP_SIGNATURE_KEY)
    if signature is not None and constants.INIT_OP_SIGNATURE_KEY in signature.outputs:
        return graph.as_graph_element(_scoped(signature.outputs[constants.INIT_OP_SIGNATURE_KEY].name, import_scope))
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        if key in meta_graph_def.collection_def:
            names = list(meta_graph_def.collection_def[key].node_list.value)
            if len(names) != 1:
                raise RuntimeError(f"Expected exactly one SavedModel init op. Found {len(names)}: {names}.")
            return graph.as_graph_element(_scoped(names[0], import_scope))
    return None


def _asset_feeds(export_dir, meta_graph_def, import_scope):
    """{asset tensor name: its file's path under assets/} for the init op, as TensorFlow feeds them (from the
    asset_file_def field, or the TF1 builder's collection of AssetFileDefs packed in Any protos)."""
    from ..framework.tf_protos import AssetFileDef
    assets = os.path.join(os.fspath(export_dir), constants.ASSETS_DIRECTORY)
    protos = list(meta_graph_def.asset_file_def)
    if not protos and constants.ASSETS_KEY in meta_graph_def.collection_def:
        protos = [AssetFileDef.FromString(packed.value)
                  for packed in meta_graph_def.collection_def[constants.ASSETS_KEY].any_list.value]
    return {_scoped(a.tensor_info.name, import_scope): os.path.join(assets, a.filename) for a in protos}


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """Loads the MetaGraphDef tagged `tags` from the SavedModel in `export_dir` into `sess.graph`, restores its
    variables from `variables/variables` into `sess` and runs its init op.

    Args:
        sess: the Session to load into.
        tags: the tags of the MetaGraphDef to load (e.g. [tf.saved_model.tag_constants.SERVING]); matched as a set.
        export_dir: the SavedModel's folder.
        import_scope: a name scope to put the loaded ops in.
        **saver_kwargs: passed to `tf.train.import_meta_graph` (e.g. input_map).

    Returns:
        The loaded MetaGraphDef proto: `.signature_def["serving_default"].inputs["x"].name` names the tensors.

    Raises:
        OSError: no SavedModel in `export_dir`, or a file that cannot be parsed.
        RuntimeError: no MetaGraphDef with these tags (the message lists the available tag sets).
        ValueError: a graph with op types neuroflow lacks (all listed), e.g. TensorFlow 2's function calls.

    Example:
        >>> with tf.Session(graph=tf.Graph()) as sess:
        ...     meta = tf.saved_model.loader.load(sess, ["serve"], "/tmp/export/1")
        ...     sig = meta.signature_def["serving_default"]
        ...     sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: batch})
    """
    from ..train.tf_meta_graph import import_tf_meta_graph
    saved_model = parse_saved_model(export_dir)
    meta_graph_def = _meta_graph_for_tags(saved_model, tags)
    graph = sess.graph
    with graph.as_default():
        try:
            saver = import_tf_meta_graph(meta_graph_def, import_scope=import_scope, **saver_kwargs)
        except ValueError as e:
            if not meta_graph_def.graph_def.library.function:
                raise
            raise ValueError(f"{e} This SavedModel was written by TensorFlow 2's tf.saved_model.save (its graph "
                             "calls tf.functions); neuroflow loads the SavedModels of TensorFlow 1's API "
                             "(SavedModelBuilder, simple_save).") from None
        variables_path = os.path.join(os.fspath(export_dir), constants.VARIABLES_DIRECTORY,
                                      constants.VARIABLES_FILENAME)
        if saver is None:
            _log.info("The specified SavedModel has no variables; no checkpoints were restored.")
        else:
            saver.restore(sess, variables_path)
        init_op = _init_op(meta_graph_def, graph, import_scope)
        if init_op is not None:
            sess.run([init_op], feed_dict=_asset_feeds(export_dir, meta_graph_def, import_scope) or None)
    return meta_graph_def
