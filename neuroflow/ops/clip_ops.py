"""Clipping: `tf.clip_by_value`, `tf.clip_by_norm`, `tf.clip_by_global_norm`."""
__all__ = []
