"""What every workload script shares: the workloads' sizes and the one way a training step is timed (steps per
second, the median of three timed windows after two warm-up steps), so all frameworks are measured alike."""
import statistics
import time

WORKLOADS = ("lecture", "mlp", "cnn", "lstm")
# Steps per timed window: enough for a window to last well over timer resolution, few enough for slow frameworks.
STEPS = {"lecture": 2000, "mlp": 100, "cnn": 20, "lstm": 20}
MLP_BATCH, MLP_SIZES = 128, (784, 512, 512, 10)
CNN_BATCH, IMAGE, CNN_FILTERS, CNN_KERNEL, CNN_HIDDEN = 64, 28, (32, 64), 5, 1024
LSTM_BATCH, LSTM_STEPS, LSTM_FEATURES, LSTM_UNITS = 64, 28, 28, 128
CLASSES = 10
LEARNING_RATE = 1e-3
LECTURE_RATE = 0.001


def random_batch(shape, seed=0):
    """The fixed batch of a workload: standard-normal float32 inputs and integer labels in [0, 10)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, CLASSES, shape[0])


def steps_per_second(step, workload, windows=3):
    """Runs `step()` twice to warm up, then `windows` timed windows of STEPS[workload] steps; returns the median
    rate (steps per second)."""
    step()
    step()
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(STEPS[workload]):
            step()
        rates.append(STEPS[workload] / (time.perf_counter() - start))
    return statistics.median(rates)


def report(framework, workloads, builders):
    """Times each named workload (`builders[name]()` returns its step function) and prints one line per workload:
    `<framework> <workload> <steps/s> steps/s`, the format benchmarks/compare.py reads."""
    for name in workloads:
        if name not in builders:
            raise SystemExit(f"{framework}: unknown workload {name!r}; choose from {', '.join(builders)}")
        print(f"{framework} {name} {steps_per_second(builders[name](), name):.1f} steps/s", flush=True)
