"""Keras's progress bar (`tf.keras.utils.Progbar`): `  32/1000 [>.............................] - ETA: 3s -
loss: 0.1234`, redrawn in place on a terminal (one line per update, throttled, elsewhere), and the closing
`1000/1000 [==============================] - 1s 1ms/sample - loss: 0.1234` line."""
import sys
import time

import numpy as np

__all__ = ["Progbar"]


def _is_dynamic(stream):
    """Whether `stream` can redraw a line in place (a terminal or a notebook)."""
    return (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules


def _format_value(value):
    if isinstance(value, str):
        return " " + value
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


class Progbar:
    """A text progress bar.

    Args:
        target: the total number of steps (None if unknown).
        width: the bar's width in characters.
        verbose: 1 for the bar, 2 for one line at the end, 0 for nothing.
        interval: the least time (s) between two redraws.
        stateful_metrics: names whose values are shown as given rather than averaged over the steps.
        unit_name: the unit in the time-per-unit figure ('step' or 'sample').

    Example:
        >>> bar = Progbar(1000)
        >>> for i in range(0, 1000, 100):
        ...     bar.update(i + 100, [("loss", 0.5)])
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or [])
        self._dynamic_display = _is_dynamic(sys.stdout)
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}          # name -> [weighted sum, weight] or a stateful value
        self._values_order = []
        self._start = time.time()
        self._last_update = 0.0

    def update(self, current, values=None, finalize=None):
        """Moves the bar to `current`; `values` are (name, value) pairs averaged over the steps (weighted by the
        steps since the last update), except stateful metrics. `finalize` (default: current >= target) draws the
        closing line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if k in self.stateful_metrics:
                self._values[k] = v
            else:
                step = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * step, step]
                else:
                    self._values[k][0] += v * step
                    self._values[k][1] += step
        self._seen_so_far = current
        now = time.time()
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw(current, now, finalize)
        elif self.verbose == 2 and finalize:
            numdigits = int(np.log10(self.target)) + 1 if self.target else 1
            line = f"{current:{numdigits}d}/{self.target}" if self.target is not None else f"{current}"
            line += f" - {now - self._start:.0f}s" + self._values_text() + "\n"
            sys.stdout.write(line)
            sys.stdout.flush()
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _values_text(self):
        text = ""
        for k in self._values_order:
            value = self._values[k]
            if isinstance(value, list):
                value = float(np.mean(value[0] / max(1, value[1])))
            text += f" - {k}:" + _format_value(value)
        return text

    def _draw(self, current, now, finalize):
        prev_total_width = self._total_width
        if self._dynamic_display:
            sys.stdout.write("\b" * prev_total_width + "\r")
        else:
            if prev_total_width:   # a line per update where the bar cannot be redrawn (a file, a pipe)
                sys.stdout.write("\n")
        if self.target is not None:
            numdigits = int(np.log10(self.target)) + 1 if self.target > 0 else 1
            bar = f"{current:{numdigits}d}/{self.target} ["
            prog_width = int(self.width * (float(current) / self.target if self.target else 1.0))
            if prog_width > 0:
                bar += "=" * (prog_width - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - prog_width) + "]"
        else:
            bar = f"{current:7d}/Unknown"
        self._total_width = len(bar)
        time_per_unit = (now - self._start) / current if current else 0.0
        if self.target is not None and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_format = f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_format = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_format = f"{int(eta)}s"
            info = f" - ETA: {eta_format}"
        else:
            info = f" - {now - self._start:.0f}s"
            if time_per_unit >= 1 or time_per_unit == 0:
                info += f" {time_per_unit:.0f}s/{self.unit_name}"
            elif time_per_unit >= 1e-3:
                info += f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
            else:
                info += f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"
        info += self._values_text()
        self._total_width += len(info)
        if prev_total_width > self._total_width and self._dynamic_display:
            info += " " * (prev_total_width - self._total_width)
        if finalize:
            info += "\n"
            self._total_width = 0
        sys.stdout.write(bar + info)
        sys.stdout.flush()
