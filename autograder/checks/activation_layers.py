"""Probes of assignment 03, activation layers: Relu and Sigmoid.

Only behaviour is recorded (outputs, and the input array after forward), never attributes: a Relu built
on ``np.maximum`` without a ``mask`` is as good as the book's. Every student call runs with numpy's
warnings silenced (the book's ``Sigmoid`` overflows in ``np.exp(-x)`` for large negative x and warns, yet
returns the right 0.0), and ``dout`` is a fresh copy for every ``backward`` call (the book's
``Relu.backward`` writes into ``dout``). For the gradient check the probe records the student's forward
at x nudged by +h and -h, element by element; the judge computes the numerical gradient from those.
"""

import numpy as np

from ..compare import plain_array
from ..scenario import N_, Cells, StudentError, as_float32, english_problem, fill, need, quiet

CELLS = Cells()
SHAPES = [(6,), (3, 4), (2, 3, 4)]
STEP = 1e-5  # the nudge of the numerical gradient (the judge divides by 2 * STEP)


def _away_from_zero(rng, shape, low=0.1, high=3.0):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(low, high, shape)


def _on_shape(method, shape):
    """A scenario's title (English; marked templates filled with names and shapes: the judge translates it)."""
    return fill(N_("{name} on shape {shape}"), name=method, shape=shape)


FLOAT32 = N_("{name} on float32 input of shape {shape}")  # titles
STABLE = N_("{name} on inputs between -1000 and 1000 (no NaN or inf)")


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


def _twice(inputs, shift=0.0):
    """Inputs for a layer whose forward runs twice: first on x_first (= shift - x), then on x."""
    def make(rng):
        made = inputs(rng)
        return {**made, "x_first": shift - made["x"]}
    return make


def _backward_latest(cls):
    def run(ns, i):
        layer = need(ns, cls)()
        with quiet():
            layer.forward(i["x_first"])
            layer.forward(i["x"])
            return {"dx": layer.backward(i["dout"].copy())}
    return run


def relu_keeps_input(ns, i):
    """Driver: ``Relu`` forward then backward on copies; returns the forward output, ``x`` as it is after
    forward (it must be unchanged) and ``dx``."""
    x = i["x"].copy()
    layer = need(ns, "Relu")()
    with quiet():
        raw = layer.forward(x)
        out, problem = plain_array(raw)  # a snapshot, before backward can change anything
        x_after = x.copy()
        dx = layer.backward(i["dout"].copy())
    return {"forward output": raw if problem else out, "x after forward": x_after, "dx": dx}


for shape in SHAPES:
    CELLS.add("relu_forward", _on_shape("Relu.forward", shape), _normal(shape), _forward("Relu"))
    CELLS.add("relu_backward", _on_shape("Relu.backward", shape), _normal(shape), _backward("Relu"))
CELLS.add("relu_forward", fill(FLOAT32, name="Relu.forward", shape=(3, 4)), as_float32(_normal((3, 4))),
          _forward("Relu"))
CELLS.add("relu_backward", fill(FLOAT32, name="Relu.backward", shape=(3, 4)), as_float32(_normal((3, 4))),
          _backward("Relu"))
CELLS.add("relu_forward", N_("Relu.forward on inputs between -1000 and 1000"), _large((5, 8)), _forward("Relu"))
CELLS.add("relu_backward", N_("Relu.backward uses the mask of the latest forward call"), _twice(_normal((3, 5))),
          _backward_latest("Relu"))

CELLS.add("relu_edge_cases", N_("Relu.forward leaves its input array unchanged"), _normal((4, 6)),
          relu_keeps_input)
CELLS.add("relu_edge_cases", N_("Relu with inputs exactly 0 (forward gives 0, backward gives 0 there)"),
          _with_zeros, relu_keeps_input)
CELLS.add("relu_edge_cases", N_("Relu with every input negative"), _all_sign(-1.0), relu_keeps_input)
CELLS.add("relu_edge_cases", N_("Relu with every input positive"), _all_sign(1.0), relu_keeps_input)
CELLS.add("relu_edge_cases", N_("Relu on a 1-element array"), _normal((1,)), relu_keeps_input)

for shape in SHAPES:
    CELLS.add("sigmoid_forward", _on_shape("Sigmoid.forward", shape), _normal(shape), _forward("Sigmoid"))
    CELLS.add("sigmoid_backward", _on_shape("Sigmoid.backward", shape), _normal(shape), _backward("Sigmoid"))
CELLS.add("sigmoid_forward", fill(FLOAT32, name="Sigmoid.forward", shape=(3, 4)), as_float32(_normal((3, 4))),
          _forward("Sigmoid"))
CELLS.add("sigmoid_backward", fill(FLOAT32, name="Sigmoid.backward", shape=(3, 4)), as_float32(_normal((3, 4))),
          _backward("Sigmoid"))
CELLS.add("sigmoid_forward", fill(STABLE, name="Sigmoid.forward"), _large((40,)), _forward("Sigmoid"))
CELLS.add("sigmoid_backward", fill(STABLE, name="Sigmoid.backward"), _large((40,)), _backward("Sigmoid"))
CELLS.add("sigmoid_backward", N_("Sigmoid.backward uses the output of the latest forward call"),
          _twice(_normal((3, 5)), shift=2.0),
          _backward_latest("Sigmoid"))


def _gradient_inputs(cls, shape):
    def inputs(rng):
        x = _away_from_zero(rng, shape) if cls == "Relu" else rng.uniform(-4.0, 4.0, shape)
        return {"x": x, "dout": rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape), "layer": cls}
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
                raise StudentError(N_("{name}.backward returned shape {shape} for an input of shape {expected}."),
                                   name=cls, shape=analytic.shape, expected=x.shape)

            def forward(z):
                value, bad = english_problem(make().forward(z.copy()))
                if bad:
                    raise StudentError(N_("{name}.forward returned something that {problem}."), name=cls,
                                       problem=bad)
                return value

            plus, minus = [], []
            for idx in np.ndindex(*x.shape):
                for sign, found in ((1, plus), (-1, minus)):
                    z = x.copy()
                    z[idx] += sign * STEP
                    found.append(forward(z))
        return {"~backward": analytic, "~forward at x + h": np.stack(plus), "~forward at x - h": np.stack(minus)}
    return run


for cls in ("Relu", "Sigmoid"):
    for shape in [(7,), (3, 4)]:
        CELLS.add("activation_gradient_check",
                  fill(N_("{name} agrees with a numerical gradient, shape {shape}"), name=f"{cls}.backward",
                       shape=shape),
                  _gradient_inputs(cls, shape), _gradient_run(cls))
