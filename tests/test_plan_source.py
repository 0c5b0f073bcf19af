"""Readable generated plan code: every kernel call's line names its node and op type (part functions too), node
names from imported graphs cannot leave their comment, and the code is shown by `Session.plan_source` and by the
`NEUROFLOW_PRINT_PLANS` environment variable."""
import builtins
import re

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework import graph_io
from neuroflow.runtime.compiler import codegen, listing

CALL_LINE = re.compile(r"^\s*(?:[\w\[\], ]+ = )?k\d+\(.*\)  # (.*) \((.+)\)$")


def step_lines(source):
    """[(node name, op type)] of the kernel-call lines of generated source; fails on a call line without one."""
    found = []
    for line in source.splitlines():
        if re.match(r"^\s*(?:[\w\[\], ]+ = )?k\d+\(", line):
            match = CALL_LINE.match(line)
            assert match, f"kernel call without its node comment: {line!r}"
            found.append((match.group(1), match.group(2)))
    return found


def test_each_kernel_call_names_its_node_and_op_type():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.layers.dense(x, 4, activation=tf.nn.relu, name="dense")
    loss = tf.reduce_mean(tf.square(y), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {x: np.ones((2, 3), np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([loss, train], feed)
        source = sess.plan_source([loss, train], feed)
    named = step_lines(source)
    ops = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert ("dense/MatMul", "MatMul") in named and ("loss", "Mean") in named
    assert ("dense/Relu", "Relu") in named
    for node, op_type in named:
        assert ops[node] == op_type.split(" as ")[0], (node, op_type)
    assert "# ==== feed shapes [(2, 3)]" in source


def test_a_step_rewritten_to_another_opdef_shows_both_types():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.pow(x, 2.0, name="squared")   # the scalar pass turns x ** 2 into Square
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0, 3.0]}), [1.0, 4.0, 9.0])
        named = step_lines(sess.plan_source(y, {x: None}))
    assert named == [("squared", "Pow as Square")]


def test_source_before_the_first_run_is_the_unspecialized_program():
    x = tf.placeholder(tf.float32, [None], name="features")
    y = tf.multiply(x, 3.0, name="tripled")
    with tf.Session() as sess:
        source = sess.plan_source(y, [x])
        assert "not specialized" in source and ("tripled", "Mul") in step_lines(source)
        np.testing.assert_allclose(sess.run(y, {x: [1.0, 2.0]}), [3.0, 6.0])   # the same plan still runs


def test_part_functions_are_commented_too(monkeypatch):
    monkeypatch.setattr(codegen, "PART_STEPS", 4)
    x = tf.placeholder(tf.float32, [2], name="x")
    y = x
    for i in range(10):
        y = tf.add(y, float(i + 1), name=f"step{i}")   # (+0 would be simplified away)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [0.0, 1.0]}), [55.0, 56.0])
        source = sess.plan_source(y, {x: None})
    assert source.count("# <neuroflow plan ") >= 3  # one heading per part
    assert [n for n, _ in step_lines(source)] == [f"step{i}" for i in range(10)]


def test_failure_in_a_later_part_names_the_node_and_its_input_values(monkeypatch):
    monkeypatch.setattr(codegen, "PART_STEPS", 3)
    values = tf.placeholder(tf.float32, [6], name="values")
    shape = tf.placeholder(tf.int32, [2], name="shape")
    y = values
    for i in range(6):
        y = tf.add(y, 1.0, name=f"inc{i}")
    reshaped = tf.reshape(y, shape, name="reshaped")
    with tf.Session() as sess:
        feed = {values: np.zeros(6, np.float32), shape: np.array([2, 3], np.int32)}
        np.testing.assert_allclose(sess.run(reshaped, feed), np.full((2, 3), 6.0))
        sess.run(reshaped, feed)   # now from generated code, where both inputs of the Reshape live in slots
        assert "s[" in [line for line in sess.plan_source(reshaped, feed).splitlines() if "# reshaped" in line][0]
        feed[shape] = np.array([4, 2], np.int32)
        # The message is built from the Reshape's input arrays, read back from the failed part's slots.
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Input to reshape is a tensor with 6 values, but the requested shape has 8"):
            sess.run(reshaped, feed)


# --- node names are data --------------------------------------------------------------------------------------------
INJECTED = "NEUROFLOW_PLAN_INJECTED"
HOSTILE = [
    f"a\nimport builtins; builtins.{INJECTED} = 1\n#",
    f"b\rimport builtins; builtins.{INJECTED} = 2\r#",
    f"c\r\nimport builtins; builtins.{INJECTED} = 3",
    f"d\x0bimport builtins; builtins.{INJECTED} = 4\x0c#",
    f"e\x1c\x1d\x1e\x85\u2028\u2029import builtins; builtins.{INJECTED} = 5",
    "f\x00nul",
    "g\ud800surrogate",
    'h"""\'\'\'\\',
    "i\u202eevil\u202c",   # right-to-left override: may not reorder the line's display
    "j" * 5000,
]


def _renamed(graph_def, names):
    """A copy of `graph_def`'s nodes with the names in `names` ({old: new}) replaced everywhere."""
    def rename(ref):
        control = ref.startswith("^")
        base, sep, index = ref.lstrip("^").rpartition(":")
        if not (sep and index.isdigit()):
            base, sep, index = ref.lstrip("^"), "", ""
        return ("^" if control else "") + names.get(base, base) + sep + index
    for node in graph_def.node:
        node.name = names.get(node.name, node.name)
        node.input = [rename(i) for i in node.input]
    return graph_def


