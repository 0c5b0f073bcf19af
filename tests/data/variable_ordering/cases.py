"""The graphs of tests/test_variable_ordering.py: TF1 reference-variable programs whose answers depend on the order
of variable reads and updates in one run (reads under control dependencies of Assign/AssignAdd/AssignSub, of an
optimizer's Apply*, of a scatter, of a loop or a branch writing a variable; an ExponentialMovingAverage after the
train op; fetching the variable itself, an identity of it or an update's output in a run that updates it).

Each case is `build(tf) -> fetches`, written once for both TensorFlow (`tensorflow.compat.v1`, graph mode, reference
variables, control flow v1) and neuroflow, so make_reference.py records TensorFlow's answers and the test compares
neuroflow's with them. Every case's fetches are run RUNS times in one session after the initializer. Only
dependency-ordered reads are asked about: where TensorFlow leaves the order open (a read with no dependency on an
update in the same run, e.g. a fetched loss that the gradients do not need) its answers are racy, so every value
fetched here is ordered before or after each update of what it reads (a fetched variable, identity of one or
update's output shows the buffer at the end whatever the order).
"""
import numpy as np

RUNS = 5


def assign_then_identity(tf):
    """The issue's program: a read before an Assign, one after it under its control dependency."""
    v = tf.Variable([1.0, -2.0])
    before = v * 1.0
    with tf.control_dependencies([before]):
        assigned = tf.assign(v, v * 1.5 + 0.25)
    with tf.control_dependencies([assigned]):
        after = tf.identity(v) + 0.0
    return [before, assigned, after, v]


def assign_add_counter(tf):
    """A counter read after its increment: read_value(), identity, the snapshot `v + 0.5` and `v` itself."""
    step = tf.Variable(0.0)
    increment = tf.assign_add(step, 1.0)
    with tf.control_dependencies([increment]):
        read = step.read_value()
        doubled = tf.identity(step) * 2.0
        shifted = step + 0.5
    return [read, doubled, shifted, increment]


def assign_sub_before_and_after(tf):
    v = tf.Variable([5.0, 3.0])
    before = v * 2.0
    with tf.control_dependencies([before]):
        decrement = tf.assign_sub(v, [1.0, 0.5])
    with tf.control_dependencies([decrement]):
        after = v - 1.0
    return [before, after, v]


def chained_assigns(tf):
    """Two Assigns in order: reads of the first's output after the second see the second's value (the output is
    the variable's reference)."""
    v = tf.Variable(2.0)
    first = tf.assign(v, v + 1.0)
    with tf.control_dependencies([first]):
        second = tf.assign(v, v * 3.0)
    with tf.control_dependencies([second]):
        read = tf.identity(v)
        through_first = first + 0.5
    return [first, second, read, through_first, v]


def fetch_snapshot_with_assign(tf):
    """`v.value()` and `v` fetched in a run that assigns v (no dependency between them): the value at the end."""
    v = tf.Variable([1.0, -2.0])
    assigned = tf.assign(v, v * 2.0)
    return [v.value(), v, assigned]


def fetch_identity_read_before_assign(tf):
    """An identity of v that the Assign waits for, fetched: it shares v's buffer, so it shows v at the end."""
    v = tf.Variable([1.0, -2.0])
    snapshot = tf.identity(v)
    fresh = v.read_value()
    with tf.control_dependencies([snapshot, fresh]):
        assigned = tf.assign(v, v * 2.0)
    return [snapshot, fresh, assigned]


def gradient_descent_then_read(tf):
    """A read ordered before the optimizer step and one ordered after it; the variable fetched too."""
    w = tf.Variable([1.0, 2.0])
    before = w * 2.0
    loss = tf.reduce_sum(w * w)
    with tf.control_dependencies([before, loss]):  # the loss is fetched: computed before the step
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.control_dependencies([train]):
        after = tf.identity(w) * 3.0
    return [before, after, loss, w]


def reads_kept_across_an_in_place_update(tf):
    """`w * 1.0` and `w + 0.0` computed before an optimizer step that updates w in place keep w's old value (they
    are new tensors in TensorFlow, not views of the variable)."""
    w = tf.Variable([1.0, 2.0])
    scaled = w * 1.0
    shifted = w + 0.0
    loss = tf.reduce_sum(w * w)
    with tf.control_dependencies([scaled, shifted, loss]):
        train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.control_dependencies([train]):
        after = w * 1.0
    return [scaled, shifted, after]


def momentum_then_read_slot(tf):
    """A momentum step, then reads of the variable and of its slot under its control dependency."""
    w = tf.Variable([1.0, -1.0])
    loss = tf.reduce_sum(tf.square(w - 3.0))
    optimizer = tf.train.MomentumOptimizer(0.05, 0.9)
    with tf.control_dependencies([loss]):
        train = optimizer.minimize(loss)
    with tf.control_dependencies([train]):
        w_after = w + 0.0
        accumulated = tf.identity(optimizer.get_slot(w, "momentum")) * 1.0
    return [loss, w_after, accumulated]


