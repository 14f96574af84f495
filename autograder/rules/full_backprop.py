"""Rules of assignment 05: numerical_gradient, TwoLayerNet and gradient_check.

Analytic gradients are compared with the reference's analytic gradients (rtol 1e-6); the comparison with a
numerical gradient uses the loose bound NUMERICAL_BOUND, because the book's loss has 1e-7 in the log,
which shifts the exact gradient away from (y - t) / N by about 1e-7 / y relative. Every numerical
gradient here is computed by the judge, from the student's loss values at nudged weights.

One slip, one penalty: ``TwoLayerNet.numerical_gradient`` is judged against the numerical gradient of the
student's *own* loss, with a recording stand-in in place of the student's ``numerical_gradient``
function; a wrong pasted layer is named only when its own probe shows it wrong.
"""

import numpy as np

from ..checks.full_backprop import KEYS, STEP
from ..compare import describe_mismatch, rel_error
from ..i18n import N_
from .core import Hint, Mistake, Rule, finite_first, likely, name_output, output_name, raised, say

NUMERICAL_BOUND = 1e-4
PASTED_LAYERS = ("Relu", "Affine", "SoftmaxWithLoss")

# the outputs whose names are phrases, as messages call them (autograder.rules.core.output_name)
NAMES = (N_("gradient"), N_("x after numerical_gradient"), N_("predict output"), N_("loss"), N_("accuracy"),
         N_("predict output after params changed in place"),
         *(name_output(f"params[{k!r}] after gradient", N_("params[{key}] after gradient"), key=repr(k))
           for k in KEYS))


# --- numerical_gradient --------------------------------------------------------------------------

def _f(x):
    return float(np.sum(x ** 3) / 3 + 0.5 * np.sum(x) ** 2 + np.sum(np.sin(2 * x)))


