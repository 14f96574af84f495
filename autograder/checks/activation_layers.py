"""Hidden checks of assignment 03, activation layers: Relu and Sigmoid.

Only behaviour is judged (outputs, and whether an input array was changed), never attributes: a Relu
built on ``np.maximum`` without a ``mask`` is as good as the book's. The book's correct code must get
full marks, so every student call runs with numpy's warnings silenced (its ``Sigmoid`` overflows in
``np.exp(-x)`` for large negative x and warns, yet returns the right 0.0), and ``dout`` is a fresh
copy for every ``backward`` call (its ``Relu.backward`` writes into ``dout``).
"""

import warnings
from contextlib import contextmanager

import numpy as np

from ..compare import numerical_gradient_of, plain_array, rel_error
from ..scenario import Mistake, StudentError, add, as_float32, need

SHAPES = [(6,), (3, 4), (2, 3, 4)]

# Bound for backward vs a central-difference gradient (h = 1e-5) of the student's own forward.
# On these inputs (|x| >= 0.1 for Relu, |x| <= 4 and |dout| >= 0.5 for Sigmoid) a correct layer
# stays below 1e-8; 1e-6 leaves room for any sound float64 implementation and still fails a
# backward that is wrong anywhere.
GRADIENT_TOL = 1e-6


