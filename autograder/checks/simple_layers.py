"""Hidden checks of assignment 02, simple layers: MulLayer, AddLayer and the shopping graphs."""

from ..scenario import Mistake, add, need, pair

SHAPES = [(), (5,), (3, 4), (2, 3, 4)]


def _xy(shape, ints=False):
    def inputs(rng):
        if ints:
            return {"x": int(rng.integers(1, 500)), "y": int(rng.integers(1, 9)), "dout": 1}
        return {"x": rng.standard_normal(shape), "y": rng.standard_normal(shape),
                "dout": rng.standard_normal(shape)}
    return inputs


def _label(shape, ints=False):
    return "integer scalars" if ints else ("float scalars" if shape == () else f"arrays of shape {shape}")


def mul_forward(ns, i):
    layer = need(ns, "MulLayer")()
    return {"forward output": layer.forward(i["x"], i["y"])}


def mul_backward(ns, i):
    layer = need(ns, "MulLayer")()
    layer.forward(i["x"], i["y"])
    dx, dy = pair(layer.backward(i["dout"]), "MulLayer.backward")
    return {"dx": dx, "dy": dy}


def mul_backward_latest(ns, i):
    layer = need(ns, "MulLayer")()
    layer.forward(i["y"], i["x"])
    layer.forward(i["x"], i["y"])
    dx, dy = pair(layer.backward(i["dout"]), "MulLayer.backward")
    return {"dx": dx, "dy": dy}


MUL_MISTAKES = (
    # returning (dy, dx) gives exactly these values too, so the message names both causes
    Mistake("dx", "dx should be dout times the *other* input (y), not times x (or dx and dy are returned "
            "in the wrong order: dx comes first).", lambda i, e: i["dout"] * i["x"]),
    Mistake("dy", "dy should be dout times the *other* input (x), not times y (or dx and dy are returned "
            "in the wrong order: dx comes first).", lambda i, e: i["dout"] * i["y"]),
    Mistake("dx", "backward must multiply by the upstream gradient dout.", lambda i, e: i["y"]),
    Mistake("dy", "backward must multiply by the upstream gradient dout.", lambda i, e: i["x"]),
    Mistake("dx", "backward returns (dx, dy) in that order: the gradient for x comes first.",
            lambda i, e: e["dy"]),
)

for shape in SHAPES:
    add("mul_layer_forward", f"MulLayer.forward on {_label(shape)}", _xy(shape), mul_forward)
    add("mul_layer_backward", f"MulLayer.backward on {_label(shape)}", _xy(shape), mul_backward,
        mistakes=MUL_MISTAKES)
add("mul_layer_forward", f"MulLayer.forward on {_label((), True)}", _xy((), True), mul_forward)
add("mul_layer_backward", "MulLayer.backward uses the inputs of the latest forward call", _xy((3, 2)),
    mul_backward_latest, mistakes=MUL_MISTAKES)


def add_forward(ns, i):
    return {"forward output": need(ns, "AddLayer")().forward(i["x"], i["y"])}


def add_backward(ns, i):
    layer = need(ns, "AddLayer")()
    layer.forward(i["x"], i["y"])
    dx, dy = pair(layer.backward(i["dout"]), "AddLayer.backward")
    return {"dx": dx, "dy": dy}


ADD_MISTAKES = (
    Mistake("dx", "the local derivative of x + y is 1: pass dout through unchanged (not 1 itself).",
            lambda i, e: 1.0 + 0 * i["dout"]),
    Mistake("dy", "the local derivative of x + y is 1: pass dout through unchanged (not 1 itself).",
            lambda i, e: 1.0 + 0 * i["dout"]),
    Mistake("dx", "an add node does not swap or scale: dx is dout, not dout times y.",
            lambda i, e: i["dout"] * i["y"]),
    Mistake("dy", "an add node does not swap or scale: dy is dout, not dout times x.",
            lambda i, e: i["dout"] * i["x"]),
)

for shape in SHAPES[1:]:
    add("add_layer", f"AddLayer.forward on {_label(shape)}", _xy(shape), add_forward)
    add("add_layer", f"AddLayer.backward on {_label(shape)}", _xy(shape), add_backward, mistakes=ADD_MISTAKES)


def _shop(rng):
    return {"apple": float(rng.integers(50, 400)), "apple_num": int(rng.integers(1, 9)),
            "orange": float(rng.integers(50, 400)), "orange_num": int(rng.integers(1, 9)),
            "tax": float(rng.choice([1.05, 1.08, 1.1, 1.2]))}


def buy_apples(ns, i):
    price, dapple, dapple_num, dtax = need(ns, "buy_apples", "function")(i["apple"], i["apple_num"], i["tax"])
    return {"price": price, "dapple": dapple, "dapple_num": dapple_num, "dtax": dtax}


def buy_apples_oranges(ns, i):
    out = need(ns, "buy_apples_oranges", "function")(i["apple"], i["apple_num"], i["orange"],
                                                     i["orange_num"], i["tax"])
    price, dapple, dapple_num, dorange, dorange_num, dtax = out
    return {"price": price, "dapple": dapple, "dapple_num": dapple_num, "dorange": dorange,
            "dorange_num": dorange_num, "dtax": dtax}


SHOP_MISTAKES = (
    Mistake("dtax", "dtax is the price *before* tax (the other input of the tax node).",
            lambda i, e: e["price"]),
    Mistake("dtax", "dtax came out as the tax factor itself; it is the price before tax. A MulLayer's backward "
            "returns the gradient of its first input, then of its second: check the order you unpack them in.",
            lambda i, e: i["tax"]),
    Mistake("dapple", "dapple is apple_num times the upstream gradient (tax), not apple_num alone.",
            lambda i, e: i["apple_num"]),
    Mistake("dapple_num", "dapple_num is apple times tax, not apple alone.", lambda i, e: i["apple"]),
)

for k in range(3):
    add("buy_apples", f"buy_apples with other prices, quantities and tax (case {k + 1})", _shop, buy_apples,
        mistakes=SHOP_MISTAKES)
    add("buy_apples_oranges", f"buy_apples_oranges with other prices, quantities and tax (case {k + 1})",
        _shop, buy_apples_oranges, mistakes=SHOP_MISTAKES)
