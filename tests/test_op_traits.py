"""OpDef traits (framework/op_def.py) against what the ops do: every declaration is well formed, shape
arguments are exactly the inputs whose values set output shapes, identity / shape-function / scalar-operator
traits match the kernels on the op-table samples, `infer` never mutates attributes, and the plan compiler names
no op type (it reads traits)."""
import ast
import pathlib
import types

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.framework.op_def import OpDef, registered_opdefs

from op_table import ROWS

COMPILER = pathlib.Path(tf.__file__).parent / "runtime" / "compiler"
BOOLEAN_TRAITS = ("is_identity", "identity_if_same_shape", "is_broadcast", "depends_only_on_input_shape",
                  "data_dependent_shape", "output_is_shared", "broadcasts_inputs", "is_constant", "only_orders",
                  "must_be_fed")


def _extra_graphs():
    """Builders for ops the op table leaves to other tests (random ops, variables): (name, fn(), feed arrays)."""
    return [
        ("random_uniform", lambda: tf.random_uniform(tf.constant([2, 3])), []),
        ("random_normal", lambda: tf.random_normal([4]), []),
        ("truncated_normal", lambda: tf.truncated_normal(tf.constant([3, 1])), []),
        ("multinomial", lambda: tf.multinomial(tf.zeros([2, 3]), 4), []),
        ("random_shuffle", lambda: tf.random_shuffle(tf.zeros([5, 2])), []),
        ("uninitialized", lambda: tf.report_uninitialized_variables([tf.Variable(1.0)]), []),
        ("dropout", lambda: tf.nn.dropout(tf.ones([4, 3]), keep_prob=0.5, noise_shape=tf.constant([4, 1])), []),
        ("size", lambda: tf.size(tf.zeros([2, 3])), []),
    ]


def _graphs():
    """(case id, ops of a graph built with placeholders of fully known shape, feed dict), one per sample."""
    for row in ROWS:
        for index, sample in enumerate(row.samples):
            graph = tf.Graph()
            with graph.as_default():
                placeholders = [tf.placeholder(tf.as_dtype(a.dtype), a.shape) for a in sample]
                row.fn(*placeholders)
            yield f"{row.name}-{index}", graph, dict(zip(placeholders, sample))
    for name, fn, _ in _extra_graphs():
        graph = tf.Graph()
        with graph.as_default():
            fn()
        yield name, graph, {}


GRAPHS = list(_graphs())


def _checked_ops(graph):
    """Ops whose shape inference can be rerun on stand-in inputs (no variable references)."""
    return [op for op in graph.get_operations() if op._inputs and not op.opdef.ref_inputs]


def _reinfer(op, keep):
    """The output shapes `infer` gives when every input outside `keep` is replaced by a placeholder of the
    same static shape and dtype: what the shapes alone determine."""
    with op.graph.as_default():
        inputs = [t if i in keep else tf.placeholder(t.dtype.base_dtype, t.shape) for i, t in enumerate(op.inputs)]
        return [shape for shape, _ in op.opdef.infer(inputs, types.MappingProxyType(dict(op._attrs)))]


def _fully_defined(shapes):
    return all(s.is_fully_defined() for s in shapes)


