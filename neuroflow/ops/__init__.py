"""Primitive OpDefs by family, with the public TF1 functions that apply them."""
