"""`tf.keras.layers`: Keras layers on neuroflow's graph engine. Each family module lists its public names in
`__all__`."""
from ..engine.base_layer import Layer  # noqa: F401
from ..engine.input_layer import Input, InputLayer  # noqa: F401
from .convolutional import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .embeddings import *  # noqa: F401,F403
from .merge import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403
