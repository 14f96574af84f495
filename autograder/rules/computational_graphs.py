"""Rules of assignment 01, computational graphs: each output of a scenario earns its own share."""

from .core import Mistake, Rule


def _apple_price(i):
    return i["apple"] * i["apple_num"]


def _all_price(i):
    return i["apple"] * i["apple_num"] + i["orange"] * i["orange_num"]


def _same(i, value):
    """A constant as an array of the inputs' shape (scalars stay scalars)."""
    return value + 0 * i["tax"] if "tax" in i else value + 0 * i["z"]


def _taxed_sum(i):
    return (i["apple_price"] + i["orange_price"]) * i["tax"]


APPLE_FORWARD_MISTAKES = (
    Mistake("price", "price is apple_price times tax, the tax factor (e.g. 1.1), not plus tax.",
            lambda i, e: _apple_price(i) + i["tax"]),
    Mistake("price", "price is apple_price times tax; yours multiplies by the tax rate minus 1 (tax - 1), "
            "the tax alone.", lambda i, e: _apple_price(i) * (i["tax"] - 1)),
)

APPLE_BACKWARD_MISTAKES = (
    Mistake("dtax", "dtax is the *other* input of the tax node, apple_price (the price before tax), "
            "not the node's output price.", lambda i, e: _apple_price(i) * i["tax"]),
    Mistake("dapple_price", "dapple_price is the upstream gradient (1) times the other input of the tax node, tax.",
            lambda i, e: _apple_price(i)),
    Mistake("dapple_price", "dapple_price is the upstream gradient dprice (= 1) times tax, not 1 alone.",
            lambda i, e: _same(i, 1.0)),
    Mistake("dapple", "dapple must include the upstream gradient dapple_price (= tax): "
            "dapple = dapple_price * apple_num, not apple_num alone.", lambda i, e: i["apple_num"] * 1.0),
    Mistake("dapple", "a multiplication node swaps its inputs: dapple is upstream times apple_num, not times apple.",
            lambda i, e: i["apple"] * i["tax"]),
    Mistake("dapple_num", "dapple_num must include the upstream gradient dapple_price (= tax): "
            "dapple_num = dapple_price * apple, not apple alone.", lambda i, e: i["apple"] * 1.0),
    Mistake("dapple_num", "a multiplication node swaps its inputs: dapple_num is upstream times apple, "
            "not times apple_num.", lambda i, e: i["apple_num"] * i["tax"]),
    Mistake("dtax", "dtax is the other input of the tax node, apple_price = apple * apple_num, "
            "not apple alone.", lambda i, e: i["apple"] * 1.0),
)

APPLE_ORANGE_FORWARD_MISTAKES = (
    Mistake("price", "tax multiplies the *sum* of both fruit prices: price = all_price * tax.",
            lambda i, e: _apple_price(i) * i["tax"] + i["orange"] * i["orange_num"]),
    Mistake("price", "price is all_price times tax, the tax factor (e.g. 1.1), not plus tax.",
            lambda i, e: _all_price(i) + i["tax"]),
    Mistake("all_price", "all_price adds *both* fruit prices: apple_price + orange_price.",
            lambda i, e: _apple_price(i) * 1.0),
)

