"""Finds the user's line that created a node (the first stack frame outside neuroflow) and formats it for errors."""
import linecache
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

__all__ = ["SourceLocation", "user_location", "node_context"]


class SourceLocation:
    """A file and line in the user's program; the source text is read lazily, only when an error needs it."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename, lineno, function):
        self.filename = filename
        self.lineno = lineno
        self.function = function

    @property
    def line(self):
        return linecache.getline(self.filename, self.lineno).strip()

    def short(self):
        return f"{os.path.basename(self.filename)}:{self.lineno}"

    def format(self, indent="  "):
        text = f'{indent}File "{self.filename}", line {self.lineno}, in {self.function}'
        line = self.line
        return text + (f"\n{indent}  {line}" if line else "")

    def __repr__(self):
        return f"SourceLocation({self.filename!r}, {self.lineno})"


def user_location():
    """The innermost frame of the caller's stack that is not inside the neuroflow package (None if none)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR):
            return SourceLocation(filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


def node_context(op_name, location):
    """The lines TensorFlow-style messages end with: the node, and the user's line that defined it."""
    if location is None:
        return f"\n\t [[node {op_name} ]]"
    return (f"\n\t [[node {op_name} (defined at {location.short()}) ]]"
            f"\nOperation '{op_name}' was created at:\n{location.format()}")
