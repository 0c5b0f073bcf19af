"""`tf.flags` / `tf.app.flags`: command-line flags with absl's API and parsing (which TensorFlow 1.x wraps), kept
in neuroflow so that NumPy stays the only dependency.

`FLAGS` parses `sys.argv` the first time a flag is read, as TensorFlow's wrapper does; `tf.app.run` parses first
and passes the arguments it does not know on to `main`.

Example:
    >>> tf.flags.DEFINE_integer("batch_size", 32, "Examples per step.")
    >>> FLAGS = tf.flags.FLAGS
    >>> FLAGS(["prog", "--batch_size=64"])
    ['prog']
    >>> FLAGS.batch_size
    64
"""
import sys

from .flag_types import (BooleanFlag, DuplicateFlagError, EnumFlag, Error, Flag, FloatFlag,  # noqa: F401
                         IllegalFlagValueError, IntegerFlag, ListFlag, MultiFlag, UnparsedFlagAccessError,
                         UnrecognizedFlagError, ValidationError)

__all__ = ["FLAGS", "FlagValues", "Flag", "Error", "IllegalFlagValueError", "UnrecognizedFlagError",
           "DuplicateFlagError", "UnparsedFlagAccessError", "ValidationError", "DEFINE_string", "DEFINE_integer",
           "DEFINE_float", "DEFINE_boolean", "DEFINE_bool", "DEFINE_list", "DEFINE_enum", "DEFINE_multi_string",
           "DEFINE_multi_integer", "DEFINE_multi_float", "mark_flag_as_required",
           "mark_flags_as_required", "register_validator"]


