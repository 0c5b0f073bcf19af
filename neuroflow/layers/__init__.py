"""`tf.layers`: object and functional layers that create their variables on first call (TF 1.x)."""
from .base import Layer
from .convolutional import *  # noqa: F401,F403 - each module lists its public names in __all__
from .core import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
