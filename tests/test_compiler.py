"""The plan compiler: each pass on its own, shape specialization's safety, generated code and its errors."""
import gc

import numpy as np
import pytest

import neuroflow as tf
from neuroflow.runtime.compiler import passes
from neuroflow.runtime.compiler.program import lower
from neuroflow.runtime.context import RunContext
from neuroflow.runtime.plan import interpret


def _program(fetches, feeds=()):
    return lower(list(fetches), [], list(feeds), RunContext())


def _types(program):
    return [s.opdef.type_name for s in program.steps]


def test_fold_constants_evaluates_constant_subgraphs():
    y = (tf.constant(2.0) * 3.0 + 1.0) * tf.placeholder(tf.float32)
    p = _program([y], [y.op.inputs[1]])
    passes.fold_constants(p)
    assert _types(p) == ["Mul"]
    assert any(np.asarray(v).tolist() == 7.0 for v in p.consts.values())


FOLD_LIMIT = 1 << 20  # elements: the compiler's documented limit on a constant it keeps


def _large_arrays_reachable_from(root):
    """Sizes of the NumPy arrays over FOLD_LIMIT elements that `root` holds, directly or not."""
    seen, stack, sizes = set(), [root], []
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            if obj.size > FOLD_LIMIT:
                sizes.append(obj.size)
            continue
        stack.extend(gc.get_referents(obj))
    return sizes


def test_specialized_plans_keep_no_constant_above_the_fold_limit(sess):
    x = tf.placeholder(tf.float32, [])
    y = tf.reduce_sum(tf.ones([2000, 2000]) * 2.0) * x
    for _ in range(3):  # the interpreted first run, then the specialized plan
        assert sess.run(y, {x: 0.5}) == 4e6
    assert _large_arrays_reachable_from(sess) == []


def test_a_large_constant_subgraph_folds_to_its_small_result():
    x = tf.placeholder(tf.float32, [])
    p = _program([tf.reduce_sum(tf.ones([2000, 2000]) * 2.0) * x], [x])
    passes.optimize(p)
    assert _types(p) == ["Mul"]
    assert max(np.size(c) for c in p.consts.values()) == 1
    assert interpret(p, [np.float32(0.5)])[0][0] == 4e6


def test_a_large_folded_value_a_run_time_step_reads_is_computed_at_run_time():
    x = tf.placeholder(tf.float32, [])
    p = _program([tf.ones([2000, 2000]) * 2.0 + x], [x])
    passes.optimize(p)
    assert _types(p) == ["Fill", "Mul", "AddV2"]
    assert max(np.size(c) for c in p.consts.values()) <= FOLD_LIMIT
    result = interpret(p, [np.float32(0.5)])[0][0]
    assert result.shape == (2000, 2000) and np.all(result == 2.5)


def test_fold_shape_functions_uses_known_shapes():
    x = tf.placeholder(tf.float32, [3, 4])
    p = _program([tf.ones_like(x) + x, tf.shape(tf.identity(x))], [x])
    passes.fold_shape_functions(p)
    assert "OnesLike" not in _types(p)


def test_eliminate_aliases_removes_identities_and_shape_noops():
    x = tf.placeholder(tf.float32, [3, 4])
    y = tf.reshape(tf.identity(tf.stop_gradient(x)), [3, 4]) * 2.0
    p = _program([y], [x])
    passes.eliminate_aliases(p)
    assert _types(p) == ["Mul"]


def test_simplify_scalars():
    x = tf.placeholder(tf.float32, [None])
    p = _program([tf.pow(x, 1.0) + 0.0, tf.pow(x, 2.0) * 1.0, x * -1.0], [x])
    passes.simplify_scalars(p)
    assert sorted(_types(p)) == ["Neg", "Square"]
    result, _ = interpret(p, [np.array([3.0], np.float32)])
    assert [r.tolist() for r in result] == [[3.0], [9.0], [-3.0]]


def test_common_subexpressions_are_merged_but_not_across_variable_reads():
    x = tf.placeholder(tf.float32, [None])
    a, b = tf.exp(x), tf.exp(x)
    p = _program([a + b], [x])
    passes.eliminate_common(p)
    assert _types(p).count("Exp") == 1
    v = tf.Variable(1.0)
    before = v.read_value() * 2.0
    with tf.control_dependencies([v.assign_add(1.0)]):
        after = v.read_value() * 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([before, after]) == [2.0, 4.0]


