"""`tf.metrics`: streaming metrics (value, update_op) over local variables."""
from .mean_metrics import *  # noqa: F401,F403 - each module lists its public names in __all__
from .confusion_metrics import *  # noqa: F401,F403
from .threshold_metrics import *  # noqa: F401,F403
