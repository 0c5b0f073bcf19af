"""The LOSSES and REGULARIZATION_LOSSES collections as `tf.losses` reads them: `add_loss`, `get_losses`,
`get_regularization_loss(es)` and `get_total_loss` (their sum, what a training op usually minimizes)."""
from ..framework.constant_op import constant
from ..framework.graph import GraphKeys, get_default_graph
from ..ops import grad_support_ops as _g

__all__ = ["add_loss", "get_losses", "get_regularization_losses", "get_regularization_loss", "get_total_loss"]


def add_loss(loss, loss_collection=GraphKeys.LOSSES):
    """Adds `loss` (a tensor) to `loss_collection`; a None or empty collection name adds it nowhere.

    Example:
        >>> tf.losses.add_loss(tf.reduce_mean(tf.square(w)))   # now part of tf.losses.get_total_loss()
    """
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES):
    """The losses in `loss_collection`, only those whose name starts with regex `scope` when given."""
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None):
    """The tensors in REGULARIZATION_LOSSES (filled by `regularizer=` arguments), optionally by `scope`."""
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (an AddN named `name`), or a constant 0.0 when there are none.

    Example:
        >>> W = tf.get_variable("W", [3, 2], regularizer=tf.contrib.layers.l2_regularizer(0.1))
        >>> tf.losses.get_regularization_loss()   # 0.1 * sum(W ** 2) / 2
    """
    losses = get_regularization_losses(scope)
    if losses:
        return _g.add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the LOSSES collection and, unless disabled, of the regularization losses.

    Raises:
        ValueError: there are no losses at all (TensorFlow's add_n message).

    Example:
        >>> tf.losses.mean_squared_error(y, y_hat)
        >>> train_op = tf.train.AdamOptimizer().minimize(tf.losses.get_total_loss())
    """
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    return _g.add_n(losses, name=name)
