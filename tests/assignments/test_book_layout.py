"""Does the book's own code, and the seed student's, get full marks through `course grade`'s real pipeline?
And do the visible checks pass for them, in the released notebook a student runs?

Each style of ``tests/quality/book_styles.py`` (the book's repository layout, with its helpers in the answer
cell or in an extra cell above; the seed student's code) is typed into the released notebook as a student
types it, and the whole class is graded by ``autograder.pipeline.grade_jobs``: the notebook rebuilt from
source/, executed in the sandbox (when this machine has one), judged in the grader's process. Every graded
cell must give full marks, every visible check must pass, and no cell may fail, except the one exception
README states: the printed chapter-5 ``Affine`` does not flatten N-D input (assignment 4's N-D cell).
"""

import os
import shutil

import nbformat
import pytest
from quality.book_styles import PRINTED_AFFINE_LOSES, STYLES

from autograder import notebook as nbtools
from autograder.course_files import course_files
from autograder.pipeline import grade_jobs
from autograder.submissions import Job
from course.sequence import ROOT, assignments, by_name

RELEASED = {a.name for a in assignments()}
STYLES = [s for s in STYLES if s.assignment in RELEASED]


def submission(style):
    """The released notebook with the style's answer cells typed in and its extra cells added."""
    a = by_name(style.assignment)
    nb = nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4)
    answers = {nbtools.grade_id(c) for c in nb.cells if nbtools.is_solution(c) and not nbtools.is_manual(c)}
    typed = {where: code.strip("\n") for where, code in style.cells if ":" not in where}
    assert set(typed) == answers, f"{style.name}: a submission fills every answer cell ({sorted(answers)})"
    cells = []
    for cell in nb.cells:
        gid = nbtools.grade_id(cell)
        cells += [nbformat.v4.new_code_cell(code.strip("\n")) for where, code in style.cells if where == f"above:{gid}"]
        if gid in typed:
            cell.source = typed[gid]
        cells.append(cell)
        cells += [nbformat.v4.new_code_cell(code.strip("\n")) for where, code in style.cells if where == f"below:{gid}"]
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    """Every style graded in one run of the pipeline, as `course grade` grades a class."""
    work = tmp_path_factory.mktemp("book-styles")
    jobs = []
    for i, style in enumerate(STYLES):
        a = by_name(style.assignment)
        folder = work / "submitted" / f"style{i:02d}" / a.name
        folder.mkdir(parents=True)
        nbformat.write(submission(style), folder / a.notebook)
        jobs.append(Job(f"style{i:02d}", a.name, folder))
    files = {a.name: course_files(a, ROOT / "source", ROOT / "release") for a in assignments()}
    grades = grade_jobs(jobs, files, work / "grading", sandbox=sandbox, progress=False)
    return dict(zip((s.name for s in STYLES), grades))


def _ids(style):
    return f"{style.assignment[:2]}:{style.name[:60]}"


@pytest.mark.parametrize("style", STYLES, ids=_ids)
def test_book_and_seed_code_get_full_marks(graded, style):
    """Does this style get every point of every graded cell (the printed Affine: all but the N-D cell)?"""
    grade = graded[style.name]
    assert grade.status == "graded", grade.reason
    lost = {c.grade_id for c in grade.cells if c.score < c.points}
    allowed = style.excused
    assert lost == {c.grade_id for c in grade.cells} & allowed, "\n".join(
        c.report() for c in grade.cells if c.score < c.points)
    assert grade.score == grade.max_score - sum(c.points for c in grade.cells if c.grade_id in allowed)


@pytest.mark.parametrize("style", STYLES, ids=_ids)
def test_book_and_seed_code_pass_the_visible_checks(graded, style):
    """Does every visible check pass and no other cell fail, in the notebook as the grader ran it?"""
    feedback = graded[style.name].feedback
    failed = {}
    for i, cell in enumerate(feedback.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                failed[nbtools.grade_id(cell) or f"cell {i + 1}"] = f"{out.get('ename')}: {out.get('evalue')}"
    visible = {nbtools.grade_id(c) for c in feedback.cells if nbtools.is_graded(c) and nbtools.points(c) == 0}
    assert set(failed) == visible & style.excused, failed


def test_only_the_printed_affine_is_excused():
    """Is the N-D cell the only exception, for the seed's printed Affine in assignment 4 only?"""
    excused = {s.name: s.excused for s in STYLES if s.excused}
    assert all(s.assignment == "04_affine_softmax" and "printed chapter-5 Affine" in s.name
               for s in STYLES if s.name in excused), excused
    assert set(excused.values()) <= {PRINTED_AFFINE_LOSES}
    assert {s.assignment for s in STYLES} == RELEASED, "every notebook has the book's layout and the seed's code"


@pytest.mark.parametrize("style", STYLES, ids=_ids)
def test_released_notebook_runs_clean_for_the_student(style, tmp_path):
    """In the released folder, with this style typed in, does "Run All" in a plain kernel pass every visible check?

    This is the student's side: the notebook and helpers from release/, no grader, no rebuilt cells."""
    from nbclient import NotebookClient

    a = by_name(style.assignment)
    folder = tmp_path / a.name
    shutil.copytree(ROOT / "release" / a.name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    nb = submission(style)
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    failed = {nbtools.grade_id(c) or f"cell {i + 1}": o.get("evalue") for i, c in enumerate(nb.cells)
              if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"}
    visible = [c for c in nb.cells if nbtools.is_graded(c) and nbtools.points(c) == 0]
    assert set(failed) == style.excused & {nbtools.grade_id(c) for c in visible}, failed
    passed = [c for c in visible if nbtools.grade_id(c) not in style.excused]
    assert passed and all(any(o.get("name") == "stdout" for o in c.outputs) for c in passed), \
        "every visible check prints its success line"
