"""Weight regularizers (`l1_regularizer`, `l2_regularizer`, `l1_l2_regularizer`, `apply_regularization`)."""
__all__ = []