def _string_literals(path):
    """(line, value) of every string constant in a Python file (docstrings and f-string pieces included)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_compiler_names_no_op_type():
    types_ = set(registered_opdefs())
    found = [f"{path.name}:{line}: {value!r}" for path in sorted(COMPILER.glob("*.py"))
             for line, value in _string_literals(path) if isinstance(value, str) and value in types_]
    assert not found, "the compiler must read OpDef traits, not op-type names:\n" + "\n".join(found)


def test_literal_scan_sees_an_op_type_name(tmp_path):
    """The scan above is not blind: it finds a table entry written the way the old tables were."""
    probe = tmp_path / "probe.py"
    probe.write_text('IDENTITY = {"Identity", "StopGradient"}\n"""A docstring naming Identity."""\n')
    assert [v for _, v in _string_literals(probe) if v in registered_opdefs()] == ["Identity", "StopGradient"]


@pytest.mark.parametrize("type_name", sorted(registered_opdefs()))
def test_trait_declarations_are_well_formed(type_name):
    opdef = registered_opdefs()[type_name]
    for trait in BOOLEAN_TRAITS:
        assert isinstance(getattr(opdef, trait), bool), trait
    positions = opdef.shape_arg_inputs
    assert isinstance(positions, tuple) and all(isinstance(i, int) and i >= 0 for i in positions)
    if not opdef.variadic:
        assert all(i < len(opdef.input_names) for i in positions), "shape argument positions must be inputs"
    assert not set(positions) & set(opdef.ref_inputs), "a variable reference is never a shape argument"
    if opdef.is_identity or opdef.identity_if_same_shape or opdef.depends_only_on_input_shape:
        assert opdef.input_names and opdef.num_outputs == 1, "these traits are about input 0 and output 0"
    assert not (opdef.is_identity and opdef.identity_if_same_shape), "is_identity already says it"
    if opdef.is_broadcast:
        assert opdef.identity_if_same_shape and opdef.shape_arg_inputs, "a broadcast has a target shape input"
    assert not (opdef.depends_only_on_input_shape and opdef.data_dependent_shape)
    if opdef.is_constant or opdef.must_be_fed:
        assert opdef.input_names == () and not opdef.variadic
    assert not (opdef.must_be_fed and opdef.foldable), "a value that must be fed is never known at build time"
    if opdef.only_orders:
        assert opdef.num_outputs == 0 and not opdef.stateful
    assert opdef.python_operator is None or callable(opdef.python_operator)
    if opdef.python_operator is not None:
        assert len(opdef.input_names) in (1, 2) and not opdef.stateful


@pytest.mark.parametrize("case, graph, feed", GRAPHS, ids=[c for c, _, _ in GRAPHS])
def test_shape_arguments_set_the_output_shape(case, graph, feed):
    """Where input shapes are known and `infer` knows the output shape, it still knows it from the input
    shapes and the declared shape arguments' values alone (unless the op declares a data-dependent shape):
    an input whose value also matters must be declared."""
    undeclared = []
    for op in _checked_ops(graph):
        opdef = op.opdef
        if opdef.data_dependent_shape or not all(t.shape.is_fully_defined() for t in op.inputs) or \
                not _fully_defined([t.shape for t in op.outputs]):
            continue
        if not _fully_defined(_reinfer(op, set(opdef.shape_arg_inputs))):
            undeclared.append(f"{op.type} ({op.name}): shape_arg_inputs={opdef.shape_arg_inputs}")
    assert not undeclared, "output shapes set by the value of an undeclared input:\n" + "\n".join(undeclared)


def test_every_declared_shape_argument_matters():
    """Each declared shape argument, replaced by a value unknown at build time, leaves some output shape
    unknown in at least one op-table graph: no declaration is stale."""
    declared = {(t, i) for t, opdef in registered_opdefs().items() for i in opdef.shape_arg_inputs}
    mattered = set()
    for _, graph, _ in GRAPHS:
        for op in _checked_ops(graph):
            for i in op.opdef.shape_arg_inputs:
                if (op.type, i) in mattered or i >= len(op.inputs):
                    continue
                keep = set(op.opdef.shape_arg_inputs) - {i}
                if not _fully_defined(_reinfer(op, keep)):
                    mattered.add((op.type, i))
    seen = {op.type for _, graph, _ in GRAPHS for op in graph.get_operations()}
    stale = sorted((t, i) for t, i in declared - mattered if t in seen)
    assert not stale, f"shape_arg_inputs declared but never setting a shape: {stale}"


@pytest.mark.parametrize("case, graph, feed", GRAPHS, ids=[c for c, _, _ in GRAPHS])
def test_infer_never_mutates_attrs(case, graph, feed):
    """`infer` reads canonical attributes and writes none (a read-only mapping refuses writes), and gives the
    node's own output specs again."""
    for op in graph.get_operations():
        specs = op.opdef.infer(list(op.inputs), types.MappingProxyType(dict(op._attrs)))
        assert [(s.as_list() if s.ndims is not None else None, d) for s, d in specs] == [
            (t.shape.as_list() if t.shape.ndims is not None else None, t.dtype) for t in op.outputs]


def test_canonicalize_attrs_is_pure_and_idempotent():
    for _, graph, _ in GRAPHS:
        for op in graph.get_operations():
            attrs = types.MappingProxyType(dict(op._attrs))
            again = op.opdef.canonicalize_attrs(list(op.inputs), attrs)
            assert dict(again).keys() == dict(op._attrs).keys(), op.type
            for key, value in op._attrs.items():
                assert _same(again[key], value), (op.type, key)


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _run_all(graph, feed, tensors):
    with graph.as_default():
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        return sess.run(tensors, feed)


def _trait_ops(graph, trait):
    return [op for op in graph.get_operations() if trait(op.opdef) and op.type not in ("Placeholder",)
            and not op.opdef.stateful and not op.opdef.ref_inputs]


def _values_of(graph, feed, ops):
    """(op, input arrays, output arrays) for `ops`, from one run of the graph."""
    tensors = [list(op.inputs) + list(op.outputs) for op in ops]
    flat = [t for ts in tensors for t in ts]
    values = iter(_run_all(graph, feed, flat)) if flat else iter(())
    out = []
    for op in ops:
        ins = [next(values) for _ in op.inputs]
        outs = [next(values) for _ in op.outputs]
        out.append((op, ins, outs))
    return out


def _trait_cases(trait):
    cases = []
    for case, graph, feed in GRAPHS:
        if _trait_ops(graph, trait):
            cases.append((case, graph, feed))
    return cases


