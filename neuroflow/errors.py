"""`tf.errors`: TensorFlow's OpError classes and status codes."""
from .framework.errors import *  # noqa: F401,F403 - this module is the public face of framework.errors
from .framework.errors import (OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND,  # noqa: F401
                               ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED,
                               OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED,
                               exception_type_from_error_code, error_code_from_exception_type)
