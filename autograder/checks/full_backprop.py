"""Hidden checks of assignment 05: numerical_gradient, TwoLayerNet and gradient_check.

TwoLayerNet is tested as the notebook runs it: on the layers the student pasted at the top. Every
network is small (a few dozen weights), seeded, float64, with hidden pre-activations kept at least
0.05 away from ReLU's kink, and its parameters are set after construction, in place:
``net.params[k][...] = value`` (the layers share those arrays, as in the book; an Affine layer holding
a copy gets the same values written into it too, so its gradients are judged on their own, and only
the cell about the network's structure checks the sharing).

Analytic gradients are compared with the reference's analytic gradients (rtol 1e-6); the comparison
with a numerical gradient uses the loose bound NUMERICAL_BOUND, because the book's loss has 1e-7 in
the log, which shifts the exact gradient away from (y - t) / N by about 1e-7 / y relative.
"""

import threading

import numpy as np

from ..scenario import Mistake, StudentError, add, need
from .affine_softmax import call, finite_first

KEYS = ("W1", "b1", "W2", "b2")
NUMERICAL_BOUND = 1e-4
PASTED = (" (TwoLayerNet runs on the layers you pasted at the top of the notebook: if the check cell "
          "under them fails, fix them first.)")
NET_HINT = ("if your TwoLayerNet code looks right, check the layers you pasted at the top of the notebook "
            "(the check cell under them).")


# --- numerical_gradient --------------------------------------------------------------------------

def _f(x):
    """A smooth test function whose partial derivatives depend on all of x."""
    return float(np.sum(x ** 3) / 3 + 0.5 * np.sum(x) ** 2 + np.sum(np.sin(2 * x)))


