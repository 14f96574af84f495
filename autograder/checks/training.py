"""Hidden checks of assignment 06, training on MNIST: ``sgd_update`` and the training loop ``train``.

No MNIST here: every scenario trains on a small seeded dataset made below (Gaussian blobs, XOR), in well
under a second. The loop drives ``ProbeNet``, a small two-layer ReLU net of the grader's own with the
book's TwoLayerNet interface, so a bug in the student's assignment-5 network costs nothing in this
notebook, and so the probe can note how the loop uses it: every gradient() call and its mini-batch, the
batch loss before and after each update, and the accuracies on the whole sets around each epoch.

What each graded cell judges:
- ``sgd_update``: exact values, and the update happens in place (the book's layers hold params' arrays).
- ``train_learns``: only the weights the network ends with; the judge measures their accuracy on its own
  copy of the test set (a student cannot report a better number than the weights earn).
- ``train_history``: the lists' lengths, and that each entry is what the network computed at that step
  (the loss of the step's mini-batch, before or after the update; the accuracy on the whole train or test
  set at each epoch, after or before that step's update).
- ``train_recipe``: with the same seed, the same mini-batches and the same final weights as the reference.
"""

import contextlib
import io
import warnings

import numpy as np

from ..compare import describe_mismatch
from ..scenario import Mistake, StudentError, add, need

KEYS = ("W1", "b1", "W2", "b2")


