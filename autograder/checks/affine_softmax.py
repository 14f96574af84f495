"""Hidden checks of assignment 04: Affine, softmax, cross_entropy_error and SoftmaxWithLoss.

Contract (stated in the notebook): Affine flattens an input of shape (N, ...) to (N, D) and gives dx back
in x's shape; labels t may be one-hot (N, C) or class indices (N,); SoftmaxWithLoss.backward may ignore
dout (the book's does), because the hidden tests only call backward() or backward(1).
"""

import contextlib
import warnings

import numpy as np

from ..compare import describe_mismatch
from ..scenario import Mistake, StudentError, _where, add, as_float32, need


@contextlib.contextmanager
def quiet():
    """Silence numpy warnings of student code: a wrong softmax overflows, and stderr would cost points."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def call(fn, *args, hint="", what=""):
    """Call student code; an exception becomes a message saying where, with a hint when there is one."""
    try:
        with quiet():
            return fn(*args)
    except (NotImplementedError, StudentError):
        raise
    except Exception as exc:  # student code may raise anything
        msg = f"{what or getattr(fn, '__qualname__', 'the call')} raised {type(exc).__name__}: {exc}{_where(exc)}."
        raise StudentError(msg + (f" Likely mistake: {hint}" if hint else "")) from None


def _stability_hint(got, inputs):
    x = inputs["x"]
    if x.ndim == 2 and got.shape == x.shape:
        bad_rows = ~np.isfinite(got).all(axis=1)
        # without any shift the row holding the largest score breaks; with the whole batch's max
        # subtracted it is the rows far below it that underflow to 0/0
        if not bad_rows[np.argmax(x.max(axis=1))]:
            return ("subtract each row's own max (np.max(x, axis=1, keepdims=True)), not the max of the whole "
                    "batch: rows far below it underflow to 0/0.")
    return ("subtract the max before exp (softmax(x) == softmax(x - max)); exp(1000) overflows to inf "
            "and inf/inf is nan.")


def finite_first(key, rtol, atol, hint=None):
    """Compare like describe_mismatch, but explain NaN/inf first (and name a likely cause via ``hint``)."""
    def judge(got, expected, inputs):
        if isinstance(got, str):
            return f"{key} {got}"
        if got.shape == expected.shape and got.dtype.kind == "f":
            bad = ~np.isfinite(got) & np.isfinite(expected)
            if bad.any():
                first = np.argwhere(bad)[0]
                at = "" if got.ndim == 0 else f", first at [{', '.join(str(int(k)) for k in first)}]"
                kind = "NaN" if np.isnan(got[bad]).any() else "inf"
                msg = (f"{key} contains {kind} at {int(bad.sum())} position(s){at}; "
                       "look for 0/0, log of 0 or overflow in exp.")
                cause = hint(got, inputs) if hint else ""
                return msg + (f" Likely mistake: {cause}" if cause else "")
        return describe_mismatch(key, got, expected, rtol=rtol, atol=atol)
    return judge


def add_checked(grade_id, title, inputs, run, keys, *, rtol=1e-7, atol=1e-10, mistakes=(), hint=None):
    """``add`` with every output compared by :func:`finite_first`."""
    custom = {key: finite_first(key, rtol, atol, hint) for key in keys}
    return add(grade_id, title, inputs, run, rtol=rtol, atol=atol, mistakes=mistakes, custom=custom)


def _softmax(x):
    # only to make inputs and to recognise wrong answers; never the grader's answer
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _one_hot(labels, classes):
    t = np.zeros((labels.size, classes))
    t[np.arange(labels.size), labels] = 1.0
    return t


# --- Affine --------------------------------------------------------------------------------------

def _affine_inputs(n, x_shape, m):
    def inputs(rng):
        d = int(np.prod(x_shape))
        return {"x": rng.standard_normal((n, *x_shape)), "W": rng.standard_normal((d, m)),
                "b": rng.standard_normal(m), "dout": rng.standard_normal((n, m))}
    return inputs


SHAPES_HINT = ("check the shapes: dx = dout @ W.T is (N, D) like x, dW = x.T @ dout is (D, M) like W, "
               "db = dout summed over axis 0 is (M,) like b.")


def _affine(ns, i):
    return need(ns, "Affine")(i["W"], i["b"])


def _flat(i):
    return i["x"].reshape(i["x"].shape[0], -1)


def affine_forward(ns, i):
    layer = _affine(ns, i)
    return {"forward output": call(layer.forward, i["x"], what="Affine.forward")}


def affine_backward(ns, i, params=True):
    layer = _affine(ns, i)
    nd = i["x"].ndim > 2
    flat_hint = ("an input of shape (N, ...) must be flattened to (N, -1) in forward "
                 "(remember x.shape in self.original_x_shape for backward)." if nd else "")
    out = call(layer.forward, i["x"], hint=flat_hint, what=f"Affine.forward on x of shape {i['x'].shape}")
    dx = call(layer.backward, i["dout"], hint=SHAPES_HINT, what="Affine.backward")
    if not params:
        return {"dx": dx}
    for name in ("dW", "db"):
        if getattr(layer, name, None) is None:
            raise StudentError(f"Affine.backward must store the gradient in self.{name} (it is still None).")
    return {"forward output": out, "dx": dx, "dW": layer.dW, "db": layer.db}


def affine_backward_latest(ns, i):
    layer = _affine(ns, i)
    call(layer.forward, i["x"][::-1] * 2.0, what="Affine.forward")
    call(layer.forward, i["x"], what="Affine.forward")
    call(layer.backward, i["dout"], hint=SHAPES_HINT, what="Affine.backward")
    return {"dW": layer.dW, "db": layer.db}


def affine_dx(ns, i):
    return affine_backward(ns, i, params=False)


def affine_params(ns, i):
    out = affine_backward(ns, i)
    return {"dW": out["dW"], "db": out["db"]}


AFFINE_KEYS = ("forward output", "dx", "dW", "db")
FORWARD_MISTAKES = (
    Mistake("forward output", "forward must add the bias: out = x @ W + b.", lambda i, e: _flat(i) @ i["W"]),
)
DX_MISTAKES = (
    Mistake("dx", "dx is dout @ W.T: transpose W, so that dx gets x's shape (N, D).",
            lambda i, e: i["dout"] @ i["W"]),
    Mistake("dx", "dx does not involve x: it is dout @ W.T.", lambda i, e: i["dout"] @ i["W"].T * i["x"]),
)
PARAM_MISTAKES = (
    Mistake("dW", "dW is x.T @ dout, of shape (D, M) like W; you computed its transpose.",
            lambda i, e: e["dW"].T),
    Mistake("dW", "dW is x.T @ dout (the input of the latest forward call, transposed, times dout).",
            lambda i, e: i["dout"].T @ _flat(i)),
    Mistake("db", "db sums dout over the batch axis (axis=0): one value per output, like b. "
                  "You summed over axis 1.", lambda i, e: i["dout"].sum(axis=1)),
    Mistake("db", "db must add dout up over the batch (np.sum(dout, axis=0)); it is dout itself here.",
            lambda i, e: i["dout"]),
    Mistake("db", "db is the sum of dout over the batch, not the mean.", lambda i, e: i["dout"].mean(axis=0)),
    Mistake("db", "db sums over the batch axis only (axis=0), not over every element.",
            lambda i, e: i["dout"].sum()),
)
ND_MISTAKES = (
    Mistake("dx", "backward must give dx the shape of the original input: "
                  "reshape it with self.original_x_shape (saved in forward).",
            lambda i, e: e["dx"].reshape(i["x"].shape[0], -1)),
)

for n, d, m in [(4, 3, 5), (1, 6, 2), (7, 4, 4), (3, 2, 1)]:
    add_checked("affine_forward", f"Affine.forward on x of shape ({n}, {d}) with W ({d}, {m})",
                _affine_inputs(n, (d,), m), affine_forward, AFFINE_KEYS, mistakes=FORWARD_MISTAKES)

add_checked("affine_forward", "Affine.forward on float32 x (4, 3) with float32 W (3, 5)",
            as_float32(_affine_inputs(4, (3,), 5)), affine_forward, AFFINE_KEYS, mistakes=FORWARD_MISTAKES)

for n, shape, m in [(3, (2, 3), 4), (2, (1, 4, 4), 5), (5, (3, 1), 2)]:
    add_checked("affine_nd_input", f"Affine forward and backward on x of shape ({n}, {', '.join(map(str, shape))})",
                _affine_inputs(n, shape, m), affine_backward, AFFINE_KEYS,
                mistakes=ND_MISTAKES + DX_MISTAKES + PARAM_MISTAKES)

for n, d, m in [(4, 3, 5), (5, 4, 4), (1, 3, 2)]:
    add_checked("affine_backward_dx", f"Affine.backward: dx for x ({n}, {d}), W ({d}, {m})",
                _affine_inputs(n, (d,), m), affine_dx, AFFINE_KEYS, mistakes=DX_MISTAKES)

for n, d, m in [(4, 3, 5), (5, 5, 5), (1, 3, 2)]:
    add_checked("affine_backward_params", f"Affine.backward: dW and db for x ({n}, {d}), W ({d}, {m})",
                _affine_inputs(n, (d,), m), affine_params, AFFINE_KEYS, mistakes=PARAM_MISTAKES)
add_checked("affine_backward_params", "Affine.backward: dW and db on float32 x (4, 3), W (3, 5)",
            as_float32(_affine_inputs(4, (3,), 5)), affine_params, AFFINE_KEYS, mistakes=PARAM_MISTAKES)
add_checked("affine_backward_params", "Affine.backward uses the input of the latest forward call",
            _affine_inputs(4, (3,), 2), affine_backward_latest, AFFINE_KEYS, mistakes=PARAM_MISTAKES)


# --- softmax -------------------------------------------------------------------------------------

def _scores(shape, scale=3.0):
    def inputs(rng):
        return {"x": scale * rng.standard_normal(shape)}
    return inputs


def softmax_run(ns, i):
    x = i["x"]
    hint = ("softmax must also work on one 1-D vector of scores (C,): "
            "use axis=-1, or treat x.ndim == 1 separately." if x.ndim == 1 else "")
    y = call(need(ns, "softmax", "function"), x, hint=hint, what=f"softmax on x of shape {x.shape}")
    return {"softmax output": y}


def softmax_keeps_input(ns, i):
    x = i["x"]
    y = call(need(ns, "softmax", "function"), x, what=f"softmax on x of shape {x.shape}")
    return {"softmax output": y, "x after softmax": x}


def _exp_over(axis, row_shift):
    def wrong(i, e):
        x = i["x"]
        ex = np.exp(x - (x.max(axis=-1, keepdims=True) if row_shift else x.max()))
        return ex / ex.sum(axis=axis, keepdims=axis is not None)
    return wrong


COLUMNS = ("normalise each row (axis=1): every example's probabilities must add up to 1. "
           "You normalised each column.")
WHOLE = "normalise each row separately (sum over axis=1, keepdims=True), not the whole batch at once."
SOFTMAX_MISTAKES = (
    Mistake("softmax output", COLUMNS, _exp_over(0, False)),
    Mistake("softmax output", COLUMNS, _exp_over(0, True)),
    Mistake("softmax output", WHOLE, _exp_over(None, False)),
    Mistake("softmax output", WHOLE, _exp_over(None, True)),
    Mistake("x after softmax", "softmax changed its input: `x -= ...` writes into the caller's array. "
                               "Write `x = x - ...` to make a new one.",
            lambda i, e: i["x"] - i["x"].max(axis=-1, keepdims=True)),
)

SOFTMAX_KEYS = ("softmax output", "x after softmax")
add_checked("softmax", "softmax of one 1-D vector of scores (5,)", _scores((5,)), softmax_run, SOFTMAX_KEYS,
            mistakes=SOFTMAX_MISTAKES)
add_checked("softmax", "softmax of a batch of shape (4, 3)", _scores((4, 3)), softmax_run, SOFTMAX_KEYS,
            mistakes=SOFTMAX_MISTAKES)
add_checked("softmax", "softmax of a batch of one example (1, 6)", _scores((1, 6)), softmax_run, SOFTMAX_KEYS,
            mistakes=SOFTMAX_MISTAKES)
add_checked("softmax", "softmax of a batch of shape (3, 3), and its input stays unchanged", _scores((3, 3)),
            softmax_keeps_input, SOFTMAX_KEYS, mistakes=SOFTMAX_MISTAKES)


def _large(rows):
    def inputs(rng):
        return {"x": np.array(rows, dtype=np.float64) + 0.5 * rng.standard_normal(np.shape(rows))}
    return inputs


for title, rows in [
        ("softmax of a 1-D vector around 1000", [1000.0, 1001.0, 1002.0, 999.0]),
        ("softmax of a batch of scores around 1000 and -1000",
         [[1000.0, 1001.0, 998.0], [-1000.0, -1002.0, -999.0], [3000.0, 2990.0, 2995.0]]),
        ("softmax of a batch whose rows have very different scales",
         [[1000.0, 1001.0, 999.5], [-2.0, 0.5, 1.0], [20.0, 10.0, 0.0]])]:
    add_checked("softmax_stability", title, _large(rows), softmax_run, SOFTMAX_KEYS, hint=_stability_hint)


# --- cross entropy -------------------------------------------------------------------------------

def _probs(n, c, labels="one-hot", dtype=np.int64):
    def inputs(rng):
        y = _softmax(2.0 * rng.standard_normal((n, c)))
        k = rng.integers(0, c, n)
        t = _one_hot(k, c) if labels == "one-hot" else k.astype(dtype)
        return {"y": y, "t": t}
    return inputs


def _probs_1d(rng):
    y = _softmax(2.0 * rng.standard_normal(6))
    return {"y": y, "t": _one_hot(rng.integers(0, 6, 1), 6)[0]}


def _sure_and_wrong(rng):
    # the first two predictions are certain and wrong: a probability of exactly 0 for the right class
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.2, 0.7, 0.1], [1e-6, 0.5, 0.5 - 1e-6]])
    return {"y": y, "t": _one_hot(np.array([1, 0, 1, 0]), 3)}


def cross_entropy_run(ns, i):
    y, t = i["y"], i["t"]
    if y.ndim == 1:
        hint = ("a 1-D y is one example: reshape y and t to (1, C) first (the book does this "
                "when y.ndim == 1), so that the batch size is 1.")
    elif t.ndim == y.ndim - 1:
        hint = ("t holds class indices here (shape (N,)), not one-hot rows: "
                "pick each row's probability with y[np.arange(N), t].")
    else:
        hint = ""
    loss = call(need(ns, "cross_entropy_error", "function"), y, t, hint=hint,
                what=f"cross_entropy_error with y {y.shape} and t {t.shape} ({t.dtype})")
    return {"loss": loss}


def _labels(i):
    t, y = i["t"], np.atleast_2d(i["y"])
    return np.atleast_2d(t).argmax(axis=1) if np.size(t) == y.size else np.reshape(t, -1)


def _no_eps(i, e):
    y = np.atleast_2d(i["y"])
    with np.errstate(all="ignore"):
        return -np.mean(np.log(y[np.arange(y.shape[0]), _labels(i)]))


CE_MISTAKES = (
    Mistake("loss", "average over the batch: divide the sum by the batch size N.",
            lambda i, e: e["loss"] * np.atleast_2d(i["y"]).shape[0]),
    Mistake("loss", "divide by the batch size N, not by the number of elements N * C.",
            lambda i, e: e["loss"] / np.atleast_2d(i["y"]).shape[1] if i["y"].ndim == 2 else np.nan),
    Mistake("loss", "cross entropy is *minus* the sum of t * log(y): the minus sign is missing.",
            lambda i, e: -e["loss"]),
    Mistake("loss", "put the small constant inside the log, as in the book: np.log(y + 1e-7). "
                    "It keeps the loss finite (about 16.1) when the right class gets probability 0.", _no_eps),
)
ONE_D_MISTAKES = (
    Mistake("loss", "a 1-D y is a single example: reshape y and t to (1, C) so that the batch size is 1, "
                    "not the length of y.", lambda i, e: e["loss"] / i["y"].size),
)


def _index_as_one_hot(i, e):
    y, t = i["y"], i["t"]
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]


INDEX_MISTAKES = CE_MISTAKES + (
    Mistake("loss", "t holds class indices here (shape (N,)), not one-hot rows: multiplying by t is wrong. "
                    "Pick each row's probability with y[np.arange(N), t].", _index_as_one_hot),
)

CE_KEYS = ("loss",)
add_checked("cross_entropy_one_hot", "cross_entropy_error, batch (4, 3), one-hot t", _probs(4, 3),
            cross_entropy_run, CE_KEYS, rtol=1e-5, mistakes=CE_MISTAKES)
add_checked("cross_entropy_one_hot", "cross_entropy_error, batch (6, 10), one-hot t", _probs(6, 10),
            cross_entropy_run, CE_KEYS, rtol=1e-5, mistakes=CE_MISTAKES)
add_checked("cross_entropy_one_hot", "cross_entropy_error on one example: 1-D y (6,) and one-hot t (6,)",
            _probs_1d, cross_entropy_run, CE_KEYS, rtol=1e-5, mistakes=ONE_D_MISTAKES + CE_MISTAKES)
add_checked("cross_entropy_one_hot",
            "cross_entropy_error when the right class has probability 0 (the 1e-7 in the log)",
            _sure_and_wrong, cross_entropy_run, CE_KEYS, mistakes=CE_MISTAKES)

add_checked("cross_entropy_index", "cross_entropy_error, batch (4, 3), class-index t (int64)",
            _probs(4, 3, "index"), cross_entropy_run, CE_KEYS, rtol=1e-5, mistakes=INDEX_MISTAKES)
add_checked("cross_entropy_index", "cross_entropy_error, batch (6, 10), class-index t (uint8, as load_mnist gives)",
            _probs(6, 10, "index", np.uint8), cross_entropy_run, CE_KEYS, rtol=1e-5, mistakes=INDEX_MISTAKES)
add_checked("cross_entropy_index", "cross_entropy_error, batch (3, 3), class-index t",
            _probs(3, 3, "index"), cross_entropy_run, CE_KEYS, rtol=1e-5, mistakes=INDEX_MISTAKES)


# --- SoftmaxWithLoss -----------------------------------------------------------------------------

def _logits(n, c, labels="one-hot", dtype=np.int64, shift=0.0):
    def inputs(rng):
        k = rng.integers(0, c, n)
        t = _one_hot(k, c) if labels == "one-hot" else k.astype(dtype)
        return {"x": shift + 2.0 * rng.standard_normal((n, c)), "t": t, "x2": 2.0 * rng.standard_normal((n, c))}
    return inputs


def _index_hint(i):
    return ("t holds class indices here (shape (N,)): y - t only works for one-hot t. "
            "Make t one-hot first, or copy y and subtract 1 at [np.arange(N), t]." if i["t"].ndim == 1 else "")


def swl_forward(ns, i):
    layer = need(ns, "SoftmaxWithLoss")()
    loss = call(layer.forward, i["x"], i["t"], hint=_index_hint(i),
                what=f"SoftmaxWithLoss.forward with x {i['x'].shape} and t {i['t'].shape}")
    return {"loss": loss}


def _swl_backward(style):
    def run(ns, i):
        layer = need(ns, "SoftmaxWithLoss")()
        what = f"SoftmaxWithLoss with x {i['x'].shape} and t {i['t'].shape}"
        if style == "latest":
            call(layer.forward, i["x2"], i["t"], what=what)
        call(layer.forward, i["x"], i["t"], hint=_index_hint(i), what=what)
        args = () if style in ("no dout", "latest") else (1,)
        dx = call(layer.backward, *args, hint=_index_hint(i),
                  what=f"SoftmaxWithLoss.backward({', '.join(map(str, args))})")
        return {"dx": dx}
    return run


def _y_minus_t(i):
    y = _softmax(i["x"])
    t = i["t"] if i["t"].ndim == 2 else _one_hot(i["t"].astype(np.int64), y.shape[1])
    return y, t


def _swl_no_eps(i, e):
    y, t = _y_minus_t(i)
    return -np.mean(np.log(np.sum(y * t, axis=1)))


SWL_LOSS_MISTAKES = (
    Mistake("loss", "forward returns the loss averaged over the batch (divide by N).",
            lambda i, e: e["loss"] * i["x"].shape[0]),
    Mistake("loss", "the loss is cross_entropy_error of the softmax output, with the small constant inside the "
                    "log as in the book (log(y + 1e-7)); yours leaves the 1e-7 out.", _swl_no_eps),
)
SWL_MISTAKES = (
    Mistake("dx", "divide by the batch size: the loss is the mean over N examples, so dx = (y - t) / N.",
            lambda i, e: np.subtract(*_y_minus_t(i))),
    Mistake("dx", "the gradient is (y - t) / N, not (t - y) / N.", lambda i, e: -e["dx"]),
    Mistake("dx", "backward gives (y - t) / N, with y the softmax of the scores (self.y), not the scores x.",
            lambda i, e: (i["x"] - _y_minus_t(i)[1]) / i["x"].shape[0]),
)


for title, inputs in [("SoftmaxWithLoss.forward, batch (4, 3), one-hot t", _logits(4, 3)),
                      ("SoftmaxWithLoss.forward, batch (5, 4), class-index t", _logits(5, 4, "index")),
                      ("SoftmaxWithLoss.forward with scores around 1000 (stability)", _logits(4, 3, shift=1000.0))]:
    add_checked("softmax_with_loss_forward", title, inputs, swl_forward, CE_KEYS, mistakes=SWL_LOSS_MISTAKES,
                hint=_stability_hint)

for title, inputs, style in [
        ("SoftmaxWithLoss.backward(), batch (4, 3), one-hot t", _logits(4, 3), "no dout"),
        ("SoftmaxWithLoss.backward(1), batch (6, 10), one-hot t", _logits(6, 10), "dout=1"),
        ("SoftmaxWithLoss.backward(1), a batch of one example (1, 5)", _logits(1, 5), "dout=1"),
        ("SoftmaxWithLoss.backward() uses the latest forward call", _logits(3, 4), "latest")]:
    add_checked("softmax_with_loss_backward", title, inputs, _swl_backward(style), ("dx",), mistakes=SWL_MISTAKES,
                hint=_stability_hint)

