"""Assignment 03, activation layers: do the hidden checks accept right answers and name wrong ones?"""

import textwrap
import warnings

import nbformat
import numpy as np
import pytest

from autograder import notebook as nbtools
from autograder.checks import scenarios_for
from autograder.judge import judge_cell, reference_namespace
from autograder.rules.activation_layers import GRADIENT_TOL
from autograder.scenario import execute
from course.sequence import ROOT, by_name

ASSIGNMENT = by_name("03_activation_layers")
POINTS = dict(nbtools.graded_cells(nbformat.read(ROOT / "source" / ASSIGNMENT.name / ASSIGNMENT.notebook,
                                                 as_version=4)))


def grade(ns, grade_id):
    records = {sc.index: execute(sc, ns) for sc in scenarios_for(grade_id)}
    return judge_cell(grade_id, POINTS[grade_id], records)


def namespace(source):
    ns = {"np": np}
    exec(textwrap.dedent(source), ns)
    return ns


# The book's code, as in the seed notebook: Relu.backward writes into dout, Sigmoid overflows in exp.
BOOK = """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx
"""

# Other correct ways: no mask attribute, np.maximum / np.where, a tanh sigmoid that caches x instead of y.
OTHER = """
class Relu:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, dout):
        return np.where(self.x > 0, dout, 0.0)


class Sigmoid:
    def forward(self, x):
        self.x = x
        return 0.5 * (1 + np.tanh(x / 2))

    def backward(self, dout):
        y = 0.5 * (1 + np.tanh(self.x / 2))
        return dout * y * (1 - y)
"""

BLANK = """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        raise NotImplementedError("replace this line with your code")

    def backward(self, dout):
        raise NotImplementedError("replace this line with your code")


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        raise NotImplementedError("replace this line with your code")

    def backward(self, dout):
        raise NotImplementedError("replace this line with your code")
"""


def with_change(old, new, base=BOOK):
    assert old in base, old
    return namespace(base.replace(old, new))


def test_grade_ids_match_the_notebook():
    """Does the notebook have the six graded cells of the brief, each with scenarios?"""
    assert set(POINTS) == {"relu_forward", "relu_backward", "relu_edge_cases", "sigmoid_forward",
                           "sigmoid_backward", "activation_gradient_check"}
    for gid in POINTS:
        assert len(scenarios_for(gid)) >= 4


@pytest.mark.parametrize("gid", sorted(POINTS))
def test_reference_gets_full_marks(gid):
    """Does the reference pass every scenario of every graded cell?"""
    cell = grade(reference_namespace(), gid)
    assert cell.score == cell.points, cell.report()


@pytest.mark.parametrize("source", [BOOK, OTHER], ids=["book", "maximum-where-tanh"])
@pytest.mark.parametrize("gid", sorted(POINTS))
def test_independent_correct_code_gets_full_marks(gid, source):
    """Do the book's code and an implementation without mask/out attributes both get full marks?"""
    cell = grade(namespace(source), gid)
    assert cell.score == cell.points, cell.report()


@pytest.mark.parametrize("gid", ["sigmoid_forward", "sigmoid_backward"])
def test_book_sigmoid_overflow_warning_never_escapes(gid):
    """Does the book's Sigmoid (np.exp overflow on x = -1000) pass without one warning reaching the caller?"""
    ns = namespace(BOOK)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        records = {sc.index: execute(sc, ns) for sc in scenarios_for(gid)}
    assert caught == []
    cell = judge_cell(gid, POINTS[gid], records)
    assert cell.score == cell.points, cell.report()


def test_book_sigmoid_does_warn_without_the_guard():
    """Is the guard needed at all: does the book's Sigmoid warn on x = -1000 when nothing silences it?"""
    layer = namespace(BOOK)["Sigmoid"]()
    with pytest.warns(RuntimeWarning, match="overflow"), np.errstate(over="warn"):
        out = layer.forward(np.array([-1000.0, 1000.0]))
    assert out.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("gid", sorted(POINTS))
def test_blank_gets_zero(gid):
    """Does the unfilled notebook (stubs raising NotImplementedError) get 0 on every cell?"""
    cell = grade(namespace(BLANK), gid)
    assert cell.score == 0
    assert "not implemented yet" in cell.report()


def test_missing_class_is_named():
    """Is a layer that was never defined named in the feedback?"""
    cell = grade({}, "sigmoid_backward")
    assert cell.score == 0
    assert "`Sigmoid` is not defined" in cell.report()


