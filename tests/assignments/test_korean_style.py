"""Is code written the Korean seed student's way graded exactly like the reference solutions?

Each notebook of ``korean_style.py`` (Korean comments and docstrings, two-space indents, Hangul identifiers,
Korean prints and f-strings, the seed's shopping example, written answers in Korean markdown) is typed into
the released notebook as a student types it, and graded with the reference solutions in one run of
``autograder.pipeline.grade_jobs``, as ``tests/assignments/test_book_layout.py`` grades the book's styles: the
notebook rebuilt from source/, run in the sandbox (when this machine has one), judged in the grader's process.
Every graded cell must give full marks, the same as the reference's, every visible check must pass, and the
Korean text must come back out of the feedback notebook unchanged.
"""

import nbformat
import pytest
from korean_style import KOREAN, SEEN, korean_submission

from autograder import notebook as nbtools
from autograder.course_files import course_files
from autograder.pipeline import grade_jobs
from autograder.submissions import Job
from course.sequence import ROOT, assignments, by_name
from course.verify import perfect_submission

RELEASED = [a.name for a in assignments() if a.name in KOREAN]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    """The Korean student's notebooks and the reference solutions, graded in one run of the pipeline."""
    work = tmp_path_factory.mktemp("korean-style")
    jobs = []
    for name in RELEASED:
        a = by_name(name)
        for student, nb in (("한국어_학생", korean_submission(name)),
                            ("reference", perfect_submission(nbformat.read(ROOT / "source" / name / a.notebook,
                                                                           as_version=4)))):
            folder = work / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / a.notebook)
            jobs.append(Job(student, name, folder))
    files = {n: course_files(by_name(n), ROOT / "source", ROOT / "release") for n in RELEASED}
    grades = grade_jobs(jobs, files, work / "grading", sandbox=sandbox, progress=False)
    return {(g.student, g.assignment): g for g in grades}


@pytest.mark.parametrize("name", RELEASED)
def test_korean_style_gets_full_marks_like_the_reference(graded, name):
    """Every point of every graded cell, and the very scores the reference solutions get, cell by cell?"""
    korean, reference = graded[("한국어_학생", name)], graded[("reference", name)]
    assert korean.status == "graded", korean.reason
    assert reference.status == "graded" and reference.score == reference.max_score > 0, reference.reason
    lost = [c.report() for c in korean.cells if c.score < c.points]
    assert not lost, "\n".join(lost)
    assert korean.score == korean.max_score == reference.max_score
    assert [(c.grade_id, c.score, c.points) for c in korean.cells] == \
        [(c.grade_id, c.score, c.points) for c in reference.cells]
    assert not [n for n in korean.notes if "answer cell" in n or "read-only" in n], korean.notes


@pytest.mark.parametrize("name", RELEASED)
def test_korean_style_passes_every_visible_check(graded, name):
    """Does no cell of the notebook as the grader ran it end in an error (visible checks, the student's cells)?"""
    feedback = graded[("한국어_학생", name)].feedback
    failed = {nbtools.grade_id(c) or f"cell {i + 1}: {c.source[:60]!r}": o.get("evalue")
              for i, c in enumerate(feedback.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"}
    assert not failed, failed


@pytest.mark.parametrize("name", RELEASED)
def test_hangul_survives_the_rebuild_and_the_run(graded, name):
    """Do the Korean comments, identifiers, written answers and printed lines come back unchanged in the
    feedback notebook (rebuilt from the template, run in the sandbox, its outputs cleaned by the runner)?"""
    feedback = graded[("한국어_학생", name)].feedback
    printed = "".join(o.get("text", "") for c in feedback.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if o.get("output_type") == "stream")
    sources = "\n".join(c.source for c in feedback.cells)
    for line in SEEN[name]["printed"]:
        assert line in printed, f"{line!r} not among the printed lines:\n{printed[-3000:]}"
    for text in SEEN[name]["source"]:
        assert text in sources, f"{text!r} lost from the cells"
    for gid, text in KOREAN[name].items():  # every answer, word for word, in its own cell
        if ":" not in gid:
            cell = next(c for c in feedback.cells if nbtools.grade_id(c) == gid)
            assert cell.source == text.strip("\n"), gid
    assert "\\u" not in printed and "\\x" not in printed, "escaped text among the printed lines"
