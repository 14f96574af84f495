"""Probes of assignment 05: numerical_gradient, TwoLayerNet and gradient_check.

TwoLayerNet is run as the notebook runs it: on the layers the student pasted at the top. Every network
is small (a few dozen weights), seeded, float64, with hidden pre-activations kept at least 0.05 away
from ReLU's kink, and its parameters are set after construction, in place: ``net.params[k][...] = value``
(the layers share those arrays, as in the book; an Affine layer holding a copy gets the same values
written into it too, so its gradients are judged on their own, and only the cell about the network's
structure judges the sharing).

What the probes record, for the judge to compute with:

* the student's loss at every parameter element nudged by +h and -h (``~loss +h W1``, ...), from which
  the judge computes the numerical gradient of the student's *own* loss;
* for ``TwoLayerNet.numerical_gradient``: a recording stand-in takes the place of the student's
  ``numerical_gradient`` function while the method runs. It evaluates the ``f`` it is given at the
  nudged points, notes which array ``x`` was, and returns a token array. The judge then knows what the
  method does with a correct numerical gradient, so a slip in ``numerical_gradient`` costs points in its
  own cell only;
* how each pasted layer behaves on its own (``~pasted ...``), so that a message names a pasted layer only
  when that layer is wrong.
"""

import numpy as np

from ..scenario import N_, Cells, StudentError, call, english_problem, fill, need, quiet, replaced

CELLS = Cells()
KEYS = ("W1", "b1", "W2", "b2")
STEP = 1e-4  # the nudge of every numerical gradient here (the judge divides by 2 * STEP)
LAYER_OF = {"W1": ("Affine1", "W"), "b1": ("Affine1", "b"), "W2": ("Affine2", "W"), "b2": ("Affine2", "b")}


# --- numerical_gradient --------------------------------------------------------------------------

def _f(x):
    """A smooth test function whose partial derivatives depend on all of x."""
    return float(np.sum(x ** 3) / 3 + 0.5 * np.sum(x) ** 2 + np.sum(np.sin(2 * x)))


def _points(shape, reads_x=False):
    def inputs(rng):
        return {"x": rng.uniform(-1.5, 1.5, shape), "reads x": reads_x}
    return inputs


def numgrad_run(ns, i):
    """Driver: ``numerical_gradient(f, x)`` of a fixed function; returns the gradient and ``x`` afterwards."""
    x = i["x"]
    grad = call(need(ns, "numerical_gradient", "function"), _f, x,
                stage=fill(N_("{name} on x of shape {shape}"), name="numerical_gradient", shape=x.shape))
    return {"gradient": grad, "x after numerical_gradient": x}


def numgrad_in_place(ns, i):
    """Driver: ``numerical_gradient`` of a function that reads ``x`` itself (as TwoLayerNet's loss does);
    returns the gradient and ``x`` afterwards (it must be restored)."""
    x = i["x"]

    def f(_):  # like TwoLayerNet.numerical_gradient's loss: reads the array itself, ignores its argument
        return _f(x)

    grad = call(need(ns, "numerical_gradient", "function"), f, x, stage="numerical_gradient")
    return {"gradient": grad, "x after numerical_gradient": x}


CELLS.add("numerical_gradient", N_("numerical_gradient on a 1-D array (5,)"), _points((5,)), numgrad_run)
CELLS.add("numerical_gradient", N_("numerical_gradient on a 2-D array (3, 4)"), _points((3, 4)), numgrad_run)
CELLS.add("numerical_gradient", N_("numerical_gradient on a 3-D array (2, 3, 2)"), _points((2, 3, 2)), numgrad_run)
CELLS.add("numerical_gradient", N_("numerical_gradient when f reads x directly (as TwoLayerNet's loss does)"),
          _points((2, 3), reads_x=True), numgrad_in_place)


# --- a small network with seeded parameters ------------------------------------------------------

