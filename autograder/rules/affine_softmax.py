"""Rules of assignment 04: Affine, softmax, cross_entropy_error and SoftmaxWithLoss."""

import numpy as np

from ..i18n import N_
from .core import MATMUL, Hint, Mistake, Rule, both, finite_first, raised, when


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _one_hot(labels, classes):
    t = np.zeros((labels.size, classes))
    t[np.arange(labels.size), labels] = 1.0
    return t


def _stability_hint(got, inputs):
    x = inputs["x"]
    if x.ndim == 2 and got.shape == x.shape:
        bad_rows = ~np.isfinite(got).all(axis=1)
        # without any shift the row holding the largest score breaks; with the whole batch's max
        # subtracted it is the rows far below it that underflow to 0/0
        if not bad_rows[np.argmax(x.max(axis=1))]:
            return N_("subtract each row's own max (np.max(x, axis=1, keepdims=True)), not the max of the whole "
                      "batch: rows far below it underflow to 0/0.")
    return N_("subtract the max before exp (softmax(x) == softmax(x - max)); exp(1000) overflows to inf "
              "and inf/inf is nan.")


def _checked(keys, rtol=1e-7, atol=1e-10, hint=None, **options):
    """A rule whose outputs are compared by :func:`finite_first` (NaN and inf are explained first)."""
    return Rule(rtol=rtol, atol=atol, compare={k: finite_first(rtol, atol, hint) for k in keys}, **options)


# --- Affine --------------------------------------------------------------------------------------

def _flat(i):
    return i["x"].reshape(i["x"].shape[0], -1)


AFFINE_KEYS = ("forward output", "dx", "dW", "db")
SHAPES_HINT = Hint("check the shapes: dx = dout @ W.T is (N, D) like x, dW = x.T @ dout is (D, M) like W, "
                   "db = dout summed over axis 0 is (M,) like b.", raised("ValueError", words=MATMUL,
                                                                          stage="Affine.backward"))
FLATTEN_HINT = Hint("an input of shape (N, ...) must be flattened to (N, -1) in forward "
                    "(remember x.shape in self.original_x_shape for backward).",
                    both(when(lambda i: i["x"].ndim > 2), raised("ValueError", words=MATMUL, stage="Affine.forward")))
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
    Mistake("dW", "dW must use the input of the *latest* forward call: store x in forward, every time.",
            lambda i, e: i["x_first"].reshape(len(i["x_first"]), -1).T @ i["dout"] if "x_first" in i else None),
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


# --- softmax -------------------------------------------------------------------------------------

def _exp_over(axis, row_shift):
    def wrong(i, e):
        x = i["x"]
        ex = np.exp(x - (x.max(axis=-1, keepdims=True) if row_shift else x.max()))
        return ex / ex.sum(axis=axis, keepdims=axis is not None)
    return wrong


def _shifted(i):
    return i["x"] - i["x"].max(axis=-1, keepdims=True)


COLUMNS = N_("normalise each row (axis=1): every example's probabilities must add up to 1. "
             "You normalised each column.")
WHOLE = N_("normalise each row separately (sum over axis=1, keepdims=True), not the whole batch at once.")
SOFTMAX_MISTAKES = (
    Mistake("softmax output", COLUMNS, _exp_over(0, False)),
    Mistake("softmax output", COLUMNS, _exp_over(0, True)),
    Mistake("softmax output", WHOLE, _exp_over(None, False)),
    Mistake("softmax output", WHOLE, _exp_over(None, True)),
    Mistake("softmax output", "softmax divides exp(x) by the sum of exp(x) over the row, not by the sum of x.",
            lambda i, e: np.exp(i["x"]) / i["x"].sum(axis=-1, keepdims=True)),
    Mistake("softmax output", "softmax is exp(x) divided by the row's sum of exp(x); yours divides x by the sum "
            "of x (no exp).", lambda i, e: i["x"] / i["x"].sum(axis=-1, keepdims=True)),
    Mistake("softmax output", "softmax is exp(x - max) divided by the row's sum of exp(x - max); yours has no exp.",
            lambda i, e: _shifted(i) / _shifted(i).sum(axis=-1, keepdims=True)),
    Mistake("softmax output", "divide exp(x - max) by the row's sum, not by its max (each row must add up to 1).",
            lambda i, e: np.exp(_shifted(i))),
    Mistake("x after softmax", "softmax changed its input: `x -= ...` writes into the caller's array. "
                               "Write `x = x - ...` to make a new one.",
            lambda i, e: i["x"] - i["x"].max(axis=-1, keepdims=True)),
)
SOFTMAX_KEYS = (N_("softmax output"), N_("x after softmax"))  # phrases: translated in messages
ONE_D_HINT = Hint("softmax must also work on one 1-D vector of scores (C,): use axis=-1, or treat x.ndim == 1 "
                  "separately.", both(when(lambda i: i["x"].ndim == 1),
                                      raised("AxisError", "IndexError", "ValueError", frame="softmax")))


