"""Probes of assignment 02, simple layers: MulLayer, AddLayer and the shopping graphs.

``buy_apples`` and ``buy_apples_oranges`` run twice: with the student's own layers, and with *token
layers*, stand-ins for MulLayer and AddLayer that compute nothing: every output is a fresh token (a
number taken from the scenario's inputs) and every call is noted. The judge follows the tokens to see how
the function wired its layers, so a slip in MulLayer costs points in MulLayer's cells only.
"""

import math

import numpy as np

from ..scenario import N_, Cells, Fault, StudentError, call, fill, need, pair, quiet, replaced

CELLS = Cells()
SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
TRACE_COLUMNS = ("layer", "kind", "op", "a", "b", "out1", "out2")  # kind 0 MulLayer, 1 AddLayer; op 0 fwd, 1 bwd


def _xy(shape, ints=False):
    def inputs(rng):
        if ints:
            return {"x": int(rng.integers(1, 500)), "y": int(rng.integers(1, 9)), "dout": 1}
        return {"x": rng.standard_normal(shape), "y": rng.standard_normal(shape),
                "dout": rng.standard_normal(shape)}
    return inputs


def _title(method, shape, ints=False):
    """The scenario's title (English; marked templates filled with names and shapes: the judge translates it)."""
    if ints:
        return fill(N_("{name} on integer scalars"), name=method)
    if shape == ():
        return fill(N_("{name} on float scalars"), name=method)
    return fill(N_("{name} on arrays of shape {shape}"), name=method, shape=shape)


def mul_forward(ns, i):
    """Driver: ``MulLayer().forward(x, y)``; returns ``{'forward output'}``."""
    layer = need(ns, "MulLayer")()
    return {"forward output": layer.forward(i["x"], i["y"])}


def mul_backward(ns, i):
    """Driver: ``MulLayer`` forward on ``x, y``, then ``backward(dout)``; returns ``{'dx', 'dy'}``."""
    layer = need(ns, "MulLayer")()
    layer.forward(i["x"], i["y"])
    dx, dy = pair(layer.backward(i["dout"]), "MulLayer.backward")
    return {"dx": dx, "dy": dy}


def mul_backward_latest(ns, i):
    """Driver: two forward calls (inputs swapped, then ``x, y``) before ``backward(dout)``; returns
    ``{'dx', 'dy'}`` (they must use the latest inputs)."""
    layer = need(ns, "MulLayer")()
    layer.forward(i["y"], i["x"])
    layer.forward(i["x"], i["y"])
    dx, dy = pair(layer.backward(i["dout"]), "MulLayer.backward")
    return {"dx": dx, "dy": dy}


for shape in SHAPES:
    CELLS.add("mul_layer_forward", _title("MulLayer.forward", shape), _xy(shape), mul_forward)
    CELLS.add("mul_layer_backward", _title("MulLayer.backward", shape), _xy(shape), mul_backward)
CELLS.add("mul_layer_forward", _title("MulLayer.forward", (), True), _xy((), True), mul_forward)
CELLS.add("mul_layer_backward", N_("MulLayer.backward uses the inputs of the latest forward call"), _xy((3, 2)),
          mul_backward_latest)


def add_forward(ns, i):
    """Driver: ``AddLayer().forward(x, y)``; returns ``{'forward output'}``."""
    return {"forward output": need(ns, "AddLayer")().forward(i["x"], i["y"])}


def add_backward(ns, i):
    """Driver: ``AddLayer`` forward on ``x, y``, then ``backward(dout)``; returns ``{'dx', 'dy'}``."""
    layer = need(ns, "AddLayer")()
    layer.forward(i["x"], i["y"])
    dx, dy = pair(layer.backward(i["dout"]), "AddLayer.backward")
    return {"dx": dx, "dy": dy}


for shape in SHAPES[1:]:
    CELLS.add("add_layer", _title("AddLayer.forward", shape), _xy(shape), add_forward)
    CELLS.add("add_layer", _title("AddLayer.backward", shape), _xy(shape), add_backward)


