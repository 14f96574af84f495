"""Probes of assignment 01, computational graphs: forward values and gradients by hand.

Each function returns a dict; the probes keep only the documented keys. Inputs are Python numbers or
numpy arrays of one shape (the graph is applied element by element).
"""

from ..scenario import Cells, StudentError, need

CELLS = Cells()
TAXES = [1.05, 1.08, 1.1, 1.2, 1.25]
CASES = [("numbers, case 1", ()), ("numbers, case 2", ()), ("arrays", (4,)), ("arrays", (2, 3))]


def _label(kind, shape):
    return kind if shape == () else f"{kind} of shape {shape}"


def _entries(value, keys, function):
    """The documented entries of the dict a student function returned, or a friendly error."""
    if not isinstance(value, dict):
        raise StudentError(f"{function} must return a dict with the keys {', '.join(map(repr, keys))}; "
                           f"it returned {type(value).__name__}.")
    missing = [k for k in keys if k not in value]
    if missing:
        raise StudentError(f"the dict returned by {function} has no key {', '.join(map(repr, missing))} "
                           f"(it must contain {', '.join(map(repr, keys))}).")
    return {k: value[k] for k in keys}


def _shop(shape):
    def inputs(rng):
        if shape == ():
            return {"apple": float(rng.integers(50, 400)), "apple_num": int(rng.integers(1, 9)),
                    "orange": float(rng.integers(50, 400)), "orange_num": int(rng.integers(1, 9)),
                    "tax": float(rng.choice(TAXES))}
        return {"apple": rng.integers(50, 400, shape).astype(float), "apple_num": rng.integers(1, 9, shape),
                "orange": rng.integers(50, 400, shape).astype(float), "orange_num": rng.integers(1, 9, shape),
                "tax": rng.choice(TAXES, shape)}
    return inputs


def _fanout(shape):
    def inputs(rng):
        if shape == ():
            return {"apple_price": float(rng.integers(50, 2000)), "orange_price": float(rng.integers(50, 2000)),
                    "tax": float(rng.choice(TAXES))}
        return {"apple_price": rng.integers(50, 2000, shape).astype(float),
                "orange_price": rng.integers(50, 2000, shape).astype(float), "tax": rng.choice(TAXES, shape)}
    return inputs


def _xyz(shape):
    def inputs(rng):
        if shape == ():
            return {k: float(rng.standard_normal() * 5) for k in "xyz"}
        return {k: rng.standard_normal(shape) * 5 for k in "xyz"}
    return inputs


APPLE = ("apple", "apple_num", "tax")
APPLE_ORANGE = ("apple", "apple_num", "orange", "orange_num", "tax")
APPLE_VALUES = ("apple_price", "price")
APPLE_GRADS = ("dapple_price", "dtax", "dapple", "dapple_num")
APPLE_ORANGE_VALUES = ("apple_price", "orange_price", "all_price", "price")
FANOUT = ("apple_price", "orange_price", "tax")
FANOUT_VALUES = ("apple_taxed", "orange_taxed", "price")
# 'dapple_taxed' and 'dorange_taxed' are the addition node's 1 (a number even for arrays): they are judged
# through the gradients that use them
FANOUT_GRADS = ("dapple_price", "dorange_price", "dtax")
APPLE_ORANGE_GRADS = ("dall_price", "dtax", "dapple_price", "dorange_price", "dapple", "dapple_num",
                      "dorange", "dorange_num")


def _caller(function, args, keys):
    def run(ns, i):
        out = need(ns, function, "function")(*[i[a] for a in args])
        return _entries(out, keys, function)
    return run


for kind, shape in CASES:
    label = _label(kind, shape)
    CELLS.add("apple_graph_forward", f"apple_graph_forward on {label}", _shop(shape),
              _caller("apple_graph_forward", APPLE, APPLE_VALUES))
    CELLS.add("apple_graph_backward", f"apple_graph_backward on {label}", _shop(shape),
              _caller("apple_graph_backward", APPLE, APPLE_GRADS))
    CELLS.add("apple_orange_graph_forward", f"apple_orange_graph_forward on {label}", _shop(shape),
              _caller("apple_orange_graph_forward", APPLE_ORANGE, APPLE_ORANGE_VALUES))
    CELLS.add("apple_orange_graph_backward", f"apple_orange_graph_backward on {label}", _shop(shape),
              _caller("apple_orange_graph_backward", APPLE_ORANGE, APPLE_ORANGE_GRADS))
    CELLS.add("fanout_forward", f"fanout_forward on {label}", _fanout(shape),
              _caller("fanout_forward", FANOUT, FANOUT_VALUES))
    CELLS.add("fanout_backward", f"fanout_backward on {label}", _fanout(shape),
              _caller("fanout_backward", FANOUT, FANOUT_GRADS))
    CELLS.add("xyz_forward", f"xyz_forward on {label}", _xyz(shape), _caller("xyz_forward", "xyz", ("q", "f")))
    CELLS.add("xyz_backward", f"xyz_backward on {label}", _xyz(shape),
              _caller("xyz_backward", "xyz", ("dq", "dz", "dx", "dy")))
