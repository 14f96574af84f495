"""Probes of assignment 06, training on MNIST: ``sgd_update`` and the training loop ``train``.

No MNIST here: every scenario trains on a small seeded dataset made below (Gaussian blobs, XOR), in well
under a second. The loop drives ``ProbeNet``, a small network of the grader's own with the book's
TwoLayerNet interface: tanh hidden units and a squared-error loss, so it is no network that an
assignment asks for (nothing here computes an answer), and a bug in the student's assignment-5 network
costs nothing in this notebook. The probe records raw facts only, for the judge to recompute everything
from: the weights before every gradient() call and at the end, every mini-batch, every accuracy() call,
and every call of ``sgd_update`` (a wrapper passes each call on to the student's own function and notes
its arguments, so a slip in sgd_update costs points in its own cell only). NumPy's global generator is
seeded before the loop runs (and restored after), so a loop that draws its batches with np.random.choice,
as the book does, draws the same batches every time it is graded.
"""

import numpy as np

from ..scenario import N_, Cells, StudentError, call, fill, need, quiet, replaced

CELLS = Cells()
KEYS = ("W1", "b1", "W2", "b2")


# --- sgd_update --------------------------------------------------------------------------------------------

def _params(rng, sizes):
    d, h, c = sizes
    shapes = {"W1": (d, h), "b1": (h,), "W2": (h, c), "b2": (c,)}
    return ({k: rng.standard_normal(s) for k, s in shapes.items()},
            {k: rng.standard_normal(s) for k, s in shapes.items()})


def _sgd_inputs(sizes, learning_rate):
    def inputs(rng):
        params, grads = _params(rng, sizes)
        return {"params": params, "grads": grads, "learning_rate": learning_rate}
    return inputs


def _sgd_call(ns, i):
    sgd_update = need(ns, "sgd_update", "function")
    held = dict(i["params"])  # the arrays a TwoLayerNet's layers would hold
    with quiet(output=True):
        call(sgd_update, i["params"], i["grads"], i["learning_rate"], stage="sgd_update")
    return held


def flat(arrays):
    """The arrays of ``arrays`` (a dict with the keys ``KEYS``) as one float64 vector, in ``KEYS`` order."""
    return np.concatenate([np.asarray(arrays[k], dtype=np.float64).ravel() for k in KEYS])


def sgd_values(ns, i):
    """Driver: ``sgd_update(params, grads, lr)``; returns the parameters afterwards as one vector."""
    _sgd_call(ns, i)
    for k in KEYS:  # a student's sgd_update may put anything in params: say which entry is not an array
        if type(i["params"][k]) is not np.ndarray or i["params"][k].shape != i["grads"][k].shape:
            raise StudentError(N_("after sgd_update, params[{key}] is {type} {shape}, not an array of shape "
                                  "{expected}."), key=repr(k), type=type(i["params"][k]).__name__,
                               shape=getattr(i["params"][k], "shape", ""), expected=i["grads"][k].shape)
    return {"params after sgd_update": flat(i["params"])}


def sgd_in_place(ns, i):
    """Driver: ``sgd_update`` on the arrays a network's layers hold; returns them afterwards (they must
    change in place)."""
    held = _sgd_call(ns, i)
    return {"the arrays the layers hold, after sgd_update": flat(held)}


for _sizes, _lr in [((4, 3, 2), 0.1), ((6, 5, 3), 0.01), ((3, 7, 4), 1.5)]:
    CELLS.add("sgd_update", fill(N_("sgd_update with learning_rate {rate} on a {sizes} network"), rate=_lr,
                                 sizes="-".join(map(str, _sizes))), _sgd_inputs(_sizes, _lr), sgd_values)
CELLS.add("sgd_update", N_("sgd_update changes the arrays of params in place (the layers hold those arrays)"),
          _sgd_inputs((5, 4, 3), 0.1), sgd_in_place)


# --- the probe network ----------------------------------------------------------------------------------------