@contextmanager
def quiet():
    """No warning from student code reaches stderr (nbgrader scores stderr output as a failure)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _away_from_zero(rng, shape, low=0.1, high=3.0):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(low, high, shape)


def _label(shape):
    return f"shape {shape}"


def _normal(shape):
    def inputs(rng):
        return {"x": _away_from_zero(rng, shape), "dout": rng.standard_normal(shape)}
    return inputs


def _with_zeros(rng):
    x = _away_from_zero(rng, (4, 5))
    x[rng.random((4, 5)) < 0.3] = 0.0
    x[0, 0] = 0.0
    return {"x": x, "dout": rng.uniform(0.5, 2.0, (4, 5))}


def _large(shape):
    def inputs(rng):
        x = rng.uniform(-1000, 1000, shape)
        flat = x.reshape(-1)
        flat[:8] = [-1000.0, -745.0, -710.0, -40.0, 40.0, 710.0, 1000.0, 0.0]
        return {"x": x, "dout": rng.standard_normal(shape)}
    return inputs


def _all_sign(sign):
    def inputs(rng):
        return {"x": sign * rng.uniform(0.1, 3.0, (3, 5)), "dout": rng.standard_normal((3, 5))}
    return inputs


def _forward(cls):
    def run(ns, i):
        layer = need(ns, cls)()
        with quiet():
            return {"forward output": layer.forward(i["x"])}
    return run


def _backward(cls):
    def run(ns, i):
        layer = need(ns, cls)()
        with quiet():
            layer.forward(i["x"])
            return {"dx": layer.backward(i["dout"].copy())}
    return run


def _backward_latest(cls):
    def run(ns, i):
        layer = need(ns, cls)()
        with quiet():
            layer.forward(-i["x"])
            layer.forward(i["x"])
            return {"dx": layer.backward(i["dout"].copy())}
    return run


def relu_keeps_input(ns, i):
    x = i["x"].copy()
    layer = need(ns, "Relu")()
    with quiet():
        raw = layer.forward(x)
        out, problem = plain_array(raw)  # a snapshot, before backward can change anything
        x_after = x.copy()
        dx = layer.backward(i["dout"].copy())
    return {"forward output": raw if problem else out, "x after forward": x_after, "dx": dx}


RELU_FORWARD_MISTAKES = (
    Mistake("forward output", "Relu keeps the positive inputs and sets the others to 0; yours keeps the negative ones.",
            lambda i, e: np.minimum(i["x"], 0)),
    Mistake("forward output", "forward should return the values max(0, x), not the mask (True/False or 1/0).",
            lambda i, e: (i["x"] > 0) * 1.0),
    Mistake("forward output", "forward should return the values max(0, x), not the mask (True/False or 1/0).",
            lambda i, e: (i["x"] <= 0) * 1.0),
)

RELU_BACKWARD_MISTAKES = (
    Mistake("dx", "the mask is inverted: backward passes dout where the input x was positive and sends 0 where "
            "x <= 0.", lambda i, e: np.where(i["x"] > 0, 0, i["dout"])),
    Mistake("dx", "backward must pass the upstream gradient dout, not just 1 or 0 (the mask itself).",
            lambda i, e: (i["x"] > 0) * 1.0),
    Mistake("dx", "the mask comes from the forward input x, not from the sign of dout.",
            lambda i, e: np.maximum(i["dout"], 0)),
    Mistake("dx", "at exactly 0 the gradient is 0 (the mask is x <= 0, as in the book), but your backward passes "
            "dout where x == 0.", lambda i, e: np.where(i["x"] < 0, 0, i["dout"])),
)

RELU_KEEP_MISTAKES = (
    Mistake("x after forward", "forward changed the array it was given. Work on a copy (out = x.copy()) "
            "and leave x as it was: the caller may still need it.", lambda i, e: np.maximum(i["x"], 0)),
) + RELU_BACKWARD_MISTAKES

for shape in SHAPES:
    add("relu_forward", f"Relu.forward on {_label(shape)}", _normal(shape), _forward("Relu"),
        mistakes=RELU_FORWARD_MISTAKES)
    add("relu_backward", f"Relu.backward on {_label(shape)}", _normal(shape), _backward("Relu"),
        mistakes=RELU_BACKWARD_MISTAKES)
add("relu_forward", "Relu.forward on float32 input of shape (3, 4)", as_float32(_normal((3, 4))), _forward("Relu"),
    mistakes=RELU_FORWARD_MISTAKES)
add("relu_backward", "Relu.backward on float32 input of shape (3, 4)", as_float32(_normal((3, 4))),
    _backward("Relu"), mistakes=RELU_BACKWARD_MISTAKES)
add("relu_forward", "Relu.forward on inputs of size up to 1000", _large((5, 8)), _forward("Relu"),
    mistakes=RELU_FORWARD_MISTAKES)
add("relu_backward", "Relu.backward uses the mask of the latest forward call", _normal((3, 5)),
    _backward_latest("Relu"), mistakes=RELU_BACKWARD_MISTAKES)

add("relu_edge_cases", "Relu.forward leaves its input array unchanged", _normal((4, 6)), relu_keeps_input,
    mistakes=RELU_KEEP_MISTAKES)
add("relu_edge_cases", "Relu with inputs exactly 0 (forward gives 0, backward gives 0 there)", _with_zeros,
    relu_keeps_input, mistakes=RELU_KEEP_MISTAKES)
add("relu_edge_cases", "Relu with every input negative", _all_sign(-1.0), relu_keeps_input,
    mistakes=RELU_KEEP_MISTAKES)
add("relu_edge_cases", "Relu with every input positive", _all_sign(1.0), relu_keeps_input,
    mistakes=RELU_KEEP_MISTAKES)
add("relu_edge_cases", "Relu on a 1-element array", _normal((1,)), relu_keeps_input, mistakes=RELU_KEEP_MISTAKES)


def _sigmoid(x):
    with np.errstate(all="ignore"):  # runs in the judge too: no overflow warnings there either
        return 1 / (1 + np.exp(-x))


def _minus_sigmoid(x):
    with np.errstate(all="ignore"):
        return 1 / (1 - np.exp(-x))


SIGMOID_FORWARD_MISTAKES = (
    Mistake("forward output", "check the sign in the exponent: sigmoid(x) = 1 / (1 + exp(-x)).",
            lambda i, e: 1 - e["forward output"]),
    Mistake("forward output", "sigmoid(x) = 1 / (1 + exp(-x)); yours looks like 1 / (1 - exp(-x)).",
            lambda i, e: _minus_sigmoid(i["x"])),
)

SIGMOID_BACKWARD_MISTAKES = (
    Mistake("dx", "backward must multiply by the upstream gradient dout.",
            lambda i, e: e["dx"] / i["dout"]),
    Mistake("dx", "the derivative uses the forward *output* y = sigmoid(x): dx = dout * (1 - y) * y, "
            "not the input x.", lambda i, e: i["dout"] * (1 - i["x"]) * i["x"]),
    Mistake("dx", "the local derivative is (1 - y) * y; yours is missing the factor (1 - y).",
            lambda i, e: i["dout"] * _sigmoid(i["x"])),
    Mistake("dx", "the local derivative is (1 - y) * y; yours is missing the factor y.",
            lambda i, e: i["dout"] * (1 - _sigmoid(i["x"]))),
)

for shape in SHAPES:
    add("sigmoid_forward", f"Sigmoid.forward on {_label(shape)}", _normal(shape), _forward("Sigmoid"),
        mistakes=SIGMOID_FORWARD_MISTAKES)
    add("sigmoid_backward", f"Sigmoid.backward on {_label(shape)}", _normal(shape), _backward("Sigmoid"),
        mistakes=SIGMOID_BACKWARD_MISTAKES)
# 1-D on purpose: compare._fmt_index cannot yet name the position of a NaN in an array of 2 or more dimensions
add("sigmoid_forward", "Sigmoid.forward on float32 input of shape (3, 4)", as_float32(_normal((3, 4))),
    _forward("Sigmoid"))
add("sigmoid_backward", "Sigmoid.backward on float32 input of shape (3, 4)", as_float32(_normal((3, 4))),
    _backward("Sigmoid"))
add("sigmoid_forward", "Sigmoid.forward on inputs of size up to 1000 (no NaN or inf)", _large((40,)),
    _forward("Sigmoid"), mistakes=SIGMOID_FORWARD_MISTAKES)
add("sigmoid_backward", "Sigmoid.backward on inputs of size up to 1000 (no NaN or inf)", _large((40,)),
    _backward("Sigmoid"), mistakes=SIGMOID_BACKWARD_MISTAKES)
add("sigmoid_backward", "Sigmoid.backward uses the output of the latest forward call", _normal((3, 5)),
    _backward_latest("Sigmoid"), mistakes=SIGMOID_BACKWARD_MISTAKES)


def _gradient_inputs(cls, shape):
    def inputs(rng):
        x = _away_from_zero(rng, shape) if cls == "Relu" else rng.uniform(-4.0, 4.0, shape)
        return {"x": x, "dout": rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)}
    return inputs


def _gradient_run(cls):
    def run(ns, i):
        make = need(ns, cls)
        x, dout = i["x"], i["dout"]
        with quiet():
            layer = make()
            layer.forward(x.copy())
            raw = layer.backward(dout.copy())
            analytic, problem = plain_array(raw)
            if problem:
                return {"backward vs numerical gradient": raw}  # judged as "is None", "is a list ...", etc.
            if analytic.shape != x.shape:
                raise StudentError(f"{cls}.backward returned shape {analytic.shape} for an input of shape {x.shape}.")

            def f(z):
                value, bad = plain_array(make().forward(z.copy()))
                if bad:
                    raise StudentError(f"{cls}.forward returned something that {bad}.")
                return np.sum(value * dout)

            numerical = numerical_gradient_of(f, x.copy())
        return {"backward vs numerical gradient": np.stack([analytic.astype(np.float64), numerical])}
    return run


def _gradient_rule(cls):
    def judge(got, expected, inputs):
        if isinstance(got, str):
            return f"{cls}.backward {got}."
        if got.shape != expected.shape:
            return f"{cls}.backward returned shape {got.shape[1:]}, but shape {expected.shape[1:]} was expected."
        analytic, numerical = got
        if not np.all(np.isfinite(got)):
            return f"{cls}.backward or {cls}.forward produced NaN or inf on ordinary inputs."
        forward_err = rel_error(numerical, expected[1])
        if forward_err > GRADIENT_TOL:
            return (f"the numerical gradient of your {cls}.forward is not that of the true {cls} "
                    f"(relative error {forward_err:.1e}): fix forward first.")
        err = rel_error(analytic, numerical)
        if err > GRADIENT_TOL:
            return (f"{cls}.backward disagrees with the numerical gradient of {cls}.forward: relative error "
                    f"{err:.1e} (a correct layer stays below {GRADIENT_TOL:.0e}).")
        return None
    return judge


for cls in ("Relu", "Sigmoid"):
    for shape in [(7,), (3, 4)]:
        add("activation_gradient_check", f"{cls}.backward agrees with a numerical gradient, {_label(shape)}",
            _gradient_inputs(cls, shape), _gradient_run(cls),
            custom={"backward vs numerical gradient": _gradient_rule(cls)})
