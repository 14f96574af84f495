"""Probes of assignment 01, computational graphs: forward values and gradients by hand.

Each function returns a dict; the probes keep only the documented keys. Inputs are Python numbers or
numpy arrays of one shape (the graph is applied element by element).
"""

from ..scenario import N_, Cells, StudentError, fill, need

CELLS = Cells()
TAXES = [1.05, 1.08, 1.1, 1.2, 1.25]
CASES = [(1, ()), (2, ()), (None, (4,)), (None, (2, 3))]  # numbers (case 1 and 2), then arrays of two shapes


def _title(function, case, shape):
    """The scenario's title (English; marked templates filled with names and shapes: the judge translates it)."""
    if shape == ():
        return fill(N_("{name} on numbers, case {case}"), name=function, case=case)
    return fill(N_("{name} on arrays of shape {shape}"), name=function, shape=shape)


def _entries(value, keys, function):
    """The documented entries of the dict a student function returned, or a friendly error."""
    if not isinstance(value, dict):
        raise StudentError(N_("{function} must return a dict with the keys {keys}; it returned {type}."),
                           function=function, keys=", ".join(map(repr, keys)), type=type(value).__name__)
    missing = [k for k in keys if k not in value]
    if missing:
        raise StudentError(N_("the dict returned by {function} has no key {missing} (it must contain {keys})."),
                           function=function, missing=", ".join(map(repr, missing)), keys=", ".join(map(repr, keys)))
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


for case, shape in CASES:
    CELLS.add("apple_graph_forward", _title("apple_graph_forward", case, shape), _shop(shape),
              _caller("apple_graph_forward", APPLE, APPLE_VALUES))
    CELLS.add("apple_graph_backward", _title("apple_graph_backward", case, shape), _shop(shape),
              _caller("apple_graph_backward", APPLE, APPLE_GRADS))
    CELLS.add("apple_orange_graph_forward", _title("apple_orange_graph_forward", case, shape), _shop(shape),
              _caller("apple_orange_graph_forward", APPLE_ORANGE, APPLE_ORANGE_VALUES))
    CELLS.add("apple_orange_graph_backward", _title("apple_orange_graph_backward", case, shape), _shop(shape),
              _caller("apple_orange_graph_backward", APPLE_ORANGE, APPLE_ORANGE_GRADS))
    CELLS.add("fanout_forward", _title("fanout_forward", case, shape), _fanout(shape),
              _caller("fanout_forward", FANOUT, FANOUT_VALUES))
    CELLS.add("fanout_backward", _title("fanout_backward", case, shape), _fanout(shape),
              _caller("fanout_backward", FANOUT, FANOUT_GRADS))
    CELLS.add("xyz_forward", _title("xyz_forward", case, shape), _xyz(shape),
              _caller("xyz_forward", "xyz", ("q", "f")))
    CELLS.add("xyz_backward", _title("xyz_backward", case, shape), _xyz(shape),
              _caller("xyz_backward", "xyz", ("dq", "dz", "dx", "dy")))
