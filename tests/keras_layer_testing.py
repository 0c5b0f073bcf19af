"""`layer_test`: the checks every Keras layer must pass, in the spirit of Keras's own `layer_test` — output shape
(static, `compute_output_shape` and at run time), weight counts, a `get_config`/`from_config` round trip giving
the same output with the same weights, the layer inside a functional Model, that one gradient step lowers a
simple loss when the layer has trainable weights, and `compute_output_shape`."""
import json

import numpy as np
import pytest

import neuroflow as tf

K = tf.keras

BATCH = 2            # the batch size of the test data
STEP_SIZE = 1e-2     # gradient-descent step of the training check: small enough to lower a smooth loss


def _run(fetches, feeds):
    return K.backend.get_session().run(fetches, feeds)


def _concrete(shape, batch):
    """`shape` with the batch dimension `batch` and any other unknown dimension 3."""
    return tuple(batch if i == 0 else (3 if d is None else d) for i, d in enumerate(shape))


def _data(shape, dtype, rng, int_high):
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(0, int_high, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _one_or_list(items, was_list):
    return items if was_list else items[0]


def _static(shape):
    return [None if d is None else int(d) for d in shape]


def layer_test(layer_cls, kwargs=None, input_shape=None, *, input_dtype="float32", input_data=None,
               int_high=5, expected_output_shape=None, expected_output_dtype=None, expected_trainable=0,
               expected_non_trainable=0, call_kwargs=None, trains=None, deterministic=True,
               has_output_shape=True, json_config=True, weights=None, expected_output=None, rng=None):
    """Builds `layer_cls(**kwargs)` on a placeholder of `input_shape` (first dimension the batch, None) and
    checks it. Several inputs (merge layers): `input_shape` is a list of shapes.

    Args:
        layer_cls: the Keras layer class.
        kwargs: its constructor arguments.
        input_shape: the input's shape, batch dimension first (None dims are fed as 3, the batch as `BATCH`).
        input_dtype: the placeholders' dtype; integer inputs are drawn from [0, int_high).
        input_data: arrays to feed instead of random ones (their shapes fill the unknown dims).
        expected_output_shape: the static output shape (list with None), per output for several outputs.
        expected_output_dtype: the output dtype name (default: `input_dtype`).
        expected_trainable, expected_non_trainable: how many weights of each kind the layer creates.
        call_kwargs: keyword arguments of the call (e.g. `training=False`).
        trains: whether one gradient step must lower a loss (default: when it has trainable weights).
        deterministic: False for layers whose output is random at run time (then values are not compared).
        has_output_shape: False where `compute_output_shape` must raise NotImplementedError (as TensorFlow 1's
            base Layer does in graph mode); else it must give the static output shape.
        json_config: False for a layer whose config holds a Python function (a `Lambda`'s): neuroflow keeps
            code out of serialized configs, so `json.dumps` of it must fail (`from_config` in memory still works).
        weights: values for `set_weights` before the first run (default: the layer's initializers).
        expected_output: the run-time output for `input_data` (and `weights`), compared with float tolerance.
        rng: a NumPy Generator (default: seeded).

    Returns:
        The output value(s) of the layer at run time (NumPy), for further checks.
    """
    kwargs, call_kwargs = dict(kwargs or {}), dict(call_kwargs or {})
    rng = rng if rng is not None else np.random.default_rng(0)
    several = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple))
    shapes = input_shape if several else [input_shape]
    if input_data is None:
        arrays = [_data(_concrete(s, BATCH), input_dtype, rng, int_high) for s in shapes]
    else:
        arrays = [np.asarray(a) for a in _as_list(input_data)]
    inputs = [tf.placeholder(a.dtype, [None] + list(s[1:])) for a, s in zip(arrays, shapes)]
    feeds = dict(zip(inputs, arrays))
    layer = layer_cls(**kwargs)
    outputs = layer(_one_or_list(inputs, several), **call_kwargs)
    outs = _as_list(outputs)
    if weights is not None:
        layer.set_weights(weights)

    # Static shapes as expected; run-time shapes and dtypes agree with them.
    static = [_static(o.shape.as_list()) for o in outs]
    if expected_output_shape is not None:
        expected = expected_output_shape if isinstance(expected_output_shape[0], list) else [expected_output_shape]
        assert static == [_static(e) for e in expected], (static, expected)
    values = _as_list(_run(outputs, feeds))
    for value, shape, out in zip(values, static, outs):
        assert len(value.shape) == len(shape) and all(d is None or d == v for d, v in zip(shape, value.shape)), (
            value.shape, shape)
        assert value.dtype == np.dtype(expected_output_dtype or input_dtype), (value.dtype, out.dtype)
    if expected_output is not None:
        for value, expected in zip(values, _as_list(expected_output)):
            np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)

    # Weights.
    assert len(layer.trainable_weights) == expected_trainable, [w.name for w in layer.trainable_weights]
    assert len(layer.non_trainable_weights) == expected_non_trainable, [w.name for w in layer.non_trainable_weights]
    assert len(layer.weights) == expected_trainable + expected_non_trainable
    assert layer.count_params() == sum(int(np.prod(w.shape.as_list())) for w in layer.weights)

    # Config round trip: JSON-friendly, same config again, same output with the same weights.
    config = layer.get_config()
    if json_config:
        json.dumps(config)
    else:
        with pytest.raises(TypeError):
            json.dumps(config)
    twin = layer_cls.from_config(config)
    twin_config = twin.get_config()
    assert {k: v for k, v in twin_config.items() if k != "name"} == {k: v for k, v in config.items() if k != "name"}
    twin_outputs = _as_list(twin(_one_or_list(inputs, several), **call_kwargs))
    twin.set_weights(layer.get_weights())
    if deterministic:
        for a, b in zip(values, _as_list(_run(twin_outputs, feeds))):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)

    # The layer in a functional Model gives the same values.
    model_inputs = [K.Input(batch_shape=[None] + list(s[1:]), dtype=a.dtype.name) for a, s in zip(arrays, shapes)]
    model = K.Model(_one_or_list(model_inputs, several), layer(_one_or_list(model_inputs, several), **call_kwargs))
    predicted = _as_list(model.predict(_one_or_list(arrays, several), batch_size=BATCH))
    if deterministic:
        for a, b in zip(values, predicted):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)

    if trains if trains is not None else expected_trainable > 0:
        _check_one_step_lowers_loss(layer, outs, feeds, rng)

    # Last, so that a layer lacking it (an xfail raising NotImplementedError) has passed every other check.
    input_shapes = [tuple(i.shape.as_list()) for i in inputs]
    if has_output_shape:
        computed = _shape_list(layer.compute_output_shape(_one_or_list(input_shapes, several)))
        assert computed == static, (computed, static)
    else:
        with pytest.raises(NotImplementedError):
            layer.compute_output_shape(_one_or_list(input_shapes, several))
    return _one_or_list(values, len(values) > 1)


