"""Indexing and generation: gather, one_hot, boolean_mask, sequence_mask, range, linspace, rank."""
__all__ = []
