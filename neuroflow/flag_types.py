"""The kinds of command-line flag behind `tf.flags` (string, integer, float, boolean, list, enum) and the flag
errors, with the values, help lines and messages of absl's flags, which TensorFlow's `tf.app.flags` wraps."""

__all__ = ["Error", "IllegalFlagValueError", "UnrecognizedFlagError", "DuplicateFlagError",
           "UnparsedFlagAccessError", "ValidationError", "Flag", "BooleanFlag", "EnumFlag"]


class Error(Exception):
    """The base class of the flag errors."""


class IllegalFlagValueError(Error):
    """A flag was given a value its kind cannot take (`flag --n=abc: ...`)."""


class ValidationError(Error):
    """A flag validator refused a value."""


class DuplicateFlagError(Error):
    """A flag was defined twice."""


class UnparsedFlagAccessError(Error):
    """A flag was read before the command line was parsed."""


class UnrecognizedFlagError(Error):
    """The command line names a flag that is not defined.

    Attributes:
        flagname: the unknown flag's name.
        flagvalue: the argument as given.
    """

    def __init__(self, flagname, flagvalue="", suggestions=None):
        self.flagname = flagname
        self.flagvalue = flagvalue
        tip = f". Did you mean: {', '.join(suggestions)} ?" if suggestions else ""
        super().__init__(f"Unknown command line flag '{flagname}'{tip}")


class Flag:
    """A string flag; the other kinds override `convert`, `serialize` and `syntactic_help`.

    Attributes:
        name, short_name, help, default, value, present (how often the command line set it), boolean,
        module_name (the module that defined it, for `--help`).
    """
    boolean = False
    syntactic_help = ""

    def __init__(self, name, default, help_string, short_name=None, module_name=None):
        self.name = name
        self.short_name = short_name
        self.help = help_string or "(no help available)"
        self.module_name = module_name
        self.present = 0
        self.using_default_value = True
        self.default = None
        self.set_default(default)

    def convert(self, argument):
        return argument if argument is None else str(argument)

    def serialize(self, value):
        return str(value)

    def _converted(self, argument):
        try:
            return self.convert(argument)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError(f"flag --{self.name}={argument}: {e}") from None

    def set_default(self, value):
        """Changes the default (and the value, while the command line has not set it)."""
        self.default = None if value is None else self._converted(value)
        if self.using_default_value:
            self.value = self.default

    def parse(self, argument):
        """Sets the value from a command-line argument (a string)."""
        self.value = self._converted(argument)
        self.present += 1
        self.using_default_value = False

    def unparse(self):
        self.value = self.default
        self.present = 0
        self.using_default_value = True

    def help_lines(self):
        """This flag's entry in `--help`, as absl writes it."""
        lines = [f"  --{'[no]' if self.boolean else ''}{self.name}: {self._help_text()}"]
        if self.default is not None:
            lines.append(f"    (default: '{self.serialize(self.default)}')")
        if self.syntactic_help:
            lines.append(f"    ({self.syntactic_help})")
        return lines

    def _help_text(self):
        return self.help


class IntegerFlag(Flag):
    _kind, _kind_plural = "an integer", "integer"

    def __init__(self, name, default, help_string, lower_bound=None, upper_bound=None, **kwargs):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound
        self.syntactic_help = self._bounds_text()
        super().__init__(name, default, help_string, **kwargs)

    def _bounds_text(self):
        low, high, kind = self.lower_bound, self.upper_bound, self._kind
        noun = kind.split(" ", 1)[1]
        if low is not None and high is not None:
            return f"{kind} in the range [{low}, {high}]"
        if low == 1 and noun == "integer":
            return "a positive integer"
        if low == 0:
            return f"a non-negative {noun}"
        if high == 0:
            return f"a non-positive {noun}"
        if high == -1 and noun == "integer":
            return "a negative integer"
        if low is not None:
            return f"{kind} >= {low}"
        if high is not None:
            return f"{kind} <= {high}"
        return kind

    def _number(self, argument):
        if isinstance(argument, bool):
            raise TypeError(f"Expect argument to be a string or int, found {type(argument)}")
        if isinstance(argument, int):
            return argument
        text = str(argument)
        # absl's prefixes: 0x hexadecimal and 0o octal (a sign before them is an error there too).
        base = {"0x": 16, "0o": 8}.get(text[:2], 10) if len(text) > 2 else 10
        return int(text, base)

    def convert(self, argument):
        value = self._number(argument)
        if ((self.lower_bound is not None and value < self.lower_bound)
                or (self.upper_bound is not None and value > self.upper_bound)):
            raise ValueError(f"{value} is not {self.syntactic_help}")
        return value


class FloatFlag(IntegerFlag):
    _kind = "a number"

    def _number(self, argument):
        if isinstance(argument, bool):
            raise TypeError(f"Expect argument to be a string, int, or float, found {type(argument)}")
        return float(argument) if isinstance(argument, str) else float(argument)


class BooleanFlag(Flag):
    """`--name`, `--noname`, `--name=true|false|t|f|1|0` (any case)."""
    boolean = True

    def convert(self, argument):
        if isinstance(argument, bool):
            return argument
        if isinstance(argument, str):
            word = argument.lower()
            if word in ("true", "t", "1"):
                return True
            if word in ("false", "f", "0"):
                return False
        elif isinstance(argument, int) and argument in (0, 1):
            return bool(argument)
        raise ValueError("Non-boolean argument to boolean flag", argument)

    def serialize(self, value):
        return "true" if value else "false"


class ListFlag(Flag):
    """A comma-separated list of strings."""
    syntactic_help = "a comma separated list"

    def convert(self, argument):
        if isinstance(argument, (list, tuple)):
            return list(argument)
        text = str(argument)
        return [item.strip() for item in text.split(",")] if text else []

    def serialize(self, value):
        return ",".join(str(item) for item in value)


class EnumFlag(Flag):
    """One of a fixed set of strings."""

    def __init__(self, name, default, help_string, enum_values, **kwargs):
        if not enum_values:
            raise ValueError(f"enum_values cannot be empty, found '{enum_values}'")
        self.enum_values = list(enum_values)
        super().__init__(name, default, help_string, **kwargs)

    def convert(self, argument):
        if argument not in self.enum_values:
            raise ValueError(f"value should be one of <{'|'.join(self.enum_values)}>")
        return argument

    def _help_text(self):
        return f"<{'|'.join(self.enum_values)}>: {self.help}"


class MultiFlag(Flag):
    """A flag given any number of times (`--tag=a --tag=b`): its value is the list of every value given, each
    converted by the flag kind `item_kind`."""

    def __init__(self, name, default, help_string, item_kind=Flag, **kwargs):
        self._item = item_kind(name, None, help_string)
        self.syntactic_help = self._item.syntactic_help
        super().__init__(name, default, help_string, **kwargs)

    def convert(self, argument):
        items = argument if isinstance(argument, (list, tuple)) else [argument]
        return [self._item.convert(item) for item in items]

    def parse(self, argument):
        values = self._converted(argument)
        self.value = values if self.using_default_value else self.value + values
        self.present += 1
        self.using_default_value = False

    def help_lines(self):
        lines = [f"  --{self.name}: {self.help};", "    repeat this option to specify a list of values"]
        if self.default is not None:
            lines.append(f'    (default: "{self.default!r}")')
        if self.syntactic_help:
            lines.append(f"    ({self.syntactic_help})")
        return lines