def labels_of(t):
    """Class labels (N,) of ``t``: one-hot (N, C) rows, or labels already."""
    t = np.asarray(t)
    return t.argmax(axis=1) if t.ndim == 2 else t.astype(np.int64)


def forward(w, x):
    """Hidden activations (tanh) and scores of the probe network with weights ``w``."""
    h = np.tanh(x @ w["W1"] + w["b1"])
    return h, h @ w["W2"] + w["b2"]


def loss_and_gradient(w, x, t):
    """Half the mean squared distance of the scores to one-hot targets, and its gradient."""
    h, s = forward(w, x)
    target = np.zeros_like(s)
    target[np.arange(len(x)), labels_of(t)] = 1.0
    ds = (s - target) / len(x)
    dh = (ds @ w["W2"].T) * (1 - h ** 2)
    loss = float(0.5 * np.sum((s - target) ** 2) / len(x))
    return loss, {"W1": x.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ ds, "b2": ds.sum(axis=0)}


def accuracy_of(w, x, t):
    """The share of ``x`` (N, D) that the network with weights ``w`` classifies as ``t`` says."""
    return float(np.mean(forward(w, x)[1].argmax(axis=1) == labels_of(t)))


class _LossLayer:
    loss = None


class ProbeNet:
    """A two-layer network with the book's TwoLayerNet interface (tanh, squared error), noting how it is used.

    Like the book's net, its layers hold the arrays of ``params`` (only in-place updates train it), and
    ``gradient`` leaves the batch loss in ``lastLayer.loss``."""

    def __init__(self, params, x_train, x_test):
        self.params = params
        self.lastLayer = _LossLayer()
        self._w = dict(params)
        self._sets = (x_train, x_test)
        self.snapshots, self.batch_x, self.batch_t, self.accuracy_calls = [], [], [], []
        self.last_grads = None

    def weights(self):
        """The probe network's weights as one vector."""
        return flat(self._w)

    def predict(self, x):
        """Scores (N, C) for ``x`` (N, D)."""
        return forward(self._w, x)[1]

    def loss(self, x, t):
        """The loss on ``x``, ``t`` (also kept in ``lastLayer.loss``, as the book's network does)."""
        self.lastLayer.loss = loss_and_gradient(self._w, x, t)[0]
        return self.lastLayer.loss

    def accuracy(self, x, t):
        """The accuracy on ``x``, ``t``; notes when it was asked and on which data set."""
        which = next((k for k, data in enumerate(self._sets) if x is data), -1)
        self.accuracy_calls.append([len(self.snapshots), len(x), which])
        return accuracy_of(self._w, x, t)

    def gradient(self, x, t):
        """The gradients ``{key: array}`` on the batch ``x``, ``t``; notes the weights and the batch."""
        self.snapshots.append(self.weights())
        self.batch_x.append(np.array(x, dtype=np.float64, copy=True))
        self.batch_t.append(labels_of(t))
        self.lastLayer.loss, self.last_grads = loss_and_gradient(self._w, x, t)
        return self.last_grads

    def outputs(self):
        """The raw record: weights before every step and at the end, the batches, the accuracy calls."""
        d = self._sets[0].shape[1]
        return {"~weights": np.array(self.snapshots + [self.weights()]),
                "~batch rows": np.array([len(b) for b in self.batch_x], dtype=np.int64),
                "~batch x": np.concatenate(self.batch_x) if self.batch_x else np.zeros((0, d)),
                "~batch labels": np.concatenate(self.batch_t) if self.batch_t else np.zeros(0, np.int64),
                "~accuracy calls": np.array(self.accuracy_calls, dtype=np.int64).reshape(-1, 3)}