class FlagValues:
    """A registry of flags: `FLAGS.name` reads a value, `FLAGS(argv)` parses a command line and returns the
    arguments that are not flags (with the program name first).

    Args:
        parse_on_access: parse `sys.argv` when a flag is read before any parse (TensorFlow's `FLAGS` does); when
            False, such a read raises UnparsedFlagAccessError (absl's own behaviour).
    """

    def __init__(self, parse_on_access=False):
        # Attributes live in __dict__ under names no flag can have, since attribute access means flag access.
        self.__dict__["__flags"] = {}
        self.__dict__["__parsed"] = False
        self.__dict__["__validators"] = []
        self.__dict__["__parse_on_access"] = parse_on_access

    def _flags(self):
        return self.__dict__["__flags"]

    # --- registry ---
    def __setitem__(self, name, flag):
        flags = self._flags()
        for key in (name, flag.short_name):
            if key is not None and key in flags and flags[key] is not flag:
                first = flags[key]
                raise DuplicateFlagError(
                    f"The flag '{key}' is defined twice. First from {_module_title(first.module_name)}, second from "
                    f"{_module_title(flag.module_name)}. Description from first occurrence: {first.help}")
        flags[name] = flag
        if flag.short_name:
            flags[flag.short_name] = flag

    def __getitem__(self, name):
        return self._flags()[name]

    def __contains__(self, name):
        return name in self._flags()

    def __iter__(self):
        return iter(list(self._flags()))

    def __len__(self):
        return len(self._flags())

    def __dir__(self):
        return sorted(self._flags())

    def __getattr__(self, name):
        if name == "__flags":  # TF 1.4-era code reads FLAGS.__flags
            return self._flags()
        flag = self._flags().get(name)
        if flag is None:
            raise AttributeError(name)
        if not self.__dict__["__parsed"]:
            if not self.__dict__["__parse_on_access"]:
                raise UnparsedFlagAccessError(f"Trying to access flag --{name} before flags were parsed.")
            self(sys.argv)
        return flag.value

    def __setattr__(self, name, value):
        flag = self._flags().get(name)
        if flag is None:
            raise UnrecognizedFlagError(name, value)
        flag.value = value
        flag.using_default_value = False
        self._validate()

    def __delattr__(self, name):
        flags = self._flags()
        if name not in flags:
            raise AttributeError(name)
        flag = flags.pop(name)
        for key in [k for k, f in flags.items() if f is flag]:
            del flags[key]

    # --- parsing ---
    def __call__(self, argv, known_only=False):
        """Parses `argv` (program name first) and returns the program name and the arguments that are not flags
        (with `known_only`, unknown flags are returned too instead of raising UnrecognizedFlagError)."""
        if isinstance(argv, (str, bytes)):
            raise TypeError("argv should be a tuple/list.")
        argv = list(argv)
        if not argv:
            raise ValueError("argv cannot be an empty list, and must contain the program name as the first "
                             "element.")
        unknown, unparsed = self._parse_args(argv[1:], known_only)
        if unknown:
            name, _ = unknown[0]
            raise UnrecognizedFlagError(name, unknown[0][1], _suggestions(name, self._long_names()))
        self.mark_as_parsed()
        self._validate()
        return argv[:1] + unparsed

    def _parse_args(self, args, known_only):
        flags = self._flags()
        unknown, unparsed = [], []
        rest = iter(args)
        for arg in rest:
            if not arg.startswith("-"):
                unparsed.append(arg)  # GNU-style: positional arguments may sit among the flags
                continue
            if arg == "--":
                if known_only:
                    unparsed.append(arg)
                break
            body = arg[2:] if arg.startswith("--") else arg[1:]
            name, has_value, value = body.partition("=")
            if not has_value:
                value = None
            if not name:
                unparsed.append(arg)
                continue
            flag = flags.get(name)
            if flag is not None:
                if flag.boolean and value is None:
                    value = "true"
                elif value is None:
                    value = next(rest, None)
                    if value is None:
                        raise Error(f"Missing value for flag {arg}")
            elif name.startswith("no") and getattr(flags.get(name[2:]), "boolean", False):
                if value is not None:
                    raise ValueError(f"{arg} does not take an argument")
                flag, value = flags[name[2:]], "false"
            if flag is None:
                unknown.append((name, arg))
                if known_only:
                    unparsed.append(arg)
                continue
            flag.parse(value)
        unparsed.extend(rest)
        return ([] if known_only else unknown), unparsed

    def _long_names(self):
        return [name for name, flag in self._flags().items() if name == flag.name]

    def _validate(self):
        for names, checker, message in self.__dict__["__validators"]:
            values = {n: self._flags()[n].value for n in names if n in self._flags()}
            if not checker(values[names[0]] if len(names) == 1 else values):
                bad = names[0]
                raise IllegalFlagValueError(f"flag --{bad}={self._flags()[bad].value}: {message}")

    def add_validator(self, names, checker, message):
        self.__dict__["__validators"].append((list(names), checker, message))

    def is_parsed(self):
        return self.__dict__["__parsed"]

    def mark_as_parsed(self):
        self.__dict__["__parsed"] = True

    def unparse_flags(self):
        """Returns every flag to its default and forgets that the command line was parsed."""
        for flag in set(self._flags().values()):
            flag.unparse()
        self.__dict__["__parsed"] = False

    def flag_values_dict(self):
        """{name: value} of every flag."""
        return {name: flag.value for name, flag in self._flags().items() if name == flag.name}

    def get_flag_value(self, name, default):
        flag = self._flags().get(name)
        return default if flag is None else flag.value

    def set_default(self, name, value):
        if name not in self._flags():
            raise UnrecognizedFlagError(name, value)
        self._flags()[name].set_default(value)

    # --- help ---
    def module_help(self, module_name):
        """The `--help` section of the flags one module defined."""
        flags = sorted({f.name: f for f in self._flags().values() if f.module_name == module_name}.values(),
                       key=lambda f: f.name)
        if not flags:
            return ""
        lines = ["", f"{_module_title(module_name)}:"]
        for flag in flags:
            lines.extend(flag.help_lines())
        return "\n".join(lines)

    def main_module_help(self):
        return self.module_help("__main__")

    def get_help(self):
        """Every module's section, the main program's first."""
        modules = sorted({f.module_name for f in self._flags().values()}, key=lambda m: (m != "__main__", m))
        return "\n".join(self.module_help(m) for m in modules)


def _module_title(module_name):
    # absl names the main program's flags by the script's path.
    return sys.argv[0] if module_name == "__main__" and sys.argv and sys.argv[0] else module_name


