"""Compiled recurrent kernels (registered fast paths for the fused LSTM ops)."""
