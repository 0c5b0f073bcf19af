"""`tf.image`: TensorFlow 1.x's image functions — resizing with TensorFlow's exact sampling, flips, rotations,
crops and pads, colour conversions and adjustments, seeded random augmentations, box selection and drawing,
crop_and_resize, quality measures, and PNG (built in) / JPEG, GIF, BMP (through Pillow) codecs. Loaded on first
use of `tf.image`.

Each module lists its public names in `__all__`; the primitives' functions come from their op files.
"""
from ..ops.bounding_box_ops import *  # noqa: F401,F403
from ..ops.combined_nms_ops import *  # noqa: F401,F403
from ..ops.image_codec_ops import *  # noqa: F401,F403
from ..ops.image_ops import *  # noqa: F401,F403
from ..ops.jpeg_ops import *  # noqa: F401,F403
from ..ops.resize_ops import *  # noqa: F401,F403
from ..ops.soft_nms_ops import *  # noqa: F401,F403
from .codecs import *  # noqa: F401,F403
from .color import *  # noqa: F401,F403
from .crop_and_resize import *  # noqa: F401,F403
from .geometry import *  # noqa: F401,F403
from .measures import *  # noqa: F401,F403
from .patches import *  # noqa: F401,F403
from .random_augment import *  # noqa: F401,F403
from .resize import *  # noqa: F401,F403
from .similarity import *  # noqa: F401,F403
from .geometry import resize_image_with_crop_or_pad, transpose_image
from .resize import resize_image_with_pad

# TensorFlow's other names for the same functions.
transpose = transpose_image
resize_with_crop_or_pad = resize_image_with_crop_or_pad
resize_with_pad = resize_image_with_pad
