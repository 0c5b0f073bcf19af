"""`tf.estimator.Exporter`, `FinalExporter` and `LatestExporter`: what `train_and_evaluate` does with each evaluated
checkpoint through `EvalSpec(exporters=...)` — export a SavedModel of it into `model_dir/export/<name>/<timestamp>`
(the final one only, or every one keeping the newest `exports_to_keep`)."""
import os

from .. import tf_logging as logging

__all__ = ["Exporter", "FinalExporter", "LatestExporter"]


class Exporter:
    """Exports a checkpoint after an evaluation: subclasses define `name` and `export`."""

    @property
    def name(self):
        """The folder under `model_dir/export/` this exporter writes to."""
        raise NotImplementedError("Exporter subclasses define name")

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        """Exports `checkpoint_path` under `export_path`; returns the export's folder (bytes) or None."""
        raise NotImplementedError("Exporter subclasses define export")


class _SavedModelExporter(Exporter):
    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False):
        if not name:
            raise ValueError("`name` must be a non-empty string.")
        if serving_input_receiver_fn is None:
            raise ValueError("`serving_input_receiver_fn` must be defined.")
        self._name = name
        self._serving_input_receiver_fn = serving_input_receiver_fn
        self._assets_extra, self._as_text = assets_extra, as_text

    name = property(lambda self: self._name)

    def _export(self, estimator, export_path, checkpoint_path):
        return estimator.export_saved_model(export_path, self._serving_input_receiver_fn,
                                            assets_extra=self._assets_extra, as_text=self._as_text,
                                            checkpoint_path=checkpoint_path)


class FinalExporter(_SavedModelExporter):
    """Exports only the final checkpoint of training (`train_and_evaluate`'s last evaluation at max_steps).

    Example:
        >>> exporter = tf.estimator.FinalExporter("serving", serving_input_receiver_fn)
        >>> tf.estimator.train_and_evaluate(estimator, train_spec, tf.estimator.EvalSpec(eval_input_fn,
        ...                                                                               exporters=exporter))
    """

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        if not is_the_final_export:
            return None
        logging.info("Performing the final export in the end of training.")
        return self._export(estimator, export_path, checkpoint_path)


class LatestExporter(_SavedModelExporter):
    """Exports every evaluated checkpoint, then deletes all but the newest `exports_to_keep` timestamped exports
    (None: keeps them all).

    Raises:
        ValueError: `exports_to_keep` is not None and not positive.
    """

    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False, exports_to_keep=5):
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise ValueError("`exports_to_keep`, if provided, must be a positive number. Got "
                             f"{exports_to_keep}")
        self._exports_to_keep = exports_to_keep

    def export(self, estimator, export_path, checkpoint_path, eval_result, is_the_final_export):
        export_dir = self._export(estimator, export_path, checkpoint_path)
        self._garbage_collect_exports(export_path)
        return export_dir

    def _garbage_collect_exports(self, export_path):
        """Deletes the timestamped export folders (names of digits only) but the newest `exports_to_keep`."""
        if self._exports_to_keep is None:
            return
        import shutil  # here: shutil would cost every `import neuroflow`
        try:
            names = os.listdir(export_path)
        except OSError:
            return
        stamps = sorted((int(n), n) for n in names if n.isdigit() and os.path.isdir(os.path.join(export_path, n)))
        for _, name in stamps[:-self._exports_to_keep]:
            folder = os.path.join(export_path, name)
            try:
                shutil.rmtree(folder)
            except OSError as e:
                logging.warning("Can not delete %s recursively: %s", folder, e)
