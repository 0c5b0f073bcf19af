"""`tf.train.Saver`: crash-safe checkpoints in a safe format, the checkpoint state file, latest_checkpoint."""
__all__ = []
