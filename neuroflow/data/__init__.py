"""`tf.data`: input pipelines (Dataset, iterators) and `neuroflow.data.split` for train/dev/test splits."""
from .dataset_ops import *  # noqa: F401,F403 - Dataset and its transformations
from .iterator_ops import *  # noqa: F401,F403 - Iterator, make_one_shot_iterator, ...
from .splitting import *  # noqa: F401,F403 - split
from .tfrecord_dataset import TFRecordDataset  # noqa: F401
