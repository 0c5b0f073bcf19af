"""`tf.train`: training utilities (global step; optimizers and checkpoints join here)."""
from .training_util import (assert_global_step, create_global_step, get_global_step, get_or_create_global_step,
                            global_step)

from .learning_rate_decay import (exponential_decay, inverse_time_decay, natural_exp_decay, piecewise_constant,
                                  polynomial_decay)
from . import experiment as _experiment
from . import meta_graph as _meta_graph
from . import saver as _saver
from .experiment import *  # noqa: F401,F403
from .optimizer import Optimizer
from .meta_graph import *  # noqa: F401,F403
from .saver import *  # noqa: F401,F403
from . import session_run_hook as _session_run_hook
from . import basic_session_run_hooks as _basic_session_run_hooks
from . import monitored_session as _monitored_session
from .session_run_hook import *  # noqa: F401,F403
from .basic_session_run_hooks import *  # noqa: F401,F403
from .monitored_session import *  # noqa: F401,F403
from .supervisor import Supervisor
from .moving_averages import ExponentialMovingAverage
from .coordinator import Coordinator, LooperThread
from .queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from . import input as _input
from .input import *  # noqa: F401,F403
from .optimizers import (AdadeltaOptimizer, AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer,
                         MomentumOptimizer, RMSPropOptimizer)
from .ftrl import FtrlOptimizer

__all__ = ["Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer", "AdadeltaOptimizer",
           "RMSPropOptimizer", "AdamOptimizer", "FtrlOptimizer", "exponential_decay", "inverse_time_decay",
           "natural_exp_decay", "piecewise_constant", "polynomial_decay",
           "assert_global_step", "create_global_step", "get_global_step", "get_or_create_global_step",
           "global_step", "Coordinator", "LooperThread", "QueueRunner", "add_queue_runner", "start_queue_runners"]
__all__ += _experiment.__all__ + _saver.__all__ + _meta_graph.__all__
__all__ += _input.__all__
__all__ += _session_run_hook.__all__ + _basic_session_run_hooks.__all__ + _monitored_session.__all__
__all__ += ["Supervisor", "ExponentialMovingAverage"]
from . import example_proto as _example_proto
from .example_proto import (BytesList, Example, Feature, FeatureList, FeatureLists, Features, FloatList, Int64List,
                            SequenceExample)
__all__ += _example_proto.__all__
