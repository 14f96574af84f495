"""Rules of assignment 03, activation layers: known mistakes of Relu and Sigmoid, and the gradient check.

The gradient check is computed here, from the student's forward outputs at x nudged by +h and -h that
the kernel recorded: the numerical gradient of sum(forward(x) * dout) and its relative error to backward.
"""

import numpy as np

from ..checks.activation_layers import STEP
from ..compare import rel_error
from ..i18n import N_
from .core import Mistake, Rule, say

# Bound for backward vs a central-difference gradient (h = 1e-5) of the student's own forward.
# On these inputs (|x| >= 0.1 for Relu, |x| <= 4 and |dout| >= 0.5 for Sigmoid) a correct layer
# stays below 1e-8; 1e-6 leaves room for any sound float64 implementation and still fails a
# backward that is wrong anywhere.
GRADIENT_TOL = 1e-6
GRADIENT = N_("backward vs numerical gradient")

# the outputs whose names are phrases, as messages call them (autograder.rules.core.output_name)
NAMES = (N_("forward output"), N_("x after forward"), GRADIENT)

RELU_FORWARD_MISTAKES = (
    Mistake("forward output", "Relu keeps the positive inputs and sets the others to 0; yours keeps the negative ones.",
            lambda i, e: np.minimum(i["x"], 0)),
    Mistake("forward output", "forward should return the values max(0, x), not the mask (True/False or 1/0).",
            lambda i, e: (i["x"] > 0) * 1.0),
    Mistake("forward output", "forward should return the values max(0, x), not the mask (True/False or 1/0).",
            lambda i, e: (i["x"] <= 0) * 1.0),
    Mistake("forward output", "Relu sets the negative inputs to 0, it does not flip their sign (that is abs).",
            lambda i, e: np.abs(i["x"])),
)

RELU_BACKWARD_MISTAKES = (
    Mistake("dx", "backward must use the mask of the *latest* forward call: compute the mask in forward, "
            "every time.", lambda i, e: np.where(i["x_first"] <= 0, 0, i["dout"]) if "x_first" in i else None),
    Mistake("dx", "the mask is inverted: backward passes dout where the input x was positive and sends 0 where "
            "x <= 0.", lambda i, e: np.where(i["x"] > 0, 0, i["dout"])),
    Mistake("dx", "backward must pass the upstream gradient dout, not just 1 or 0 (the mask itself).",
            lambda i, e: (i["x"] > 0) * 1.0),
    Mistake("dx", "the mask comes from the forward input x, not from the sign of dout.",
            lambda i, e: np.maximum(i["dout"], 0)),
    Mistake("dx", "at exactly 0 the gradient is 0 (the mask is x <= 0, as in the book), but your backward passes "
            "dout where x == 0.", lambda i, e: np.where(i["x"] < 0, 0, i["dout"])),
    Mistake("dx", "backward multiplies dout by the mask of the input, not by the input x itself.",
            lambda i, e: np.where(i["x"] > 0, i["dout"] * i["x"], 0)),
)

RELU_KEEP_MISTAKES = (
    Mistake("x after forward", "forward changed the array it was given. Work on a copy (out = x.copy()) "
            "and leave x as it was: the caller may still need it.", lambda i, e: np.maximum(i["x"], 0)),
) + RELU_BACKWARD_MISTAKES


def _sigmoid(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))


def _minus_sigmoid(x):
    with np.errstate(all="ignore"):
        return 1 / (1 - np.exp(-x))


SIGMOID_FORWARD_MISTAKES = (
    Mistake("forward output", "yours gives 1 - sigmoid(x): check the sign in the exponent, and the numerator: "
            "sigmoid(x) = 1 / (1 + exp(-x)).", lambda i, e: 1 - e["forward output"]),
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
    Mistake("dx", "the local derivative is (1 - y) * y, with a minus: yours looks like (1 + y) * y.",
            lambda i, e: i["dout"] * (1 + _sigmoid(i["x"])) * _sigmoid(i["x"])),
    Mistake("dx", "the local derivative is (1 - y) * y, not (1 - y) ** 2 or y ** 2.",
            lambda i, e: i["dout"] * (1 - _sigmoid(i["x"])) ** 2),
    Mistake("dx", "backward must use the output of the *latest* forward call: store y in forward, every time.",
            lambda i, e: i["dout"] * (1 - _sigmoid(i["x_first"])) * _sigmoid(i["x_first"]) if "x_first" in i
            else None),
)


def _gradient_derive(outputs, inputs):
    """The judged quantity of the gradient check: backward and the numerical gradient, side by side."""
    key = GRADIENT
    if isinstance(outputs.get(key), str):  # backward returned something that is not an array: judged as such
        return {key: outputs[key]}
    analytic, plus, minus = (outputs.get(k) for k in ("~backward", "~forward at x + h", "~forward at x - h"))
    x, dout = inputs["x"], inputs["dout"]
    if not all(isinstance(a, np.ndarray) for a in (analytic, plus, minus)):
        return {key: N_("was not recorded")}
    if plus.shape != (x.size, *x.shape) or minus.shape != plus.shape or analytic.shape != x.shape:
        return {key: N_("has shapes that do not fit the input")}
    with np.errstate(all="ignore"):
        f_plus = (plus.astype(np.float64) * dout).reshape(x.size, -1).sum(axis=1)
        f_minus = (minus.astype(np.float64) * dout).reshape(x.size, -1).sum(axis=1)
        numerical = ((f_plus - f_minus) / (2 * STEP)).reshape(x.shape)
    return {key: np.stack([analytic.astype(np.float64), numerical])}


def _gradient_rule(key, got, expected, inputs):
    cls = inputs["layer"]
    value, exp = got.get(key), expected[key]
    if isinstance(value, str):
        return say(N_("{layer}.backward {problem}."), layer=cls, problem=say(value))
    if value.shape != exp.shape:
        return say(N_("{layer}.backward returned shape {shape}, but shape {expected} was expected."), layer=cls,
                   shape=value.shape[1:], expected=exp.shape[1:])
    analytic, numerical = value
    if not np.all(np.isfinite(value)):
        return say(N_("{layer}.backward or {layer}.forward produced NaN or inf on ordinary inputs."), layer=cls)
    forward_err = rel_error(numerical, exp[1])
    if forward_err > GRADIENT_TOL:
        return say(N_("the numerical gradient of your {layer}.forward is not that of the true {layer} "
                      "(relative error {error}): fix forward first."), layer=cls, error=f"{forward_err:.1e}")
    err = rel_error(analytic, numerical)
    if err > GRADIENT_TOL:
        return say(N_("{layer}.backward disagrees with the numerical gradient of {layer}.forward: relative error "
                      "{error} (a correct layer stays below {bound})."), layer=cls, error=f"{err:.1e}",
                   bound=f"{GRADIENT_TOL:.0e}")
    return None


RULES = {
    "relu_forward": Rule(mistakes=RELU_FORWARD_MISTAKES),
    "relu_backward": Rule(mistakes=RELU_BACKWARD_MISTAKES),
    "relu_edge_cases": Rule(mistakes=RELU_KEEP_MISTAKES + RELU_FORWARD_MISTAKES),
    "sigmoid_forward": Rule(mistakes=SIGMOID_FORWARD_MISTAKES),
    "sigmoid_backward": Rule(mistakes=SIGMOID_BACKWARD_MISTAKES),
    "activation_gradient_check": Rule(derive=_gradient_derive,
                                      compare={GRADIENT: _gradient_rule}),
}