class SgdRecorder:
    """Passes every call on to the student's sgd_update, noting the step, whether ``params`` was the
    network's own dict, the gradients it was given and the learning rate."""

    def __init__(self, net, update):
        self.net, self.update, self.calls, self.grads = net, update, [], []

    def __call__(self, params, grads, learning_rate, *args, **kwargs):
        try:
            given = flat(grads)
        except Exception:  # not the documented dict of arrays: noted as such
            given = np.full(len(self.net.weights()), np.nan)
        try:
            rate = float(learning_rate)
        except (TypeError, ValueError):
            rate = np.nan
        self.calls.append([len(self.net.snapshots), float(params is self.net.params), rate])
        size = self.net.weights().shape
        self.grads.append(given if given.shape == size else np.full(size, np.nan))
        return self.update(params, grads, learning_rate, *args, **kwargs)

    def outputs(self):
        """The recorded ``sgd_update`` calls and the gradients they got, as raw outputs."""
        p = len(self.net.weights())
        return {"~sgd calls": np.array(self.calls, dtype=np.float64).reshape(-1, 3),
                "~sgd grads": np.array(self.grads).reshape(-1, p)}


# --- datasets -------------------------------------------------------------------------------------------------

def _blobs(rng, n, classes, dim, spread, sort):
    centers = rng.standard_normal((classes, dim))
    centers *= 2.0 / np.linalg.norm(centers, axis=1, keepdims=True)
    t_all = []
    x_all = []
    for size in n:
        t = np.arange(size) % classes
        t = np.sort(t) if sort else rng.permutation(t)
        x_all.append(centers[t] + spread * rng.standard_normal((size, dim)))
        t_all.append(t)
    return x_all, t_all