def adam_then_read(tf):
    w = tf.Variable([0.5, -0.5, 2.0])
    loss = tf.reduce_sum(tf.square(w) * [1.0, 2.0, 3.0])
    with tf.control_dependencies([loss]):
        train = tf.train.AdamOptimizer(0.1).minimize(loss)
    with tf.control_dependencies([train]):
        after = w * 1.0
    return [loss, after]


def moving_average_after_train(tf):
    """ExponentialMovingAverage applied after the train op (its shadow follows the updated variable) and a
    counter incremented with it; the loss read after the update."""
    w = tf.Variable([4.0, -2.0])
    global_step = tf.Variable(0.0)
    loss = tf.reduce_sum(tf.square(w))
    with tf.control_dependencies([loss]):
        train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    ema = tf.train.ExponentialMovingAverage(0.5)
    with tf.control_dependencies([train]):
        averages = ema.apply([w])
        counted = tf.assign_add(global_step, 1.0)
    with tf.control_dependencies([averages, counted]):
        step = tf.group(tf.no_op())
        shadow = tf.identity(ema.average(w))
        loss_after = tf.reduce_sum(tf.square(w))
    return [shadow, loss_after, loss, counted, step]


def update_ops_then_train(tf):
    """Batch-norm style: moving statistics updated (UPDATE_OPS) before the train op, read after it."""
    w = tf.Variable([1.0, 3.0])
    moving = tf.Variable([0.0, 0.0])
    update = tf.assign_sub(moving, (moving - w) * 0.1)
    with tf.control_dependencies([update]):
        train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(w * w))
    with tf.control_dependencies([train]):
        read_moving = moving * 1.0
        read_w = w * 1.0
    return [read_moving, read_w]


def scatter_then_read(tf):
    v = tf.Variable([1.0, 2.0, 3.0])
    before = v * 2.0
    with tf.control_dependencies([before]):
        scattered = tf.scatter_update(v, [1], [7.0])
    with tf.control_dependencies([scattered]):
        after = v * 2.0
    with tf.control_dependencies([after]):
        added = tf.scatter_add(v, [0, 2], [1.0, 1.0])
    with tf.control_dependencies([added]):
        final = tf.identity(v) + 0.0
    return [before, after, final, v]


def loss_after_update(tf):
    """`with tf.control_dependencies([update]): tf.identity(loss)`: the loss computed before the update."""
    w = tf.Variable([2.0, -1.0])
    loss = tf.reduce_sum(tf.square(w - 1.0))
    with tf.control_dependencies([loss]):
        update = tf.assign(w, w * 0.5)
    with tf.control_dependencies([update]):
        reported = tf.identity(loss)
        fresh = tf.reduce_sum(tf.square(w - 1.0))
    return [reported, fresh]


def while_loop_increments(tf):
    """A while_loop whose body increments a variable; reads after the loop under its control dependency."""
    v = tf.Variable(0.0)

    def body(i):
        increment = tf.assign_add(v, 1.5)
        with tf.control_dependencies([increment]):
            return i + 1
    count = tf.while_loop(lambda i: i < 3, body, [tf.constant(0)])
    with tf.control_dependencies([count]):
        after = tf.identity(v) * 2.0
    return [count, after, v]


def cond_assigns(tf):
    """A cond whose taken branch assigns; a read after the cond under its control dependency."""
    v = tf.Variable(1.0)
    flag = tf.placeholder_with_default(True, [])

    def scale():
        assigned = tf.assign(v, v * 10.0)
        with tf.control_dependencies([assigned]):
            return tf.identity(assigned)
    out = tf.cond(flag, scale, lambda: tf.identity(v))
    with tf.control_dependencies([out]):
        after = v + 0.5
    return [out, after, v]


CASES = {f.__name__: f for f in (
    assign_then_identity, assign_add_counter, assign_sub_before_and_after, chained_assigns,
    fetch_snapshot_with_assign, fetch_identity_read_before_assign, gradient_descent_then_read,
    reads_kept_across_an_in_place_update,
    momentum_then_read_slot, adam_then_read, moving_average_after_train, update_ops_then_train, scatter_then_read,
    loss_after_update, while_loop_increments, cond_assigns)}


def run_case(tf, build):
    """[[each fetch's value as (dtype name, nested list) or None] for each of RUNS runs] of `build(tf)`."""
    graph = tf.Graph()
    with graph.as_default():
        fetches = build(tf)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            runs = []
            for _ in range(RUNS):
                values = sess.run(fetches)
                runs.append([None if x is None else (np.asarray(x).dtype.name, np.asarray(x).tolist())
                             for x in values])
    return runs
