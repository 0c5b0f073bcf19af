"""More math: `tf.cumsum`, `tf.norm`, `tf.tensordot`, `tf.argmax`/`tf.argmin`, `tf.reduce_logsumexp`."""
__all__ = []
