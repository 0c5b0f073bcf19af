"""`tf.app`: `run` (parse the flags, call `main(argv)`, exit with its result) and `tf.app.flags`."""
import sys

from . import flags
from .flag_types import BooleanFlag

__all__ = ["run", "flags"]


class _HelpFlag(BooleanFlag):
    """`--help` (or `-?`), `--helpshort`, `--helpfull`: print the usage to stdout and exit 0 when given."""

    def __init__(self, name, help_string, short_name=None, full=False):
        super().__init__(name, False, help_string, short_name, module_name="neuroflow.app")
        self.full = full

    def parse(self, argument):
        super().parse(argument)
        if self.value:
            _print_usage(self.full)
            sys.exit(0)


def _define_help_flags(flag_values):
    for flag in (_HelpFlag("help", "show this help", short_name="?"),
                 _HelpFlag("helpshort", "show usage only for this module"),
                 _HelpFlag("helpfull", "show full help", full=True)):
        if flag.name not in flag_values:
            flag_values[flag.name] = flag


def _print_usage(full):
    """absl's usage text: the main module's docstring (or a USAGE line), then the flags."""
    doc = getattr(sys.modules.get("__main__"), "__doc__", None)
    if not doc:
        doc = f"\nUSAGE: {sys.argv[0] if sys.argv else 'program'} [flags]\n"
    out = [doc]
    if not full:
        out.append("\nTry --helpfull to get a list of all flags.\n")
    out.append("\n")
    listing = flags.FLAGS.get_help() if full else flags.FLAGS.main_module_help()
    if listing:
        out.append(listing + "\n")
    sys.stdout.write("".join(out))
    sys.stdout.flush()


def run(main=None, argv=None):
    """Parses the command line into `tf.flags.FLAGS`, then `sys.exit(main(argv))`, as TensorFlow's `tf.app.run`.

    Flags the program does not define are left in the `argv` handed to `main`; a flag with a bad value prints
    `FATAL Flags parsing error: ...` to stderr and exits with status 1; `--help` prints the flags and exits 0.

    Args:
        main: the function to run; the main module's `main` when None.
        argv: the command line (program name first); `sys.argv` when None.

    Example:
        >>> def main(argv):
        ...     print(tf.flags.FLAGS.learning_rate)
        >>> if __name__ == "__main__":
        ...     tf.app.run()
    """
    main = main or sys.modules["__main__"].main
    _define_help_flags(flags.FLAGS)
    try:
        remaining = flags.FLAGS(sys.argv if argv is None else argv, known_only=True)
    except flags.Error as e:
        sys.stderr.write(f"FATAL Flags parsing error: {e}\n")
        sys.stderr.write("Pass --helpshort or --helpfull to see help on flags.\n")
        sys.exit(1)
    sys.exit(main(remaining))
