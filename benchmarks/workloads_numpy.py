"""The lecture and mlp workloads written by hand in NumPy (forward, backward and the optimizer, no framework):
the floor a NumPy-based framework's per-step overhead is measured against.

    python benchmarks/workloads_numpy.py [lecture] [mlp] [mlp-b<N>]
"""
import argparse

import numpy as np

import workload_timing as wt


def lecture():
    x = np.ones(2, np.float32)
    w = np.array([0.2, 0.7], np.float32)
    target, rate = np.float32(20.0), np.float32(wt.LECTURE_RATE)

    def step():
        y = np.dot(x, w)
        w[:] -= rate * (-2.0 * (target - y)) * x    # d(target - y)^2 / dW = -2 (target - y) x
        return y
    return step


class _Adam:
    """Adam (beta1 0.9, beta2 0.999, epsilon 1e-8) over a list of arrays, updated in place."""

    def __init__(self, params):
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def apply(self, grads):
        self.t += 1
        scale = wt.LEARNING_RATE * np.sqrt(1 - 0.999 ** self.t) / (1 - 0.9 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m += (1 - 0.9) * (g - m)
            v += (1 - 0.999) * (g * g - v)
            p -= scale * m / (np.sqrt(v) + 1e-8)


def mlp(batch=wt.MLP_BATCH):
    images, classes = wt.random_batch((batch, wt.MLP_SIZES[0]))
    rng = np.random.default_rng(1)
    params = []
    for fan_in, fan_out in zip(wt.MLP_SIZES[:-1], wt.MLP_SIZES[1:]):
        params += [(rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32),
                   np.zeros(fan_out, np.float32)]
    adam = _Adam(params)
    rows = np.arange(batch)

    def step():
        activations = [images]
        for k in range(0, len(params) - 2, 2):
            activations.append(np.maximum(activations[-1] @ params[k] + params[k + 1], 0))
        logits = activations[-1] @ params[-2] + params[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        loss = -np.log(probs[rows, classes]).mean()
        delta = probs
        delta[rows, classes] -= 1
        delta /= batch                       # d loss / d logits
        grads = [None] * len(params)
        for k in range(len(params) - 2, -1, -2):
            grads[k], grads[k + 1] = activations[k // 2].T @ delta, delta.sum(axis=0)
            if k:
                delta = (delta @ params[k].T) * (activations[k // 2] > 0)
        adam.apply(grads)
        return loss
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=["lecture", "mlp"])
    wt.report("numpy-by-hand", parser.parse_args().workloads, {"lecture": lecture, "mlp": mlp})


if __name__ == "__main__":
    main()