@contextlib.contextmanager
def quiet():
    """Student code may print, draw a tqdm bar (stderr) or warn: none of it reaches the cell's output."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


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
    with quiet():
        sgd_update(i["params"], i["grads"], i["learning_rate"])
    return held


def _flat(arrays):
    return np.concatenate([np.asarray(arrays[k], dtype=np.float64).ravel() for k in KEYS])


def sgd_values(ns, i):
    _sgd_call(ns, i)
    for k in KEYS:  # a student's sgd_update may put anything in params: say which entry is not an array
        if type(i["params"][k]) is not np.ndarray or i["params"][k].shape != i["grads"][k].shape:
            raise StudentError(f"after sgd_update, params[{k!r}] is {type(i['params'][k]).__name__} "
                               f"{getattr(i['params'][k], 'shape', '')}, not an array of shape {i['grads'][k].shape}.")
    return {"params after sgd_update": _flat(i["params"])}


def sgd_in_place(ns, i):
    held = _sgd_call(ns, i)
    return {"the arrays the layers hold, after sgd_update": _flat(held)}


def _judge_params(got, expected, i):
    """Name the first entry of params that is wrong (the outputs hold W1, b1, W2, b2 one after another)."""
    if isinstance(got, str) or got.shape != expected.shape:
        return describe_mismatch("params after sgd_update", got, expected)
    problems, start = [], 0
    for k in KEYS:
        size = i["params"][k].size
        shape = i["params"][k].shape
        msg = describe_mismatch(f"params[{k!r}] after sgd_update", got[start:start + size].reshape(shape),
                                expected[start:start + size].reshape(shape))
        if msg:
            problems.append(msg)
        start += size
    if not problems:
        return None
    others = f" ({len(problems) - 1} other entries of params are wrong too.)" if len(problems) > 1 else ""
    return problems[0] + others


def _moved(sign, scale):
    return lambda i, e: _flat({k: i["params"][k] + sign * scale(i) * i["grads"][k] for k in KEYS})


SGD_MISTAKES = (
    Mistake("params after sgd_update", "the update goes *against* the gradient: "
            "params[key] -= learning_rate * grads[key] (yours adds it).", _moved(1, lambda i: i["learning_rate"])),
    Mistake("params after sgd_update", "multiply the gradient by learning_rate before subtracting it.",
            _moved(-1, lambda i: 1.0)),
    Mistake("params after sgd_update", "params did not change: sgd_update must change the arrays in params "
            "itself (it returns nothing).", _moved(0, lambda i: 0.0)),
)

IN_PLACE_MISTAKES = (
    Mistake("the arrays the layers hold, after sgd_update",
            "params[key] = params[key] - ... puts a *new* array in the dict, but the layers of TwoLayerNet still "
            "hold the old one, so the network would never change. Update the array in place: "
            "params[key] -= learning_rate * grads[key].",
            lambda i, e: _flat(i["params"])),
)

for _sizes, _lr in [((4, 3, 2), 0.1), ((6, 5, 3), 0.01), ((3, 7, 4), 1.5)]:
    add("sgd_update", f"sgd_update with learning_rate {_lr} on a {_sizes[0]}-{_sizes[1]}-{_sizes[2]} network",
        _sgd_inputs(_sizes, _lr), sgd_values, custom={"params after sgd_update": _judge_params},
        mistakes=SGD_MISTAKES)


def _judge_in_place(got, expected, i):
    name = "the arrays the layers hold, after sgd_update"
    if isinstance(got, str) or describe_mismatch(name, got, expected) is None:
        return describe_mismatch(name, got, expected)
    if np.array_equal(got, _flat(i["params"])):
        return "the arrays the layers hold did not change."
    return "the arrays in params changed in place, but to wrong values (see the checks above)."


add("sgd_update", "sgd_update changes the arrays of params in place (the layers hold those arrays)",
    _sgd_inputs((5, 4, 3), 0.1), sgd_in_place, custom={"the arrays the layers hold, after sgd_update": _judge_in_place},
    mistakes=IN_PLACE_MISTAKES)


# --- the probe network ----------------------------------------------------------------------------------------

def _labels(t):
    return t.argmax(axis=1) if t.ndim == 2 else t


def _forward(w, x):
    h = np.maximum(x @ w["W1"] + w["b1"], 0)
    return h, h @ w["W2"] + w["b2"]


def _loss(w, x, t):
    s = _forward(w, x)[1]
    s = s - s.max(axis=1, keepdims=True)
    y = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(y[np.arange(len(x)), _labels(t)] + 1e-7))), y


def _accuracy(w, x, t):
    return float(np.mean(_forward(w, x)[1].argmax(axis=1) == _labels(t)))


class _LossLayer:
    loss = None


class ProbeNet:
    """Affine -> ReLU -> Affine -> softmax loss with the book's TwoLayerNet interface, noting how it is used.

    Like the book's net, its layers hold the arrays of ``params`` (only in-place updates train it), and
    ``gradient`` leaves the batch loss in ``lastLayer.loss``.
    """

    def __init__(self, params, data, iter_per_epoch):
        self.params = params
        self.lastLayer = _LossLayer()
        self._w = dict(params)
        self._data = {k: v.copy() for k, v in data.items()}
        self._ipe = iter_per_epoch
        self._last_batch = None
        self.gradient_calls = 0
        self.batch_rows = []
        self.batches = set()
        self.pre_losses, self.post_losses = [], []
        self.accuracy_at = {}  # k -> (train, test) accuracy of the weights after k updates
        self.accuracy_rows = []

    def predict(self, x):
        return _forward(self._w, x)[1]

    def loss(self, x, t):
        self.lastLayer.loss = _loss(self._w, x, t)[0]
        return self.lastLayer.loss

    def accuracy(self, x, t):
        self.accuracy_rows.append(len(x))
        return _accuracy(self._w, x, t)

    def gradient(self, x, t):
        self._observe()
        w, n = self._w, len(x)
        self.lastLayer.loss, y = _loss(w, x, t)
        h = _forward(w, x)[0]
        dy = y.copy()
        dy[np.arange(n), _labels(t)] -= 1
        dy /= n
        dh = (dy @ w["W2"].T) * (h > 0)
        self.pre_losses.append(self.lastLayer.loss)
        self.gradient_calls += 1
        self.batch_rows.append(n)
        self.batches.add(np.ascontiguousarray(x).tobytes())
        self._last_batch = (np.array(x, copy=True), np.array(t, copy=True))
        return {"W1": x.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dy, "b2": dy.sum(axis=0)}

    def finish(self):
        """Note what the last step's update did (call once the loop has returned)."""
        self._observe()

    def _observe(self):
        k = self.gradient_calls  # updates so far, one per step
        if self._last_batch is not None:
            self.post_losses.append(_loss(self._w, *self._last_batch)[0])
        if k % self._ipe == 0 or (k - 1) % self._ipe == 0:
            d = self._data
            self.accuracy_at[k] = (_accuracy(self._w, d["x_train"], d["t_train"]),
                                   _accuracy(self._w, d["x_test"], d["t_test"]))

    def weights(self):
        return np.concatenate([self._w[k].ravel() for k in KEYS])


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


