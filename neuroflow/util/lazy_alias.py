"""Modules made of aliases: a namespace (`tf.math`, `tf.linalg`, ...) or a TensorFlow module path
(`tensorflow.python.ops.array_ops`) whose names resolve, on first use, to the one implementation elsewhere in
neuroflow — never a copy — so a name added there appears here without editing this module's list twice."""
import importlib
import types

__all__ = ["alias_module", "delegating_module"]


def _resolve(path):
    """The object at "neuroflow.<dotted path>" (modules imported on the way), or AttributeError."""
    obj = importlib.import_module("neuroflow")
    if not path:
        return obj
    parts = path.split(".")
    for i, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            # A submodule not imported yet (e.g. a lazily loaded feature package).
            try:
                obj = importlib.import_module("neuroflow." + ".".join(parts[:i + 1]))
            except ImportError:
                raise AttributeError(path) from None
    return obj


def alias_module(module_globals, table):
    """Gives a module `__getattr__`/`__dir__` serving `table` ({public name: path under neuroflow}).

    A name whose target does not exist (yet) raises AttributeError like any missing attribute; `__all__` (unless
    the module sets its own) lists the module's public names and the aliases that resolve now.
    """
    module_name = module_globals["__name__"]
    # The module's own public names (e.g. dtypes' constants) count too, for `from ... import *` and dir().
    own = [n for n, v in module_globals.items()
           if not n.startswith("_") and not isinstance(v, types.ModuleType) and v is not alias_module]

    def available():
        names = list(own)
        for name, path in table.items():
            try:
                _resolve(path)
            except AttributeError:
                continue
            names.append(name)
        return sorted(set(names))

    def __getattr__(name):
        if name == "__all__":
            return available()
        path = table.get(name)
        if path is not None:
            try:
                value = _resolve(path)
            except AttributeError:
                pass
            else:
                module_globals[name] = value  # later reads are plain attribute reads
                return value
        raise AttributeError(f"module '{module_name}' has no attribute '{name}'")

    def __dir__():
        return sorted(set(module_globals) | set(available()))

    module_globals["__getattr__"] = __getattr__
    module_globals["__dir__"] = __dir__
    module_globals["available_names"] = available


def delegating_module(module_globals, sources):
    """Gives a module `__getattr__` that looks a name up in `sources` (paths of neuroflow modules) in order: for
    TensorFlow's internal module paths, whose contents overlap the public namespaces."""
    module_name = module_globals["__name__"]

    def __getattr__(name):
        if name.startswith("__"):
            if name == "__all__":
                return sorted({n for src in sources for n in dir(_resolve(src)) if not n.startswith("_")})
            raise AttributeError(f"module '{module_name}' has no attribute '{name}'")
        for source in sources:
            module = _resolve(source)
            if hasattr(module, name):
                value = getattr(module, name)
                module_globals[name] = value
                return value
        raise AttributeError(f"module '{module_name}' has no attribute '{name}'")

    def __dir__():
        return sorted(set(module_globals) | set(__getattr__("__all__")))

    module_globals["__getattr__"] = __getattr__
    module_globals["__dir__"] = __dir__
