"""The package: a light import (NumPy and nothing optional), version names, the license, docstrings on every
module."""
import ast
import pathlib
import subprocess
import sys

import neuroflow

PACKAGE = pathlib.Path(neuroflow.__file__).parent


def _loaded_after(statement):
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


def test_import_loads_numpy_and_nothing_else_outside_the_standard_library():
    # What `import neuroflow` loads, not how long it takes: the README's start-up figure comes from
    # `python benchmarks/startup.py`, a benchmark, not from a timed test.
    loaded = _loaded_after("import neuroflow")
    new_packages = {m.split(".")[0] for m in loaded - _loaded_after("pass")}
    assert "numpy" in new_packages
    outside = new_packages - set(sys.stdlib_module_names) - {"numpy", "neuroflow"}
    assert not outside, f"import neuroflow loaded packages other than NumPy: {sorted(outside)}"
    # The feature packages load on first use (`tf.keras`, `tf.summary`, ...), not at import.
    features = {"neuroflow.keras", "neuroflow.summary", "neuroflow.onnx", "neuroflow.playground"}
    assert not features & loaded, sorted(features & loaded)


def test_version_names_and_the_command_line_agree_with_the_package_metadata():
    import importlib.metadata
    import neuroflow as tf
    assert tf.VERSION == tf.__version__ == tf.version.VERSION
    assert tf.VERSION == importlib.metadata.version("neuroflow")  # pyproject.toml reads it from neuroflow/version.py
    assert isinstance(tf.GIT_VERSION, str) and tf.GIT_VERSION
    assert isinstance(tf.COMPILER_VERSION, str) and tf.COMPILER_VERSION
    out = subprocess.run([sys.executable, "-m", "neuroflow", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == f"neuroflow {tf.VERSION}\n"


def test_the_license_is_the_apache_license_pyproject_names():
    text = (PACKAGE.parent / "LICENSE").read_text()
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text()
    assert 'license = {text = "Apache-2.0"}' in pyproject
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text and "END OF TERMS AND CONDITIONS" in text


def test_every_module_says_what_it_is_for():
    missing = []
    for path in PACKAGE.rglob("*.py"):
        if ast.get_docstring(ast.parse(path.read_text())) is None:
            missing.append(str(path.relative_to(PACKAGE)))
    assert not missing, f"modules without a docstring: {missing}"


def test_public_surface():
    import neuroflow as tf
    for name in ["Graph", "Session", "InteractiveSession", "Variable", "placeholder", "constant", "get_variable",
                 "variable_scope", "name_scope", "global_variables_initializer", "reduce_sum", "reduce_mean", "pow",
                 "matmul", "cast", "reshape", "identity", "group", "no_op", "device", "control_dependencies",
                 "get_default_graph", "reset_default_graph", "GraphKeys", "add_to_collection", "get_collection",
                 "placeholder_with_default", "TensorShape", "float32", "string", "errors", "train", "AUTO_REUSE"]:
        assert hasattr(tf, name), name
    assert tf.train.get_or_create_global_step