def test_dead_code_is_dropped_but_effects_stay():
    x = tf.placeholder(tf.float32, [2])
    v = tf.Variable([0.0, 0.0])
    unused = tf.exp(x)
    p = _program([x * 2.0], [x])
    passes.eliminate_dead(p)
    assert "Exp" not in _types(p)
    del unused
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run([x * 1.0, v.assign_add([1.0, 1.0])], {x: [1.0, 1.0]})
        assert sess.run(v).tolist() == [1.0, 1.0]


def test_absorb_broadcasts():
    x = tf.placeholder(tf.float32, [4])
    s = tf.placeholder(tf.float32, [])
    y = x * tf.broadcast_to(s, [4])
    p = _program([y], [x, s])
    passes.absorb_broadcasts(p)
    passes.eliminate_dead(p)
    assert _types(p) == ["Mul"]


def test_specialization_survives_changing_feed_shapes_and_fed_shape_values(sess):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.reduce_sum(x * 2.0, axis=0) + tf.reduce_mean(tf.ones_like(x))
    for n in (4, 1, 4, 7, 0, 4):  # the last batch of an epoch is often smaller
        np.testing.assert_allclose(sess.run(y, {x: np.ones((n, 3))}), [2.0 * n + 1.0] * 3 if n else [np.nan] * 3)
    shape = tf.placeholder(tf.int32, [2])
    r = tf.reshape(tf.range(6.0), shape)
    assert sess.run(r, {shape: [2, 3]}).shape == (2, 3)
    assert sess.run(r, {shape: [3, 2]}).shape == (3, 2)  # same feed shape, other values: still right
    assert sess.run(tf.shape(r) * 1, {shape: [6, 1]}).tolist() == [6, 1]


def test_specialization_with_data_dependent_shapes(sess):
    x = tf.placeholder(tf.float32, [None])
    picked = tf.boolean_mask(x, x > 0)
    out = tf.reduce_sum(tf.ones_like(picked)) + tf.cast(tf.size(picked), tf.float32)
    assert sess.run(out, {x: [1.0, -1.0, 2.0]}) == 4.0
    assert sess.run(out, {x: [1.0, 3.0, 2.0]}) == 6.0
    assert sess.run(out, {x: [-1.0, -3.0, -2.0]}) == 0.0


def test_variables_whose_shape_changes(sess):
    v = tf.Variable([1.0, 2.0], validate_shape=False)
    grow = tf.assign(v, tf.concat([v.value(), [3.0]], 0), validate_shape=False)
    total = tf.reduce_sum(tf.ones_like(v.value()))
    sess.run(v.initializer)
    assert sess.run(total) == 2.0
    sess.run(grow)
    assert sess.run(total) == 3.0


def test_generated_code_reports_the_failing_node(sess):
    a = tf.placeholder(tf.float32, [None])
    b = tf.placeholder(tf.float32, [None])
    total = a + b
    sess.run(total, {a: [1.0], b: [2.0]})
    sess.run(total, {a: [1.0], b: [2.0]})  # now runs generated code
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]") as info:
        sess.run(total, {a: [1.0, 2.0], b: [1.0, 2.0, 3.0]})
    assert "total = a + b" in str(info.value)


def test_fetched_values_never_alias_storage_after_rewrites(sess):
    v = tf.Variable([1.0, 2.0])
    same = tf.identity(tf.reshape(v.value(), [2]))
    sess.run(v.initializer)
    for _ in range(3):
        got = sess.run(same)
        got[0] = 100.0
    assert sess.run(v).tolist() == [1.0, 2.0]


def test_control_dependency_on_a_fed_placeholder(sess):
    x = tf.placeholder(tf.float32, [])
    with tf.control_dependencies([x]):
        y = tf.constant(3.0) * 2.0
    assert sess.run(y, {x: 1.0}) == 6.0


