"""Does every hidden test catch the catalogued mistakes, name them, and accept every correct style?"""

import functools
import re

import pytest

from course.sequence import assignments

from .book_styles import STYLES
from .catalogue import MUTANTS, VARIANTS
from .conftest import RESULTS
from .harness import failure_text, grade, is_diagnosed, namespace, redefined_names, run_notebook, used_names

RELEASED = {a.name for a in assignments()}
MUTANTS = [m for m in MUTANTS if m.assignment in RELEASED]
VARIANTS = [v for v in VARIANTS if v.assignment in RELEASED]
# what hidden or reference code looks like in feedback: solution markers, definitions, traceback lines
CODE = re.compile(r"### (BEGIN|END) |\bdef \w+\(|\bclass \w+\s*[(:]|Traceback \(most recent|File \"[^\"]+\", line \d+")


@functools.lru_cache(maxsize=None)
def graded_mutant(mutant):
    """``(score, max_score, failure text)`` of a mutant (graded once per run)."""
    score, max_score, cells = grade(mutant.assignment, namespace(mutant.assignment, (mutant.old, mutant.new)))
    return score, max_score, failure_text(cells)


@functools.lru_cache(maxsize=None)
def solution_names(assignment):
    return frozenset(namespace(assignment))


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.assignment}:{m.name}")
def test_mistake_loses_points_and_is_named(mutant):
    """Does this single-bug variant lose points, with a message that names the mistake?"""
    score, max_score, text = graded_mutant(mutant)
    diagnosed = is_diagnosed(text, mutant.diagnosis)
    r = RESULTS[mutant.assignment]
    r["mutants"] += 1
    r["caught"] += score < max_score
    r["diagnosed"] += diagnosed
    assert score < max_score, f"{mutant.name}: not caught ({score}/{max_score})"
    if mutant.diagnosis:  # a declared diagnosis is a promise: the message must name it
        assert diagnosed, f"{mutant.name}: no 'Likely mistake' naming {mutant.diagnosis!r} in:\n{text[:2000]}"
    leak = CODE.search(text)
    assert not leak, f"a failure message shows hidden code ({leak.group(0)!r}): {text[:300]}"


@functools.lru_cache(maxsize=None)
def ran_variant(variant):
    """The variant's whole notebook run in order, graded cell by cell (run once per test run)."""
    return run_notebook(variant.assignment, variant)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: f"{v.assignment}:{v.name}")
def test_correct_style_gets_full_marks(variant):
    """Does this independent correct implementation get every point (but in the cells README excuses)?

    Its notebook runs in order with every visible check, read-only and plain cell, as the grading kernel
    runs it, so a check cell that replaced one of its names would cost it points here."""
    if variant.code:
        replaced = redefined_names(variant.code)
        assert replaced, f"{variant.name}: the variant defines no public function or class"
        unknown = [n for n in replaced if n not in solution_names(variant.assignment)
                   and n not in used_names(variant.code)]
        assert not unknown, (f"{variant.name}: {unknown} are neither names the notebook defines nor helpers "
                             "the variant uses (a typo grades the solution)")
    run = ran_variant(variant)
    lost = {c.grade_id for c in run.cells if c.score < c.points}
    r = RESULTS[variant.assignment]
    r["variants"] += 1
    r["accepted"] += lost == {c.grade_id for c in run.cells} & variant.excused
    assert lost == {c.grade_id for c in run.cells} & variant.excused, f"{variant.name}: {run.score}\n" + "\n".join(
        c.report() for c in run.cells if c.score < c.points)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: f"{v.assignment}:{v.name}")
def test_correct_style_passes_the_visible_checks(variant):
    """Does every visible check accept this correct implementation, and no other cell fail on it?

    A visible check must never fail code that the hidden tests accept."""
    run = ran_variant(variant)
    failed = {gid for gid, _ in run.visible_failures}
    ok = failed <= variant.excused and not run.errors
    r = RESULTS[variant.assignment]
    r["visible_variants"] += 1
    r["visible_ok"] += ok
    assert ok, f"{variant.name}: visible checks failed: {run.visible_failures}; other cells: {run.errors}"


def test_baseline_perfect_and_blank():
    """Is the harness itself sound: the solutions get full marks, an empty namespace gets 0?"""
    for name in sorted(RELEASED):
        score, max_score, _ = grade(name, namespace(name))
        assert score == max_score, name
        assert grade(name, {})[0] == 0, name


