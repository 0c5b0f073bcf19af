"""What every workload script shares: the workloads' sizes and the one way a training step is timed (steps per
second, the median of three timed windows of at least MIN_WINDOW_SECONDS after warm-up steps), so all frameworks
are measured alike."""
import statistics
import time

WORKLOADS = ("lecture", "mlp", "cnn", "lstm")   # compare.py's default set; cifar, lstm-dynamic, mlp-b<N> when named
# Steps per timed window: enough for a window to last well over timer resolution, few enough for slow frameworks.
STEPS = {"lecture": 2000, "mlp": 100, "cnn": 20, "lstm": 20, "cifar": 10, "lstm-dynamic": 20}
MLP_BATCH, MLP_SIZES = 128, (784, 512, 512, 10)
CNN_BATCH, IMAGE, CNN_FILTERS, CNN_KERNEL, CNN_HIDDEN = 64, 28, (32, 64), 5, 1024
LSTM_BATCH, LSTM_STEPS, LSTM_FEATURES, LSTM_UNITS = 64, 28, 28, 128
# lstm-dynamic: the lstm with its time dimension unknown until run time ([None, None, 28]); the peers' lstm is the
# same program (PyTorch and JAX take the length from the batch anyway).
# cifar: 32x32x3 images, three 3x3 SAME convolutions (32, 64, 128 filters) with ReLU, each followed by 2x2 max
# pooling, then a dense layer to the classes; batch 64, Adam.
CIFAR_BATCH, CIFAR_IMAGE, CIFAR_CHANNELS, CIFAR_FILTERS, CIFAR_KERNEL = 64, 32, 3, (32, 64, 128), 3
# The mlp at these batch sizes (workloads "mlp-b16" ... "mlp-b2048"; benchmarks/batch_sweep.py runs them all).
SWEEP_BATCHES = (16, 32, 64, 128, 256, 512, 1024, 2048)
# A timed window lasts at least this long: 2000 lecture steps of a fast framework take only 4-10 ms, a few scheduler
# ticks, so one preemption on a shared VM moved a window's rate by half (lecture medians of 3 rounds varied
# 0.45-0.9x between runs an hour apart).
MIN_WINDOW_SECONDS = 0.25
CLASSES = 10
LEARNING_RATE = 1e-3
LECTURE_RATE = 0.001


def random_batch(shape, seed=0):
    """The fixed batch of a workload: standard-normal float32 inputs and integer labels in [0, 10)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, CLASSES, shape[0])


def sweep_batch(workload):
    """The batch size of a batch-sweep workload name ("mlp-b256" -> 256), or None for any other name."""
    prefix, _, batch = workload.partition("-b")
    return int(batch) if prefix == "mlp" and batch.isdigit() and int(batch) > 0 else None


def steps(workload):
    """Steps per timed window; a batch-sweep mlp scales the mlp's count inversely with its batch (at least 5)."""
    batch = sweep_batch(workload)
    return STEPS[workload] if batch is None else max(5, STEPS["mlp"] * MLP_BATCH // batch)


def steps_per_second(step, workload, windows=3):
    """Runs `step()` twice to warm up, then `steps(workload)` steps more to size the windows: each timed window
    takes that many steps, or as many more as last at least MIN_WINDOW_SECONDS; then `windows` timed windows.
    Returns the median rate (steps per second)."""
    step()
    step()
    count = steps(workload)
    start = time.perf_counter()
    for _ in range(count):
        step()
    sizing = time.perf_counter() - start
    if sizing < MIN_WINDOW_SECONDS:
        count = int(count * MIN_WINDOW_SECONDS / max(sizing, 1e-6)) + 1
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(count):
            step()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def report(framework, workloads, builders):
    """Times each named workload (`builders[name]()` returns its step function; "mlp-b<N>" calls
    `builders["mlp"](N)`) and prints one line per workload: `<framework> <workload> <steps/s> steps/s`, the
    format benchmarks/compare.py reads."""
    for name in workloads:
        batch = sweep_batch(name)
        if batch is not None and "mlp" in builders:
            build = lambda batch=batch: builders["mlp"](batch)  # noqa: E731
        elif name in builders:
            build = builders[name]
        else:
            raise SystemExit(f"{framework}: unknown workload {name!r}; choose from {', '.join(builders)} "
                             "or mlp-b<batch>")
        print(f"{framework} {name} {steps_per_second(build(), name):.1f} steps/s", flush=True)
