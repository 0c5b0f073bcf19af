"""`tensorflow.python.client.timeline`: `Timeline`, a traced run's step stats as a Chrome trace."""
from ...runtime.timeline import Timeline

__all__ = ["Timeline"]
