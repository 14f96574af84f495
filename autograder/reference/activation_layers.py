"""Reference for assignment 03 (activation layers): Relu and Sigmoid.

Book names and attributes (``Relu.mask``, ``Sigmoid.out``); unlike the book, nothing here writes into
the caller's arrays, and the sigmoid never overflows.
"""

import numpy as np


class Relu:
    """y = max(0, x) element-wise. forward(x) -> y; backward(dout) -> dx (arrays of any shape)."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        # at exactly 0 the gradient is taken to be 0, as in the book: the mask includes x == 0
        self.mask = x <= 0
        return np.where(self.mask, 0, x)

    def backward(self, dout):
        return np.where(self.mask, 0, dout)


def _sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    # exp(-|x|) is at most 1, so it never overflows, whatever the sign of x
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid:
    """y = 1 / (1 + exp(-x)) element-wise. forward(x) -> y; backward(dout) -> dx."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = _sigmoid(x)
        return self.out

    def backward(self, dout):
        # dy/dx = y (1 - y): the cached output is all backward needs
        return dout * (1.0 - self.out) * self.out
