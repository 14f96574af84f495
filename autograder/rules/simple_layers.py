"""Rules of assignment 02, simple layers.

The shopping functions are judged on their own wiring: the judge replays the calls they made to the token
layers (see ``autograder.checks.simple_layers``) with what a multiplication and an addition node really
do. An output is right if the function gave it with the student's own layers, or if its wiring gives it
with correct layers: a MulLayer that does not swap its inputs costs points in the MulLayer cells only.
"""

import numpy as np

from ..checks.simple_layers import APPLE_KEYS, FRUIT_KEYS, TRACE_COLUMNS
from ..compare import describe_mismatch
from .core import Mistake, Rule, close

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

MUL_FORWARD_MISTAKES = (
    Mistake("forward output", "a multiplication node returns x * y, not x + y.", lambda i, e: i["x"] + i["y"]),
)

ADD_MISTAKES = (
    Mistake("dx", "the local derivative of x + y is 1: pass dout through unchanged (not 1 itself).",
            lambda i, e: 1.0 + 0 * i["dout"]),
    Mistake("dy", "the local derivative of x + y is 1: pass dout through unchanged (not 1 itself).",
            lambda i, e: 1.0 + 0 * i["dout"]),
    Mistake("dx", "an add node does not swap or scale: dx is dout, not dout times y.",
            lambda i, e: i["dout"] * i["y"]),
    Mistake("dy", "an add node does not swap or scale: dy is dout, not dout times x.",
            lambda i, e: i["dout"] * i["x"]),
    Mistake("forward output", "an addition node returns x + y, not x * y.", lambda i, e: i["x"] * i["y"]),
)

SHOP_MISTAKES = (
    Mistake("dtax", "dtax is the price *before* tax (the other input of the tax node).",
            lambda i, e: e["price"]),
    Mistake("dtax", "dtax came out as the tax factor itself; it is the price before tax. A MulLayer's backward "
            "returns the gradient of its first input, then of its second: check the order you unpack them in.",
            lambda i, e: i["tax"]),
    Mistake("dapple", "dapple is apple_num times the upstream gradient (tax), not apple_num alone: pass the tax "
            "node's gradient (dapple_price) to the apple node's backward, not 1.", lambda i, e: i["apple_num"]),
    Mistake("dapple_num", "dapple_num is apple times the upstream gradient (tax), not apple alone: pass the tax "
            "node's gradient to the apple node's backward, not 1.", lambda i, e: i["apple"]),
    Mistake("dapple", "dapple came out as apple * tax, the gradient of apple_num: the apple node's two gradients "
            "are unpacked in the wrong order (its backward returns the gradient of its first input first).",
            lambda i, e: i["apple"] * i["tax"]),
    Mistake("price", "price is the output of the tax node's forward (apple price times tax), not the apple "
            "price before tax.", lambda i, e: i["apple"] * i["apple_num"]),
)

FRUIT_MISTAKES = SHOP_MISTAKES + (
    Mistake("dorange", "dorange is orange_num times the upstream gradient (tax), not orange_num alone: pass the "
            "addition node's gradient to the orange node's backward.", lambda i, e: i["orange_num"]),
    Mistake("dorange", "the orange node's gradients are unpacked in the wrong order (its backward returns the "
            "gradient of its first input first).", lambda i, e: i["orange"] * i["tax"]),
    Mistake("dtax", "dtax is the price of *both* fruits before tax: the tax node's other input is the sum "
            "all_price.", lambda i, e: i["apple"] * i["apple_num"]),
)

KINDS = {0: "MulLayer", 1: "AddLayer"}


def replay(trace, returned):
    """The values the function would return with correct layers, following the tokens of the trace.

    Returns ``(values, followed)``: ``followed`` is False when the function computed with tokens itself
    (then the values mean nothing and the run with the student's own layers is judged alone)."""
    column = {name: k for k, name in enumerate(TRACE_COLUMNS)}
    real, latest = {}, {}
    tokens = set()
    for row in trace:
        tokens.update(v for v in row[column["out1"]:] if np.isfinite(v))
    followed = True

    def value(v):
        nonlocal followed
        if v in real:
            return real[v]
        if not np.isfinite(v) or abs(v) >= 1e5:  # a token that no call produced, or arithmetic on one
            followed = False
        return v

    for row in trace:
        layer, kind, op = int(row[column["layer"]]), int(row[column["kind"]]), int(row[column["op"]])
        if op == 0:
            a, b = value(row[column["a"]]), value(row[column["b"]])
            latest[layer] = (a, b)
            real[row[column["out1"]]] = a * b if kind == 0 else a + b
        else:
            d = value(row[column["a"]])
            a, b = latest.get(layer, (np.nan, np.nan))
            g = (d * b, d * a) if kind == 0 else (d, d)
            real[row[column["out1"]]], real[row[column["out2"]]] = g
    values = {key: value(float(v)) for key, v in returned.items()}
    return values, followed and bool(len(trace))


def _shopping_derive(keys):
    def derive(outputs, inputs):
        trace = outputs.get("~trace")
        traced = {k: outputs[f"~traced {k}"] for k in keys
                  if isinstance(outputs.get(f"~traced {k}"), np.ndarray) and outputs[f"~traced {k}"].size == 1}
        out = {k: v for k, v in outputs.items() if not k.startswith("~")}
        for k in keys:
            if k in out:
                out[f"~direct {k}"] = out[k]
        if isinstance(trace, np.ndarray) and trace.ndim == 2 and trace.shape[1] == len(TRACE_COLUMNS) \
                and len(traced) == len(keys):
            values, followed = replay(trace, traced)
            if followed:
                for k in keys:  # judged (and diagnosed) by the function's own wiring
                    out[k] = np.asarray(values[k], dtype=np.float64)
        return out
    return derive


def either(rtol=1e-7, atol=1e-10):
    """Right if the wiring gives the right value with correct layers, or the student's own layers did."""
    plain = close(rtol, atol)

    def judge(key, got, expected, inputs):
        msg = plain(key, got, expected, inputs)
        direct = got.get(f"~direct {key}")
        if msg and isinstance(direct, np.ndarray) and not describe_mismatch(key, direct, expected[key], rtol, atol):
            return None
        return msg
    return judge


RULES = {
    "mul_layer_forward": Rule(mistakes=MUL_FORWARD_MISTAKES),
    "mul_layer_backward": Rule(mistakes=MUL_MISTAKES, credit="output"),
    "add_layer": Rule(mistakes=ADD_MISTAKES, credit="output"),
    "buy_apples": Rule(mistakes=SHOP_MISTAKES, derive=_shopping_derive(APPLE_KEYS),
                       compare={k: either() for k in APPLE_KEYS}, credit="output"),
    "buy_apples_oranges": Rule(mistakes=FRUIT_MISTAKES, derive=_shopping_derive(FRUIT_KEYS),
                               compare={k: either() for k in FRUIT_KEYS}, credit="output"),
}
