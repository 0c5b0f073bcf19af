"""The benchmark workloads (sizes in workload_timing.py) in PyTorch, eager, on the CPU: an anchor neuroflow is
compared against. Needs the anchors' environment (benchmarks/setup_anchors.sh).

    ANCHOR_PYTHON benchmarks/workloads_torch.py [lecture] [mlp] [cnn] [lstm] [cifar] [lstm-dynamic] [mlp-b<N>]
"""
import argparse

import torch

import workload_timing as wt


def lecture():
    w = torch.tensor([0.2, 0.7], requires_grad=True)
    x, target = torch.ones(2), torch.tensor(20.0)
    optimizer = torch.optim.SGD([w], lr=wt.LECTURE_RATE)

    def step():
        optimizer.zero_grad()
        y = (x * w).sum()
        ((target - y) ** 2).backward()
        optimizer.step()
        return y.item()
    return step


def _classifier_step(model, inputs, labels):
    optimizer = torch.optim.Adam(model.parameters(), lr=wt.LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs, labels = torch.from_numpy(inputs), torch.from_numpy(labels)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def mlp(batch=wt.MLP_BATCH):
    layers = []
    for fan_in, fan_out in zip(wt.MLP_SIZES[:-2], wt.MLP_SIZES[1:-1]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(*wt.MLP_SIZES[-2:]))
    return _classifier_step(model, *wt.random_batch((batch, wt.MLP_SIZES[0])))


def cnn():
    layers, channels = [], 1
    for filters in wt.CNN_FILTERS:
        layers += [torch.nn.Conv2d(channels, filters, wt.CNN_KERNEL, padding=wt.CNN_KERNEL // 2), torch.nn.ReLU(),
                   torch.nn.MaxPool2d(2)]
        channels = filters
    side = wt.IMAGE // 4
    model = torch.nn.Sequential(*layers, torch.nn.Flatten(), torch.nn.Linear(side * side * channels, wt.CNN_HIDDEN),
                                torch.nn.ReLU(), torch.nn.Linear(wt.CNN_HIDDEN, wt.CLASSES))
    images, labels = wt.random_batch((wt.CNN_BATCH, 1, wt.IMAGE, wt.IMAGE))   # PyTorch's layout: NCHW
    return _classifier_step(model, images, labels)


def cifar():
    layers, channels = [], wt.CIFAR_CHANNELS
    for filters in wt.CIFAR_FILTERS:
        layers += [torch.nn.Conv2d(channels, filters, wt.CIFAR_KERNEL, padding=wt.CIFAR_KERNEL // 2),
                   torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        channels = filters
    side = wt.CIFAR_IMAGE // 2 ** len(wt.CIFAR_FILTERS)
    model = torch.nn.Sequential(*layers, torch.nn.Flatten(), torch.nn.Linear(side * side * channels, wt.CLASSES))
    images, labels = wt.random_batch((wt.CIFAR_BATCH, wt.CIFAR_CHANNELS, wt.CIFAR_IMAGE, wt.CIFAR_IMAGE))  # NCHW
    return _classifier_step(model, images, labels)


class _LastOutputLSTM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(wt.LSTM_FEATURES, wt.LSTM_UNITS, batch_first=True)
        self.dense = torch.nn.Linear(wt.LSTM_UNITS, wt.CLASSES)

    def forward(self, x):
        outputs, _ = self.lstm(x)
        return self.dense(outputs[:, -1])


def lstm():
    return _classifier_step(_LastOutputLSTM(), *wt.random_batch((wt.LSTM_BATCH, wt.LSTM_STEPS, wt.LSTM_FEATURES)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=list(wt.WORKLOADS))
    torch.manual_seed(0)
    wt.report("torch-eager", parser.parse_args().workloads,
              {"lecture": lecture, "mlp": mlp, "cnn": cnn, "lstm": lstm, "cifar": cifar,
               "lstm-dynamic": lstm})


if __name__ == "__main__":
    main()
