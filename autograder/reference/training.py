"""Reference for assignment 06 (training on MNIST): sgd_update, train, and a lean two-layer net.

``train`` drives any network with the book's TwoLayerNet interface: ``params`` (dict of arrays that the
layers hold), ``gradient(x, t) -> grads`` (its forward pass leaves the batch loss in
``lastLayer.loss``) and ``accuracy(x, t)``. ``LeanTwoLayerNet`` is that network written for speed
(float32, class-index labels, no dx for the first layer, one forward pass per step); the benchmark
``benchmarks/bench_training.py`` runs it against the book's loop.

Shapes: N examples, D input features, H hidden units, C classes.
"""

import numpy as np

__all__ = ["sgd_update", "train", "iterations_per_epoch", "LeanTwoLayerNet"]


def sgd_update(params, grads, learning_rate):
    """params[key] -= learning_rate * grads[key] for every key, in place (the layers hold these arrays)."""
    for key in params:
        params[key] -= learning_rate * grads[key]


def iterations_per_epoch(train_size, batch_size):
    """Steps that make one pass over the training set on average (at least 1)."""
    return max(train_size // batch_size, 1)


def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100, learning_rate=0.1,
          seed=0, progress=True):
    """Mini-batch SGD; returns {"train_loss_list", "train_acc_list", "test_acc_list"}.

    Step i draws ``rng.choice(train_size, batch_size)`` from ``rng = np.random.default_rng(seed)``, records
    the batch loss that ``gradient`` computed (before the update), and updates. After the update of every
    step with ``i % iterations_per_epoch(...) == 0`` it records the accuracy on the full train and test sets.
    """
    from tqdm import tqdm

    rng = np.random.default_rng(seed)
    train_size = x_train.shape[0]
    iter_per_epoch = iterations_per_epoch(train_size, batch_size)
    history = {"train_loss_list": [], "train_acc_list": [], "test_acc_list": []}
    bar = tqdm(range(iters_num), desc="training", disable=not progress)
    for i in bar:
        batch_mask = rng.integers(0, train_size, batch_size)  # the numbers of rng.choice(train_size, batch_size)
        grads = network.gradient(x_train[batch_mask], t_train[batch_mask])
        # gradient() ran the forward pass on this batch already: a second one would only
        # measure the same batch one small step later
        history["train_loss_list"].append(float(network.lastLayer.loss))
        sgd_update(network.params, grads, learning_rate)
        if i % iter_per_epoch == 0:
            history["train_acc_list"].append(float(network.accuracy(x_train, t_train)))
            history["test_acc_list"].append(float(network.accuracy(x_test, t_test)))
            bar.set_postfix(train_acc=history["train_acc_list"][-1], test_acc=history["test_acc_list"][-1])
    bar.close()
    return history


class _LossValue:
    """Where the lean net leaves the batch loss, as the book's SoftmaxWithLoss does (``lastLayer.loss``)."""

    loss = None


class LeanTwoLayerNet:
    """Affine -> ReLU -> Affine -> softmax cross entropy, with the book's interface, written for speed.

    Differences from the book's TwoLayerNet, none visible in the results: float32 weights, labels as
    class indices (N,) (one-hot rows are converted), one forward pass per gradient, no dx for the first
    layer (nothing uses it), accuracy in chunks, and a seeded ``np.random.default_rng``.
    """

    chunk = 5000  # rows per block in accuracy: the scores of a block stay in cache

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=0, dtype=np.float32):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }
        self.lastLayer = _LossValue()

    def _hidden(self, x):
        h = x @ self.params["W1"]
        h += self.params["b1"]
        return np.maximum(h, 0, out=h)

    def predict(self, x):
        s = self._hidden(x) @ self.params["W2"]
        s += self.params["b2"]
        return s

    def loss(self, x, t):
        t = _indices(t)
        self.lastLayer.loss = _softmax_cross_entropy(self.predict(x), t, np.arange(len(t)))
        return self.lastLayer.loss

    def accuracy(self, x, t):
        t = _indices(t)
        hits = 0
        for start in range(0, len(x), self.chunk):
            stop = start + self.chunk
            hits += int(np.count_nonzero(self.predict(x[start:stop]).argmax(axis=1) == t[start:stop]))
        return hits / len(x)

    def gradient(self, x, t):
        p = self.params
        t = _indices(t)
        rows = np.arange(len(t))
        h = self._hidden(x)
        ds = h @ p["W2"]
        ds += p["b2"]
        self.lastLayer.loss = _softmax_cross_entropy(ds, t, rows)  # ds now holds softmax(scores)
        ds[rows, t] -= 1
        ds /= len(t)  # the loss is a mean over the batch
        dh = ds @ p["W2"].T
        dh[h <= 0] = 0  # ReLU passes the gradient only where its output was positive
        return {"W1": x.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ ds, "b2": ds.sum(axis=0)}


def _softmax_cross_entropy(s, t, rows):
    """Mean cross entropy of softmax(s) against index labels t; leaves softmax(s) in s."""
    s -= s.max(axis=1, keepdims=True)  # exp would overflow for large scores
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    # 1e-7 inside the log, as in the book's cross_entropy_error, so both nets report the same loss
    return -float(np.log(s[rows, t] + 1e-7).sum()) / len(t)


def _indices(t):
    return t.argmax(axis=1) if t.ndim == 2 else t
