"""Experiment helpers: early stopping on a dev metric, repeating an experiment over seeds, a progress bar."""
__all__ = []