def test_kernels_skip_outputs_nothing_reads():
    calls = []

    def pair(x):
        return x + 1.0, x * 2.0

    def only_first(x):
        calls.append("dropped")
        return x + 1.0, None

    def offer(indices):
        assert indices == [1]
        return only_first
    pair.drop_outputs = offer
    x = tf.placeholder(tf.float32, [2])
    first, second = tf.split(tf.stack([x, x]), 2)  # any two-output op: its kernel is swapped below
    p = _program([first], [x])
    step = next(s for s in p.steps if s.op is first.op)
    step.kernel = pair
    passes.drop_unused_outputs(p)
    assert step.kernel is only_first
    kept = _program([first, second], [x])
    step = next(s for s in kept.steps if s.op is first.op)
    step.kernel = pair
    passes.drop_unused_outputs(kept)
    assert step.kernel is pair  # both outputs fetched: nothing to drop


def test_lstm_gradient_without_the_input_gradient_equals_the_full_one():
    """The fused LSTM gradient drops its input gradient when only the weights' gradients are wanted; those
    equal the ones computed alongside the input gradient."""
    rng = np.random.default_rng(0)
    xb = rng.standard_normal((4, 6, 40)).astype(np.float32)  # large enough for the compiled LSTM kernels
    x = tf.placeholder(tf.float32, [4, 6, 40])
    cell = tf.nn.rnn_cell.LSTMCell(48)
    out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    loss = tf.reduce_sum(out * out)
    weights = cell.trainable_variables
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        alone = sess.run(tf.gradients(loss, weights), {x: xb})
        *together, x_grad = sess.run(tf.gradients(loss, weights + [x]), {x: xb})
    assert x_grad.shape == xb.shape and np.abs(x_grad).sum() > 0
    for a, b in zip(alone, together):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64, tf.int32, tf.int64])
def test_scalar_operators_equal_the_ufuncs(dtype):
    """0-d elementwise chains run on Python operators over NumPy scalars: same values and dtypes as the ufuncs,
    integer overflow wrapping and float division by zero silent, as with arrays."""
    big = np.iinfo(dtype.as_numpy_dtype).max if dtype.is_integer else 3.0e38
    a, b = tf.placeholder(dtype, []), tf.placeholder(dtype, [])
    prod = (a * b) * tf.constant(2, dtype)           # the outer Mul reads a ufunc's scalar result and a constant
    chain = [prod, -(a * b), (a * b) + (a - b), (a * b) - b]
    if dtype.is_floating:
        chain += [(a * b) / (a - a), (a * b) / b]
    with tf.Session() as sess:
        feeds = {a: np.asarray(big, dtype.as_numpy_dtype), b: np.asarray(3, dtype.as_numpy_dtype)}
        with np.errstate(all="raise"):  # a warning escaping the plan's silencing would raise here
            got = sess.run(chain, feeds)
            again = sess.run(chain, feeds)  # the specialized plan (shapes known after the first run)
    x, y = (np.asarray([v], dtype.as_numpy_dtype) for v in (big, 3))  # the same arithmetic on 1-element arrays
    with np.errstate(all="ignore"):
        expected = [(x * y) * np.asarray([2], x.dtype), -(x * y), (x * y) + (x - y), (x * y) - y]
        if dtype.is_floating:
            expected += [(x * y) / (x - x), (x * y) / y]
    for g, h, e in zip(got, again, expected):
        assert np.asarray(g).dtype == e.dtype and np.shape(g) == ()
        np.testing.assert_array_equal(np.asarray(h), e[0])
        np.testing.assert_array_equal(np.asarray(g), e[0])


def test_scalar_operator_pass_rewrites_only_known_0d_numbers():
    s = tf.placeholder(tf.float32, [])
    v = tf.placeholder(tf.float32, [3])
    p = _program([s * 2.0, v * 2.0, -s], [s, v])
    passes.optimize(p)
    kernels = {str(step.op.name): step.kernel for step in p.steps}
    import operator
    assert operator.mul in kernels.values() and operator.neg in kernels.values()
    assert sum(k is operator.mul for k in kernels.values()) == 1  # the vector product keeps the ufunc


def test_specialization_keeps_shapes_that_an_input_value_sets_unknown(sess):
    """TopKV2's `k` (declared in its `shape_arg_inputs`) sets the output shape: a later run with the same feed
    shapes but another k must not reuse the first run's shape."""
    x = tf.placeholder(tf.float32, [None])
    k = tf.placeholder(tf.int32, [])
    values, _ = tf.nn.top_k(x, k)
    size = tf.size(values) * 1
    assert [int(sess.run(size, {x: [1.0, 2.0, 3.0, 4.0], k: n})) for n in (1, 2, 3, 1)] == [1, 2, 3, 1]
