"""TensorFlow's handling of renamed arguments (`keep_dims` -> `keepdims`, `dim` -> `axis`, ...)."""

__all__ = ["deprecated_argument_lookup"]


def deprecated_argument_lookup(new_name, new_value, old_name, old_value):
    """The value of an argument that also has a deprecated name.

    Raises:
        ValueError: both names were given ("Cannot specify both 'keep_dims' and 'keepdims'.", as TensorFlow).
    """
    if old_value is not None:
        if new_value is not None:
            raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'.")
        return old_value
    return new_value
