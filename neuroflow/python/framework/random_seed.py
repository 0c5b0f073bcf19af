"""`tensorflow.python.framework.random_seed`: `set_random_seed`, `get_seed`."""
from ...framework.random_seed import get_seed, set_random_seed  # noqa: F401
