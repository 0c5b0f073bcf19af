"""Execution: the backend, Sessions, and the Plans they compile and run."""