def _edit_distance(a, b):
    """Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _suggestions(attempt, names):
    """absl's "Did you mean" list: the flags whose prefix is closest to `attempt`, within half its length."""
    if len(attempt) <= 2 or not names:
        return []
    scored = sorted((_edit_distance(attempt, name[:len(attempt)]), name) for name in names)
    best = scored[0][0]
    if best >= 0.5 * len(attempt):
        return []
    return [name for score, name in scored if score == best]


def _caller_module():
    """The name of the module that called the DEFINE_* function calling this."""
    return sys._getframe(2).f_globals.get("__name__", "__main__")


FLAGS = FlagValues(parse_on_access=True)


def _define(flag, flag_values, module_name):
    flag.module_name = module_name or flag.module_name
    flag_values[flag.name] = flag
    return flag


def DEFINE_string(name, default, help, flag_values=FLAGS, short_name=None, module_name=None):  # noqa: N802,A002
    """Defines a string flag `--name=value`."""
    return _define(Flag(name, default, help, short_name, _caller_module()), flag_values, module_name)


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,  # noqa: N802,A002
                   short_name=None, module_name=None):
    """Defines an integer flag, optionally bounded (`lower_bound <= value <= upper_bound`)."""
    flag = IntegerFlag(name, default, help, lower_bound, upper_bound, short_name=short_name,
                       module_name=_caller_module())
    return _define(flag, flag_values, module_name)


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS,  # noqa: N802,A002
                 short_name=None, module_name=None):
    """Defines a float flag, optionally bounded."""
    flag = FloatFlag(name, default, help, lower_bound, upper_bound, short_name=short_name,
                     module_name=_caller_module())
    return _define(flag, flag_values, module_name)


def DEFINE_boolean(name, default, help, flag_values=FLAGS, short_name=None, module_name=None):  # noqa: N802,A002
    """Defines a boolean flag: `--name`, `--noname` or `--name=true|false`."""
    return _define(BooleanFlag(name, default, help, short_name, _caller_module()), flag_values, module_name)


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name, default, help, flag_values=FLAGS, short_name=None, module_name=None):  # noqa: N802,A002
    """Defines a flag holding a comma-separated list of strings."""
    return _define(ListFlag(name, default, help, short_name, _caller_module()), flag_values, module_name)


def DEFINE_enum(name, default, enum_values, help, flag_values=FLAGS, short_name=None,  # noqa: N802,A002
                module_name=None):
    """Defines a flag whose value is one of `enum_values`."""
    flag = EnumFlag(name, default, help, enum_values, short_name=short_name, module_name=_caller_module())
    return _define(flag, flag_values, module_name)


def DEFINE_multi_string(name, default, help, flag_values=FLAGS, short_name=None,  # noqa: N802,A002
                        module_name=None):
    """Defines a flag that may be given many times; its value is the list of the strings given."""
    flag = MultiFlag(name, default, help, short_name=short_name, module_name=_caller_module())
    return _define(flag, flag_values, module_name)


def DEFINE_multi_integer(name, default, help, flag_values=FLAGS, short_name=None,  # noqa: N802,A002
                         module_name=None):
    """Defines a flag that may be given many times; its value is the list of the integers given."""
    flag = MultiFlag(name, default, help, IntegerFlag, short_name=short_name, module_name=_caller_module())
    return _define(flag, flag_values, module_name)


def DEFINE_multi_float(name, default, help, flag_values=FLAGS, short_name=None,  # noqa: N802,A002
                       module_name=None):
    """Defines a flag that may be given many times; its value is the list of the numbers given."""
    flag = MultiFlag(name, default, help, FloatFlag, short_name=short_name, module_name=_caller_module())
    return _define(flag, flag_values, module_name)


def register_validator(flag_name, checker, message="Flag validation failed", flag_values=FLAGS):
    """Checks the flag's value after each parse: `checker(value)` must be true, else IllegalFlagValueError."""
    flag_values.add_validator([flag_name], checker, message)


def mark_flag_as_required(flag_name, flag_values=FLAGS):
    """The command line must give the flag a value other than None."""
    register_validator(flag_name, lambda value: value is not None,
                       f"Flag --{flag_name} must have a value other than None.", flag_values)


def mark_flags_as_required(flag_names, flag_values=FLAGS):
    for name in flag_names:
        mark_flag_as_required(name, flag_values)
