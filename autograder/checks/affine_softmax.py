"""Probes of assignment 04: Affine, softmax, cross_entropy_error and SoftmaxWithLoss.

Contract (stated in the notebook): Affine flattens an input of shape (N, ...) to (N, D) and gives dx back
in x's shape; labels t may be one-hot (N, C) or class indices (N,); SoftmaxWithLoss.backward may ignore
dout (the book's does), because the hidden tests only call backward() or backward(1). Probabilities for
cross_entropy_error are drawn from a Dirichlet distribution (rows of positive numbers that add up to 1).
"""

import numpy as np

from ..scenario import N_, Cells, StudentError, as_float32, call, fill, need, quiet

CELLS = Cells()
# what a driver was calling, in messages about an exception (English; the judge translates it)
ON_X = N_("{name} on x of shape {shape}")
WITH_Y_T = N_("{name} with y {y} and t {t} ({dtype})")
WITH_X_T = N_("{name} with x {x} and t {t}")


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


def _affine(ns, i):
    return need(ns, "Affine")(i["W"], i["b"])


def affine_forward(ns, i):
    """Driver: ``Affine(W, b).forward(x)``; returns ``{'forward output'}``."""
    layer = _affine(ns, i)
    return {"forward output": call(layer.forward, i["x"], stage="Affine.forward")}


def affine_backward(ns, i, params=True):
    """Driver: ``Affine`` forward on ``x``, then ``backward(dout)``; returns ``{'dx'}``, and ``dW``, ``db`` (the
    attributes backward sets) when ``params``."""
    layer = _affine(ns, i)
    out = call(layer.forward, i["x"], stage=fill(ON_X, name="Affine.forward", shape=i["x"].shape))
    dx = call(layer.backward, i["dout"], stage="Affine.backward")
    if not params:
        return {"dx": dx}
    for name in ("dW", "db"):
        if getattr(layer, name, None) is None:
            raise StudentError(N_("Affine.backward must store the gradient in self.{name} (it is still None)."),
                               name=name)
    return {"forward output": out, "dx": dx, "dW": layer.dW, "db": layer.db}


def affine_backward_latest(ns, i):
    """Driver: two forward calls (``x_first``, then ``x``) before ``backward(dout)``; returns ``{'dW', 'db'}``."""
    layer = _affine(ns, i)
    call(layer.forward, i["x_first"], stage="Affine.forward")
    call(layer.forward, i["x"], stage="Affine.forward")
    call(layer.backward, i["dout"], stage="Affine.backward")
    return {"dW": layer.dW, "db": layer.db}


def affine_dx(ns, i):
    """Driver: :func:`affine_backward` without the parameters' gradients; returns ``{'dx'}``."""
    return affine_backward(ns, i, params=False)


def affine_params(ns, i):
    """Driver: :func:`affine_backward`; returns ``{'dW', 'db'}`` only."""
    out = affine_backward(ns, i)
    return {"dW": out["dW"], "db": out["db"]}


def _first_call(inputs):
    def make(rng):
        made = inputs(rng)
        return {**made, "x_first": made["x"][::-1] * 2.0}
    return make


for n, d, m in [(4, 3, 5), (1, 6, 2), (7, 4, 4), (3, 2, 1)]:
    CELLS.add("affine_forward", fill(N_("Affine.forward on x of shape {x} with W {w}"), x=(n, d), w=(d, m)),
              _affine_inputs(n, (d,), m), affine_forward)
CELLS.add("affine_forward", N_("Affine.forward on float32 x (4, 3) with float32 W (3, 5)"),
          as_float32(_affine_inputs(4, (3,), 5)), affine_forward)

for n, shape, m in [(3, (2, 3), 4), (2, (1, 4, 4), 5), (5, (3, 1), 2)]:
    CELLS.add("affine_nd_input", fill(N_("Affine forward and backward on x of shape {shape}"), shape=(n, *shape)),
              _affine_inputs(n, shape, m), affine_backward)

for n, d, m in [(4, 3, 5), (5, 4, 4), (1, 3, 2)]:
    CELLS.add("affine_backward_dx", fill(N_("Affine.backward: dx for x {x}, W {w}"), x=(n, d), w=(d, m)),
              _affine_inputs(n, (d,), m), affine_dx)

for n, d, m in [(4, 3, 5), (5, 5, 5), (1, 3, 2)]:
    CELLS.add("affine_backward_params", fill(N_("Affine.backward: dW and db for x {x}, W {w}"), x=(n, d), w=(d, m)),
              _affine_inputs(n, (d,), m), affine_params)
