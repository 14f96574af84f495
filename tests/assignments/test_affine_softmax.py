"""Hidden checks of assignment 04 (Affine, softmax, cross entropy, SoftmaxWithLoss), judged like a submission."""

from pathlib import Path

import numpy as np
import pytest

from autograder import notebook as nbtools
from autograder.checks import affine_softmax as checks
from autograder.checks import scenarios_for
from autograder.judge import judge_cell, reference_namespace
from autograder.reference import affine_softmax as ref
from autograder.scenario import execute

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "source" / "04_affine_softmax" / "affine_softmax.ipynb"
GRADE_IDS = ["affine_forward", "affine_backward_dx", "affine_backward_params", "affine_nd_input", "softmax",
             "softmax_stability", "cross_entropy_one_hot", "cross_entropy_index", "softmax_with_loss_forward",
             "softmax_with_loss_backward"]

# What a student who read chapter 5 of the book types: Affine keeps x as it is (2-D input only),
# softmax transposes a batch, cross_entropy_error accepts both label kinds, and SoftmaxWithLoss.backward
# ignores dout and only knows one-hot labels.
BOOK_STYLE = '''
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx

def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))

def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size

class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) / batch_size
'''

# The book's final common/layers.py: flattens N-D input, and backward handles index labels.
BOOK_FINAL = BOOK_STYLE.replace('''    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b''', '''    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(x, self.W) + self.b''').replace('''        self.db = np.sum(dout, axis=0)
        return dx''', '''        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)''').replace('''        batch_size = self.t.shape[0]
        return (self.y - self.t) / batch_size''', '''        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            return (self.y - self.t) / batch_size
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size''')

# A softmax written without the transpose trick, for the softmax variants below.
DIRECT = BOOK_FINAL.replace('''    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))''', '''    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)''')

BLANK = '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        raise NotImplementedError()
    def backward(self, dout):
        raise NotImplementedError()

def softmax(x):
    raise NotImplementedError()

def cross_entropy_error(y, t):
    raise NotImplementedError()

class SoftmaxWithLoss:
    def forward(self, x, t):
        raise NotImplementedError()
    def backward(self, dout=1):
        raise NotImplementedError()