def _net_inputs(d, h, c, n, labels="one-hot", wstd=0.5, second_batch=False, half_right=False, tokens=False):
    def inputs(rng):
        for _ in range(1000):
            params = {"W1": wstd * rng.standard_normal((d, h)), "b1": 0.1 * rng.standard_normal(h),
                      "W2": wstd * rng.standard_normal((h, c)), "b2": 0.1 * rng.standard_normal(c)}
            xs = [rng.standard_normal((n, d)) for _ in range(2 if second_batch else 1)]
            # keep every hidden pre-activation away from ReLU's kink at 0
            if all(np.abs(x @ params["W1"] + params["b1"]).min() > 0.05 for x in xs):
                break
        else:  # pragma: no cover - the seeds in use never get here
            raise RuntimeError("no inputs away from the kink")
        k = rng.integers(0, c, n)
        if half_right:  # labels: the network's own top class for the first half, another class for the rest
            hidden = xs[0] @ params["W1"] + params["b1"]
            top = ((hidden > 0) * hidden @ params["W2"] + params["b2"]).argmax(axis=1)
            k = np.where(np.arange(n) < n // 2, top, (top + 1 + k % (c - 1)) % c)
        t = np.eye(c)[k] if labels == "one-hot" else k.astype(np.int64)
        out = {"params": params, "x": xs[0], "t": t, "sizes": np.array([d, h, c])}
        if second_batch:
            out["x2"] = xs[1]
            out["t2"] = np.eye(c)[rng.integers(0, c, n)] if labels == "one-hot" else rng.integers(0, c, n)
        if tokens:
            out["tokens"] = rng.uniform(1e6, 2e6, 16)
        return out
    return inputs


def _net(ns, i, load=True):
    d, h, c = (int(v) for v in i["sizes"])
    net = call(need(ns, "TwoLayerNet"), d, h, c, stage=f"TwoLayerNet({d}, {h}, {c})")
    if load:
        _load(net, i["params"])
    return net


def _params_dict(net):
    params = getattr(net, "params", None)
    if not isinstance(params, dict):
        raise StudentError(N_("TwoLayerNet must keep its parameters in a dict `self.params` with the keys 'W1', "
                              "'b1', 'W2', 'b2'."))
    for key in KEYS:
        if key not in params:
            raise StudentError(N_("net.params has no key {key}; it needs 'W1', 'b1', 'W2' and 'b2'."), key=repr(key))
    return params


def _layer_array(net, key):
    """The array of the Affine layer that should be ``params[key]``, if the network has such a layer."""
    layers = getattr(net, "layers", None)
    if not hasattr(layers, "get"):
        return None
    name, attr = LAYER_OF[key]
    arr = getattr(layers.get(name), attr, None)
    return arr if type(arr) is np.ndarray else None


def _load(net, p):
    """Give the network the scenario's parameters, in place."""
    params = _params_dict(net)
    for key in KEYS:
        arr = params[key]
        if type(arr) is not np.ndarray or arr.shape != p[key].shape:
            got = arr.shape if isinstance(arr, np.ndarray) else type(arr).__name__
            sizes = (p["W1"].shape[0], p["W1"].shape[1], p["W2"].shape[1])
            raise StudentError(N_("net.params[{key}] should be a numpy array of shape {shape} for "
                                  "TwoLayerNet({sizes}); it is {got}."), key=repr(key), shape=p[key].shape,
                               sizes=", ".join(str(s) for s in sizes), got=got)
        arr[...] = p[key]
        # an Affine layer that holds a copy gets the same numbers, so the gradient code is judged on its own
        held = _layer_array(net, key)
        if held is not None and held.shape == p[key].shape and not np.shares_memory(held, arr):
            held[...] = p[key]


def _grads(value, method):
    if not isinstance(value, dict):
        raise StudentError(N_("{method} must return a dict with the keys 'W1', 'b1', 'W2', 'b2'; it returned "
                              "{type}."), method=method, type=type(value).__name__)
    missing = [k for k in KEYS if k not in value]
    if missing:
        raise StudentError(N_("{method} returned a dict without {missing}."), method=method,
                           missing=", ".join(map(repr, missing)))
    return {k: value[k] for k in KEYS}


def _targets(net, key):
    """The arrays to nudge for ``params[key]``: the array itself, and the layer's own copy if it has one."""
    arrays = [net.params[key]]
    held = _layer_array(net, key)
    if held is not None and held.shape == arrays[0].shape and not np.shares_memory(held, arrays[0]):
        arrays.append(held)
    return arrays


def _nudged(targets, evaluate):
    """``evaluate()`` with every element of the targets nudged by +STEP and by -STEP: (plus, minus)."""
    plus, minus = np.zeros(targets[0].shape), np.zeros(targets[0].shape)
    for idx in np.ndindex(*targets[0].shape):
        old = targets[0][idx].copy()
        for value, found in ((old + STEP, plus), (old - STEP, minus)):
            for arr in targets:
                arr[idx] = value
            found[idx] = evaluate()
        for arr in targets:
            arr[idx] = old
    return plus, minus


NOT_A_NUMBER = {  # what should be a number: (its problem, its shape), sentences of a broken contract
    "loss": (N_("{name} should be a number; it {problem}."), N_("{name} should be a number; it has shape {shape}.")),
    "f": (N_("the function passed to numerical_gradient should be a number; it {problem}."),
          N_("the function passed to numerical_gradient should be a number; it has shape {shape}.")),
}


def _number(value, what, name=""):
    """``value`` as a float, else the contract broken (``what``: a key of ``NOT_A_NUMBER``; ``name``: the
    method that returned it)."""
    arr, problem = english_problem(value)
    if problem:
        raise StudentError(NOT_A_NUMBER[what][0], name=name, problem=problem)
    if arr.size != 1:
        raise StudentError(NOT_A_NUMBER[what][1], name=name, shape=arr.shape)
    return float(arr.reshape(()))


def _loss_nudges(net, x, t):
    """The student's loss at every parameter element nudged by +h and by -h (raw numbers, for the judge)."""
    out = {}

    def loss():
        return _number(call(net.loss, x, t, stage="TwoLayerNet.loss"), "loss", "TwoLayerNet.loss")

    for key in KEYS:
        out[f"~loss +h {key}"], out[f"~loss -h {key}"] = _nudged(_targets(net, key), loss)
    return out


def _pasted(ns, i):
    """Each pasted layer on its own, on numbers of this scenario (never fails the scenario)."""
    p, x = i["params"], i["x"]
    c = p["W2"].shape[1]
    t = i["t"] if i["t"].ndim == 2 else np.eye(c)[i["t"]]
    a1 = x @ p["W1"] + p["b1"]
    dout = np.cos(np.arange(a1.size)).reshape(a1.shape)
    out = {}

    def note(name, make):
        try:
            with quiet():
                values = make()
        except Exception as exc:  # noted; the network's own outputs are judged anyway
            out[f"~pasted {name}"] = f"raised {type(exc).__name__}"
            return
        for suffix, value in values.items():
            out[f"~pasted {name}{suffix}"] = value

    def relu():
        layer = ns["Relu"]()
        return {".forward": layer.forward(a1.copy()), ".backward": layer.backward(dout.copy())}

    def affine():
        layer = ns["Affine"](p["W1"].copy(), p["b1"].copy())
        forward = layer.forward(x.copy())
        dx = layer.backward(dout.copy())
        return {".forward": forward, ".backward": dx, ".backward (dW)": layer.dW, ".backward (db)": layer.db}

    def loss_layer():
        layer = ns["SoftmaxWithLoss"]()
        scores = 2 * np.sin(np.arange(t.size)).reshape(t.shape)
        return {".forward": layer.forward(scores, t.copy()), ".backward": layer.backward(1)}

    note("Relu", relu)
    note("Affine", affine)
    note("SoftmaxWithLoss", loss_layer)
    return out


# --- TwoLayerNet: structure ----------------------------------------------------------------------

def init_shapes(ns, i):
    """Driver: ``TwoLayerNet(D, H, C)``; returns its four parameters (shapes (D, H), (H,), (H, C), (C,))."""
    net = _net(ns, i, load=False)
    params = _params_dict(net)
    out = {}
    for key in KEYS:
        if type(params[key]) is not np.ndarray:
            raise StudentError(N_("net.params[{key}] should be a numpy array; it is {type}."), key=repr(key),
                               type=type(params[key]).__name__)
        out[f"~params[{key!r}]"] = params[key]
    return out


def init_scale(ns, i):
    """Driver: ``TwoLayerNet(D, H, C, weight_init_std=0.5)``; returns ``W1`` and ``W2`` (their spread)."""
    d, h, c = (int(v) for v in i["sizes"])
    net = call(need(ns, "TwoLayerNet"), d, h, c, 0.5, stage=f"TwoLayerNet({d}, {h}, {c}, weight_init_std=0.5)")
    params = _params_dict(net)
    return {"~params['W1']": params["W1"], "~params['W2']": params["W2"]}


def init_layers(ns, i):
    """Driver: the network's ``layers`` (names, order, the arrays they hold); returns them as raw outputs."""
    net = _net(ns, i)
    params = _params_dict(net)
    layers = getattr(net, "layers", None)
    if not hasattr(layers, "keys") or not hasattr(layers, "values"):
        raise StudentError(N_("TwoLayerNet must keep its layers in `self.layers`, an OrderedDict."))
    names = list(layers.keys())
    if names != ["Affine1", "Relu1", "Affine2"]:
        raise StudentError(N_("net.layers should hold 'Affine1', 'Relu1', 'Affine2' in this order; it holds {names}."),
                           names=names)
    if getattr(net, "lastLayer", None) is None:
        raise StudentError(N_("TwoLayerNet must keep its SoftmaxWithLoss layer in `self.lastLayer`."))
    # which layer arrays are the params arrays themselves (1), copies (0), or not arrays (nan)
    shares = [np.nan if _layer_array(net, key) is None else float(np.shares_memory(_layer_array(net, key),
                                                                                    params[key]))
              for key in KEYS]
    # a change made in place through params must reach the network's output
    for key in KEYS:
        params[key][...] *= 1.5
    return {"predict output after params changed in place": call(net.predict, i["x"], stage="TwoLayerNet.predict"),
            "~layers hold the params arrays": np.array(shares)}


SMALL = (6, 5, 3, 4)
SQUARE = (4, 4, 4, 4)

CELLS.add("two_layer_net_init", N_("TwoLayerNet(6, 5, 3): params W1 (6, 5), b1 zeros, W2 (5, 3), b2 zeros"),
          _net_inputs(*SMALL), init_shapes)
CELLS.add("two_layer_net_init", N_("TwoLayerNet(40, 30, 20, weight_init_std=0.5): weights scaled by weight_init_std"),
          _net_inputs(40, 30, 20, 2), init_scale)
CELLS.add("two_layer_net_init", N_("layers: Affine1, Relu1, Affine2 in an OrderedDict, lastLayer, sharing the "
                                   "params"), _net_inputs(*SMALL), init_layers)


# --- TwoLayerNet: predict, loss, accuracy --------------------------------------------------------

def predict_loss(ns, i):
    """Driver: ``predict(x)`` and ``loss(x, t)`` of a network with known parameters; returns both."""
    net = _net(ns, i)
    scores = call(net.predict, i["x"], stage="TwoLayerNet.predict")
    loss = call(net.loss, i["x"], i["t"], stage="TwoLayerNet.loss")
    return {"predict output": scores, "loss": loss, **_pasted(ns, i)}


def accuracy_run(ns, i):
    """Driver: ``accuracy(x, t)`` of a network with known parameters; returns ``{'accuracy'}``."""
    net = _net(ns, i)
    return {"accuracy": call(net.accuracy, i["x"], i["t"], stage="TwoLayerNet.accuracy"), **_pasted(ns, i)}




def _net_title(template, sizes):
    """A title naming the network's sizes ``D, H, C`` and the batch size ``N`` of ``sizes`` (D, H, C, N)."""
    return fill(template, sizes=f"{sizes[0]}, {sizes[1]}, {sizes[2]}", n=sizes[3])


PREDICT_LOSS = {"one-hot": N_("predict and loss: TwoLayerNet({sizes}) on a batch of {n}, one-hot labels"),
                "index": N_("predict and loss: TwoLayerNet({sizes}) on a batch of {n}, class-index labels")}
ACCURACY = {"one-hot": N_("accuracy: TwoLayerNet({sizes}), {n} examples, one-hot labels"),
            "index": N_("accuracy: TwoLayerNet({sizes}), {n} examples, class-index labels")}

for sizes, labels in [(SMALL, "one-hot"), (SMALL, "index"), ((3, 7, 2, 5), "one-hot")]:
    CELLS.add("two_layer_net_predict_loss", _net_title(PREDICT_LOSS[labels], sizes), _net_inputs(*sizes, labels),
              predict_loss)

for sizes, labels in [((6, 5, 3, 8), "index"), ((6, 5, 3, 8), "one-hot"), (SQUARE, "one-hot")]:
    CELLS.add("two_layer_net_accuracy", _net_title(ACCURACY[labels], sizes), _net_inputs(*sizes, labels,
                                                                                          half_right=True),
              accuracy_run)


# --- TwoLayerNet.numerical_gradient: judged with a recording numerical_gradient ------------------

class NumgradRecorder:
    """Stands in for the student's ``numerical_gradient(f, x)`` while TwoLayerNet.numerical_gradient runs.

    It evaluates ``f`` at x and at every element of x nudged by +h and -h (nudging a layer's own copy of a
    parameter too), notes which parameter array x was, and returns a token array (every element the same
    number, taken from the scenario's inputs). It computes no gradient: the judge does, from the values."""

    def __init__(self, net, tokens):
        self.net, self.tokens, self.calls = net, [float(v) for v in tokens], []

    def __call__(self, f, x, *args, **kwargs):
        key = next((k for k in KEYS if x is self.net.params.get(k)), None)
        token = self.tokens.pop(0) if self.tokens else np.nan
        record = {"key": KEYS.index(key) if key else -1, "token": token, "shape": np.shape(x), "values": None}
        self.calls.append(record)
        if type(x) is np.ndarray and x.dtype.kind == "f":
            targets = _targets(self.net, key) if key else [x]

            def value():
                return _number(f(x), "f")

            base = value()
            plus, minus = _nudged(targets, value)
            record["values"] = np.concatenate([[base], plus.ravel(), minus.ravel()])
        return np.full(np.shape(x), token)

    def outputs(self):
        """The recorded calls (which parameter, token) and the values ``f`` gave, as raw outputs."""
        out = {"~calls": np.array([[c["key"], c["token"]] for c in self.calls], dtype=np.float64).reshape(-1, 2)}
        for j, c in enumerate(self.calls):
            out[f"~call {j} shape"] = np.array(c["shape"], dtype=np.int64)
            if c["values"] is not None:
                out[f"~call {j} f"] = c["values"]
        return out


def net_numerical_gradient(ns, i):
    """Driver: ``TwoLayerNet.numerical_gradient(x, t)`` with a recording ``numerical_gradient``;
    returns its gradients, the recorded calls and the loss at nudged parameters."""
    net = _net(ns, i)
    out = _loss_nudges(net, i["x"], i["t"])
    recorder = NumgradRecorder(net, i["tokens"])
    method = getattr(net, "numerical_gradient", None)
    with replaced(method, ns, {"numerical_gradient": recorder}):
        grads = call(net.numerical_gradient, i["x"], i["t"], stage="TwoLayerNet.numerical_gradient")
    out.update(_grads(grads, "TwoLayerNet.numerical_gradient"))
    out.update(recorder.outputs())
    return out


for sizes in [SMALL, (3, 4, 2, 3)]:
    CELLS.add("two_layer_net_numerical_gradient",
              _net_title(N_("numerical_gradient: TwoLayerNet({sizes}), batch of {n}, one-hot labels"), sizes),
              _net_inputs(*sizes, tokens=True), net_numerical_gradient)


# --- TwoLayerNet.gradient ------------------------------------------------------------------------

def _call_gradient(net, x, t):
    return _grads(call(net.gradient, x, t, stage="TwoLayerNet.gradient"), "TwoLayerNet.gradient")


def gradient_run(ns, i):
    """Driver: ``gradient(x, t)`` of a network with known parameters; returns the four gradients."""
    net = _net(ns, i)
    return {**_call_gradient(net, i["x"], i["t"]), **_pasted(ns, i)}


def gradient_vs_numerical(ns, i):
    """Driver: ``gradient(x, t)`` and the loss at nudged parameters (the judge derives the numerical
    gradient from them); returns both."""
    net = _net(ns, i)
    grads = _call_gradient(net, i["x"], i["t"])
    grads = {k: np.array(v, dtype=np.float64, copy=True) if isinstance(v, np.ndarray) else v
             for k, v in grads.items()}  # before the loss runs again
    return {**grads, **_loss_nudges(net, i["x"], i["t"]), **_pasted(ns, i)}


def gradient_twice(ns, i):
    """Driver: ``gradient`` on a first batch, then on ``x, t``; returns the second gradients and the
    parameters afterwards (backprop must not change them)."""
    net = _net(ns, i)
    _call_gradient(net, i["x2"], i["t2"])
    out = _call_gradient(net, i["x"], i["t"])
    for key in KEYS:
        out[f"params[{key!r}] after gradient"] = net.params[key]
    return {**out, **_pasted(ns, i)}


for sizes in [SMALL, SQUARE, (3, 8, 5, 6)]:
    CELLS.add("two_layer_net_gradient",
              _net_title(N_("gradient: TwoLayerNet({sizes}), batch of {n}, one-hot labels"), sizes),
              _net_inputs(*sizes), gradient_run)
CELLS.add("two_layer_net_gradient", N_("gradient called twice: the second batch's gradient, params unchanged"),
          _net_inputs(*SMALL, second_batch=True), gradient_twice)
CELLS.add("two_layer_net_gradient", N_("gradient agrees with a numerical gradient of your own loss (relative error "
                                       "<= 1e-04)"), _net_inputs(*SMALL), gradient_vs_numerical)


# --- gradient_check -------------------------------------------------------------------------------

class FixedGradients:
    """A stand-in network whose two gradients are given numbers, so gradient_check is judged on its own."""

    def __init__(self, backprop, numerical):
        self._backprop, self._numerical = backprop, numerical
        self.params = {k: np.zeros_like(v) for k, v in backprop.items()}

    def gradient(self, x, t):
        """The fixed backprop gradients (copies): ``{key: array}``."""
        return {k: v.copy() for k, v in self._backprop.items()}

    def numerical_gradient(self, x, t):
        """The fixed numerical gradients (copies): ``{key: array}``."""
        return {k: v.copy() for k, v in self._numerical.items()}


def _check_inputs(rng):
    shapes = {"W1": (6, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    backprop = {k: 0.1 * rng.standard_normal(s) for k, s in shapes.items()}
    numerical = {k: v + 1e-6 * rng.standard_normal(v.shape) for k, v in backprop.items()}
    return {"backprop": backprop, "numerical": numerical, "x": rng.standard_normal((4, 6)),
            "t": np.eye(3)[rng.integers(0, 3, 4)]}


def gradient_check_run(ns, i):
    """Driver: ``gradient_check(net, x, t)`` on a network with fixed gradients; returns the dict it
    returns, one mean absolute difference per parameter."""
    net = FixedGradients(i["backprop"], i["numerical"])
    diffs = call(need(ns, "gradient_check", "function"), net, i["x"], i["t"], stage="gradient_check")
    if not isinstance(diffs, dict):
        raise StudentError(N_("gradient_check must return a dict {{key: mean absolute difference}}; it returned "
                              "{type}."), type=type(diffs).__name__)
    missing = [k for k in KEYS if k not in diffs]
    if missing:
        raise StudentError(N_("{method} returned a dict without {missing}."), method="gradient_check",
                           missing=", ".join(map(repr, missing)))
    return {f"diffs[{k!r}]": diffs[k] for k in KEYS}


for k in range(2):
    CELLS.add("gradient_check", fill(N_("gradient_check on a network with known gradients (case {case})"), case=k + 1),
              _check_inputs, gradient_check_run)