def _xor(rng, n, spread):
    corners = np.array([[1.5, 1.5], [-1.5, -1.5], [1.5, -1.5], [-1.5, 1.5]])
    x_all, t_all = [], []
    for size in n:
        q = rng.permutation(np.arange(size) % 4)
        x_all.append(corners[q] + spread * rng.standard_normal((size, 2)))
        t_all.append(q // 2)  # same signs: class 0, opposite signs: class 1
    return x_all, t_all


def _train_inputs(kind, *, hidden, iters_num, batch_size, learning_rate, one_hot, n=(300, 300), **data_options):
    def inputs(rng):
        if kind == "blobs":
            (x_train, x_test), (t_train, t_test) = _blobs(rng, n, **data_options)
        else:
            (x_train, x_test), (t_train, t_test) = _xor(rng, n, **data_options)
        classes = int(t_train.max()) + 1
        if one_hot:
            t_train, t_test = np.eye(classes)[t_train], np.eye(classes)[t_test]
        d = x_train.shape[1]
        params = {"W1": rng.standard_normal((d, hidden)) * np.sqrt(2.0 / d), "b1": np.zeros(hidden),
                  "W2": rng.standard_normal((hidden, classes)) * 0.1, "b2": np.zeros(classes)}
        return {"x_train": x_train, "t_train": t_train, "x_test": x_test, "t_test": t_test, "params": params,
                "iters_num": iters_num, "batch_size": batch_size, "learning_rate": learning_rate,
                "seed": int(rng.integers(0, 2**31))}
    return inputs


def _train(ns, i):
    """Run the student's train() on a ProbeNet; returns (raw outputs, history)."""
    train = need(ns, "train", "function")
    net = ProbeNet(i["params"], i["x_train"], i["x_test"])
    update = ns.get("sgd_update")
    recorder = SgdRecorder(net, update) if callable(update) else None
    # the book's np.random.choice draws the same batches at every grading; the grader's own reference loop
    # uses its seeded generator only, and the judge's threads leave NumPy's global one alone
    own = str(getattr(train, "__module__", "")).split(".")[:2] == ["autograder", "reference"]
    state = None if own else np.random.get_state()
    if state is not None:
        np.random.seed(i["seed"] % 2**32)
    try:
        with replaced(train, ns, {"sgd_update": recorder} if recorder else {}), quiet(output=True):
            history = call(lambda: train(net, i["x_train"], i["t_train"], i["x_test"], i["t_test"],
                                         iters_num=i["iters_num"], batch_size=i["batch_size"],
                                         learning_rate=i["learning_rate"], seed=i["seed"], progress=False),
                           stage="train")
    finally:
        if state is not None:
            np.random.set_state(state)
    out = net.outputs()
    out.update(recorder.outputs() if recorder else {"~sgd calls": np.zeros((0, 3)),
                                                     "~sgd grads": np.zeros((0, len(net.weights())))})
    return out, history


def learns(ns, i):
    """Driver: the student's training loop on the probe network; returns what it recorded."""
    return _train(ns, i)[0]


def _history_lists(history):
    if not isinstance(history, dict):
        raise StudentError(N_("train() must return a dict with the keys 'train_loss_list', 'train_acc_list' and "
                              "'test_acc_list'; it returned {type}."), type=type(history).__name__)
    lists = {}
    for key in ("train_loss_list", "train_acc_list", "test_acc_list"):
        if key not in history:
            raise StudentError(N_("the dict train() returns has no key {key} (it has {keys})."), key=repr(key),
                               keys=sorted(map(str, history)))
        try:
            values = [float(v) for v in history[key]]
        except (TypeError, ValueError):
            raise StudentError(N_("history[{key}] must be a list of numbers (floats)."), key=repr(key)) from None
        lists[key] = np.array(values, dtype=np.float64)
    return lists


def history(ns, i):
    """Driver: the training loop; returns what it recorded and the history lists it returned."""
    out, hist = _train(ns, i)
    out.update({f"~returned {k}": v for k, v in _history_lists(hist).items()})
    return out


def recipe(ns, i):
    """Driver: the training loop as the notebook's recipe runs it; returns what it recorded."""
    return _train(ns, i)[0]


# the titles: whole sentences marked for the grader's catalog (the judge translates them where it shows them)
LEARN_SCENARIOS = [
    (N_("train() learns: three overlapping Gaussian blobs in 2-D, the training set sorted by class, labels as "
        "indices"),
     _train_inputs("blobs", hidden=10, iters_num=301, batch_size=30, learning_rate=0.2, one_hot=False,
                   classes=3, dim=2, spread=0.9, sort=True)),
    (N_("train() learns: XOR: four clusters in 2-D, two classes that no straight line separates, one-hot labels"),
     _train_inputs("xor", hidden=16, iters_num=401, batch_size=20, learning_rate=0.2, one_hot=True, spread=0.5)),
]
for _title, _inputs in LEARN_SCENARIOS:
    CELLS.add("train_learns", _title, _inputs, learns)

HISTORY_SCENARIOS = [
    (N_("the history train() returns: four Gaussian blobs in 5-D, labels as indices"),
     _train_inputs("blobs", hidden=12, iters_num=201, batch_size=25, learning_rate=0.1, one_hot=False,
                   n=(250, 150), classes=4, dim=5, spread=1.0, sort=False)),
    (N_("the history train() returns: XOR clusters, one-hot labels, 2 steps per epoch"),
     _train_inputs("xor", hidden=16, iters_num=60, batch_size=50, learning_rate=0.3, one_hot=True,
                   n=(100, 200), spread=0.6)),
]
for _title, _inputs in HISTORY_SCENARIOS:
    CELLS.add("train_history", _title, _inputs, history)

RECIPE_SCENARIOS = [
    (N_("train() follows the recipe: three Gaussian blobs in 2-D, labels as indices"),
     _train_inputs("blobs", hidden=8, iters_num=151, batch_size=30, learning_rate=0.2, one_hot=False,
                   n=(300, 100), classes=3, dim=2, spread=0.9, sort=False)),
    (N_("train() follows the recipe: XOR clusters, one-hot labels"),
     _train_inputs("xor", hidden=10, iters_num=120, batch_size=16, learning_rate=0.5, one_hot=True,
                   n=(200, 100), spread=0.5)),
]
for _title, _inputs in RECIPE_SCENARIOS:
    CELLS.add("train_recipe", _title, _inputs, recipe)
