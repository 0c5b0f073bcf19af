"""`tf.losses`: weighted, reduced losses collected in the LOSSES collection."""
from .losses_impl import *  # noqa: F401,F403 - each module lists its public names in __all__
from .util import *  # noqa: F401,F403
