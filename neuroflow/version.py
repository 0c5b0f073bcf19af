"""`tf.version` and the TF1 version names (`tf.VERSION`, `tf.GIT_VERSION`, `tf.COMPILER_VERSION`): the one place
neuroflow's version is written (pyproject.toml reads it from here)."""
import pathlib
import platform

VERSION = "0.1.0"
# neuroflow compiles no code of its own ahead of time; the interpreter's compiler is the one that built what runs.
COMPILER_VERSION = platform.python_compiler()

_git_version = None


def _describe_checkout():
    """`git describe` of the clone this package is imported from, or "unknown" for an installed copy (as
    TensorFlow reports when it was built without git)."""
    root = pathlib.Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():  # an installed package: any repository around it is not ours
        return "unknown"
    import subprocess  # only when asked: `import neuroflow` stays light
    try:
        done = subprocess.run(["git", "-C", str(root), "describe", "--tags", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def __getattr__(name):
    # GIT_VERSION asks git, so it is worked out on first use rather than at import.
    global _git_version
    if name == "GIT_VERSION":
        if _git_version is None:
            _git_version = _describe_checkout()
        return _git_version
    raise AttributeError(f"module 'neuroflow.version' has no attribute {name!r}")