# --- cross entropy -------------------------------------------------------------------------------

def _labels(i):
    t, y = i["t"], np.atleast_2d(i["y"])
    return np.atleast_2d(t).argmax(axis=1) if np.size(t) == y.size else np.reshape(t, -1)


def _picked(i):
    y = np.atleast_2d(i["y"])
    return y[np.arange(y.shape[0]), _labels(i)]


def _no_eps(i, e):
    with np.errstate(all="ignore"):
        return -np.mean(np.log(_picked(i)))


def _batch(i):
    return np.atleast_2d(i["y"]).shape[0]


CE_MISTAKES = (
    Mistake("loss", "average over the batch: divide the sum by the batch size N.",
            lambda i, e: e["loss"] * _batch(i) if _batch(i) > 1 else None),
    Mistake("loss", "divide by the batch size N, not by the number of elements N * C.",
            lambda i, e: e["loss"] / i["y"].shape[1] if i["y"].ndim == 2 else None),
    Mistake("loss", "divide by the batch size N (y.shape[0]), not by the number of classes C (y.shape[1]).",
            lambda i, e: e["loss"] * _batch(i) / i["y"].shape[1] if i["y"].ndim == 2 and
            i["y"].shape[0] != i["y"].shape[1] else None),
    Mistake("loss", "cross entropy is *minus* the sum of t * log(y): the minus sign is missing.",
            lambda i, e: -e["loss"]),
    Mistake("loss", "put the small constant inside the log, as in the book: np.log(y + 1e-7). "
                    "It keeps the loss finite (about 16.1) when the right class gets probability 0.", _no_eps),
    Mistake("loss", "cross entropy takes the log of the probability of the right class: -log(y), not -y "
                    "(the log is missing).", lambda i, e: -np.mean(_picked(i))),
    Mistake("loss", "cross_entropy_error returns the loss, one number (the mean of -log(y + 1e-7) for the right "
                    "classes), not the probabilities of the right classes.", lambda i, e: _picked(i)),
    Mistake("loss", "use the natural log (np.log), not log base 10.",
            lambda i, e: -np.mean(np.log10(_picked(i) + 1e-7))),
)
ONE_D_MISTAKES = (
    Mistake("loss", "a 1-D y is a single example: reshape y and t to (1, C) so that the batch size is 1, "
                    "not the length of y.", lambda i, e: e["loss"] / i["y"].size if i["y"].ndim == 1 else None),
)


def _index_as_one_hot(i, e):
    y, t = i["y"], i["t"]
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0] if t.ndim == y.ndim - 1 else None


INDEX_MISTAKES = (
    Mistake("loss", "t holds class indices here (shape (N,)), not one-hot rows: multiplying by t is wrong. "
                    "Pick each row's probability with y[np.arange(N), t].", _index_as_one_hot),
)
CE_KEYS = ("loss",)
LABEL_KINDS = ("IndexError", "ValueError", "AxisError", "TypeError")
CE_HINTS = (
    Hint("a 1-D y is one example: reshape y and t to (1, C) first (the book does this when y.ndim == 1), so "
         "that the batch size is 1.", both(when(lambda i: i["y"].ndim == 1),
                                          raised(*LABEL_KINDS, frame="cross_entropy_error"))),
    Hint("t holds class indices here (shape (N,)), not one-hot rows: pick each row's probability with "
         "y[np.arange(N), t].", both(when(lambda i: i["t"].ndim == i["y"].ndim - 1),
                                     raised(*LABEL_KINDS, frame="cross_entropy_error"))),
)


# --- SoftmaxWithLoss -----------------------------------------------------------------------------

def _y_minus_t(i):
    y = _softmax(i["x"])
    t = i["t"] if i["t"].ndim == 2 else _one_hot(i["t"].astype(np.int64), y.shape[1])
    return y, t


def _swl_no_eps(i, e):
    y, t = _y_minus_t(i)
    return -np.mean(np.log(np.sum(y * t, axis=1)))