def _hostile_graph():
    """x (fed) -> a chain of adds, each node given a hostile name; returns (GraphDef, {hostile name: increment})."""
    graph = tf.Graph()
    with graph.as_default():
        y = tf.placeholder(tf.float32, [2], name="x")
        for i in range(len(HOSTILE)):
            y = tf.add(y, float(i + 1), name=f"add{i}")
    names = {f"add{i}": name for i, name in enumerate(HOSTILE)}
    return _renamed(graph_io.as_graph_def(graph), names)


def _check_hostile_plan(sess, fetch, x):
    assert not hasattr(builtins, INJECTED)
    expected = np.array([1.0, 2.0]) + sum(range(1, len(HOSTILE) + 1))
    for _ in range(2):   # interpreted, then generated
        np.testing.assert_allclose(sess.run(fetch, {x: [1.0, 2.0]}), expected)
    assert not hasattr(builtins, INJECTED), "a node name's text ran as code"
    source = sess.plan_source(fetch, {x: None})
    # The code has exactly the lines Python compiled: no name added a line break anywhere.
    assert len(source.splitlines()) == source.count("\n")
    compile(source, "<check>", "exec")
    shown = [n for n, _ in step_lines(source)]
    assert shown == [listing.comment_text(f"import/{name}") for name in HOSTILE]
    assert all(n.isprintable() for n in shown)
    assert "\\nimport builtins" in shown[0] and "\\u202e" in shown[8]
    assert len(shown[-1]) < 200 and shown[-1].endswith("...")


def test_hostile_node_names_from_import_graph_def_stay_in_their_comments():
    graph_def = tf.GraphDef.FromString(_hostile_graph().SerializeToString())
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def)
        x = graph.get_tensor_by_name("import/x:0")
        fetch = graph.get_operations()[-1].outputs[0]
        assert fetch.op.name == "import/" + HOSTILE[-1]
        with tf.Session() as sess:
            _check_hostile_plan(sess, fetch, x)


def test_hostile_node_names_from_import_meta_graph_stay_in_their_comments():
    graph_def = _hostile_graph()
    meta = tf.train.MetaGraphDef(graph_def=graph_def)
    with tf.Graph().as_default() as graph:
        tf.train.import_meta_graph(tf.train.MetaGraphDef.FromString(meta.SerializeToString()),
                                   import_scope="import")
        x = graph.get_tensor_by_name("import/x:0")
        with tf.Session() as sess:
            _check_hostile_plan(sess, graph.get_operations()[-1].outputs[0], x)


def test_hostile_node_name_in_a_failing_plan_still_names_the_node():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.int32, [2], name="x")
        tf.gather(tf.constant([1.0, 2.0]), x, name="pick")
    graph_def = _renamed(graph_io.as_graph_def(graph), {"pick": "pick\nraise SystemExit(9)"})
    with tf.Graph().as_default() as imported:
        tf.import_graph_def(graph_def, name="")
        fetch, fed = imported.get_operations()[-1].outputs[0], imported.get_tensor_by_name("x:0")
        with tf.Session() as sess:
            for _ in range(2):
                np.testing.assert_allclose(sess.run(fetch, {fed: [1, 0]}), [2.0, 1.0])
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(fetch, {fed: [5, 0]})
    assert "pick\nraise SystemExit(9)" in str(info.value)   # the error message keeps the real name


@pytest.mark.parametrize("text", HOSTILE + ["plain/name_1", "", "\t"])
def test_comment_text_is_one_printable_line(text):
    shown = listing.comment_text(text)
    assert shown.isprintable() and len(shown.splitlines()) <= 1
    compile(f"x = 1  # {shown}\ny = 2\n", "<check>", "exec")
    if text.isprintable() and len(text) <= 160:
        assert shown == text


# --- showing plans --------------------------------------------------------------------------------------------------
def _small_graph():
    x = tf.placeholder(tf.float32, [2], name="input_x")
    return x, tf.multiply(x, 2.0, name="doubled_for_print")


def test_print_plans_env_prints_each_plan_to_stderr(monkeypatch, capsys):
    monkeypatch.setenv(listing.PRINT_PLANS_ENV, "1")
    x, y = _small_graph()
    with tf.Session() as sess:
        sess.run(y, {x: [1.0, 2.0]})
    err = capsys.readouterr().err
    assert "# ---- <neuroflow plan " in err and "# doubled_for_print (Mul)" in err
    compile(err, "<printed>", "exec")


def test_print_plans_env_writes_files_to_a_directory(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(listing.PRINT_PLANS_ENV, str(tmp_path / "plans"))
    x, y = _small_graph()
    with tf.Session() as sess:
        sess.run(y, {x: [1.0, 2.0]})
    files = sorted((tmp_path / "plans").glob("plan-*.py"))
    assert files and "neuroflow plan" not in capsys.readouterr().err
    text = files[-1].read_text(encoding="utf-8")
    assert "# doubled_for_print (Mul)" in text
    compile(text, str(files[-1]), "exec")


@pytest.mark.parametrize("value", ["", "0"])
def test_print_plans_env_off_shows_nothing(monkeypatch, capsys, value):
    monkeypatch.setenv(listing.PRINT_PLANS_ENV, value)
    x, y = _small_graph()
    with tf.Session() as sess:
        sess.run(y, {x: [1.0, 2.0]})
    assert "neuroflow plan" not in capsys.readouterr().err


def test_plan_source_of_a_closed_session_raises():
    x, y = _small_graph()
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.plan_source(y, {x: None})
