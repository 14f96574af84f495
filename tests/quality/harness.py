"""Grade a variant of the perfect student code in-process, cell by cell, like the judge does.

A *mutant* is the perfect submission with one textual change in its answer cells (a single bug).
A *correct variant* is the perfect submission plus extra code that redefines a component in
another style that respects the notebook's contract. Both are scored with the real scenarios and
the real judge, so this measures exactly what students will meet.
"""

import ast
import contextlib
import io
import sys
import warnings
from dataclasses import dataclass

import nbformat
import numpy as np

from autograder import notebook as nbtools
from autograder.judge import judge_cell, reference_namespace
from autograder.scenario import execute, scenarios_for
from course.release import perfect_submission
from course.sequence import ROOT, by_name


@dataclass(frozen=True)
class Mutant:
    assignment: str
    name: str
    old: str  # text in the solution cells...
    new: str  # ...replaced by this (first occurrence)
    diagnosis: str = ""  # words the "Likely mistake" must contain ("" = the grader is not expected to name it)


@dataclass(frozen=True)
class Variant:
    assignment: str
    name: str
    code: str  # run after the solution cells; redefines a component in another style


def answer_cells(assignment):
    a = by_name(assignment)
    nb = perfect_submission(nbformat.read(ROOT / "source" / a.name / a.notebook, as_version=4))
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbtools.meta(cell)
        setup = meta.get("locked") and not meta.get("grade") and "import" in cell.source and not any(
            line.strip().startswith(("assert", "print(")) for line in cell.source.splitlines())
        if meta.get("solution") or setup:
            cells.append(cell.source)
    return cells, nbtools.graded_cells(nb)


def namespace(assignment, mutate=None, extra=""):
    """Execute the (possibly mutated) answer cells, then ``extra``; return the globals."""
    cells, _ = answer_cells(assignment)
    if mutate:
        old, new = mutate
        hits = [i for i, c in enumerate(cells) if old in c]
        if not hits:
            raise AssertionError(f"{assignment}: mutation text {old!r} not found in the solutions")
        mutated = cells[hits[0]].replace(old, new, 1)
        if _code_only(mutated) == _code_only(cells[hits[0]]):
            raise AssertionError(f"{assignment}: mutation {old!r} only changes a docstring or comment: "
                                 "make the text specific to the code")
        cells[hits[0]] = mutated
    ns = {"__name__": "__main__"}
    # every notebook imports these in a setup cell that also holds other things
    code = "\n\n".join(["import numpy as np", "from collections import OrderedDict"] + cells + [extra])
    folder = str(ROOT / "source" / assignment)  # the helpers that travel with the notebook (bp_checks.py, ...)
    sys.path.insert(0, folder)
    try:
        return _exec(code, assignment, ns)
    finally:
        sys.path.remove(folder)


def _exec(code, assignment, ns):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        exec(compile(code, f"<{assignment}>", "exec"), ns)
    return ns


def grade(assignment, ns):
    """``(score, max_score, [CellResult])`` for a namespace."""
    _, graded = answer_cells(assignment)
    ref = reference_namespace()
    cells = []
    for gid, points in graded:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            records = {i: execute(sc, ns) for i, sc in enumerate(scenarios_for(gid))}
        cells.append(judge_cell(gid, points, records, ref))
    return round(sum(c.score for c in cells), 2), sum(p for _, p in graded), cells


def failure_text(cells):
    return "\n".join(c.problem + " " + " ".join(k.message for k in c.checks if not k.passed) for c in cells)


def is_diagnosed(text, diagnosis):
    """Does the feedback name a likely mistake, with the ``diagnosis`` words (emphasis ``*`` ignored)?

    A mutant without ``diagnosis`` words is one the grader is not expected to name: it never counts.
    """
    plain = text.replace("*", "").lower()
    return bool(diagnosis) and "likely mistake" in plain and diagnosis.replace("*", "").lower() in plain


def redefined_names(code):
    """The public functions and classes a variant's code defines at top level."""
    return [node.name for node in ast.parse(code).body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")]


def _code_only(source):
    """The cell's syntax tree without docstrings (comments are not in it either)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)
