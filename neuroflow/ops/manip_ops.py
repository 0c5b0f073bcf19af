"""Array manipulation: transpose, squeeze, concat, split, slice, tile, pad, reverse."""
__all__ = []