SWL_LOSS_MISTAKES = (
    Mistake("loss", "forward returns the loss (a number), not the softmax probabilities self.y.",
            lambda i, e: _softmax(i["x"])),
    Mistake("loss", "forward returns the loss averaged over the batch (divide by N).",
            lambda i, e: e["loss"] * i["x"].shape[0]),
    Mistake("loss", "the loss is cross_entropy_error of the softmax output, with the small constant inside the "
                    "log as in the book (log(y + 1e-7)); yours leaves the 1e-7 out.", _swl_no_eps),
    Mistake("loss", "forward applies softmax to the scores first: the loss is cross_entropy_error(softmax(x), t), "
                    "not of the scores x themselves.",
            lambda i, e: -np.mean(np.log(np.sum(i["x"] * _y_minus_t(i)[1], axis=1) + 1e-7))),
)
SWL_MISTAKES = (
    Mistake("dx", "divide by the batch size: the loss is the mean over N examples, so dx = (y - t) / N.",
            lambda i, e: np.subtract(*_y_minus_t(i))),
    Mistake("dx", "the gradient is (y - t) / N, not (t - y) / N.", lambda i, e: -e["dx"]),
    Mistake("dx", "backward gives (y - t) / N, with y the softmax of the scores (self.y), not the scores x.",
            lambda i, e: (i["x"] - _y_minus_t(i)[1]) / i["x"].shape[0]),
    Mistake("dx", "divide by the batch size N (the number of rows), not by the number of classes C.",
            lambda i, e: np.subtract(*_y_minus_t(i)) / i["x"].shape[1] if i["x"].shape[0] != i["x"].shape[1]
            else None),
    Mistake("dx", "backward is (y - t) / N: the \"- t\" is missing (y / N is the softmax output alone).",
            lambda i, e: _y_minus_t(i)[0] / i["x"].shape[0]),
    Mistake("dx", "backward must use the scores of the *latest* forward call: store y (and t) in forward, "
                  "every time.", lambda i, e: (_softmax(i["x2"]) - _y_minus_t(i)[1]) / i["x"].shape[0]),
)
SWL_HINTS = (
    Hint("t holds class indices here (shape (N,)): y - t only works for one-hot t. Make t one-hot first, or copy "
         "y and subtract 1 at [np.arange(N), t].",
         both(when(lambda i: i["t"].ndim == 1),
              raised(*LABEL_KINDS, frame=("forward", "backward", "cross_entropy_error")))),
)

def _own_expectation(key, got, inputs):
    """What SoftmaxWithLoss gives when its own logic is right but built on the student's own softmax and
    cross_entropy_error (recorded raw, computed here); None when those did not give finite numbers."""
    if key == "loss":
        own = got.get("~own cross entropy")
    else:
        y = got.get("~own softmax")
        if not isinstance(y, np.ndarray) or y.shape != inputs["x"].shape:
            return None
        t = inputs["t"] if inputs["t"].ndim == 2 else _one_hot(inputs["t"].astype(np.int64), y.shape[1])
        own = (y - t) / y.shape[0]
    if not isinstance(own, np.ndarray) or own.dtype.kind not in "fiu" or not np.all(np.isfinite(own)):
        return None
    return own


def _on_own_parts(rtol, atol, hint):
    """Right if it matches the reference, or the same layer built on the student's own softmax and cross entropy
    (one slip, one penalty: those are graded in their own cells)."""
    plain = finite_first(rtol, atol, hint)

    def judge(key, got, expected, inputs):
        msg = plain(key, got, expected, inputs)
        own = _own_expectation(key, got, inputs)
        value = got.get(key)
        if msg and own is not None and isinstance(value, np.ndarray) and value.shape == own.shape and \
                np.allclose(value, own, rtol=max(rtol, 1e-7), atol=atol):
            return None
        return msg
    return judge


RULES = {
    "affine_forward": _checked(AFFINE_KEYS, mistakes=FORWARD_MISTAKES),
    "affine_nd_input": _checked(AFFINE_KEYS, mistakes=ND_MISTAKES + DX_MISTAKES + PARAM_MISTAKES,
                                hints=(FLATTEN_HINT, SHAPES_HINT), credit="output"),
    "affine_backward_dx": _checked(AFFINE_KEYS, mistakes=DX_MISTAKES, hints=(SHAPES_HINT,)),
    "affine_backward_params": _checked(AFFINE_KEYS, mistakes=PARAM_MISTAKES, hints=(SHAPES_HINT,), credit="output"),
    "softmax": _checked(SOFTMAX_KEYS, mistakes=SOFTMAX_MISTAKES, hints=(ONE_D_HINT,)),
    "softmax_stability": _checked(SOFTMAX_KEYS, hint=_stability_hint, mistakes=SOFTMAX_MISTAKES,
                                  hints=(ONE_D_HINT,)),
    "cross_entropy_one_hot": _checked(CE_KEYS, rtol=1e-5, mistakes=ONE_D_MISTAKES + CE_MISTAKES, hints=CE_HINTS),
    "cross_entropy_index": _checked(CE_KEYS, rtol=1e-5, mistakes=INDEX_MISTAKES + CE_MISTAKES, hints=CE_HINTS),
    "softmax_with_loss_forward": Rule(mistakes=SWL_LOSS_MISTAKES, hints=SWL_HINTS + CE_HINTS,
                                      compare={"loss": _on_own_parts(1e-7, 1e-10, _stability_hint)}),
    "softmax_with_loss_backward": Rule(mistakes=SWL_MISTAKES, hints=SWL_HINTS + CE_HINTS,
                                       compare={"dx": _on_own_parts(1e-7, 1e-10, _stability_hint)}),
}
