"""The readable side of generated plan code: the comment naming each step's node, made safe (node names are
data), and showing generated code to a person when the environment variable `NEUROFLOW_PRINT_PLANS` asks.

`NEUROFLOW_PRINT_PLANS=1` prints each generated function's source to stderr as it is compiled;
`NEUROFLOW_PRINT_PLANS=<directory>` writes it there instead, one file per function (`plan-<n>.py`, or
`plan-<n>.<part>.py` for the parts of a long program). Unset, empty or `0`: nothing is shown.
"""
import os
import sys

__all__ = ["comment_text", "step_comment", "show", "PRINT_PLANS_ENV"]

PRINT_PLANS_ENV = "NEUROFLOW_PRINT_PLANS"
_TO_STDERR = ("1", "true", "yes", "stderr")
_COMMENT_LIMIT = 160  # characters of a name shown in a comment; a longer name is cut and marked


def comment_text(text):
    r"""`text` made safe and readable inside a one-line `#` comment of generated source.

    Python's compiler ends a comment at \n or \r and refuses NUL and lone surrogates; `str.splitlines` (which
    `linecache` uses, so tracebacks show our lines) also breaks at \x0b, \x0c, \x1c-\x1e, \x85, U+2028 and
    U+2029. All of them are non-printable, so escaping every non-printable character as `ascii()` writes it
    keeps the comment on its one line; bidirectional controls are escaped too, so a name cannot reorder how
    the line displays.

    Example:
        >>> comment_text("a\nb")
        'a\\nb'
    """
    text = str(text)
    if len(text) > _COMMENT_LIMIT:
        text = text[:_COMMENT_LIMIT] + "..."
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def step_comment(step):
    """`  # <node name> (<op type>)` for a step's line; a step a pass rewrote to another OpDef shows both."""
    op_type, applied = step.op.type, step.opdef.type_name
    kind = op_type if op_type == applied else f"{op_type} as {applied}"
    return f"  # {comment_text(step.op.name)} ({comment_text(kind)})"


def show(sources):
    """Prints or writes `{file name: source}` as `NEUROFLOW_PRINT_PLANS` says (read at each compile, so a
    program may switch it on and off)."""
    where = os.environ.get(PRINT_PLANS_ENV, "")
    if where in ("", "0"):
        return
    for filename, source in sources.items():
        if where.lower() in _TO_STDERR:
            sys.stderr.write(f"# ---- {filename}\n{source}")
            sys.stderr.flush()
        else:
            os.makedirs(where, exist_ok=True)
            stem = filename.strip("<>").replace("neuroflow ", "").replace(" ", "-")  # <neuroflow plan 3.1> -> plan-3.1
            with open(os.path.join(where, stem + ".py"), "w", encoding="utf-8") as f:
                f.write(source)