IDENTITY_CASES = _trait_cases(lambda d: d.is_identity or d.identity_if_same_shape)
SHAPE_FUNCTION_CASES = _trait_cases(lambda d: d.depends_only_on_input_shape)
SCALAR_CASES = _trait_cases(lambda d: d.python_operator is not None or
                            type(d).simplify_with_scalar is not OpDef.simplify_with_scalar)


def test_trait_cases_are_present():
    assert IDENTITY_CASES and SHAPE_FUNCTION_CASES and SCALAR_CASES


@pytest.mark.parametrize("case, graph, feed", IDENTITY_CASES, ids=[c for c, _, _ in IDENTITY_CASES])
def test_identity_traits_match_the_kernels(case, graph, feed):
    ops = _trait_ops(graph, lambda d: d.is_identity or d.identity_if_same_shape)
    for op, ins, outs in _values_of(graph, feed, ops):
        x, y = np.asarray(ins[0]), np.asarray(outs[0])
        if op.opdef.is_identity or x.shape == y.shape:
            assert x.shape == y.shape and x.dtype == y.dtype, op.name
            np.testing.assert_array_equal(y, x, err_msg=op.name)
        if op.opdef.is_broadcast:
            np.testing.assert_array_equal(y, np.broadcast_to(x, y.shape), err_msg=op.name)


@pytest.mark.parametrize("case, graph, feed", SHAPE_FUNCTION_CASES, ids=[c for c, _, _ in SHAPE_FUNCTION_CASES])
def test_shape_functions_ignore_input_values(case, graph, feed):
    ops = _trait_ops(graph, lambda d: d.depends_only_on_input_shape)
    for op, ins, outs in _values_of(graph, feed, ops):
        other = np.full_like(np.asarray(ins[0]), 7) if np.asarray(ins[0]).dtype != object else ins[0]
        again = op.opdef.forward(np, other, **op._attrs)
        np.testing.assert_array_equal(np.asarray(again), np.asarray(outs[0]), err_msg=op.name)
        assert np.asarray(again).dtype == np.asarray(outs[0]).dtype


SCALARS = (0, 1, -1, 2, 0.5, 3)


@pytest.mark.parametrize("case, graph, feed", SCALAR_CASES, ids=[c for c, _, _ in SCALAR_CASES])
def test_scalar_traits_match_the_kernels(case, graph, feed):
    """`python_operator` on 0-d operands and every `simplify_with_scalar` rewrite give the kernel's values."""
    ops = _trait_ops(graph, lambda d: d.python_operator is not None or
                     type(d).simplify_with_scalar is not OpDef.simplify_with_scalar)
    for op, ins, outs in _values_of(graph, feed, ops):
        arrays = [np.asarray(a) for a in ins]
        if op.opdef.python_operator is not None and all(a.ndim == 0 and a.dtype.kind in "fiuc" for a in arrays):
            got = op.opdef.python_operator(*[a[()] for a in arrays])
            np.testing.assert_array_equal(np.asarray(got), np.asarray(outs[0]), err_msg=op.name)
            assert np.asarray(got).dtype == np.asarray(outs[0]).dtype
        if len(arrays) != 2:
            continue
        floating = np.asarray(outs[0]).dtype.kind in "fc"
        for position in (0, 1):
            other = arrays[1 - position]
            if other.dtype.kind not in "fiuc":
                continue
            for s in SCALARS:
                with np.errstate(all="ignore"):
                    scalar = np.asarray(s).astype(other.dtype)
                if scalar != s:
                    continue  # not representable in the dtype (0.5 as an integer, -1 unsigned)
                rewrite = op.opdef.simplify_with_scalar(position, scalar, floating)
                if rewrite is None:
                    continue
                pair = [None, None]
                pair[position], pair[1 - position] = scalar, other
                with np.errstate(all="ignore"):
                    expected = op.opdef.forward(np, *pair, **op._attrs)
                    target, k = rewrite
                    assert k == 1 - position, "a rewrite keeps the non-constant operand"
                    got = other if target == "input" else target.forward(np, other)
                np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0, equal_nan=True,
                                           err_msg=f"{op.type} with {s} at {position}")
                assert np.asarray(got).dtype == np.asarray(expected).dtype


def test_apply_op_stores_canonical_attrs_and_leaves_the_callers_dict_alone():
    from neuroflow.framework.apply import apply_op
    from neuroflow.ops.reduce_ops import Sum
    attrs = {"axis": [-1, 0], "keep_dims": False}
    x = tf.placeholder(tf.float32, [2, 3])
    y = apply_op(Sum, [x], attrs)
    assert attrs == {"axis": [-1, 0], "keep_dims": False}
    assert y.op.get_attr("axis") == (0, 1) and y.shape.as_list() == []
    with tf.eager_mode():
        eager = apply_op(Sum, [tf.ones([2, 3])], attrs)
        assert eager._op.get_attr("axis") == (0, 1) and eager.numpy() == 6.0  # TF hides an eager op
    assert attrs == {"axis": [-1, 0], "keep_dims": False}