# --- the shopping graphs -----------------------------------------------------------------------------------

def _shop(rng):
    return {"apple": float(rng.integers(50, 400)), "apple_num": int(rng.integers(1, 9)),
            "orange": float(rng.integers(50, 400)), "orange_num": int(rng.integers(1, 9)),
            "tax": float(rng.choice([1.05, 1.08, 1.1, 1.2])), "tokens": rng.uniform(1e6, 2e6, 64)}


def _number(value):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return math.nan
    return float(arr.reshape(-1)[0]) if arr.size == 1 else math.nan


class TokenGraph:
    """Token layers: MulLayer and AddLayer stand-ins whose outputs are tokens; every call is noted."""

    def __init__(self, tokens):
        self.tokens, self.calls, self.count = [float(t) for t in tokens], [], 0

    def _note(self, layer, op, a, b, n):
        outs = [self.tokens.pop(0) if self.tokens else math.nan for _ in range(n)]
        self.calls.append([layer.id, layer.kind, op, _number(a), _number(b), *outs, *([math.nan] * (2 - n))])
        return outs

    def classes(self):
        """``{'MulLayer': class, 'AddLayer': class}``: the token stand-ins, bound to this graph's notes."""
        graph = self

        class MulLayer:
            kind = 0

            def __init__(self, *args, **kwargs):
                self.id = graph.count
                graph.count += 1

            def forward(self, x, y):
                return graph._note(self, 0, x, y, 1)[0]

            def backward(self, dout=1):
                return tuple(graph._note(self, 1, dout, math.nan, 2))

        class AddLayer(MulLayer):
            kind = 1

        return {"MulLayer": MulLayer, "AddLayer": AddLayer}

    def table(self):
        """The noted calls as an array of shape (calls, len(TRACE_COLUMNS)), float64."""
        return np.array(self.calls, dtype=np.float64).reshape(-1, len(TRACE_COLUMNS))


def _returned(values, keys, function):
    if type(values) not in (tuple, list) or len(values) != len(keys):
        facts = dict(function=function, count=len(keys), names=", ".join(keys), type=type(values).__name__)
        if isinstance(values, (tuple, list)):
            raise StudentError(N_("{function} must return {count} values, ({names}); it returned {type} of length "
                                  "{length}."), length=len(values), **facts)
        raise StudentError(N_("{function} must return {count} values, ({names}); it returned {type}."), **facts)
    return dict(zip(keys, values))


def _shopping(function, args, keys):
    def run(ns, i):
        fn = need(ns, function, "function")
        out = {}
        graph = TokenGraph(i["tokens"])
        with replaced(fn, ns, graph.classes()) as traced:
            if traced:
                try:
                    with quiet():
                        values = _returned(fn(*[i[a] for a in args]), keys, function)
                    out.update({f"~traced {k}": v for k, v in values.items()})
                except Exception as exc:  # the judge then goes by the run with the student's own layers
                    out["~traced error"] = type(exc).__name__
        out["~trace"] = graph.table()
        try:
            out.update(_returned(call(fn, *[i[a] for a in args], stage=function), keys, function))
        except (Fault, StudentError, NotImplementedError):
            if "~traced error" in out or not traced:
                raise
            out["~direct error"] = "raised"  # the student's own layers broke it; the token run is judged
        return out
    return run


APPLE_KEYS = ("price", "dapple", "dapple_num", "dtax")
FRUIT_KEYS = ("price", "dapple", "dapple_num", "dorange", "dorange_num", "dtax")

SHOPPING = N_("{name} with other prices, quantities and tax (case {case})")  # a title
for k in range(3):
    CELLS.add("buy_apples", fill(SHOPPING, name="buy_apples", case=k + 1), _shop,
              _shopping("buy_apples", ("apple", "apple_num", "tax"), APPLE_KEYS))
    CELLS.add("buy_apples_oranges", fill(SHOPPING, name="buy_apples_oranges", case=k + 1),
              _shop, _shopping("buy_apples_oranges", ("apple", "apple_num", "orange", "orange_num", "tax"),
                               FRUIT_KEYS))
