"""Hidden checks of assignment 01, computational graphs: forward values and gradients by hand.

Each function returns a dict; the checks look only at the documented keys. Inputs are Python numbers
or numpy arrays of one shape (the graph is applied element by element).
"""

from ..scenario import Mistake, StudentError, add, need

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
APPLE_ORANGE_GRADS = ("dall_price", "dtax", "dapple_price", "dorange_price", "dapple", "dapple_num",
                      "dorange", "dorange_num")


def _caller(function, args, keys):
    def run(ns, i):
        out = need(ns, function, "function")(*[i[a] for a in args])
        return _entries(out, keys, function)
    return run


def _apple_price(i):
    return i["apple"] * i["apple_num"]


def _all_price(i):
    return i["apple"] * i["apple_num"] + i["orange"] * i["orange_num"]


APPLE_FORWARD_MISTAKES = (
    Mistake("price", "price is apple_price times tax, the tax factor (e.g. 1.1), not plus tax.",
            lambda i, e: _apple_price(i) + i["tax"]),
)

APPLE_BACKWARD_MISTAKES = (
    Mistake("dtax", "dtax is the *other* input of the tax node, apple_price (the price before tax), "
            "not the node's output price.", lambda i, e: _apple_price(i) * i["tax"]),
    Mistake("dapple_price", "dapple_price is the upstream gradient (1) times the other input of the tax node, tax.",
            lambda i, e: _apple_price(i)),
    Mistake("dapple", "dapple must include the upstream gradient dapple_price (= tax): "
            "dapple = dapple_price * apple_num, not apple_num alone.", lambda i, e: i["apple_num"] * 1.0),
    Mistake("dapple", "a multiplication node swaps its inputs: dapple is upstream times apple_num, not times apple.",
            lambda i, e: i["apple"] * i["tax"]),
    Mistake("dapple_num", "dapple_num must include the upstream gradient dapple_price (= tax): "
            "dapple_num = dapple_price * apple, not apple alone.", lambda i, e: i["apple"] * 1.0),
    Mistake("dapple_num", "a multiplication node swaps its inputs: dapple_num is upstream times apple, "
            "not times apple_num.", lambda i, e: i["apple_num"] * i["tax"]),
)

APPLE_ORANGE_FORWARD_MISTAKES = (
    Mistake("price", "tax multiplies the *sum* of both fruit prices: price = all_price * tax.",
            lambda i, e: _apple_price(i) * i["tax"] + i["orange"] * i["orange_num"]),
    Mistake("price", "price is all_price times tax, the tax factor (e.g. 1.1), not plus tax.",
            lambda i, e: _all_price(i) + i["tax"]),
)

APPLE_ORANGE_BACKWARD_MISTAKES = (
    Mistake("dtax", "dtax is the other input of the tax node: all_price, the price of *both* fruits before tax.",
            lambda i, e: _apple_price(i)),
    Mistake("dtax", "dtax is the other input of the tax node, all_price (before tax), not the output price.",
            lambda i, e: _all_price(i) * i["tax"]),
    Mistake("dapple_price", "an addition node passes the upstream gradient (dall_price = tax) through unchanged, "
            "it does not send 1.", lambda i, e: 1.0 + 0 * i["tax"]),
    Mistake("dorange_price", "an addition node passes the upstream gradient (dall_price = tax) through unchanged, "
            "it does not send 1.", lambda i, e: 1.0 + 0 * i["tax"]),
    Mistake("dapple", "dapple must include the upstream gradient (tax): dapple = dapple_price * apple_num.",
            lambda i, e: i["apple_num"] * 1.0),
    Mistake("dorange", "dorange must include the upstream gradient (tax): dorange = dorange_price * orange_num.",
            lambda i, e: i["orange_num"] * 1.0),
    Mistake("dorange", "a multiplication node swaps its inputs: dorange is upstream times orange_num, "
            "not times orange.", lambda i, e: i["orange"] * i["tax"]),
    Mistake("dorange_num", "dorange_num must include the upstream gradient (tax): "
            "dorange_num = dorange_price * orange.",
            lambda i, e: i["orange"] * 1.0),
    Mistake("dorange_num", "a multiplication node swaps its inputs: dorange_num is upstream times orange, "
            "not times orange_num.", lambda i, e: i["orange_num"] * i["tax"]),
)

XYZ_FORWARD_MISTAKES = (
    Mistake("f", "f multiplies the whole sum q = x + y by z; yours multiplies only y by z "
            "(the brackets around x + y were lost).", lambda i, e: i["x"] + i["y"] * i["z"]),
)

XYZ_BACKWARD_MISTAKES = (
    Mistake("dz", "dz is the *other* input of the multiplication node, q = x + y, not the output f.",
            lambda i, e: (i["x"] + i["y"]) * i["z"]),
    Mistake("dq", "dq is the *other* input of the multiplication node, z, not q itself.",
            lambda i, e: i["x"] + i["y"]),
    Mistake("dx", "the addition node passes its upstream gradient dq (= z) through unchanged, not 1.",
            lambda i, e: 1.0 + 0 * i["z"]),
    Mistake("dy", "the addition node passes its upstream gradient dq (= z) through unchanged, not 1.",
            lambda i, e: 1.0 + 0 * i["z"]),
    Mistake("dx", "the addition node does not swap inputs: dx is dq, not dq times y.",
            lambda i, e: i["z"] * i["y"]),
    Mistake("dy", "the addition node does not swap inputs: dy is dq, not dq times x.",
            lambda i, e: i["z"] * i["x"]),
)

for kind, shape in CASES:
    label = _label(kind, shape)
    add("apple_graph_forward", f"apple_graph_forward on {label}", _shop(shape),
        _caller("apple_graph_forward", APPLE, APPLE_VALUES), mistakes=APPLE_FORWARD_MISTAKES)
    add("apple_graph_backward", f"apple_graph_backward on {label}", _shop(shape),
        _caller("apple_graph_backward", APPLE, APPLE_GRADS), mistakes=APPLE_BACKWARD_MISTAKES)
    add("apple_orange_graph_forward", f"apple_orange_graph_forward on {label}", _shop(shape),
        _caller("apple_orange_graph_forward", APPLE_ORANGE, APPLE_ORANGE_VALUES),
        mistakes=APPLE_ORANGE_FORWARD_MISTAKES)
    add("apple_orange_graph_backward", f"apple_orange_graph_backward on {label}", _shop(shape),
        _caller("apple_orange_graph_backward", APPLE_ORANGE, APPLE_ORANGE_GRADS),
        mistakes=APPLE_ORANGE_BACKWARD_MISTAKES)
    add("xyz_forward", f"xyz_forward on {label}", _xyz(shape), _caller("xyz_forward", "xyz", ("q", "f")),
        mistakes=XYZ_FORWARD_MISTAKES)
    add("xyz_backward", f"xyz_backward on {label}", _xyz(shape),
        _caller("xyz_backward", "xyz", ("dq", "dz", "dx", "dy")), mistakes=XYZ_BACKWARD_MISTAKES)