CELLS.add("affine_backward_params", N_("Affine.backward: dW and db on float32 x (4, 3), W (3, 5)"),
          as_float32(_affine_inputs(4, (3,), 5)), affine_params)
CELLS.add("affine_backward_params", N_("Affine.backward uses the input of the latest forward call"),
          _first_call(_affine_inputs(4, (3,), 2)), affine_backward_latest)


# --- softmax -------------------------------------------------------------------------------------

def _scores(shape, scale=3.0):
    def inputs(rng):
        return {"x": scale * rng.standard_normal(shape)}
    return inputs


def softmax_run(ns, i):
    """Driver: ``softmax(x)`` (x of shape (C,) or (N, C)); returns ``{'softmax output'}``."""
    x = i["x"]
    return {"softmax output": call(need(ns, "softmax", "function"), x,
                                   stage=fill(ON_X, name="softmax", shape=x.shape))}


def softmax_keeps_input(ns, i):
    """Driver: ``softmax(x)``; returns its output and ``x`` afterwards (it must be unchanged)."""
    x = i["x"]
    y = call(need(ns, "softmax", "function"), x, stage=fill(ON_X, name="softmax", shape=x.shape))
    return {"softmax output": y, "x after softmax": x}


CELLS.add("softmax", N_("softmax of one 1-D vector of scores (5,)"), _scores((5,)), softmax_run)
CELLS.add("softmax", N_("softmax of a batch of shape (4, 3)"), _scores((4, 3)), softmax_run)
CELLS.add("softmax", N_("softmax of a batch of one example (1, 6)"), _scores((1, 6)), softmax_run)
CELLS.add("softmax", N_("softmax of a batch of shape (3, 3), and its input stays unchanged"), _scores((3, 3)),
          softmax_keeps_input)


def _large(rows):
    def inputs(rng):
        return {"x": np.array(rows, dtype=np.float64) + 0.5 * rng.standard_normal(np.shape(rows))}
    return inputs


for title, rows in [
        (N_("softmax of a 1-D vector around 1000"), [1000.0, 1001.0, 1002.0, 999.0]),
        (N_("softmax of a batch of scores around 1000 and -1000"),
         [[1000.0, 1001.0, 998.0], [-1000.0, -1002.0, -999.0], [3000.0, 2990.0, 2995.0]]),
        (N_("softmax of a batch whose rows have very different scales"),
         [[1000.0, 1001.0, 999.5], [-2.0, 0.5, 1.0], [20.0, 10.0, 0.0]])]:
    CELLS.add("softmax_stability", title, _large(rows), softmax_run)


# --- cross entropy -------------------------------------------------------------------------------

def _probs(n, c, labels="one-hot", dtype=np.int64):
    def inputs(rng):
        y = rng.dirichlet(np.full(c, 0.7), n)
        k = rng.integers(0, c, n)
        t = _one_hot(k, c) if labels == "one-hot" else k.astype(dtype)
        return {"y": y, "t": t}
    return inputs


def _probs_1d(rng):
    return {"y": rng.dirichlet(np.full(6, 0.7)), "t": _one_hot(rng.integers(0, 6, 1), 6)[0]}


def _sure_and_wrong(rng):
    # the first two predictions are certain and wrong: a probability of exactly 0 for the right class
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.2, 0.7, 0.1], [1e-6, 0.5, 0.5 - 1e-6]])
    return {"y": y, "t": _one_hot(np.array([1, 0, 1, 0]), 3)}


def cross_entropy_run(ns, i):
    """Driver: ``cross_entropy_error(y, t)`` (t one-hot or labels); returns ``{'loss'}``."""
    y, t = i["y"], i["t"]
    loss = call(need(ns, "cross_entropy_error", "function"), y, t,
                stage=fill(WITH_Y_T, name="cross_entropy_error", y=y.shape, t=t.shape, dtype=t.dtype))
    return {"loss": loss}


ONE_HOT = N_("{name}, batch {shape}, one-hot t")  # a title
CELLS.add("cross_entropy_one_hot", fill(ONE_HOT, name="cross_entropy_error", shape=(4, 3)), _probs(4, 3),
          cross_entropy_run)
CELLS.add("cross_entropy_one_hot", fill(ONE_HOT, name="cross_entropy_error", shape=(6, 10)), _probs(6, 10),
          cross_entropy_run)