'''


def namespace(source):
    ns = {}
    exec(compile(source, "<student>", "exec"), ns)
    return ns


def variant(source, old, new):
    """``source`` with one bug: ``old`` (which must occur once) replaced by ``new``; or several pairs."""
    pairs = [(old, new)] if isinstance(old, str) else list(zip(old, new))
    for a, b in pairs:
        assert source.count(a) == 1, f"the variant's anchor must occur once: {a!r}"
        source = source.replace(a, b)
    return source


def grade(ns, grade_id):
    records = {sc.index: execute(sc, ns) for sc in scenarios_for(grade_id)}
    return judge_cell(grade_id, 1, records)


def scores(source):
    ns = namespace(source)
    return {gid: grade(ns, gid).score for gid in GRADE_IDS}


def test_notebook_grade_cells_are_the_checked_ones():
    """Does the source notebook grade exactly the cells these tests cover, each with registered scenarios?"""
    import nbformat

    cells = nbtools.graded_cells(nbformat.read(NOTEBOOK, as_version=4))
    assert [gid for gid, _ in cells] == GRADE_IDS
    for gid in GRADE_IDS:
        assert scenarios_for(gid)


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_reference_passes_every_scenario(grade_id):
    """Does the reference pass every scenario of each graded cell?"""
    cell = grade(reference_namespace(), grade_id)
    assert cell.score == 1, cell.report()


def _numerical(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f()
        x[idx] = old - h
        minus = f()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def test_reference_affine_matches_numerical_gradients():
    """Do the reference Affine's dx (in x's N-D shape), dW and db agree with central differences?"""
    rng = np.random.default_rng(0)
    x, W, b, dout = rng.standard_normal((3, 2, 2)), rng.standard_normal((4, 5)), rng.standard_normal(5), \
        rng.standard_normal((3, 5))
    layer = ref.Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)

    def f():
        return float(np.sum(ref.Affine(W, b).forward(x) * dout))

    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, _numerical(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.dW, _numerical(f, W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.db, _numerical(f, b), rtol=1e-6, atol=1e-8)


def test_reference_softmax_and_loss_against_direct_formulas():
    """Do softmax, cross entropy and SoftmaxWithLoss.backward match their textbook formulas and gradients?"""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3))
    y = ref.softmax(x)
    np.testing.assert_allclose(y, np.exp(x) / np.exp(x).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(ref.softmax(x[0]), y[0], rtol=1e-12)
    assert np.all(np.isfinite(ref.softmax(x + 1000.0)))
    labels = np.array([0, 2, 1, 2])
    t = np.eye(3)[labels]
    direct = -np.sum(t * np.log(y + 1e-7)) / 4
    assert ref.cross_entropy_error(y, t) == pytest.approx(direct, rel=1e-12)
    assert ref.cross_entropy_error(y, labels) == pytest.approx(direct, rel=1e-12)
    assert ref.cross_entropy_error(y[1], t[1]) == pytest.approx(-np.log(y[1, 2] + 1e-7), rel=1e-12)
    for labels_given in (t, labels):
        layer = ref.SoftmaxWithLoss()
        layer.forward(x, labels_given)
        dx = layer.backward()
        # the 1e-7 in the log makes the exact gradient differ from (y - t) / N by about 1e-7 relative
        num = _numerical(lambda labels=labels_given: ref.SoftmaxWithLoss().forward(x, labels), x)
        np.testing.assert_allclose(dx, num, rtol=1e-5, atol=1e-8)


def test_reference_never_mutates_inputs():
    """Does the reference leave the caller's arrays alone?"""
    rng = np.random.default_rng(2)
    x, W, b, dout = rng.standard_normal((2, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2), \
        rng.standard_normal((2, 2))
    copies = [a.copy() for a in (x, W, b, dout)]
    layer = ref.Affine(W, b)
    layer.forward(x)
    layer.backward(dout)
    ref.softmax(x)
    for before, after in zip(copies, (x, W, b, dout)):
        np.testing.assert_array_equal(before, after)


def test_book_style_gets_full_marks_except_the_added_contracts():
    """Does the seed notebook's (book chapter 5) code get full marks, except N-D Affine input,
    the one contract the issue adds beyond chapter 5?"""
    got = scores(BOOK_STYLE)
    lost = {"affine_nd_input"}
    assert {gid: s for gid, s in got.items() if gid not in lost} == {gid: 1 for gid in GRADE_IDS if gid not in lost}
    assert all(got[gid] == 0 for gid in lost), got


def test_book_style_nd_failure_names_the_flattening():
    """Does an Affine that does not flatten N-D input hear how to fix it?"""
    cell = grade(namespace(BOOK_STYLE), "affine_nd_input")
    assert "flattened to (N, -1)" in cell.report()


def test_book_final_style_gets_full_marks():
    """Do the book's final common/layers.py (flattening, index labels in backward), and the same with a
    softmax written without the transpose, get full marks?"""
    assert scores(BOOK_FINAL) == {gid: 1 for gid in GRADE_IDS}
    assert scores(DIRECT) == {gid: 1 for gid in GRADE_IDS}


def test_blank_gets_zero():
    """Do the unfilled stubs, or no definitions at all, get zero on every cell?"""
    assert scores(BLANK) == {gid: 0 for gid in GRADE_IDS}
    assert scores("") == {gid: 0 for gid in GRADE_IDS}
    cell = grade(namespace(BLANK), "softmax")
    assert "not implemented yet" in cell.report()


BUGS = [
    # (what, source, old, new, grade cell that must lose points, fragment of the message)
    ("no bias", BOOK_FINAL, "return np.dot(x, self.W) + self.b", "return np.dot(x, self.W)",
     "affine_forward", "Likely mistake: forward must add the bias"),
    ("dx without W.T", BOOK_FINAL, "dx = np.dot(dout, self.W.T)", "dx = np.dot(dout, self.W)",
     "affine_backward_dx", "Likely mistake: dx is dout @ W.T"),
    ("dW transposed", BOOK_FINAL, "self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(dout.T, self.x)",
     "affine_backward_params", "Likely mistake: dW is x.T @ dout, of shape (D, M) like W; you computed its transpose"),
    ("db over axis 1", BOOK_FINAL, "self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=1)",
     "affine_backward_params", "Likely mistake: db sums dout over the batch axis (axis=0)"),
    ("db mean", BOOK_FINAL, "self.db = np.sum(dout, axis=0)", "self.db = np.mean(dout, axis=0)",
     "affine_backward_params", "Likely mistake: db is the sum of dout over the batch, not the mean"),
    ("N-D shape not restored", BOOK_FINAL, "return dx.reshape(*self.original_x_shape)", "return dx",
     "affine_nd_input", "Likely mistake: backward must give dx the shape of the original input"),
    ("softmax without max shift", DIRECT, "x = x - np.max(x, axis=-1, keepdims=True)", "x = x",
     "softmax_stability", "Likely mistake: subtract the max before exp"),
    ("softmax with the batch max", DIRECT, "x = x - np.max(x, axis=-1, keepdims=True)", "x = x - np.max(x)",
     "softmax_stability", "Likely mistake: subtract each row's own max"),
    ("softmax over columns", DIRECT, "np.sum(np.exp(x), axis=-1, keepdims=True)",
     "np.sum(np.exp(x), axis=0, keepdims=True)",
     "softmax", "Likely mistake: normalise each row (axis=1)"),
    ("softmax over the whole batch", DIRECT, "np.sum(np.exp(x), axis=-1, keepdims=True)", "np.sum(np.exp(x))",
     "softmax", "Likely mistake: normalise each row separately"),
    ("SoftmaxWithLoss without max shift", DIRECT, "x = x - np.max(x, axis=-1, keepdims=True)", "x = x",
     "softmax_with_loss_forward", "Likely mistake: subtract the max before exp"),
    ("cross entropy not averaged", BOOK_FINAL, "+ 1e-7)) / batch_size", "+ 1e-7))",
     "cross_entropy_one_hot", "Likely mistake: average over the batch"),
    ("cross entropy without 1e-7", BOOK_FINAL, "+ 1e-7)) / batch_size", ")) / batch_size",
     "cross_entropy_one_hot", "Likely mistake: put the small constant inside the log"),
    ("cross entropy only for one-hot", BOOK_FINAL,
     ("    if t.size == y.size:\n        t = t.argmax(axis=1)\n",
      "return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size"),
     ("", "return -np.sum(t * np.log(y + 1e-7)) / batch_size"),
     "cross_entropy_index", "Likely mistake: t holds class indices here"),
    ("1-D y not reshaped", BOOK_FINAL, "    if y.ndim == 1:\n        t = t.reshape(1, t.size)\n"
     "        y = y.reshape(1, y.size)\n", "",
     "cross_entropy_one_hot", "Likely mistake: a 1-D y is one example"),
    ("backward not divided by N", BOOK_FINAL, "            return (self.y - self.t) / batch_size",
     "            return self.y - self.t",
     "softmax_with_loss_backward", "Likely mistake: divide by the batch size"),
    ("backward sign", BOOK_FINAL, "            return (self.y - self.t) / batch_size",
     "            return (self.t - self.y) / batch_size",
     "softmax_with_loss_backward", "Likely mistake: the gradient is (y - t) / N, not (t - y) / N"),
]


@pytest.mark.parametrize("what, source, old, new, grade_id, message", BUGS, ids=[b[0] for b in BUGS])
def test_single_bug_loses_points_with_the_right_message(what, source, old, new, grade_id, message):
    """Does each classic single-bug variant lose points in its cell, with the matching 'Likely mistake'?"""
    ns = namespace(variant(source, old, new))
    cell = grade(ns, grade_id)
    assert cell.score < 1, f"{what}: {cell.report()}"
    assert message in cell.report(), f"{what}: {cell.report()}"


def test_in_place_softmax_is_caught_in_one_scenario_only():
    """Does a softmax that subtracts the max in place lose only the 'input unchanged' scenario?"""
    source = variant(DIRECT, "x = x - np.max(x, axis=-1, keepdims=True)", "x -= np.max(x, axis=-1, keepdims=True)")
    cell = grade(namespace(source), "softmax")
    failed = [c for c in cell.checks if not c.passed]
    assert len(failed) == 1 and "Likely mistake: softmax changed its input" in failed[0].message


def test_checks_module_never_imports_the_reference():
    """Is the kernel-side checks module free of any reference import?"""
    text = Path(checks.__file__).read_text()
    assert "import reference" not in text and ".reference" not in text
