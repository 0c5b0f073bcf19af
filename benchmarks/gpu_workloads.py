"""The GPU benchmark (issue 23): the mlp, cnn and lstm workloads (workloads_tf1.py, sizes in workload_timing.py)
as training steps per second on neuroflow's GPU placement, on PyTorch eager on the same CUDA card (when torch
with CUDA is importable), and on neuroflow on the CPU, all in this one process, interleaved per workload.

    python benchmarks/gpu_workloads.py [mlp] [cnn] [lstm] [--seconds 4] [--json out.json]

Each step fetches the loss to the host (neuroflow's `sess.run([loss, train])`, PyTorch's `loss.item()`), so every
framework synchronizes with the device once per step; neuroflow also copies the step's fed batch to the GPU each
step (its feeds), PyTorch keeps its batch on the device. Rates are steps/s over a time window after two warm-up
steps (the first compiles CuPy's kernels); prints a table and the issue's two aims.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workload_timing as wt  # noqa: E402
import workloads_tf1  # noqa: E402

WORKLOADS = ("mlp", "cnn", "lstm")


def rate(step, seconds, min_steps=3):
    """Steps per second of `step()` over about `seconds` (at least `min_steps`), after two warm-up steps."""
    step()
    step()
    count, start = 0, time.perf_counter()
    while count < min_steps or time.perf_counter() - start < seconds:
        step()
        count += 1
    return count / (time.perf_counter() - start)


def neuroflow_step(name, on_gpu, fused=True):
    import neuroflow as tf
    from neuroflow.runtime import accel_gpu, backend_gpu
    backend_gpu.set_devices_for_testing(None if on_gpu else [])
    os.environ[accel_gpu.FUSED_ENV] = "1" if fused else "0"  # read when the step's plan is compiled
    try:
        tf.reset_default_graph()
        tf.set_random_seed(0)
        step = getattr(workloads_tf1, name)(tf)
        step()  # compiles the step's plan while the device list holds: later runs reuse it
    finally:
        backend_gpu.set_devices_for_testing(None)
        os.environ.pop(accel_gpu.FUSED_ENV, None)
    return step


def torch_cuda_step(name):
    import torch
    torch.manual_seed(0)
    device = torch.device("cuda")
    if name == "mlp":
        layers = []
        for fan_in, fan_out in zip(wt.MLP_SIZES[:-2], wt.MLP_SIZES[1:-1]):
            layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers, torch.nn.Linear(*wt.MLP_SIZES[-2:]))
        inputs, labels = wt.random_batch((wt.MLP_BATCH, wt.MLP_SIZES[0]))
    elif name == "cnn":
        layers, channels = [], 1
        for filters in wt.CNN_FILTERS:
            layers += [torch.nn.Conv2d(channels, filters, wt.CNN_KERNEL, padding=wt.CNN_KERNEL // 2),
                       torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
            channels = filters
        side = wt.IMAGE // 4
        model = torch.nn.Sequential(*layers, torch.nn.Flatten(),
                                    torch.nn.Linear(side * side * channels, wt.CNN_HIDDEN), torch.nn.ReLU(),
                                    torch.nn.Linear(wt.CNN_HIDDEN, wt.CLASSES))
        inputs, labels = wt.random_batch((wt.CNN_BATCH, 1, wt.IMAGE, wt.IMAGE))
    else:
        class LastOutputLSTM(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = torch.nn.LSTM(wt.LSTM_FEATURES, wt.LSTM_UNITS, batch_first=True)
                self.dense = torch.nn.Linear(wt.LSTM_UNITS, wt.CLASSES)

            def forward(self, x):
                return self.dense(self.lstm(x)[0][:, -1])
        model = LastOutputLSTM()
        inputs, labels = wt.random_batch((wt.LSTM_BATCH, wt.LSTM_STEPS, wt.LSTM_FEATURES))
    model = model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=wt.LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, labels = torch.from_numpy(inputs).to(device), torch.from_numpy(labels).to(device)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def torch_cuda_available():
    try:
        import torch
        return torch.cuda.is_available()
    except ImportError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--seconds", type=float, default=4.0, help="timed seconds per framework and workload")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    from neuroflow.runtime import backend_gpu
    gpus = backend_gpu.gpu_devices()
    card = gpus[0].name if gpus else "none"
    print(f"GPU: {card}; torch CUDA: {torch_cuda_available()}", flush=True)
    results = {}
    for name in args.workloads:
        row = {}
        runners = [("neuroflow-gpu", lambda: neuroflow_step(name, True)) if gpus else None,
                   # the same without the fused optimizer updates (runtime/accel_gpu.py), to show what they give
                   ("neuroflow-gpu-unfused", lambda: neuroflow_step(name, True, fused=False))
                   if gpus and name == "mlp" else None,
                   ("torch-eager-cuda", lambda: torch_cuda_step(name)) if torch_cuda_available() else None,
                   ("neuroflow-cpu", lambda: neuroflow_step(name, False))]
        for label, build in filter(None, runners):
            try:
                start = time.perf_counter()
                step = build()
                first = time.perf_counter()
                step()
                row[label + " first-step-s"] = round(time.perf_counter() - first + (first - start), 3)
                row[label] = round(rate(step, args.seconds), 2)
            except Exception as exc:  # noqa: BLE001 - one failing framework must not hide the others' figures
                row[label] = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            print(f"{name:5s} {label:22s} {row[label]} steps/s", flush=True)
        results[name] = row
    print("\nsteps/s (higher is better); card:", card)
    labels = ["neuroflow-gpu", "torch-eager-cuda", "neuroflow-cpu", "neuroflow-gpu-unfused"]
    print(f"{'workload':9s}" + "".join(f"{label:>23s}" for label in labels))
    for name, row in results.items():
        print(f"{name:9s}" + "".join(f"{str(row.get(label, '-'))[:22]:>23s}" for label in labels))
    for name, row in results.items():
        gpu, peer, cpu = (row.get(k) for k in labels[:3])
        if isinstance(gpu, float) and isinstance(peer, float):
            print(f"aim {name}: neuroflow-gpu / torch-eager-cuda = {gpu / peer:.2f} (aim >= 1 for mlp, cnn)")
        if isinstance(gpu, float) and isinstance(cpu, float):
            print(f"aim {name}: neuroflow-gpu / neuroflow-cpu = {gpu / cpu:.1f} (aim >= 10 for cnn)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"card": card, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