CELLS.add("cross_entropy_one_hot", N_("cross_entropy_error on one example: 1-D y (6,) and one-hot t (6,)"),
          _probs_1d, cross_entropy_run)
CELLS.add("cross_entropy_one_hot",
          N_("cross_entropy_error when the right class has probability 0 (the 1e-7 in the log)"),
          _sure_and_wrong, cross_entropy_run)

CELLS.add("cross_entropy_index", N_("cross_entropy_error, batch (4, 3), class-index t (int64)"),
          _probs(4, 3, "index"), cross_entropy_run)
CELLS.add("cross_entropy_index", N_("cross_entropy_error, batch (6, 10), class-index t (uint8, as load_mnist gives)"),
          _probs(6, 10, "index", np.uint8), cross_entropy_run)
CELLS.add("cross_entropy_index", fill(N_("{name}, batch {shape}, class-index t"), name="cross_entropy_error",
                                     shape=(3, 3)),
          _probs(3, 3, "index"), cross_entropy_run)


# --- SoftmaxWithLoss -----------------------------------------------------------------------------

def _logits(n, c, labels="one-hot", dtype=np.int64, shift=0.0):
    def inputs(rng):
        k = rng.integers(0, c, n)
        t = _one_hot(k, c) if labels == "one-hot" else k.astype(dtype)
        return {"x": shift + 2.0 * rng.standard_normal((n, c)), "t": t, "x2": 2.0 * rng.standard_normal((n, c))}
    return inputs


def own_parts(ns, i):
    """The student's own softmax of the scores, and their cross_entropy_error of it (raw, never failing): the
    judge may judge SoftmaxWithLoss against them, so that a slip in softmax costs points in its own cells."""
    out = {}
    try:
        with quiet():
            y = ns["softmax"](i["x"].copy())
            out["~own softmax"] = y
            out["~own cross entropy"] = ns["cross_entropy_error"](np.array(y, dtype=np.float64), i["t"].copy())
    except Exception:  # noted by what is missing
        pass
    return out


def swl_forward(ns, i):
    """Driver: ``SoftmaxWithLoss().forward(x, t)``; returns ``{'loss'}`` and the student's own softmax and
    cross-entropy on the same inputs."""
    layer = need(ns, "SoftmaxWithLoss")()
    loss = call(layer.forward, i["x"], i["t"],
                stage=fill(WITH_X_T, name="SoftmaxWithLoss.forward", x=i["x"].shape, t=i["t"].shape))
    return {"loss": loss, **own_parts(ns, i)}


def _swl_backward(style):
    def run(ns, i):
        layer = need(ns, "SoftmaxWithLoss")()
        stage = fill(WITH_X_T, name="SoftmaxWithLoss.forward", x=i["x"].shape, t=i["t"].shape)
        if style == "latest":
            call(layer.forward, i["x2"], i["t"], stage=stage)
        call(layer.forward, i["x"], i["t"], stage=stage)
        args = () if style in ("no dout", "latest") else (1,)
        dx = call(layer.backward, *args, stage=f"SoftmaxWithLoss.backward({', '.join(map(str, args))})")
        return {"dx": dx, **own_parts(ns, i)}
    return run


for title, inputs in [
        (fill(ONE_HOT, name="SoftmaxWithLoss.forward", shape=(4, 3)), _logits(4, 3)),
        (fill(N_("{name}, batch {shape}, class-index t"), name="SoftmaxWithLoss.forward", shape=(5, 4)),
         _logits(5, 4, "index")),
        (N_("SoftmaxWithLoss.forward with scores around 1000 (stability)"), _logits(4, 3, shift=1000.0))]:
    CELLS.add("softmax_with_loss_forward", title, inputs, swl_forward)

for title, inputs, style in [
        (fill(ONE_HOT, name="SoftmaxWithLoss.backward()", shape=(4, 3)), _logits(4, 3), "no dout"),
        (fill(ONE_HOT, name="SoftmaxWithLoss.backward(1)", shape=(6, 10)), _logits(6, 10), "dout=1"),
        (N_("SoftmaxWithLoss.backward(1), a batch of one example (1, 5)"), _logits(1, 5), "dout=1"),
        (N_("SoftmaxWithLoss.backward() uses the latest forward call"), _logits(3, 4), "latest")]:
    CELLS.add("softmax_with_loss_backward", title, inputs, _swl_backward(style))
