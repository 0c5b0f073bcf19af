"""`tf.nn`: neural-network functions (activations, softmax, losses, bias_add, normalization).

Each family is a module of its own listing its public names in `__all__`; a new family (conv, pool, dropout,
rnn) is one more module and one more import line here.
"""
from .activations import *  # noqa: F401,F403
from .impl import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .misc import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sampled_losses import *  # noqa: F401,F403
from .embedding_sparse import *  # noqa: F401,F403
from ..ops.ctc_ops import ctc_greedy_decoder, ctc_loss  # noqa: F401
from ..ops.ctc_beam_search_ops import ctc_beam_search_decoder  # noqa: F401
from . import rnn_cell  # noqa: F401,E402 - `tf.nn.rnn_cell.LSTMCell`