def _forward_difference(i, e, h=1e-4):
    x = i["x"].copy()
    grad = np.zeros_like(x)
    base = _f(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (_f(x) - base) / h
        x[idx] = old
    return grad


def _points(shape):
    def inputs(rng):
        return {"x": rng.uniform(-1.5, 1.5, shape)}
    return inputs


def numgrad_run(ns, i):
    x = i["x"]
    grad = call(need(ns, "numerical_gradient", "function"), _f, x, what=f"numerical_gradient on x of shape {x.shape}")
    return {"gradient": grad, "x after numerical_gradient": x}


def numgrad_in_place(ns, i):
    x = i["x"]

    def f(_):  # like TwoLayerNet.numerical_gradient's loss: reads the array itself, ignores its argument
        return _f(x)

    grad = call(need(ns, "numerical_gradient", "function"), f, x, what="numerical_gradient")
    return {"gradient": grad, "x after numerical_gradient": x}


NUMGRAD_MISTAKES = (
    Mistake("gradient", "use the central difference (f(x + h) - f(x - h)) / (2h): the forward difference "
                        "(f(x + h) - f(x)) / h is much less accurate.", _forward_difference),
    Mistake("gradient", "divide by 2 * h: the two points x + h and x - h are 2h apart.",
            lambda i, e: 2 * e["gradient"]),
    Mistake("gradient", "numerical_gradient must nudge the array x itself (in place), not a copy: "
                        "TwoLayerNet.numerical_gradient's f ignores its argument and reads the weights directly.",
            lambda i, e: np.zeros_like(i["x"])),
    Mistake("x after numerical_gradient", "put every element back after nudging it (x[idx] = tmp_val): "
                                          "x must be unchanged when numerical_gradient returns.",
            lambda i, e: i["x"] - 1e-4),
    Mistake("x after numerical_gradient", "put every element back after nudging it (x[idx] = tmp_val): "
                                          "x must be unchanged when numerical_gradient returns.",
            lambda i, e: i["x"] + 1e-4),
)
NUMGRAD_KEYS = ("gradient", "x after numerical_gradient")


def _add_numgrad(title, inputs, run):
    custom = {key: finite_first(key, 1e-6, 1e-9) for key in NUMGRAD_KEYS}
    add("numerical_gradient", title, inputs, run, rtol=1e-6, atol=1e-9, mistakes=NUMGRAD_MISTAKES, custom=custom)


_add_numgrad("numerical_gradient on a 1-D array (5,)", _points((5,)), numgrad_run)
_add_numgrad("numerical_gradient on a 2-D array (3, 4)", _points((3, 4)), numgrad_run)
_add_numgrad("numerical_gradient on a 3-D array (2, 3, 2)", _points((2, 3, 2)), numgrad_run)
_add_numgrad("numerical_gradient when f reads x directly (as TwoLayerNet's loss does)", _points((2, 3)),
             numgrad_in_place)


# --- a small network with seeded parameters ------------------------------------------------------

def _relu(a):
    return np.maximum(a, 0)


def _softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _parts(i):
    """Intermediate values of the network for inputs ``i``: used only to recognise wrong answers."""
    p, x = i["params"], i["x"]
    a1 = x @ p["W1"] + p["b1"]
    h = _relu(a1)
    s = h @ p["W2"] + p["b2"]
    y = _softmax(s)
    t = i["t"] if i["t"].ndim == 2 else np.eye(s.shape[1])[i["t"]]
    return {"a1": a1, "h": h, "s": s, "y": y, "t": t, "ds": (y - t) / x.shape[0]}


def _net_inputs(d, h, c, n, labels="one-hot", wstd=0.5, second_batch=False, half_right=False):
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
        if half_right:  # the first half predicted right, the rest wrong: accuracy is exactly 0.5 or so
            s = _relu(xs[0] @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
            best = s.argmax(axis=1)
            k = np.where(np.arange(n) < n // 2, best, (best + 1 + k % (c - 1)) % c)
        t = np.eye(c)[k] if labels == "one-hot" else k.astype(np.int64)
        out = {"params": params, "x": xs[0], "t": t, "sizes": np.array([d, h, c])}
        if second_batch:
            out["x2"] = xs[1]
            out["t2"] = np.eye(c)[rng.integers(0, c, n)] if labels == "one-hot" else rng.integers(0, c, n)
        return out
    return inputs


def _net(ns, i, load=True):
    d, h, c = (int(v) for v in i["sizes"])
    net = call(need(ns, "TwoLayerNet"), d, h, c, what=f"TwoLayerNet({d}, {h}, {c})")
    if load:
        _load(net, i["params"])
    return net


def _params_dict(net):
    params = getattr(net, "params", None)
    if not isinstance(params, dict):
        raise StudentError("TwoLayerNet must keep its parameters in a dict `self.params` "
                           "with the keys 'W1', 'b1', 'W2', 'b2'.")
    for key in KEYS:
        if key not in params:
            raise StudentError(f"net.params has no key {key!r}; it needs 'W1', 'b1', 'W2' and 'b2'.")
    return params


def _load(net, p):
    """Give the network the scenario's parameters, in place."""
    params = _params_dict(net)
    for key in KEYS:
        arr = params[key]
        if type(arr) is not np.ndarray or arr.shape != p[key].shape:
            got = arr.shape if isinstance(arr, np.ndarray) else type(arr).__name__
            raise StudentError(f"net.params[{key!r}] should be a numpy array of shape {p[key].shape} "
                               f"for TwoLayerNet({', '.join(str(s) for s in _sizes(p))}); it is {got}.")
        arr[...] = p[key]
    # an Affine layer that holds a copy gets the same numbers, so the gradient code is judged on its own
    layers = getattr(net, "layers", None)
    if not hasattr(layers, "get"):
        return
    for name, wk, bk in (("Affine1", "W1", "b1"), ("Affine2", "W2", "b2")):
        layer = layers.get(name)
        for attr, key in (("W", wk), ("b", bk)):
            arr = getattr(layer, attr, None)
            if type(arr) is np.ndarray and arr.shape == p[key].shape and not np.shares_memory(arr, params[key]):
                arr[...] = p[key]


def _sizes(p):
    return p["W1"].shape[0], p["W1"].shape[1], p["W2"].shape[1]


def _grads(value, method):
    if not isinstance(value, dict):
        raise StudentError(f"{method} must return a dict with the keys 'W1', 'b1', 'W2', 'b2'; "
                           f"it returned {type(value).__name__}.")
    missing = [k for k in KEYS if k not in value]
    if missing:
        raise StudentError(f"{method} returned a dict without {', '.join(map(repr, missing))}.")
    return {k: value[k] for k in KEYS}


_reminded = threading.local()


def _once_per_scenario(inputs):
    """True the first time it is asked while judging one scenario (the judge passes every comparer the
    same fresh ``inputs`` object per scenario; holding on to it keeps its identity unique)."""
    if getattr(_reminded, "inputs", None) is inputs:
        return False
    _reminded.inputs = inputs
    return True


def _compare_net(keys, rtol, atol):
    """finite_first, plus (once per scenario) the reminder that the network runs on the pasted layers."""
    def with_reminder(key):
        inner = finite_first(key, rtol, atol)

        def judge(got, expected, inputs):
            msg = inner(got, expected, inputs)
            return msg + PASTED if msg and _once_per_scenario(inputs) else msg
        return judge
    return {key: with_reminder(key) for key in keys}


def _add_net(grade_id, title, inputs, run, keys, *, rtol=1e-6, atol=1e-10, mistakes=(), custom=None):
    comparers = _compare_net(keys, rtol, atol)
    comparers.update(custom or {})
    add(grade_id, title, inputs, run, rtol=rtol, atol=atol, mistakes=mistakes, custom=comparers)


def _shape_rule(key):
    def judge(got, expected, inputs):
        if isinstance(got, str):
            return f"{key} {got}"
        if got.shape == expected.shape and np.array_equal(got, expected):
            return None
        return f"{key} is {tuple(int(v) for v in np.ravel(got))}, but {tuple(int(v) for v in expected)} was expected."
    return judge


# --- TwoLayerNet: structure ----------------------------------------------------------------------

def init_shapes(ns, i):
    net = _net(ns, i, load=False)
    params = _params_dict(net)
    out = {}
    for key in KEYS:
        arr = params[key]
        if type(arr) is not np.ndarray:
            raise StudentError(f"net.params[{key!r}] should be a numpy array; it is {type(arr).__name__}.")
        out[f"the shape of params[{key!r}]"] = np.array(arr.shape)
    out["params['b1']"] = params["b1"]
    out["params['b2']"] = params["b2"]
    return out


def init_scale(ns, i):
    d, h, c = (int(v) for v in i["sizes"])
    net = call(need(ns, "TwoLayerNet"), d, h, c, 0.5, what=f"TwoLayerNet({d}, {h}, {c}, weight_init_std=0.5)")
    params = _params_dict(net)
    return {"std of params['W1'] / weight_init_std": np.std(params["W1"]) / 0.5,
            "mean of params['W1'] / weight_init_std": np.mean(params["W1"]) / 0.5,
            "std of params['W2'] / weight_init_std": np.std(params["W2"]) / 0.5}


def _scale_rule(key):
    def judge(got, expected, inputs):
        if isinstance(got, str):
            return f"{key} {got}"
        value = float(got)
        if "mean" in key:
            ok = abs(value) < 0.15
        else:
            ok = abs(value - 1) < 0.15
        if ok:
            return None
        hint = ""
        if "std" in key and abs(value - 2) < 0.3:
            hint = " Likely mistake: multiply the random weights by weight_init_std."
        elif "mean" in key:
            hint = " Likely mistake: use np.random.randn (normal around 0), not np.random.rand (uniform on [0, 1))."
        return (f"{key} is {value:.3g}; weights drawn from a normal distribution scaled by weight_init_std "
                f"give about {'0' if 'mean' in key else '1'} (random weights, so anything within 0.15 passes).{hint}")
    return judge


def init_layers(ns, i):
    net = _net(ns, i)
    params = _params_dict(net)
    layers = getattr(net, "layers", None)
    if not hasattr(layers, "keys") or not hasattr(layers, "values"):
        raise StudentError("TwoLayerNet must keep its layers in `self.layers`, an OrderedDict.")
    names = list(layers.keys())
    if names != ["Affine1", "Relu1", "Affine2"]:
        raise StudentError(f"net.layers should hold 'Affine1', 'Relu1', 'Affine2' in this order; it holds {names}.")
    if getattr(net, "lastLayer", None) is None:
        raise StudentError("TwoLayerNet must keep its SoftmaxWithLoss layer in `self.lastLayer`.")
    for name, wk, bk in (("Affine1", "W1", "b1"), ("Affine2", "W2", "b2")):
        for attr, key in (("W", wk), ("b", bk)):
            arr = getattr(layers[name], attr, None)
            if type(arr) is np.ndarray and not np.shares_memory(arr, params[key]):
                raise StudentError(
                    f"net.layers[{name!r}].{attr} is a copy, not the array net.params[{key!r}] itself. Training "
                    f"and numerical_gradient change net.params in place, so the layer must hold the same array: "
                    f"pass self.params[{key!r}] to Affine and do not copy it.")
    # a change made in place through params must reach the network's output
    for key in KEYS:
        params[key][...] *= 1.5
    return {"predict output after params changed in place": call(net.predict, i["x"], hint=NET_HINT,
                                                                 what="TwoLayerNet.predict")}


# --- TwoLayerNet: predict, loss, accuracy --------------------------------------------------------

def predict_loss(ns, i):
    net = _net(ns, i)
    scores = call(net.predict, i["x"], hint=NET_HINT, what="TwoLayerNet.predict")
    loss = call(net.loss, i["x"], i["t"], hint=NET_HINT, what="TwoLayerNet.loss")
    return {"predict output": scores, "loss": loss}


PREDICT_MISTAKES = (
    Mistake("predict output", "predict returns the scores of the last Affine layer, before softmax: "
                              "softmax is applied by lastLayer, in loss only.", lambda i, e: _parts(i)["y"]),
    Mistake("predict output", "predict must pass x through every layer in self.layers, Relu1 included.",
            lambda i, e: (i["x"] @ i["params"]["W1"] + i["params"]["b1"]) @ i["params"]["W2"] + i["params"]["b2"]),
    Mistake("loss", "loss is lastLayer.forward(predict(x), t): the mean cross-entropy over the batch, "
                    "not the sum.", lambda i, e: e["loss"] * i["x"].shape[0]),
)


def accuracy_run(ns, i):
    net = _net(ns, i)
    hint = ("with class-index labels t (shape (N,)) there is nothing to argmax; only one-hot t "
            "(t.ndim == 2) needs t.argmax(axis=1)." if i["t"].ndim == 1 else
            "with one-hot labels t (shape (N, C)), compare with t.argmax(axis=1), the index of each row's 1.")
    return {"accuracy": call(net.accuracy, i["x"], i["t"], hint=hint, what="TwoLayerNet.accuracy")}


def _one_hot_not_argmaxed(i, e):
    pred = _parts(i)["s"].argmax(axis=1)
    return np.sum(pred[None, :] == i["t"]) / i["x"].shape[0]


ACCURACY_MISTAKES = (
    Mistake("accuracy", "with one-hot labels t (shape (N, C)), compare the predictions with t.argmax(axis=1), "
                        "the index of each row's 1, not with t itself.", _one_hot_not_argmaxed),
    Mistake("accuracy", "accuracy is a fraction: divide the number of right answers by the batch size.",
            lambda i, e: e["accuracy"] * i["x"].shape[0]),
)


# --- TwoLayerNet: gradients ----------------------------------------------------------------------

LAST = ("an Affine layer received the number 1 as dout: call dout = self.lastLayer.backward(dout) "
        "first, then pass dout through the layers in reverse order.")


def _gradient_hint(exc_text):
    if ("out of bounds for array of dimension 0" in exc_text or "not have enough dimensions" in exc_text
            or "'int' object" in exc_text or "'float' object" in exc_text):
        return LAST
    return ("gradient must first call dout = self.lastLayer.backward(dout), then visit Affine2, Relu1, Affine1 "
            "in that (reverse) order; if it does, check the layers you pasted at the top.")


def _call_gradient(net, x, t):
    try:
        return _grads(call(net.gradient, x, t, what="TwoLayerNet.gradient"), "TwoLayerNet.gradient")
    except StudentError as exc:
        text = str(exc)
        if "Likely mistake" in text or not text.startswith("TwoLayerNet.gradient raised"):
            raise
        raise StudentError(f"{text} Likely mistake: {_gradient_hint(text)}") from None


def _perturb_targets(net, key, layers_key):
    """The arrays to nudge for a numerical gradient: params[key], and the layer's own copy if it has one."""
    arrays = [net.params[key]]
    layer = net.layers.get(layers_key[0]) if hasattr(getattr(net, "layers", None), "get") else None
    arr = getattr(layer, layers_key[1], None)
    if type(arr) is np.ndarray and arr.shape == arrays[0].shape and not np.shares_memory(arr, arrays[0]):
        arrays.append(arr)
    return arrays


LAYER_OF = {"W1": ("Affine1", "W"), "b1": ("Affine1", "b"), "W2": ("Affine2", "W"), "b2": ("Affine2", "b")}


def _numerical_of_loss(net, x, t, h=1e-4):
    """Central differences of the student's own loss, one parameter element at a time."""
    grads = {}
    for key in KEYS:
        targets = _perturb_targets(net, key, LAYER_OF[key])
        grad = np.zeros_like(targets[0])
        for idx in np.ndindex(*grad.shape):
            old = targets[0][idx].copy()
            losses = []
            for value in (old + h, old - h):
                for arr in targets:
                    arr[idx] = value
                losses.append(float(call(net.loss, x, t, hint=NET_HINT, what="TwoLayerNet.loss")))
            for arr in targets:
                arr[idx] = old
            grad[idx] = (losses[0] - losses[1]) / (2 * h)
        grads[key] = grad
    return grads


def net_numerical_gradient(ns, i):
    net = _net(ns, i)
    hint = ("TwoLayerNet.numerical_gradient calls your numerical_gradient function: if the cell "
            "numerical_gradient lost points, fix that first; else " + NET_HINT)
    grads = call(net.numerical_gradient, i["x"], i["t"], hint=hint, what="TwoLayerNet.numerical_gradient")
    return _grads(grads, "TwoLayerNet.numerical_gradient")


def _rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def gradient_run(ns, i):
    net = _net(ns, i)
    return _call_gradient(net, i["x"], i["t"])


def gradient_vs_numerical(ns, i):
    net = _net(ns, i)
    grads = _call_gradient(net, i["x"], i["t"])
    grads = {k: np.array(v, dtype=np.float64, copy=True) for k, v in grads.items()}  # before the loss runs again
    numerical = _numerical_of_loss(net, i["x"], i["t"])
    out = dict(grads)
    for key in KEYS:
        # a gradient of the wrong shape fails its own comparison; there is no relative error to speak of
        same = grads[key].shape == numerical[key].shape
        out[f"relative error of {key} vs a numerical gradient of your loss"] = (
            _rel_error(grads[key], numerical[key]) if same else np.nan)
    return out


def gradient_twice(ns, i):
    net = _net(ns, i)
    _call_gradient(net, i["x2"], i["t2"])
    grads = _call_gradient(net, i["x"], i["t"])
    out = dict(grads)
    for key in KEYS:
        out[f"params[{key!r}] after gradient"] = net.params[key]
    return out


def _bound_rule(key):
    def judge(got, expected, inputs):
        if isinstance(got, str):
            return f"{key} {got}"
        value = float(got)
        if value <= NUMERICAL_BOUND:
            return None
        if np.isnan(value):
            return f"{key} could not be computed: the gradient does not have the shape of the parameter."
        return (f"{key} is {value:.1e}, above the bound of {NUMERICAL_BOUND:.0e} (a right gradient gives about "
                f"1e-7 to 1e-5 here, the 1e-7 in the log included).{PASTED}")
    return judge


def _forward_order(i):
    q = _parts(i)
    p, x = i["params"], i["x"]
    d1 = q["ds"] @ p["W1"].T
    r = np.where(q["a1"] <= 0, 0.0, d1)
    return {"W1": x.T @ q["ds"], "b1": q["ds"].sum(axis=0), "W2": q["h"].T @ r, "b2": r.sum(axis=0)}


def _no_relu(i):
    q = _parts(i)
    return i["x"].T @ (q["ds"] @ i["params"]["W2"].T)


ORDER = ("backward walked the layers in forward order: start at lastLayer, then go through "
         "self.layers in reverse (Affine2, Relu1, Affine1).")
OTHER_LAYER = "grads['{0}'] must come from layers['{1}'].{2}: it holds another layer's gradient."
GRADIENT_MISTAKES = (
    Mistake("W1", ORDER, lambda i, e: _forward_order(i)["W1"]),
    Mistake("b1", ORDER, lambda i, e: _forward_order(i)["b1"]),
    Mistake("W2", ORDER, lambda i, e: _forward_order(i)["W2"]),
    Mistake("W1", OTHER_LAYER.format("W1", "Affine1", "dW"), lambda i, e: e["W2"]),
    Mistake("W2", OTHER_LAYER.format("W2", "Affine2", "dW"), lambda i, e: e["W1"]),
    Mistake("b1", OTHER_LAYER.format("b1", "Affine1", "db"), lambda i, e: e["b2"]),
    Mistake("b2", OTHER_LAYER.format("b2", "Affine2", "db"), lambda i, e: e["b1"]),
    Mistake("W1", "the gradient must also pass through Relu1.backward on its way from Affine2 to Affine1.",
            lambda i, e: _no_relu(i)),
    Mistake("b2", LAST, lambda i, e: np.array(1.0)),
    Mistake("W2", LAST, lambda i, e: _parts(i)["h"].T),
    Mistake("W2", "divide by the batch size (SoftmaxWithLoss.backward gives (y - t) / N).",
            lambda i, e: e["W2"] * i["x"].shape[0]),
)


# --- gradient_check -------------------------------------------------------------------------------

class _FixedGradients:
    """A stand-in network whose two gradients are known, so gradient_check is judged on its own."""

    def __init__(self, backprop, numerical):
        self._backprop, self._numerical = backprop, numerical
        self.params = {k: np.zeros_like(v) for k, v in backprop.items()}

    def gradient(self, x, t):
        return {k: v.copy() for k, v in self._backprop.items()}

    def numerical_gradient(self, x, t):
        return {k: v.copy() for k, v in self._numerical.items()}


def _check_inputs(rng):
    shapes = {"W1": (6, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    backprop = {k: 0.1 * rng.standard_normal(s) for k, s in shapes.items()}
    numerical = {k: v + 1e-6 * rng.standard_normal(v.shape) for k, v in backprop.items()}
    return {"backprop": backprop, "numerical": numerical, "x": rng.standard_normal((4, 6)),
            "t": np.eye(3)[rng.integers(0, 3, 4)]}


def gradient_check_run(ns, i):
    net = _FixedGradients(i["backprop"], i["numerical"])
    diffs = call(need(ns, "gradient_check", "function"), net, i["x"], i["t"], what="gradient_check")
    if not isinstance(diffs, dict):
        raise StudentError(f"gradient_check must return a dict {{key: mean absolute difference}}; "
                           f"it returned {type(diffs).__name__}.")
    missing = [k for k in KEYS if k not in diffs]
    if missing:
        raise StudentError(f"gradient_check returned a dict without {', '.join(map(repr, missing))}.")
    return {f"diffs[{k!r}]": diffs[k] for k in KEYS}


def _diff(fn):
    def wrong(key):
        return lambda i, e: fn(i["backprop"][key] - i["numerical"][key], i["backprop"][key], i["numerical"][key])
    return wrong


CHECK_MISTAKES = tuple(
    m for key in KEYS for m in (
        Mistake(f"diffs[{key!r}]", "take the absolute value before averaging: positive and negative "
                                   "differences would cancel.", _diff(lambda d, a, b: np.mean(d))(key)),
        Mistake(f"diffs[{key!r}]", "average the absolute differences (np.average or np.mean), not their sum.",
                _diff(lambda d, a, b: np.sum(np.abs(d)))(key)),
        Mistake(f"diffs[{key!r}]", "return the mean absolute difference; the largest one is a different number.",
                _diff(lambda d, a, b: np.max(np.abs(d)))(key)),
        Mistake(f"diffs[{key!r}]", "return the mean absolute difference; print the relative error, but do not "
                                   "return it.",
                _diff(lambda d, a, b: np.max(np.abs(d) / np.maximum(1e-8, np.abs(a) + np.abs(b))))(key)),
    ))


# --- registration ---------------------------------------------------------------------------------

SMALL = (6, 5, 3, 4)
SQUARE = (4, 4, 4, 4)

add("two_layer_net_init", "TwoLayerNet(6, 5, 3): params W1 (6, 5), b1 zeros, W2 (5, 3), b2 zeros",
    _net_inputs(*SMALL), init_shapes, rtol=0, atol=0,
    custom={**{f"the shape of params[{k!r}]": _shape_rule(f"the shape of params[{k!r}]") for k in KEYS},
            **{f"params[{k!r}]": finite_first(f"params[{k!r}]", 0, 0) for k in ("b1", "b2")}},
    mistakes=(Mistake("the shape of params['W1']", "W1 has shape (input_size, hidden_size), so that x @ W1 works.",
                      lambda i, e: e["the shape of params['W1']"][::-1]),
              Mistake("the shape of params['W2']", "W2 has shape (hidden_size, output_size).",
                      lambda i, e: e["the shape of params['W2']"][::-1])))
_add_net("two_layer_net_init", "TwoLayerNet(40, 30, 20, weight_init_std=0.5): weights scaled by weight_init_std",
         _net_inputs(40, 30, 20, 2), init_scale, (),
         custom={k: _scale_rule(k) for k in ("std of params['W1'] / weight_init_std",
                                             "mean of params['W1'] / weight_init_std",
                                             "std of params['W2'] / weight_init_std")})
_add_net("two_layer_net_init", "layers: Affine1, Relu1, Affine2 in an OrderedDict, lastLayer, sharing the params",
         _net_inputs(*SMALL), init_layers, ("predict output after params changed in place",))

for title, sizes, labels in [("TwoLayerNet(6, 5, 3) on a batch of 4, one-hot labels", SMALL, "one-hot"),
                             ("TwoLayerNet(6, 5, 3) on a batch of 4, class-index labels", SMALL, "index"),
                             ("TwoLayerNet(3, 7, 2) on a batch of 5, one-hot labels", (3, 7, 2, 5), "one-hot")]:
    _add_net("two_layer_net_predict_loss", f"predict and loss: {title}", _net_inputs(*sizes, labels), predict_loss,
             ("predict output", "loss"), mistakes=PREDICT_MISTAKES)

for title, sizes, labels in [("TwoLayerNet(6, 5, 3), 8 examples, class-index labels", (6, 5, 3, 8), "index"),
                             ("TwoLayerNet(6, 5, 3), 8 examples, one-hot labels", (6, 5, 3, 8), "one-hot"),
                             ("TwoLayerNet(4, 4, 4), 4 examples, one-hot labels", SQUARE, "one-hot")]:
    _add_net("two_layer_net_accuracy", f"accuracy: {title}", _net_inputs(*sizes, labels, half_right=True),
             accuracy_run, ("accuracy",), mistakes=ACCURACY_MISTAKES)

for title, sizes in [("TwoLayerNet(6, 5, 3), batch of 4", SMALL), ("TwoLayerNet(3, 4, 2), batch of 3", (3, 4, 2, 3))]:
    _add_net("two_layer_net_numerical_gradient", f"numerical_gradient: {title}, one-hot labels",
             _net_inputs(*sizes), net_numerical_gradient,
             KEYS, rtol=1e-6, atol=1e-8,
             mistakes=tuple(Mistake(k, "all zero: the layers do not see the changes numerical_gradient makes to "
                                       "self.params; they must hold the same arrays.",
                                    lambda i, e, k=k: np.zeros_like(e[k])) for k in KEYS))

_add_net("two_layer_net_gradient", "gradient: TwoLayerNet(6, 5, 3), batch of 4, one-hot labels",
         _net_inputs(*SMALL), gradient_run, KEYS, mistakes=GRADIENT_MISTAKES)
_add_net("two_layer_net_gradient", "gradient: TwoLayerNet(4, 4, 4), batch of 4, one-hot labels",
         _net_inputs(*SQUARE), gradient_run, KEYS, mistakes=GRADIENT_MISTAKES)
_add_net("two_layer_net_gradient", "gradient: TwoLayerNet(3, 8, 5), batch of 6, one-hot labels",
         _net_inputs(3, 8, 5, 6), gradient_run, KEYS, mistakes=GRADIENT_MISTAKES)
_add_net("two_layer_net_gradient", "gradient called twice: the second batch's gradient, params unchanged",
         _net_inputs(*SMALL, second_batch=True), gradient_twice,
         KEYS + tuple(f"params[{k!r}] after gradient" for k in KEYS), mistakes=GRADIENT_MISTAKES)
_add_net("two_layer_net_gradient",
         f"gradient agrees with a numerical gradient of your own loss (relative error <= {NUMERICAL_BOUND:.0e})",
         _net_inputs(*SMALL), gradient_vs_numerical, KEYS, mistakes=GRADIENT_MISTAKES,
         custom={f"relative error of {k} vs a numerical gradient of your loss":
                 _bound_rule(f"relative error of {k} vs a numerical gradient of your loss") for k in KEYS})

for k in range(2):
    add("gradient_check", f"gradient_check on a network with known gradients (case {k + 1})", _check_inputs,
        gradient_check_run, rtol=1e-6, atol=1e-12, mistakes=CHECK_MISTAKES,
        custom={f"diffs[{key!r}]": finite_first(f"diffs[{key!r}]", 1e-6, 1e-12) for key in KEYS})