def test_diagnosis_rate_per_assignment():
    """Are all catalogued mistakes caught, at least 90% of them named, and at least 80% in every assignment?"""
    by = {}
    for m in MUTANTS:
        score, max_score, text = graded_mutant(m)
        assert score < max_score, m.name
        by.setdefault(m.assignment, []).append(is_diagnosed(text, m.diagnosis))
    named = [d for v in by.values() for d in v]
    assert sum(named) / len(named) >= 0.9, f"only {sum(named)}/{len(named)} mistakes named"
    low = {a: sum(v) / len(v) for a, v in by.items() if sum(v) / len(v) < 0.8}
    assert not low, f"diagnosis rate below 80%: {low}"


def test_book_layout_and_seed_are_in_the_catalogue():
    """Are the book's repository layout and the seed's code correct styles of every released notebook?"""
    for name in RELEASED:
        styles = [v.name for v in VARIANTS if v.assignment == name and v in STYLES]
        assert any(s.startswith("book:") for s in styles) and any(s.startswith("seed:") for s in styles), name


def test_catalogue_covers_every_assignment():
    """Does the catalogue hold at least 30 mistakes, and 4 mistakes and 4 correct styles per released assignment?"""
    assert len(MUTANTS) >= 30, f"only {len(MUTANTS)} catalogued mistakes"
    for name in RELEASED:
        assert sum(m.assignment == name for m in MUTANTS) >= 4, f"{name}: fewer than 4 catalogued mistakes"
        assert sum(v.assignment == name for v in VARIANTS) >= 4, f"{name}: fewer than 4 correct styles"
    names = [(m.assignment, m.name) for m in MUTANTS] + [(v.assignment, v.name) for v in VARIANTS]
    assert len(names) == len(set(names)), "two catalogue entries share a name"


# one slip in an earlier component, and the only graded cell that may lose points for it
ONE_SLIP = [
    ("02_simple_layers", "MulLayer.backward does not swap its inputs", "dx = dout * self.y", "dx = dout * self.x",
     {"mul_layer_backward"}),
    ("02_simple_layers", "MulLayer.forward does not store its inputs",
     "        self.x = x\n        self.y = y\n        return x * y", "        return x * y", {"mul_layer_backward"}),
    ("04_affine_softmax", "softmax normalises each column", "return e / np.sum(e, axis=-1, keepdims=True)",
     "return e / np.sum(e, axis=0, keepdims=True)", {"softmax", "softmax_stability"}),
    ("04_affine_softmax", "cross_entropy_error without the 1e-7", "np.log(picked + 1e-7)", "np.log(picked)",
     {"cross_entropy_one_hot"}),
    ("05_full_backprop", "numerical_gradient divides by h", "grad[idx] = (fxh1 - fxh2) / (2 * h)",
     "grad[idx] = (fxh1 - fxh2) / h", {"numerical_gradient"}),
    ("05_full_backprop", "numerical_gradient nudges a copy of x", "    grad = np.zeros_like(x)\n    it = np.nditer",
     "    x = x.copy()\n    grad = np.zeros_like(x)\n    it = np.nditer", {"numerical_gradient"}),
    ("06_training_mnist", "sgd_update is not in place", "        params[key] -= learning_rate * grads[key]",
     "        params[key] = params[key] - learning_rate * grads[key]", {"sgd_update"}),
    ("06_training_mnist", "sgd_update climbs the gradient", "        params[key] -= learning_rate * grads[key]",
     "        params[key] += learning_rate * grads[key]", {"sgd_update"}),
]


@pytest.mark.parametrize("assignment, what, old, new, cells", ONE_SLIP, ids=[s[1] for s in ONE_SLIP])
def test_one_slip_costs_points_once(assignment, what, old, new, cells):
    """Does a slip in a component cost points in the cell that grades it, and in no later cell that uses it
    (whose messages do not point elsewhere either)?"""
    _, _, graded = grade(assignment, namespace(assignment, (old, new)))
    lost = {c.grade_id for c in graded if c.score < c.points}
    assert lost == cells, f"{what}: lost points in {sorted(lost)}\n" + "\n".join(
        c.report() for c in graded if c.grade_id in lost - cells)
