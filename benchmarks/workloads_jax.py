"""The benchmark workloads (sizes in workload_timing.py) in JAX, each training step one jit-compiled function
(optax's Adam), on the CPU: an anchor neuroflow is compared against. Needs the anchors' environment
(benchmarks/setup_anchors.sh).

    ANCHOR_PYTHON benchmarks/workloads_jax.py [lecture] [mlp] [cnn] [lstm] [cifar] [lstm-dynamic] [mlp-b<N>]
"""
import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax

import workload_timing as wt


def _dense_params(key, fan_in, fan_out):
    return {"w": jax.random.normal(key, (fan_in, fan_out)) * np.sqrt(2.0 / fan_in), "b": jnp.zeros(fan_out)}


def _dense(p, x):
    return x @ p["w"] + p["b"]


def _trainer(loss_fn, params, inputs, labels):
    """A step function that runs one jit-compiled Adam step of `loss_fn(params, inputs, labels)`."""
    optimizer = optax.adam(wt.LEARNING_RATE)
    inputs, labels = jnp.asarray(inputs), jnp.asarray(labels)

    @jax.jit
    def update(params, opt_state):
        loss, grads = jax.value_and_grad(loss_fn)(params, inputs, labels)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    state = {"params": params, "opt": optimizer.init(params)}

    def step():
        state["params"], state["opt"], loss = update(state["params"], state["opt"])
        return float(loss)
    return step


def _cross_entropy(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def lecture():
    x, target = jnp.ones(2), 20.0

    @jax.jit
    def update(w):
        y, grad = jax.value_and_grad(lambda w: jnp.sum(x * w))(w)
        return w - wt.LECTURE_RATE * (-2.0 * (target - y)) * grad, y

    state = {"w": jnp.array([0.2, 0.7])}

    def step():
        state["w"], y = update(state["w"])
        return float(y)
    return step


def mlp(batch=wt.MLP_BATCH):
    keys = jax.random.split(jax.random.PRNGKey(0), len(wt.MLP_SIZES) - 1)
    params = [_dense_params(k, i, o) for k, i, o in zip(keys, wt.MLP_SIZES[:-1], wt.MLP_SIZES[1:])]

    def loss_fn(params, x, labels):
        for p in params[:-1]:
            x = jax.nn.relu(_dense(p, x))
        return _cross_entropy(_dense(params[-1], x), labels)
    return _trainer(loss_fn, params, *wt.random_batch((batch, wt.MLP_SIZES[0])))


def cnn():
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    side = wt.IMAGE // 4
    convs, channels = [], 1
    for key, filters in zip(keys, wt.CNN_FILTERS):
        fan_in = wt.CNN_KERNEL * wt.CNN_KERNEL * channels
        convs.append({"w": jax.random.normal(key, (wt.CNN_KERNEL, wt.CNN_KERNEL, channels, filters))
                      * np.sqrt(2.0 / fan_in), "b": jnp.zeros(filters)})
        channels = filters
    params = {"convs": convs, "hidden": _dense_params(keys[2], side * side * channels, wt.CNN_HIDDEN),
              "out": _dense_params(keys[3], wt.CNN_HIDDEN, wt.CLASSES)}

    def loss_fn(params, x, labels):
        for p in params["convs"]:
            x = jax.lax.conv_general_dilated(x, p["w"], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
            x = jax.nn.relu(x + p["b"])
            x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        x = jax.nn.relu(_dense(params["hidden"], x.reshape(x.shape[0], -1)))
        return _cross_entropy(_dense(params["out"], x), labels)
    return _trainer(loss_fn, params, *wt.random_batch((wt.CNN_BATCH, wt.IMAGE, wt.IMAGE, 1)))


def cifar():
    keys = jax.random.split(jax.random.PRNGKey(0), len(wt.CIFAR_FILTERS) + 1)
    convs, channels = [], wt.CIFAR_CHANNELS
    for key, filters in zip(keys, wt.CIFAR_FILTERS):
        fan_in = wt.CIFAR_KERNEL * wt.CIFAR_KERNEL * channels
        convs.append({"w": jax.random.normal(key, (wt.CIFAR_KERNEL, wt.CIFAR_KERNEL, channels, filters))
                      * np.sqrt(2.0 / fan_in), "b": jnp.zeros(filters)})
        channels = filters
    side = wt.CIFAR_IMAGE // 2 ** len(wt.CIFAR_FILTERS)
    params = {"convs": convs, "out": _dense_params(keys[-1], side * side * channels, wt.CLASSES)}

    def loss_fn(params, x, labels):
        for p in params["convs"]:
            x = jax.lax.conv_general_dilated(x, p["w"], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
            x = jax.nn.relu(x + p["b"])
            x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return _cross_entropy(_dense(params["out"], x.reshape(x.shape[0], -1)), labels)
    return _trainer(loss_fn, params, *wt.random_batch((wt.CIFAR_BATCH, wt.CIFAR_IMAGE, wt.CIFAR_IMAGE,
                                                       wt.CIFAR_CHANNELS)))


def lstm():
    k_cell, k_out = jax.random.split(jax.random.PRNGKey(0))
    units = wt.LSTM_UNITS
    params = {"cell": _dense_params(k_cell, wt.LSTM_FEATURES + units, 4 * units),
              "out": _dense_params(k_out, units, wt.CLASSES)}

    def loss_fn(params, x, labels):
        def cell(carry, x_t):
            h, c = carry
            gates = _dense(params["cell"], jnp.concatenate([x_t, h], axis=1))
            i, j, f, o = jnp.split(gates, 4, axis=1)          # TF1's LSTMCell gate order, forget bias 1
            c = jax.nn.sigmoid(f + 1.0) * c + jax.nn.sigmoid(i) * jnp.tanh(j)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), None
        zeros = jnp.zeros((x.shape[0], units))
        (h, _), _ = jax.lax.scan(cell, (zeros, zeros), jnp.swapaxes(x, 0, 1))
        return _cross_entropy(_dense(params["out"], h), labels)
    return _trainer(loss_fn, params, *wt.random_batch((wt.LSTM_BATCH, wt.LSTM_STEPS, wt.LSTM_FEATURES)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=list(wt.WORKLOADS))
    wt.report("jax-jit", parser.parse_args().workloads, {"lecture": lecture, "mlp": mlp, "cnn": cnn, "lstm": lstm,
                                                     "cifar": cifar, "lstm-dynamic": lstm})


if __name__ == "__main__":
    main()
