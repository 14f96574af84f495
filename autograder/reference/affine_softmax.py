"""Reference for assignment 04: Affine, softmax, cross_entropy_error and SoftmaxWithLoss.

Shapes: N batch, D input features (after flattening), M outputs, C classes.
Labels ``t`` may be one-hot, shape (N, C), or class indices, shape (N,).
"""

import numpy as np

__all__ = ["Affine", "softmax", "cross_entropy_error", "SoftmaxWithLoss"]


class Affine:
    """out = x @ W + b, with W (D, M) and b (M,). x is (N, D), or (N, ...) flattened to (N, D)."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        # b was added to every row of the batch, so its gradient collects every row
        self.db = np.sum(dout, axis=0)
        dx = dout @ self.W.T
        return dx.reshape(self.original_x_shape)


def softmax(x):
    """Row-wise softmax of x (C,) or (N, C)."""
    # subtract the row max: exp(1000) overflows, and softmax(x) == softmax(x - c)
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """Mean cross entropy of probabilities y (N, C) or (C,) against labels t (one-hot or indices)."""
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = np.reshape(t, (1, -1))
    if t.size == y.size:
        t = t.argmax(axis=1)
    t = np.reshape(t, -1)
    batch_size = y.shape[0]
    # 1e-7 keeps log away from log(0) = -inf for a confident wrong prediction
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class SoftmaxWithLoss:
    """forward(x, t) -> mean loss over the batch; backward(dout=1) -> dL/dx = (y - t) / N."""

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        y = self.y.reshape(-1, self.y.shape[-1])
        batch_size = y.shape[0]
        if np.size(self.t) == y.size:
            t = np.reshape(self.t, y.shape)
        else:
            t = np.zeros_like(y)
            t[np.arange(batch_size), np.reshape(self.t, -1)] = 1
        # the loss is a mean over the batch, so each example's share of the gradient is 1/N
        dx = dout * (y - t) / batch_size
        return dx.reshape(self.y.shape)