def _difference(i, h, kind):
    """The book's loop with step h: kind 'central', 'forward' or 'backward' difference."""
    x = i["x"].copy()
    grad = np.zeros_like(x)
    base = _f(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = _f(x)
        x[idx] = old - h
        minus = _f(x)
        x[idx] = old
        grad[idx] = {"central": (plus - minus) / (2 * h), "forward": (plus - base) / h,
                     "backward": (base - minus) / h}[kind]
    return grad


def _off_a_little(got, i, e):
    err = rel_error(got, e["gradient"])
    return 1e-7 < err < 5e-2


NUMGRAD_MISTAKES = (
    Mistake("gradient", "use the central difference (f(x + h) - f(x - h)) / (2h): the forward difference "
                        "(f(x + h) - f(x)) / h is much less accurate.", lambda i, e: _difference(i, 1e-4, "forward")),
    Mistake("gradient", "use the central difference (f(x + h) - f(x - h)) / (2h): the backward difference "
                        "(f(x) - f(x - h)) / h is much less accurate.", lambda i, e: _difference(i, 1e-4, "backward")),
    Mistake("gradient", "divide by 2 * h: the two points x + h and x - h are 2h apart.",
            lambda i, e: 2 * e["gradient"]),
    Mistake("gradient", "`/ 2 * h` multiplies by h: Python reads it as (... / 2) * h. Write / (2 * h).",
            lambda i, e: e["gradient"] * STEP ** 2),
    Mistake("gradient", "numerical_gradient must nudge the array x itself (in place), not a copy: "
                        "TwoLayerNet.numerical_gradient's f ignores its argument and reads the weights directly.",
            lambda i, e: np.zeros_like(i["x"]) if i.get("reads x") else None),
    Mistake("gradient", "the gradient is 0 everywhere: f(x + h) and f(x - h) came out equal. Is h so small that "
                        "x + h == x in floating point (use h = 1e-4), or is x nudged at all?",
            lambda i, e: np.zeros_like(i["x"])),
    Mistake("gradient", "the central difference with a far smaller h (or a far larger one) than 1e-4: with h "
                        "close to 1e-10 round-off dominates. Use h = 1e-4, as in the book.", fits=_off_a_little),
    Mistake("x after numerical_gradient", "put every element back after nudging it (x[idx] = tmp_val): "
                                          "x must be unchanged when numerical_gradient returns.",
            lambda i, e: i["x"] - 1e-4),
    Mistake("x after numerical_gradient", "put every element back after nudging it (x[idx] = tmp_val): "
                                          "x must be unchanged when numerical_gradient returns.",
            lambda i, e: i["x"] + 1e-4),
)
NUMGRAD_KEYS = ("gradient", "x after numerical_gradient")


# --- TwoLayerNet ---------------------------------------------------------------------------------

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


def pasted_note(got, expected, inputs):
    """Name the pasted layers whose own probe gave other values than the assignment-4 reference."""
    wrong = []
    for key, exp in expected.items():
        if not key.startswith("~pasted "):
            continue
        value = got.get(key)
        bad = isinstance(value, str) or value is None or (
            isinstance(exp, np.ndarray) and describe_mismatch(key, value, exp, rtol=1e-6, atol=1e-9))
        name = key[len("~pasted "):].split(" ")[0]
        if bad and name not in wrong:
            wrong.append(name)
    if not wrong:
        return ""
    if len(wrong) == 1:
        return say(N_("TwoLayerNet runs on the layers you pasted at the top, and your pasted {layers} does not work "
                      "as in assignments 3 and 4 (the check cell under the pasted layers fails too): fix that first."),
                   layers=wrong[0])
    return say(N_("TwoLayerNet runs on the layers you pasted at the top, and your pasted {layers} do not work as in "
                  "assignments 3 and 4 (the check cell under the pasted layers fails too): fix that first."),
               layers=", ".join(wrong))


def _pasted_frame(fault, inputs):
    frame = fault["frame"]
    if "NoneType" in fault["message"]:  # nothing stored by forward: the network's order of calls, see below
        return False
    return fault["stage"].startswith("TwoLayerNet") and (
        frame.split(".")[0] in PASTED_LAYERS or frame in ("softmax", "cross_entropy_error"))


def _pasted_hint(fault):
    return say(N_("the error happened inside your pasted {frame}: TwoLayerNet runs on the layers pasted at the top, "
                  "so fix that layer first (its check cell fails too)."), frame=fault["frame"])


PASTED_HINT = Hint(_pasted_hint, _pasted_frame)


def _net_rule(keys, rtol=1e-6, atol=1e-10, **options):
    compare = {k: finite_first(rtol, atol) for k in keys}
    compare.update(options.pop("compare", {}))
    return Rule(rtol=rtol, atol=atol, compare=compare, note=pasted_note,
                hints=options.pop("hints", ()) + (PASTED_HINT,), **options)


# structure

SHAPES = {k: name_output(f"the shape of params[{k!r}]", N_("the shape of params[{key}]"), key=repr(k)) for k in KEYS}
STD, MEAN = N_("std of params[{key}] / weight_init_std"), N_("mean of params[{key}] / weight_init_std")
SCALES = tuple((name_output(f"{template.split(' of ')[0]} of params[{k!r}] / weight_init_std", template, key=repr(k)),
                k, stat) for template, k, stat in ((STD, "W1", np.std), (MEAN, "W1", np.mean), (STD, "W2", np.std)))


def _init_derive(outputs, inputs):
    out = {k: v for k, v in outputs.items() if not k.startswith("~params")}
    if "~params['b1']" in outputs:
        for key in KEYS:
            raw = outputs[f"~params[{key!r}]"]
            out[SHAPES[key]] = raw if isinstance(raw, str) else np.array(raw.shape)
        out["params['b1']"], out["params['b2']"] = outputs["~params['b1']"], outputs["~params['b2']"]
    elif "~params['W1']" in outputs:
        for name, k, stat in SCALES:
            raw = outputs[f"~params[{k!r}]"]
            ok = isinstance(raw, np.ndarray) and raw.size > 1
            out[name] = (np.array(stat(raw.astype(np.float64)) / 0.5) if ok else
                         raw if isinstance(raw, str) else N_("is not an array of weights"))
    return out


def _shape_rule(key, got, expected, inputs):
    value, exp = got.get(key), expected[key]
    if isinstance(value, str):
        return say(N_("{name} {problem}"), name=output_name(key), problem=say(value))
    if value.shape == exp.shape and np.array_equal(value, exp):
        return None
    return say(N_("{name} is {shape}, but {expected} was expected."), name=output_name(key),
               shape=tuple(int(v) for v in np.ravel(value)), expected=tuple(int(v) for v in exp))


def _scale_rule(key, got, expected, inputs):
    value = got.get(key)
    if isinstance(value, str):
        return say(N_("{name} {problem}."), name=output_name(key), problem=say(value))
    value = float(value)
    ok = abs(value) < 0.15 if "mean" in key else abs(value - 1) < 0.15
    if ok:
        return None
    hint = ""
    if "std" in key and abs(value - 2) < 0.3:
        hint = likely(say(N_("multiply the random weights by weight_init_std.")))
    elif "mean" in key:
        hint = likely(say(N_("use np.random.randn (normal around 0), not np.random.rand (uniform on [0, 1)).")))
    return say(N_("{name} is {value}; weights drawn from a normal distribution scaled by weight_init_std give about "
                  "{about} (random weights, so anything within 0.15 passes)."), name=output_name(key),
               value=f"{value:.3g}", about="0" if "mean" in key else "1") + hint


def _sharing_rule(key, got, expected, inputs):
    msg = finite_first(1e-6, 1e-10)(key, got, expected, inputs)
    shares = got.get("~layers hold the params arrays")
    if not msg or not isinstance(shares, np.ndarray) or shares.shape != (4,):
        return msg
    for k, held in zip(KEYS, shares):
        if held == 0:
            layer, attr = {"W1": ("Affine1", "W"), "b1": ("Affine1", "b"), "W2": ("Affine2", "W"),
                           "b2": ("Affine2", "b")}[k]
            return say(N_("net.layers[{layer}].{attr} is a copy, not the array net.params[{key}] itself."),
                       layer=repr(layer), attr=attr, key=repr(k)) + likely(say(N_(
                "the layers and self.params must hold the same arrays (pass self.params[{key}] to Affine and do not "
                "copy it): training and numerical_gradient change net.params in place."), key=repr(k)))
    return msg


INIT_MISTAKES = (
    Mistake("the shape of params['W1']", "W1 has shape (input_size, hidden_size), so that x @ W1 works.",
            lambda i, e: e["the shape of params['W1']"][::-1]),
    Mistake("the shape of params['W2']", "W2 has shape (hidden_size, output_size).",
            lambda i, e: e["the shape of params['W2']"][::-1]),
    Mistake("params['b1']", "the biases start at zero: np.zeros(hidden_size).", fits=lambda g, i, e: g.any()),
    Mistake("params['b2']", "the biases start at zero: np.zeros(output_size).", fits=lambda g, i, e: g.any()),
)

# predict, loss, accuracy

PREDICT_MISTAKES = (
    Mistake("predict output", "predict returns the scores of the last Affine layer, before softmax: "
                              "softmax is applied by lastLayer, in loss only.", lambda i, e: _parts(i)["y"]),
    Mistake("predict output", "predict must pass x through every layer in self.layers, Relu1 included.",
            lambda i, e: (i["x"] @ i["params"]["W1"] + i["params"]["b1"]) @ i["params"]["W2"] + i["params"]["b2"]),
    Mistake("predict output", "predict must pass x through *every* layer in self.layers: yours stops after Relu1.",
            lambda i, e: _parts(i)["h"]),
    Mistake("loss", "loss is lastLayer.forward(predict(x), t): the mean cross-entropy over the batch, "
                    "not the sum.", lambda i, e: e["loss"] * i["x"].shape[0]),
    Mistake("loss", "loss is lastLayer.forward(predict(x), t) on the scores: softmax is applied twice (predict "
                    "must return the scores before softmax).",
            lambda i, e: -np.mean(np.log(np.sum(_softmax(_parts(i)["y"]) * _parts(i)["t"], axis=1) + 1e-7))),
)


def _one_hot_not_argmaxed(i, e):
    pred = _parts(i)["s"].argmax(axis=1)
    return np.sum(pred[None, :] == i["t"]) / i["x"].shape[0] if i["t"].ndim == 2 else None


ACCURACY_MISTAKES = (
    Mistake("accuracy", "with one-hot labels t (shape (N, C)), compare the predictions with t.argmax(axis=1), "
                        "the index of each row's 1, not with t itself.", _one_hot_not_argmaxed),
    Mistake("accuracy", "accuracy is a fraction: divide the number of right answers by the batch size.",
            lambda i, e: e["accuracy"] * i["x"].shape[0]),
    Mistake("accuracy", "accuracy is the fraction of *right* answers; yours is the fraction of wrong ones.",
            lambda i, e: 1 - e["accuracy"]),
)
LABEL_KINDS = ("IndexError", "ValueError", "AxisError", "TypeError")
ACCURACY_HINTS = (
    Hint("with class-index labels t (shape (N,)) there is nothing to argmax; only one-hot t (t.ndim == 2) "
         "needs t.argmax(axis=1).", lambda f, i: i["t"].ndim == 1 and raised(*LABEL_KINDS, frame="accuracy")(f, i)),
    Hint("with one-hot labels t (shape (N, C)), compare with t.argmax(axis=1), the index of each row's 1.",
         lambda f, i: i["t"].ndim == 2 and raised(*LABEL_KINDS, frame="accuracy")(f, i)),
)


# numerical gradient of the network: judged against the numerical gradient of the student's own loss

def _own(outputs, key):
    plus, minus = outputs.get(f"~loss +h {key}"), outputs.get(f"~loss -h {key}")
    if not (isinstance(plus, np.ndarray) and isinstance(minus, np.ndarray) and plus.shape == minus.shape):
        return None
    return (plus - minus) / (2 * STEP)


def _call_values(outputs, j, shape):
    values = outputs.get(f"~call {j} f")
    n = int(np.prod(shape))
    if not isinstance(values, np.ndarray) or values.shape != (1 + 2 * n,):
        return None
    return values, ((values[1:1 + n] - values[1 + n:]) / (2 * STEP)).reshape(shape)


def _numgrad_derive(outputs, inputs):
    """Each returned gradient, with a token of the recording numerical_gradient replaced by the central
    differences of the values its f gave; and the numerical gradient of the student's own loss."""
    out = {}
    calls = outputs.get("~calls")
    calls = calls if isinstance(calls, np.ndarray) and calls.ndim == 2 and calls.shape[1] == 2 else np.zeros((0, 2))
    for key in KEYS:
        out[f"~own {key}"] = _own(outputs, key)
        value = outputs.get(key)
        out[f"~call of {key}"] = np.nan
        if isinstance(value, np.ndarray) and value.size and len(calls):
            hit = np.flatnonzero(calls[:, 1] == value.reshape(-1)[0])
            if len(hit) and np.all(value == value.reshape(-1)[0]):
                j = int(hit[0])
                shape = outputs.get(f"~call {j} shape")
                found = _call_values(outputs, j, tuple(int(s) for s in shape)) if isinstance(shape, np.ndarray) \
                    else None
                out[f"~call of {key}"] = float(calls[j, 0])
                if found is not None:
                    out[f"~f values of {key}"], value = found
                else:
                    value = N_("came from a call of numerical_gradient with an x that is not a float array")
        out[key] = value
    for key, value in outputs.items():
        if key.startswith("~loss"):
            out[key] = value
    return out


def _numgrad_rule(key, got, expected, inputs):
    own, value = got.get(f"~own {key}"), got.get(key)
    if own is None:
        return say(N_("the loss values of the network could not be recorded for {key}."), key=key)
    if not np.any(own) and np.any(expected.get(f"~own {key}")):
        return say(N_("{key} cannot be checked on its own: your network's loss does not change when params[{quoted}] "
                      "changes. Fix TwoLayerNet's predict and loss (cell two_layer_net_predict_loss) first."),
                   key=key, quoted=repr(key))
    if isinstance(value, str):
        return say(N_("grads[{key}] {problem}."), key=repr(key), problem=say(value))
    msg = describe_mismatch(f"grads[{key!r}]", value, own, rtol=1e-6, atol=1e-8)
    if not msg:
        return None
    call_key = got.get(f"~call of {key}")
    if isinstance(call_key, float) and not np.isnan(call_key):
        if call_key < 0:
            return msg + likely(say(N_(
                "numerical_gradient was given a copy of params[{key}] (or another array), not the array itself: the "
                "loss reads the weights from self.params, so nudging a copy changes nothing. Pass "
                "self.params[{key}]."), key=repr(key)))
        if KEYS[int(call_key)] != key:
            return msg + likely(say(N_("grads[{key}] holds the numerical gradient with respect to params[{other}]: "
                                       "check the keys."), key=repr(key), other=repr(KEYS[int(call_key)])))
        values = got.get(f"~f values of {key}")
        if values is not None and not np.any(values):
            return msg + likely(say(N_(
                "the function you pass to numerical_gradient does not compute the loss (its value did not change "
                "when the weights did): use lambda W: self.loss(x, t).")))
        return msg + likely(say(N_("the function you pass to numerical_gradient does not return self.loss(x, t) for "
                                   "this batch: use lambda W: self.loss(x, t).")))
    return msg


# gradient

BOUNDED = {k: name_output(f"relative error of {k} vs a numerical gradient of your loss",
                          N_("relative error of {key} vs a numerical gradient of your loss"), key=k) for k in KEYS}


def _gradient_derive(outputs, inputs):
    out = {k: v for k, v in outputs.items() if not k.startswith("~loss")}
    if "~loss +h W1" in outputs:
        for key in KEYS:
            own, grad = _own(outputs, key), outputs.get(key)
            name = BOUNDED[key]
            if isinstance(grad, str) or own is None:
                out[name] = grad if isinstance(grad, str) else N_("could not be computed")
            else:
                out[name] = np.array(rel_error(grad, own) if grad.shape == own.shape else np.nan)
    return out


def _bound_rule(key, got, expected, inputs):
    value = got.get(key)
    if isinstance(value, str):
        return say(N_("{name} {problem}"), name=output_name(key), problem=say(value))
    value = float(value)
    if value <= NUMERICAL_BOUND:
        return None
    if np.isnan(value):
        return say(N_("{name} could not be computed: the gradient does not have the shape of the parameter."),
                   name=output_name(key))
    return say(N_("{name} is {value}, above the bound of {bound} (a right gradient gives about 1e-7 to 1e-5 here, "
                  "the 1e-7 in the log included)."), name=output_name(key), value=f"{value:.1e}",
               bound=f"{NUMERICAL_BOUND:.0e}")


def _forward_order(i):
    q = _parts(i)
    p, x = i["params"], i["x"]
    d1 = q["ds"] @ p["W1"].T
    r = np.where(q["a1"] <= 0, 0.0, d1)
    return {"W1": x.T @ q["ds"], "b1": q["ds"].sum(axis=0), "W2": q["h"].T @ r, "b2": r.sum(axis=0)}


def _no_relu(i):
    q = _parts(i)
    return i["x"].T @ (q["ds"] @ i["params"]["W2"].T)


LAST = N_("an Affine layer received the number 1 as dout: call dout = self.lastLayer.backward(dout) "
          "first, then pass dout through the layers in reverse order.")
ORDER = N_("backward walked the layers in forward order: start at lastLayer, then go through "
           "self.layers in reverse (Affine2, Relu1, Affine1).")
GRADIENT_MISTAKES = (
    Mistake("W1", ORDER, lambda i, e: _forward_order(i)["W1"]),
    Mistake("b1", ORDER, lambda i, e: _forward_order(i)["b1"]),
    Mistake("W2", ORDER, lambda i, e: _forward_order(i)["W2"]),
    Mistake("W1", "grads['W1'] must come from layers['Affine1'].dW: it holds another layer's gradient.",
            lambda i, e: e["W2"]),
    Mistake("W2", "grads['W2'] must come from layers['Affine2'].dW: it holds another layer's gradient.",
            lambda i, e: e["W1"]),
    Mistake("b1", "grads['b1'] must come from layers['Affine1'].db: it holds another layer's gradient.",
            lambda i, e: e["b2"]),
    Mistake("b2", "grads['b2'] must come from layers['Affine2'].db: it holds another layer's gradient.",
            lambda i, e: e["b1"]),
    Mistake("W1", "the gradient must also pass through Relu1.backward on its way from Affine2 to Affine1.",
            lambda i, e: _no_relu(i)),
    Mistake("b2", LAST, lambda i, e: np.array(1.0)),
    Mistake("W2", LAST, lambda i, e: _parts(i)["h"].T),
    Mistake("W2", "divide by the batch size (SoftmaxWithLoss.backward gives (y - t) / N).",
            lambda i, e: e["W2"] * i["x"].shape[0]),
    Mistake("b2", "divide by the batch size (SoftmaxWithLoss.backward gives (y - t) / N).",
            lambda i, e: e["b2"] * i["x"].shape[0]),
    Mistake("W2", "the gradient is (y - t) / N: the \"- t\" is missing in SoftmaxWithLoss.backward.",
            lambda i, e: _parts(i)["h"].T @ (_parts(i)["y"] / i["x"].shape[0])),
    Mistake("W2", "the gradient has the wrong sign: SoftmaxWithLoss.backward gives (y - t) / N, not (t - y) / N.",
            lambda i, e: -e["W2"]),
)
FORWARD_FIRST = Hint("a layer's backward found nothing that its forward should have stored: gradient must first run "
                     "the forward pass, self.loss(x, t), then call backward from lastLayer on.",
                     raised("TypeError", "AttributeError", words=("NoneType",), frame="backward",
                            stage="TwoLayerNet.gradient"))
LAST_HINT = Hint(LAST, raised(words=("out of bounds for array of dimension 0", "not have enough dimensions",
                                     "'int' object", "'float' object"), stage="TwoLayerNet.gradient"))


def _numerical_bound_rules():
    return {BOUNDED[k]: _bound_rule for k in KEYS}


# --- gradient_check -------------------------------------------------------------------------------

def _diff(fn):
    def wrong(key):
        return lambda i, e: fn(i["backprop"][key] - i["numerical"][key], i["backprop"][key], i["numerical"][key])
    return wrong


def _check_mistakes(key):
    diffs = f"diffs[{key!r}]"
    return (
        Mistake(diffs, "take the absolute value before averaging: positive and negative "
                       "differences would cancel.", _diff(lambda d, a, b: np.mean(d))(key)),
        Mistake(diffs, "average the absolute differences (np.average or np.mean), not their sum.",
                _diff(lambda d, a, b: np.sum(np.abs(d)))(key)),
        Mistake(diffs, "return the mean absolute difference; the largest one is a different number.",
                _diff(lambda d, a, b: np.max(np.abs(d)))(key)),
        Mistake(diffs, "return the mean absolute difference; print the relative error, but do not return it.",
                _diff(lambda d, a, b: np.max(np.abs(d) / np.maximum(1e-8, np.abs(a) + np.abs(b))))(key)),
        Mistake(diffs, "return the mean *absolute* difference, not the mean squared difference.",
                _diff(lambda d, a, b: np.mean(d ** 2))(key)),
    )


CHECK_MISTAKES = tuple(m for key in KEYS for m in _check_mistakes(key))

RULES = {
    "numerical_gradient": Rule(rtol=1e-6, atol=1e-9, mistakes=NUMGRAD_MISTAKES,
                               compare={k: finite_first(1e-6, 1e-9) for k in NUMGRAD_KEYS}),
    "two_layer_net_init": Rule(rtol=0, atol=0, derive=_init_derive, mistakes=INIT_MISTAKES, compare={
        **{SHAPES[k]: _shape_rule for k in KEYS},
        **{f"params[{k!r}]": finite_first(0, 0) for k in ("b1", "b2")},
        **{name: _scale_rule for name, _k, _stat in SCALES},
        "predict output after params changed in place": _sharing_rule}),
    "two_layer_net_predict_loss": _net_rule(("predict output", "loss"), mistakes=PREDICT_MISTAKES),
    "two_layer_net_accuracy": _net_rule(("accuracy",), mistakes=ACCURACY_MISTAKES, hints=ACCURACY_HINTS),
    "two_layer_net_numerical_gradient": Rule(derive=_numgrad_derive, compare={k: _numgrad_rule for k in KEYS}),
    "two_layer_net_gradient": _net_rule(KEYS + tuple(f"params[{k!r}] after gradient" for k in KEYS),
                                        derive=_gradient_derive, mistakes=GRADIENT_MISTAKES,
                                        hints=(FORWARD_FIRST, LAST_HINT),
                                        compare=_numerical_bound_rules()),
    "gradient_check": Rule(rtol=1e-6, atol=1e-12, mistakes=CHECK_MISTAKES, credit="output",
                           compare={f"diffs[{k!r}]": finite_first(1e-6, 1e-12) for k in KEYS}),
}
