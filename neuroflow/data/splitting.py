"""`neuroflow.data.split`: reproducible train/dev/test splits of arrays."""
__all__ = []