def _iter_per_epoch(i):
    return max(len(i["x_train"]) // i["batch_size"], 1)


def _epoch_steps(i):
    """The steps i after whose update the accuracies are recorded."""
    return list(range(0, i["iters_num"], _iter_per_epoch(i)))


def _train(ns, i):
    """Run the student's train() on a ProbeNet; returns (probe, history)."""
    train = need(ns, "train", "function")
    data = {k: i[k] for k in ("x_train", "t_train", "x_test", "t_test")}
    net = ProbeNet(i["params"], data, _iter_per_epoch(i))
    with quiet():
        history = train(net, i["x_train"], i["t_train"], i["x_test"], i["t_test"], iters_num=i["iters_num"],
                        batch_size=i["batch_size"], learning_rate=i["learning_rate"], seed=i["seed"],
                        progress=False)
    net.finish()
    return net, history


def _initial_weights(i):
    return np.concatenate([i["params"][k].ravel() for k in KEYS])


def _unflatten(flat, i):
    w, start = {}, 0
    for k in KEYS:
        size = i["params"][k].size
        w[k] = flat[start:start + size].reshape(i["params"][k].shape)
        start += size
    return w


NOT_UPDATED = Mistake("trained weights", "the network's weights did not change at all. Update network.params in "
                      "place (sgd_update(network.params, grads, learning_rate)): the layers hold those arrays, "
                      "so params[key] = ... (a new array) changes nothing they compute.",
                      lambda i, e: _initial_weights(i))


# --- train_learns: judged from the weights alone ----------------------------------------------------------------

LEARN_MARGIN = 0.05


def learns(ns, i):
    net, _ = _train(ns, i)
    return {"trained weights": net.weights()}


def _judge_learning(got, expected, i):
    if isinstance(got, str):
        return f"the trained weights {got}."
    if got.shape != expected.shape:
        return f"the network's weights have {got.size} numbers after training instead of {expected.size}."
    if not np.all(np.isfinite(got)):
        return "the weights became NaN or inf during training (is the learning rate used as given?)."
    with np.errstate(all="ignore"):
        acc = _accuracy(_unflatten(got, i), i["x_test"], i["t_test"])
        ref = _accuracy(_unflatten(expected, i), i["x_test"], i["t_test"])
    if acc >= ref - LEARN_MARGIN:
        return None
    return (f"after train() the network classifies {acc:.0%} of the test set correctly; the recipe reaches "
            f"{ref:.0%} on the same data (at least {ref - LEARN_MARGIN:.0%} needed).")


LEARN_SCENARIOS = [
    ("three overlapping Gaussian blobs in 2-D, the training set sorted by class, labels as indices",
     _train_inputs("blobs", hidden=10, iters_num=301, batch_size=30, learning_rate=0.2, one_hot=False,
                   classes=3, dim=2, spread=0.9, sort=True)),
    ("XOR: four clusters in 2-D, two classes that no straight line separates, one-hot labels",
     _train_inputs("xor", hidden=16, iters_num=401, batch_size=20, learning_rate=0.2, one_hot=True, spread=0.5)),
]
for _title, _inputs in LEARN_SCENARIOS:
    add("train_learns", f"train() learns: {_title}", _inputs, learns,
        custom={"trained weights": _judge_learning}, mistakes=(NOT_UPDATED,))


# --- train_history: every entry is what the network computed at that step --------------------------------------

def _pack(*lists):
    """Several 1-D lists of numbers in one array: [count, len_1, ..., len_k, values...]."""
    arrays = [np.asarray(a, dtype=np.float64).ravel() for a in lists]
    return np.concatenate([[len(arrays)], [len(a) for a in arrays], *arrays])


def _unpack(flat):
    k = int(flat[0])
    sizes = [int(s) for s in flat[1:1 + k]]
    out, start = [], 1 + k
    for s in sizes:
        out.append(flat[start:start + s])
        start += s
    return out


def _history_lists(history):
    if not isinstance(history, dict):
        raise StudentError(f"train() must return a dict with the keys 'train_loss_list', 'train_acc_list' and "
                           f"'test_acc_list'; it returned {type(history).__name__}.")
    lists = {}
    for key in ("train_loss_list", "train_acc_list", "test_acc_list"):
        if key not in history:
            raise StudentError(f"the dict train() returns has no key {key!r} (it has {sorted(map(str, history))}).")
        try:
            values = [float(v) for v in history[key]]
        except (TypeError, ValueError):
            raise StudentError(f"history[{key!r}] must be a list of numbers (floats).") from None
        lists[key] = values
    return lists


def history(ns, i):
    net, hist = _train(ns, i)
    lists = _history_lists(hist)
    steps = _epoch_steps(i)
    at = net.accuracy_at
    after = [at.get(s + 1, (np.nan, np.nan)) for s in steps]
    before = [at.get(s, (np.nan, np.nan)) for s in steps]
    return {
        "train_loss_list": _pack(lists["train_loss_list"], net.pre_losses, net.post_losses),
        "train_acc_list": _pack(lists["train_acc_list"], [a[0] for a in after], [b[0] for b in before],
                                lists["test_acc_list"], net.accuracy_rows),
        "test_acc_list": _pack(lists["test_acc_list"], [a[1] for a in after], [b[1] for b in before],
                               lists["train_acc_list"], net.accuracy_rows),
    }


def _close(a, b):
    return len(a) == len(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _judge_loss_list(got, expected, i):
    if isinstance(got, str):
        return f"train_loss_list {got}."
    returned, pre, post = _unpack(got)
    n, epochs = i["iters_num"], len(_epoch_steps(i))
    if len(returned) != n:
        once = len(returned) == epochs
        return (f"train_loss_list has {len(returned)} entries{' (once per epoch?)' if once else ''}; it needs one "
                f"per step, iters_num = {n}: append the mini-batch loss inside the loop, at every step."
                + (" Likely mistake: the loss was recorded once per epoch, in the block that records the "
                   "accuracies." if once else ""))
    if not np.all(np.isfinite(returned)):
        return "train_loss_list contains NaN or inf."
    if len(pre) != n:
        return (f"train() called network.gradient {len(pre)} times, but the losses must come from the "
                f"{n} training steps (one gradient per step).")
    if _close(returned, pre) or _close(returned, post):
        return None
    k = int(np.argmax(~(np.isclose(returned, pre, rtol=1e-6) | np.isclose(returned, post, rtol=1e-6))))
    return (f"train_loss_list[{k}] is {returned[k]:.6g}, but the loss of that step's mini-batch was "
            f"{pre[k]:.6g} (computed by network.gradient, before the update) or {post[k]:.6g} (after it). "
            "Record network.lastLayer.loss right after network.gradient(x_batch, t_batch).")


def _judge_accuracy_list(name, which, other):
    def judge(got, expected, i):
        if isinstance(got, str):
            return f"{name} {got}."
        returned, after, before, other_list, rows = _unpack(got)
        steps = _epoch_steps(i)
        ipe = _iter_per_epoch(i)
        if len(returned) != len(steps):
            shown = ", ".join(map(str, steps[:3])) + ", ..."
            return (f"{name} has {len(returned)} entries, but {len(steps)} were expected: one after each step i with "
                    f"i % iter_per_epoch == 0 (i = {shown}; iter_per_epoch = {len(i['x_train'])} // "
                    f"{i['batch_size']} = {ipe}).")
        if _close(returned, after) or _close(returned, before):
            return None
        size = len(i[f"x_{which}"])
        if rows.size and i["batch_size"] in rows and size not in rows:
            return (f"{name} is not the accuracy on the whole {which} set. Likely mistake: network.accuracy was "
                    f"called on {int(i['batch_size'])} rows (a mini-batch) instead of all {size}.")
        at_end = np.append(before[1:], np.nan)  # after the update of steps ipe - 1, 2 ipe - 1, ...
        if len(returned) > 1 and _close(returned[:-1], at_end[:-1]):
            return (f"{name} does not follow the recipe's schedule. Likely mistake: it was recorded at the end of "
                    "each epoch ((i + 1) % iter_per_epoch == 0), but the recipe records after the update of the "
                    "steps with i % iter_per_epoch == 0, starting with step 0.")
        if _close(returned, other_list) and not _close(returned, after):
            return (f"{name} holds the same numbers as {other}. Likely mistake: both were measured on the same "
                    "set; measure each list on its own set.")
        k = int(np.argmax(~(np.isclose(returned, after) | np.isclose(returned, before))))
        return (f"{name}[{k}] is {returned[k]:.6g}, but the network's accuracy on the whole {which} set after step "
                f"{steps[k]} was {after[k]:.6g} ({before[k]:.6g} before that step's update).")
    return judge


HISTORY_SCENARIOS = [
    ("four Gaussian blobs in 5-D, labels as indices",
     _train_inputs("blobs", hidden=12, iters_num=201, batch_size=25, learning_rate=0.1, one_hot=False,
                   n=(250, 150), classes=4, dim=5, spread=1.0, sort=False)),
    ("XOR clusters, one-hot labels, 2 steps per epoch",
     _train_inputs("xor", hidden=16, iters_num=60, batch_size=50, learning_rate=0.3, one_hot=True,
                   n=(100, 200), spread=0.6)),
]
for _title, _inputs in HISTORY_SCENARIOS:
    add("train_history", f"the history train() returns: {_title}", _inputs, history,
        custom={"train_loss_list": _judge_loss_list,
                "train_acc_list": _judge_accuracy_list("train_acc_list", "train", "test_acc_list"),
                "test_acc_list": _judge_accuracy_list("test_acc_list", "test", "train_acc_list")})


# --- train_recipe: the same mini-batches and weights as the reference --------------------------------------------

def recipe(ns, i):
    net, _ = _train(ns, i)
    rows = net.batch_rows or [0]
    return {"network.gradient() calls": net.gradient_calls,
            "rows in each mini-batch (smallest, largest)": [min(rows), max(rows)],
            "different mini-batches": len(net.batches),
            "trained weights": net.weights()}


def _judge_recipe_weights(got, expected, i):
    if isinstance(got, str):
        return f"the trained weights {got}."
    message = describe_mismatch("the weights after training", got, expected, rtol=1e-6, atol=1e-9)
    if message is None:
        return None
    return (message + " With the same seed the loop must retrace the recipe: rng = np.random.default_rng(seed) "
            "made once before the loop, batch_mask = rng.choice(train_size, batch_size) at every step, then "
            "network.gradient on that batch and sgd_update(network.params, grads, learning_rate).")


RECIPE_MISTAKES = (
    NOT_UPDATED,
    Mistake("different mini-batches", "every step trained on the same mini-batch: make the generator "
            "rng = np.random.default_rng(seed) once, before the loop, not inside it.", lambda i, e: 1),
    Mistake("network.gradient() calls", "the loop must run exactly iters_num steps (for i in range(iters_num)).",
            lambda i, e: i["iters_num"] - 1),
    Mistake("network.gradient() calls", "the loop must run exactly iters_num steps (for i in range(iters_num)).",
            lambda i, e: i["iters_num"] + 1),
)

RECIPE_SCENARIOS = [
    ("three Gaussian blobs in 2-D, labels as indices",
     _train_inputs("blobs", hidden=8, iters_num=151, batch_size=30, learning_rate=0.2, one_hot=False,
                   n=(300, 100), classes=3, dim=2, spread=0.9, sort=False)),
    ("XOR clusters, one-hot labels",
     _train_inputs("xor", hidden=10, iters_num=120, batch_size=16, learning_rate=0.5, one_hot=True,
                   n=(200, 100), spread=0.5)),
]
for _title, _inputs in RECIPE_SCENARIOS:
    add("train_recipe", f"train() follows the seeded recipe: {_title}", _inputs, recipe,
        custom={"trained weights": _judge_recipe_weights}, mistakes=RECIPE_MISTAKES)