def test_strict_mask_loses_the_zero_case_only():
    """Does mask = (x < 0) fail just the exact-zero scenario, saying that the gradient at 0 is 0?"""
    ns = with_change("self.mask = (x <= 0)", "self.mask = (x < 0)")
    for gid in ("relu_forward", "relu_backward", "activation_gradient_check"):
        cell = grade(ns, gid)
        assert cell.score == cell.points, cell.report()
    cell = grade(ns, "relu_edge_cases")
    failed = [c for c in cell.checks if not c.passed]
    assert [c.title for c in failed] == ["Relu with inputs exactly 0 (forward gives 0, backward gives 0 there)"]
    assert "at exactly 0 the gradient is 0" in failed[0].message


def test_forward_that_changes_its_input_loses_points():
    """Does a forward that zeroes x in place lose points in relu_edge_cases, with the reason?"""
    ns = with_change("out = x.copy()", "out = x")
    cell = grade(ns, "relu_edge_cases")
    assert cell.score < cell.points
    assert "forward changed the array it was given" in cell.report()
    assert grade(ns, "relu_forward").score == POINTS["relu_forward"]


BUGS = [
    ("relu_backward", "dout[self.mask] = 0", "dout[~self.mask] = 0", "the mask is inverted"),
    ("relu_backward", "dx = dout\n", "dx = 1.0 * ~self.mask\n", "not just 1 or 0"),
    ("relu_forward", "out[self.mask] = 0", "out[~self.mask] = 0", "yours keeps the negative ones"),
    ("sigmoid_forward", "out = 1 / (1 + np.exp(-x))", "out = 1 / (1 + np.exp(x))", "check the sign"),
    ("sigmoid_backward", "dx = dout * (1.0 - self.out) * self.out", "dx = (1.0 - self.out) * self.out",
     "multiply by the upstream gradient dout"),
    ("sigmoid_backward", "dx = dout * (1.0 - self.out) * self.out", "dx = dout * self.out",
     "missing the factor (1 - y)"),
]


@pytest.mark.parametrize("gid, old, new, hint", BUGS, ids=[b[3][:30] for b in BUGS])
def test_single_bug_loses_points_with_named_mistake(gid, old, new, hint):
    """Does one wrong line lose points in its own cell, with the right 'Likely mistake' message?"""
    cell = grade(with_change(old, new), gid)
    assert cell.score < cell.points
    assert "Likely mistake" in cell.report() and hint in cell.report(), cell.report()


def test_sigmoid_from_input_in_backward_is_named():
    """Is a backward that uses x instead of the cached output recognised?"""
    ns = namespace(BOOK.replace("self.out = out\n", "self.out = out\n        self.x = x\n")
                   .replace("dx = dout * (1.0 - self.out) * self.out", "dx = dout * (1.0 - self.x) * self.x"))
    cell = grade(ns, "sigmoid_backward")
    assert cell.score == 0
    assert "not the input x" in cell.report()


def test_unstable_sigmoid_fails_only_at_large_inputs():
    """Does exp(x) / (1 + exp(x)) (NaN at x = 1000) lose just the large-input scenario, pointing at overflow?"""
    ns = with_change("out = 1 / (1 + np.exp(-x))", "out = np.exp(x) / (1 + np.exp(x))")
    cell = grade(ns, "sigmoid_forward")
    failed = [c for c in cell.checks if not c.passed]
    assert [c.title for c in failed] == ["Sigmoid.forward on inputs between -1000 and 1000 (no NaN or inf)"]
    assert "NaN" in failed[0].message and "overflow" in failed[0].message


def test_gradient_check_catches_backward_that_disagrees_with_forward():
    """Does a backward that ignores the mask fail the numerical check, with the relative error and bound?"""
    ns = with_change("dx = dout\n", "dx = dout * 0 + dout.mean()\n")
    cell = grade(ns, "activation_gradient_check")
    assert cell.score < cell.points
    assert f"a correct layer stays below {GRADIENT_TOL:.0e}" in cell.report()
    assert all(c.passed for c in cell.checks if c.title.startswith("Sigmoid"))


def test_gradient_check_blames_forward_first():
    """If forward is not the ReLU at all, does the numerical check say to fix forward first?"""
    ns = namespace(OTHER.replace("return np.maximum(x, 0)", "return np.abs(x)")
                   .replace("return np.where(self.x > 0, dout, 0.0)", "return np.sign(self.x) * dout"))
    cell = grade(ns, "activation_gradient_check")
    assert "fix forward first" in cell.report()


def test_backward_returning_none_is_explained():
    """Does a backward without `return` get a friendly message in the numerical check?"""
    ns = with_change("        dx = dout\n        return dx\n", "        dx = dout\n")
    cell = grade(ns, "activation_gradient_check")
    assert "Relu.backward is None (did you forget a `return`?)" in cell.report()
