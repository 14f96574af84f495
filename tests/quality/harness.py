"""Grade a variant of the perfect student code in-process, cell by cell, like the judge does.

A *mutant* is the perfect submission with one textual change in its answer cells (a single bug).
A *correct variant* is the perfect submission with some components written in another style that
respects the notebook's contract: either extra code (each definition placed right after the answer cell
that defines the same name), or answer cells written out as a student types them, with extra cells.
Both are scored with the real scenarios and the real judge, so this measures exactly what students
will meet. :func:`run_notebook` executes a variant's whole notebook in order, as the grading kernel
does (setup, answers, visible checks, read-only and plain cells), judging each graded cell on the
names as they stand when that cell runs, and reports every visible check that fails.
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
from autograder.checks import scenarios_for
from autograder.judge import judge_cell, reference_namespace
from autograder.scenario import execute
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
    code: str = ""  # redefines components in another style; each definition goes after its answer cell
    # or, as a student types it: ((where, code), ...) with where = an answer cell's grade_id (the cell's
    # new text), "above:<grade_id>" or "below:<grade_id>" (an extra code cell next to that answer cell)
    cells: tuple = ()
    # graded cells and visible checks this style may fail, stated in README (the printed chapter-5 Affine
    # and the N-D cell); every other cell must give full marks
    excused: frozenset = frozenset()


def answer_and_setup_sources(nb):
    """The sources of a notebook's answer cells and setup cells (read-only imports), in order: what the kernel
    has run when a hidden check runs, but for the checks and examples."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbtools.meta(cell)
        setup = meta.get("locked") and not meta.get("grade") and "import" in cell.source and not any(
            line.strip().startswith(("assert", "print(")) for line in cell.source.splitlines())
        if meta.get("solution") or setup:
            cells.append(cell.source)
    return cells


def answer_cells(assignment):
    a = by_name(assignment)
    nb = perfect_submission(nbformat.read(ROOT / "source" / a.name / a.notebook, as_version=4))
    return answer_and_setup_sources(nb), nbtools.graded_cells(nb)


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


def used_names(code):
    """Every name the code reads somewhere (a helper that is defined but never used is likely a typo)."""
    return {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)}


def _code_only(source):
    """The cell's syntax tree without docstrings (comments are not in it either)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@dataclass
class NotebookRun:
    cells: list  # [CellResult] of the graded cells, in order
    visible_failures: list  # [(grade_id, message)] of the visible checks that raised
    errors: list  # [(cell label, message)] of other cells that raised

    @property
    def score(self):
        return round(sum(c.score for c in self.cells), 2)


def _placed_cells(assignment, variant):
    """The notebook's code cells with the variant in place: ``[(meta, source)]``; solutions typed in."""
    a = by_name(assignment)
    nb = perfect_submission(nbformat.read(ROOT / "source" / a.name / a.notebook, as_version=4))
    defined_by = {}
    for cell in nb.cells:
        if nbtools.is_solution(cell) and cell.cell_type == "code":  # written answers hold prose, not code
            for name in _top_level_names(cell.source):
                defined_by.setdefault(name, nbtools.grade_id(cell))
    placed = {"above": {}, "below": {}, "replace": {}}
    for where, code in variant.cells if variant else ():
        kind, _, gid = where.rpartition(":")
        placed[kind or "replace"].setdefault(gid, []).append(code)
    if variant and variant.code:
        group = []
        for node in ast.parse(variant.code).body:
            group.append(ast.get_source_segment(variant.code, node, padded=True))
            names = [n for n in _top_level_names(ast.unparse(node)) if n in defined_by]
            if names:
                placed["below"].setdefault(defined_by[names[0]], []).append("\n".join(group))
                group = []
        if group:  # imports or helpers after the last definition: next to it
            last = list(placed["below"])[-1] if placed["below"] else next(iter(defined_by.values()))
            placed["below"].setdefault(last, []).append("\n".join(group))
    known = set(defined_by.values())
    for kind in placed:
        unknown = set(placed[kind]) - known
        if unknown:
            raise AssertionError(f"{variant.name}: no answer cell {sorted(unknown)} in {assignment}")
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = nbtools.grade_id(cell)
        cells += [({}, code) for code in placed["above"].get(gid, [])]
        replaced = placed["replace"].get(gid)
        if replaced:  # the answer cell's names are defined by the new text or by the extra cells above it
            defined = {n for code in [replaced[0], *placed["above"].get(gid, [])] for n in _top_level_names(code)}
            missing = set(_top_level_names(cell.source)) - defined
            if missing:
                raise AssertionError(f"{variant.name}: its cell {gid} does not define {sorted(missing)}")
        cells.append((nbtools.meta(cell), replaced[0] if replaced else cell.source))
        cells += [({}, code) for code in placed["below"].get(gid, [])]
    return cells


def _top_level_names(code):
    return [node.name for node in ast.parse(code).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def run_notebook(assignment, variant=None):
    """Execute the notebook's code cells in order in one namespace, as the grading kernel does.

    Graded cells are judged on the namespace as it stands when they run (the hidden part is not run; its
    scenarios are); visible checks and other cells run as they are, and what they raise is collected.
    Stops after the last graded cell or visible check (what follows only trains and plots).
    """
    cells = _placed_cells(assignment, variant)
    last = max(i for i, (meta, _) in enumerate(cells) if meta.get("grade"))
    ns = {"__name__": "__main__"}
    ref = reference_namespace()
    run = NotebookRun([], [], [])
    folder = str(ROOT / "source" / assignment)
    sys.path.insert(0, folder)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), _matplotlib_off():
            warnings.simplefilter("ignore")
            for i, (meta, source) in enumerate(cells[:last + 1]):
                graded = meta.get("grade") and float(meta.get("points") or 0) > 0
                if graded:
                    gid, points = meta["grade_id"], float(meta["points"])
                    records = {k: execute(sc, ns) for k, sc in enumerate(scenarios_for(gid))}
                    run.cells.append(judge_cell(gid, points, records, ref))
                    source = nbtools.strip_region(source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN)
                try:
                    exec(compile(source, f"<{assignment} cell {i + 1}>", "exec"), ns)
                except Exception as exc:  # a cell that fails: noted, and the next cell runs (allow_errors)
                    message = f"{type(exc).__name__}: {exc}"
                    if meta.get("grade") and not graded:
                        run.visible_failures.append((meta["grade_id"], message))
                    else:
                        run.errors.append((meta.get("grade_id") or f"cell {i + 1}", message))
    finally:
        sys.path.remove(folder)
        for name in [m for m in sys.modules if m in ("bp_checks", "toy_digits", "graph_drawing")]:
            del sys.modules[name]  # each assignment folder has its own copy
    return run


@contextlib.contextmanager
def _matplotlib_off():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        yield
    finally:
        plt.close("all")
