"""`tf.python_io` (TF1's name for TFRecord files): aliases of the implementations in neuroflow.io_records."""
from .util.lazy_alias import alias_module

alias_module(globals(), {
    "TFRecordWriter": "io_records.TFRecordWriter", "TFRecordOptions": "io_records.TFRecordOptions",
    "TFRecordCompressionType": "io_records.TFRecordCompressionType",
    "tf_record_iterator": "io_records.tf_record_iterator",
})
