"""A synthetic class for ``course demo --class-size N``: seeded students who make the mistakes students make.

Every student id starts with ``synthetic-`` and the report says the class is synthetic. Each student gets a
seeded ability; for each assignment they hand in the solutions with a few single-bug changes drawn from the
grader-quality catalogue (``tests/quality/catalogue.py``: mistakes real students make, each with the
diagnosis the grader must give), some answer cells left as the release's stub, or nothing at all. Some
mistakes are far more common than others (a seeded long tail), a few students hand in late, a few fade out
after a good start, and now and then a file is not a notebook. The same size and seed give the same class.
"""

import importlib
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import numpy as np

from . import lateness
from .release import perfect_submission
from .sequence import ROOT, assignments

PREFIX = "synthetic-"
FIRST_DUE = datetime(2025, 3, 7, 17, 0, 0)  # UTC; one assignment a week after that


class SyntheticClassError(RuntimeError):
    """The synthetic class cannot be made here (says why and what to do)."""


@dataclass(frozen=True)
class Plan:
    """What one synthetic student hands in for one assignment.

    ``kind``: "solved" (the solutions with ``mutants`` applied and the answer cells ``unfinished`` left as
    the release's stubs), "blank" (the release as handed out), "broken" (a file that is not a notebook) or
    "missing" (nothing). ``hours_late``: hours after the due date (negative: before it)."""

    kind: str = "solved"
    mutants: tuple = ()
    unfinished: tuple = ()
    hours_late: float = -20.0


def load_catalogue(root=ROOT):
    """The catalogue's ``MUTANTS`` (read only), or :class:`SyntheticClassError` when it is not here."""
    folder = Path(root) / "tests" / "quality"
    if not (folder / "catalogue.py").is_file():
        raise SyntheticClassError(
            f"the mistake catalogue ({folder / 'catalogue.py'}) is not here: a synthetic class draws its mistakes "
            "from it, and it ships with the repository's tests/, not with an installed package. Run `course demo "
            "--class-size N` from a checkout of the repository (pip install -e .), or run `course demo` without "
            "--class-size to grade the bundled examples.")
    added = str(root) not in sys.path
    if added:  # tests/ is not a package of the installed course: import it from the checkout, for this call only
        sys.path.insert(0, str(root))
    try:
        return list(importlib.import_module("tests.quality.catalogue").MUTANTS)
    except Exception as exc:
        raise SyntheticClassError(f"the mistake catalogue in {folder} could not be imported "
                                  f"({type(exc).__name__}: {exc}).") from exc
    finally:
        if added:
            sys.path.remove(str(root))


def student_ids(size):
    """The ids of a synthetic class of ``size`` students (``synthetic-01`` ...)."""
    width = max(2, len(str(size)))
    return [f"{PREFIX}{i:0{width}d}" for i in range(1, size + 1)]


def draw_class(size, seed=0, names=None, mutants=None, root=ROOT):
    """``{student: {assignment: Plan}}`` for ``size`` students, drawn with ``seed``."""
    if size < 1:
        raise SyntheticClassError("a class has at least one student")
    mutants = load_catalogue(root) if mutants is None else mutants
    selected = [a.name for a in assignments(root, names)]
    rng = np.random.default_rng(seed)
    by_assignment = {}
    for name in selected:
        found = [m for m in mutants if m.assignment == name]
        # a long tail: a few mistakes are made by many students, most by few
        ranks = rng.permutation(len(found)) + 1
        weights = 1.0 / ranks ** 1.2
        by_assignment[name] = (found, weights / weights.sum())
    stubs = {name: _answer_ids(name, root) for name in selected}
    plans = {}
    for student in student_ids(size):
        ability = rng.beta(4, 1.6)  # most students do well, some struggle
        fades_after = int(rng.integers(2, max(3, len(selected)))) if rng.random() < 0.08 else None
        plans[student] = {}
        for k, name in enumerate(selected):
            faded = fades_after is not None and k >= fades_after
            roll = rng.random()
            if roll < (0.6 if faded else 0.03 + 0.05 * (1 - ability)):
                plans[student][name] = Plan("missing")
                continue
            if roll < (0.85 if faded else 0.05 + 0.06 * (1 - ability)):
                plans[student][name] = Plan("blank", hours_late=_hours(rng))
                continue
            if rng.random() < 0.01:
                plans[student][name] = Plan("broken", hours_late=_hours(rng))
                continue
            found, p = by_assignment[name]
            count = min(len(found), int(rng.poisson(2.2 * (1 - ability) + 0.25)))
            chosen = tuple(found[i].name for i in sorted(rng.choice(len(found), count, replace=False, p=p)))
            unfinished = ()
            if stubs[name] and rng.random() < 0.25 * (1 - ability):
                unfinished = (stubs[name][int(rng.integers(len(stubs[name])))],)
            plans[student][name] = Plan("solved", chosen, unfinished, _hours(rng))
    return plans


