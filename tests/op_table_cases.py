"""The cases the op-table tests run, derived from the rows in one place: forward cases (every sample) and
gradient cases (every sample of a differentiable row, as float64 with its index inputs held constant)."""
import numpy as np

from op_table import ROWS

FORWARD_CASES = [(row, i) for row in ROWS for i in range(len(row.samples))]


def _is_float(array):
    return np.asarray(array).dtype.kind == "f"


class GradientCase:
    """One sample of a differentiable row, ready for a float64 gradient check.

    Float inputs (float16/32/64) become float64 and are perturbed; integer and bool inputs (indices, masks,
    paddings) are held constant, since the function is not differentiable in them.
    """

    def __init__(self, row, index):
        self.row, self.index = row, index
        original = row.samples[index]
        self.perturbed = tuple(_is_float(a) for a in original)
        self.sample = tuple(np.ascontiguousarray(a, np.float64) if p else np.asarray(a)
                            for a, p in zip(original, self.perturbed))
        self.output_shape = np.shape(row.ref(*self.sample))
        # Central differences of an empty output (or with only empty inputs to move) compare 0 with 0.
        self.informative = (int(np.prod(self.output_shape)) > 0 and
                            any(a.size > 0 for a, p in zip(self.sample, self.perturbed) if p))
        self.id = f"{row.name}-{index}"

    def __repr__(self):
        return self.id


GRADIENT_CASES = [GradientCase(row, i) for row in ROWS if row.grad for i, sample in enumerate(row.samples)
                  if any(_is_float(a) for a in sample)]
