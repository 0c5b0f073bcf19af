"""`tf.saved_model.simple_save`: the one-call SavedModel for serving (the SERVING tag and a 'predict' signature)."""
from ..framework.graph import GraphKeys
from . import signature_constants, tag_constants
from .builder import SavedModelBuilder
from .signature_def_utils import predict_signature_def

__all__ = ["simple_save"]


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None):
    """Saves the graph and variables of `session` as a SavedModel tagged "serve" with one "serving_default"
    predict signature of `inputs` and `outputs` ({key: Tensor}); the files of the graph's ASSET_FILEPATHS
    collection are copied into `assets/`.

    Raises:
        AssertionError: `export_dir` exists and is not empty.
        ValueError: `inputs` or `outputs` empty.

    Example:
        >>> tf.saved_model.simple_save(sess, "/tmp/export/1", inputs={"x": x}, outputs={"y": y})
    """
    signature_def_map = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                         predict_signature_def(inputs, outputs)}
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
                                         assets_collection=session.graph.get_collection(GraphKeys.ASSET_FILEPATHS),
                                         main_op=legacy_init_op, clear_devices=True)
    builder.save()