def _hours(rng):
    """Hours after the due date: most hand in the day before, about one in ten is late."""
    return float(rng.uniform(1, 60)) if rng.random() < 0.1 else -float(rng.uniform(0.5, 72))


def _answer_ids(name, root):
    from autograder import notebook as nbtools

    a = next(a for a in assignments(root, [name]))
    nb = nbformat.read(Path(root) / "release" / a.name / a.notebook, as_version=4)
    return [nbtools.grade_id(c) for c in nb.cells if nbtools.is_solution(c)]


def due_date(index):
    """The due date of the assignment at position ``index`` of the course (a week apart)."""
    return FIRST_DUE + timedelta(days=7 * index)


def write_class(target, plans, mutants=None, root=ROOT):
    """Write ``target/<student>/<assignment>/<notebook>`` (and nbgrader's ``timestamp.txt``) for ``plans``."""
    from autograder import notebook as nbtools

    target = Path(target)
    mutants = {m.name: m for m in (load_catalogue(root) if mutants is None else mutants)}
    order = {a.name: i for i, a in enumerate(assignments(root))}
    books = {}
    for student, work in plans.items():
        for name, plan in work.items():
            if plan.kind == "missing":
                continue
            if name not in books:
                a = next(a for a in assignments(root, [name]))
                books[name] = (a, nbformat.read(Path(root) / "source" / name / a.notebook, as_version=4),
                               nbformat.read(Path(root) / "release" / name / a.notebook, as_version=4))
            a, source, release = books[name]
            folder = target / student / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            when = due_date(order[name]) + timedelta(hours=plan.hours_late)
            (folder / lateness.TIMESTAMP).write_text(f"{when:%Y-%m-%d %H:%M:%S.%f} UTC\n")
            if plan.kind == "broken":
                (folder / a.notebook).write_text('{"cells": [ this notebook was cut off while saving')
                continue
            nb = nbformat.from_dict(dict(release if plan.kind == "blank" else perfect_submission(source)))
            stubs = {nbtools.grade_id(c): c.source for c in release.cells if nbtools.is_solution(c)}
            for cell in nb.cells:
                if cell.cell_type == "code" and nbtools.is_solution(cell) and nbtools.grade_id(cell) in plan.unfinished:
                    cell.source = stubs[nbtools.grade_id(cell)]
            for mutant_name in plan.mutants:
                _apply(nb, mutants[mutant_name])
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            nbformat.write(nb, folder / a.notebook)
    return target


def _apply(nb, mutant):
    """The mutant's text replacement in the first code cell holding its text; a mutant whose text an earlier
    change (or an unfinished cell) removed is left out: the student simply did not make that mistake."""
    for cell in nb.cells:
        if cell.cell_type == "code" and mutant.old in cell.source:
            cell.source = cell.source.replace(mutant.old, mutant.new, 1)
            return True
    return False


def set_due_dates(course_dir, names=None, root=ROOT):
    """Give each assignment its synthetic due date in the course folder's gradebook (before grading)."""
    import warnings

    from nbgrader.api import Gradebook

    from .release import nbgrader_api

    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    url = nbgrader_api(course_dir, course_dir / "gradebook.db").coursedir.db_url  # as `course grade` opens it
    order = {a.name: i for i, a in enumerate(assignments(root))}
    with warnings.catch_warnings(), Gradebook(url) as gb:
        warnings.simplefilter("ignore")
        for a in assignments(root, names):
            gb.update_or_create_assignment(a.name, duedate=due_date(order[a.name]))


def make_class(target, size, seed=0, names=None, root=ROOT):
    """Draw and write a synthetic class of ``size`` students under ``target``; returns the plans."""
    mutants = load_catalogue(root)
    plans = draw_class(size, seed, names, mutants, root)
    write_class(target, plans, mutants, root)
    return plans
