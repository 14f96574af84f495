"""Reference for assignment 05: numerical_gradient, TwoLayerNet and a gradient check.

Shapes: N batch, D inputs, H hidden units, C classes. Labels t are one-hot (N, C) or class indices (N,).
The layers come from assignments 03 and 04; the Affine layers hold the very arrays of ``params``
(no copies), so changing ``params`` in place (training, numerical gradients) changes the network.
"""

from collections import OrderedDict

import numpy as np

from .activation_layers import Relu
from .affine_softmax import Affine, SoftmaxWithLoss

__all__ = ["numerical_gradient", "TwoLayerNet", "gradient_check"]

PARAM_KEYS = ("W1", "b1", "W2", "b2")


def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient of the scalar function f at the float array x (any shape).

    Each element of x is nudged in place (f may read x from elsewhere, as TwoLayerNet's loss does)
    and put back afterwards, so x is unchanged on return.
    """
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx].copy()
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


class TwoLayerNet:
    """Affine1 -> Relu1 -> Affine2 -> SoftmaxWithLoss, with the book's API."""

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, rng=None):
        rng = np.random.default_rng(rng)
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        # the layers hold the params arrays themselves: updating params in place updates the layers
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        """Scores (N, C) before softmax."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        """Fraction of examples whose highest score is the right class."""
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def numerical_gradient(self, x, t):
        def loss_w(_):
            return self.loss(x, t)

        return {key: numerical_gradient(loss_w, self.params[key]) for key in PARAM_KEYS}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        # backward visits the layers in the reverse order of forward
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


def gradient_check(network, x, t):
    """Mean absolute difference between backprop and numerical gradients, per parameter."""
    numerical = network.numerical_gradient(x, t)
    backprop = network.gradient(x, t)
    return {key: float(np.mean(np.abs(backprop[key] - numerical[key]))) for key in numerical}