APPLE_ORANGE_BACKWARD_MISTAKES = (
    Mistake("dtax", "dtax is the other input of the tax node: all_price, the price of *both* fruits before tax.",
            lambda i, e: _apple_price(i)),
    Mistake("dtax", "dtax is the other input of the tax node, all_price (before tax), not the output price.",
            lambda i, e: _all_price(i) * i["tax"]),
    Mistake("dall_price", "dall_price is the upstream gradient (1) times the other input of the tax node, tax.",
            lambda i, e: _all_price(i)),
    Mistake("dapple_price", "an addition node passes the upstream gradient (dall_price = tax) through unchanged, "
            "it does not send 1.", lambda i, e: _same(i, 1.0)),
    Mistake("dorange_price", "an addition node passes the upstream gradient (dall_price = tax) through unchanged, "
            "it does not send 1.", lambda i, e: _same(i, 1.0)),
    Mistake("dapple", "dapple must include the upstream gradient (tax): dapple = dapple_price * apple_num.",
            lambda i, e: i["apple_num"] * 1.0),
    Mistake("dapple", "a multiplication node swaps its inputs: dapple is upstream times apple_num, "
            "not times apple.", lambda i, e: i["apple"] * i["tax"]),
    Mistake("dapple_num", "dapple_num must include the upstream gradient (tax): dapple_num = dapple_price * apple.",
            lambda i, e: i["apple"] * 1.0),
    Mistake("dapple_num", "a multiplication node swaps its inputs: dapple_num is upstream times apple, "
            "not times apple_num.", lambda i, e: i["apple_num"] * i["tax"]),
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

FANOUT_FORWARD_MISTAKES = (
    Mistake("apple_taxed", "apple_taxed is apple_price times tax, the tax factor (e.g. 1.1), not plus tax.",
            lambda i, e: i["apple_price"] + i["tax"]),
    Mistake("orange_taxed", "orange_taxed is orange_price times tax, the tax factor (e.g. 1.1), not plus tax.",
            lambda i, e: i["orange_price"] + i["tax"]),
    Mistake("price", "price adds the two taxed prices, apple_taxed + orange_taxed; yours multiplies them.",
            lambda i, e: i["apple_price"] * i["orange_price"] * i["tax"] ** 2),
    Mistake("price", "price adds both taxed prices; yours has only the apples.",
            lambda i, e: i["apple_price"] * i["tax"]),
)

FANOUT_BACKWARD_MISTAKES = (
    Mistake("dtax", "tax goes into two nodes, so its gradient is the *sum* of the gradients of both paths "
            "(apple node and orange node); yours keeps only the apple path.", lambda i, e: i["apple_price"] * 1.0),
    Mistake("dtax", "tax goes into two nodes, so its gradient is the *sum* of the gradients of both paths "
            "(apple node and orange node); yours keeps only the orange path (did the second path replace the "
            "first instead of adding to it?).", lambda i, e: i["orange_price"] * 1.0),
    Mistake("dtax", "the gradients of the two paths of tax are added, not multiplied.",
            lambda i, e: i["apple_price"] * i["orange_price"]),
    Mistake("dtax", "on each path, tax gets the upstream gradient times the *other* input of its node (the fruit "
            "price before tax), not the node's output.", lambda i, e: _taxed_sum(i)),
    Mistake("dtax", "dtax is a sum of gradients, not the mean of the two paths.",
            lambda i, e: (i["apple_price"] + i["orange_price"]) / 2),
    Mistake("dapple_price", "dapple_price is the upstream gradient (1, from the addition node) times the other "
            "input of its node, tax.", lambda i, e: _same(i, 1.0)),
    Mistake("dorange_price", "dorange_price is the upstream gradient (1, from the addition node) times the other "
            "input of its node, tax.", lambda i, e: _same(i, 1.0)),
    Mistake("dapple_price", "a multiplication node swaps its inputs: dapple_price is upstream times tax, "
            "not times apple_price.", lambda i, e: i["apple_price"] * 1.0),
    Mistake("dorange_price", "a multiplication node swaps its inputs: dorange_price is upstream times tax, "
            "not times orange_price.", lambda i, e: i["orange_price"] * 1.0),
)

XYZ_FORWARD_MISTAKES = (
    Mistake("f", "f multiplies the whole sum q = x + y by z; yours multiplies only y by z "
            "(the brackets around x + y were lost).", lambda i, e: i["x"] + i["y"] * i["z"]),
    Mistake("f", "f multiplies the sum q = x + y by z; yours adds z.", lambda i, e: i["x"] + i["y"] + i["z"]),
    Mistake("q", "q is the sum x + y (the addition node), not the product.", lambda i, e: i["x"] * i["y"]),
)

XYZ_BACKWARD_MISTAKES = (
    Mistake("dz", "dz is the *other* input of the multiplication node, q = x + y, not the output f.",
            lambda i, e: (i["x"] + i["y"]) * i["z"]),
    Mistake("dz", "dz is the *other* input of the multiplication node, q = x + y, not z itself.",
            lambda i, e: i["z"]),
    Mistake("dq", "dq is the *other* input of the multiplication node, z, not q itself.",
            lambda i, e: i["x"] + i["y"]),
    Mistake("dx", "the addition node passes its upstream gradient dq (= z) through unchanged, not 1.",
            lambda i, e: _same(i, 1.0)),
    Mistake("dy", "the addition node passes its upstream gradient dq (= z) through unchanged, not 1.",
            lambda i, e: _same(i, 1.0)),
    Mistake("dx", "the addition node does not swap inputs: dx is dq, not dq times y.",
            lambda i, e: i["z"] * i["y"]),
    Mistake("dy", "the addition node does not swap inputs: dy is dq, not dq times x.",
            lambda i, e: i["z"] * i["x"]),
)

RULES = {
    "apple_graph_forward": Rule(mistakes=APPLE_FORWARD_MISTAKES, credit="output"),
    "apple_graph_backward": Rule(mistakes=APPLE_BACKWARD_MISTAKES, credit="output"),
    "apple_orange_graph_forward": Rule(mistakes=APPLE_ORANGE_FORWARD_MISTAKES, credit="output"),
    "apple_orange_graph_backward": Rule(mistakes=APPLE_ORANGE_BACKWARD_MISTAKES, credit="output"),
    "fanout_forward": Rule(mistakes=FANOUT_FORWARD_MISTAKES, credit="output"),
    "fanout_backward": Rule(mistakes=FANOUT_BACKWARD_MISTAKES, credit="output"),
    "xyz_forward": Rule(mistakes=XYZ_FORWARD_MISTAKES, credit="output"),
    "xyz_backward": Rule(mistakes=XYZ_BACKWARD_MISTAKES, credit="output"),
}