def _shape_list(shapes):
    """compute_output_shape's answer (a TensorShape, a shape tuple, or a list of either) as lists of dims."""
    if isinstance(shapes, tf.TensorShape) or (isinstance(shapes, (tuple, list)) and all(
            d is None or isinstance(d, (int, np.integer)) for d in shapes)):
        shapes = [shapes]
    return [_static(tf.TensorShape(s).as_list()) for s in shapes]


def _check_one_step_lowers_loss(layer, outs, feeds, rng):
    """Mean squared distance to a fixed random target, before and after one gradient-descent step."""
    float_outs = [o for o in outs if o.dtype.is_floating]
    assert float_outs, "a layer that trains needs a float output"
    values = _run(float_outs, feeds)
    targets = [tf.constant(rng.standard_normal(v.shape).astype(v.dtype.name)) for v in values]
    # Run-time shapes may differ from static ones (None dims); the targets are built for the fed batch.
    loss = tf.add_n([tf.reduce_mean(tf.square(o - t)) for o, t in zip(float_outs, targets)])
    step = tf.train.GradientDescentOptimizer(STEP_SIZE).minimize(loss, var_list=layer.trainable_weights)
    before = _run(loss, feeds)
    _run(step, feeds)
    after = _run(loss, feeds)
    assert after < before, f"one gradient step did not lower the loss: {before} -> {after}"
