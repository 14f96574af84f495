"""Do the bundled example submissions get the grades and feedback they should, end to end?"""

import csv
import json
import re

import nbformat
import pytest

from course.examples import BUGS, EXAMPLES, build
from course.grading import grade_class, table
from course.sequence import ROOT, assignments

RELEASED = assignments()


def _git_status():
    import subprocess

    return set(subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                              cwd=ROOT, capture_output=True, text=True).stdout.splitlines())


@pytest.fixture(scope="module")
def status_before_grading():
    return _git_status()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox, status_before_grading):
    course_dir = tmp_path_factory.mktemp("course")
    grades = grade_class(EXAMPLES, course_dir, sandbox=sandbox, progress=False, log=lambda *a: None)
    return course_dir, {(g.student, g.assignment): g for g in grades}


def test_examples_are_up_to_date(tmp_path):
    """Are the committed example submissions what `course examples` makes from source/ and release/ now?"""
    build(target=tmp_path)
    for path in tmp_path.rglob("*.ipynb"):
        committed = EXAMPLES / path.relative_to(tmp_path)
        assert committed.exists(), f"{committed} missing: run `course examples`"
        assert nbformat.read(path, as_version=4) == nbformat.read(committed, as_version=4), \
            f"{committed} is stale: run `course examples`"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_perfect_gets_full_marks_and_blank_and_hostile_get_zero(graded, assignment):
    """Perfect = full marks, blank = 0, hostile = 0, for every assignment?"""
    _, grades = graded
    perfect = grades[("perfect", assignment.name)]
    assert perfect.score == perfect.max_score > 0, "\n".join(c.report() for c in perfect.cells)
    assert grades[("blank", assignment.name)].score == 0
    assert grades[("hostile", assignment.name)].score == 0


@pytest.mark.parametrize("assignment", [a for a in RELEASED if a.name in BUGS], ids=lambda a: a.name)
def test_buggy_gets_partial_credit(graded, assignment):
    """Does the submission with one realistic bug get some but not all points?"""
    g = graded[1][("buggy", assignment.name)]
    assert 0 < g.score < g.max_score


def test_buggy_simple_layers_score_and_message(graded):
    """Does the MulLayer.backward bug cost points in its own cell only (half of it: dx is wrong, dy is right),
    not in the shopping graphs that use the layer, and is it named?"""
    g = graded[1][("buggy", "02_simple_layers")]
    scores = {c.grade_id: c.score for c in g.cells}
    assert scores == {"mul_layer_forward": 1, "mul_layer_backward": 1, "add_layer": 1, "buy_apples": 1,
                      "buy_apples_oranges": 1}
    report = "\n".join(c.report() for c in g.cells)
    assert "MulLayer.backward" in report and "not times x" in report


def test_feedback_names_the_failing_method_without_hidden_code(graded):
    """Does the buggy student's feedback page name MulLayer.backward but show no hidden test source?"""
    course_dir, _ = graded
    html = (course_dir / "feedback" / "buggy" / "02_simple_layers" / "simple_layers.html").read_text()
    assert "MulLayer.backward" in html and "Likely mistake" in html
    for secret in ("BEGIN HIDDEN", "autograder", "check(&#39;", "check('", "globals()", "reference"):
        assert secret not in html, f"feedback shows {secret!r}"


def test_no_feedback_shows_hidden_code_or_solutions(graded):
    """Does any feedback page contain hidden-test code or the solution of a cell the student left blank?"""
    course_dir, _ = graded
    for page in (course_dir / "feedback").rglob("*.html"):
        text = page.read_text()
        assert "BEGIN HIDDEN" not in text and "autograder" not in text, page
        if "blank" in page.parts:
            assert "BEGIN SOLUTION" not in text and "dx = dout * self.y" not in text


def test_grades_csv_and_gradebook_agree(graded):
    """Are grades.csv, the JSON report and nbgrader's gradebook consistent with the grades?"""
    from nbgrader.api import Gradebook

    course_dir, grades = graded
    rows = list(csv.DictReader(open(course_dir / "grades.csv", encoding="utf-8-sig")))
    assert len(rows) == len(grades)
    report = json.loads((course_dir / "reports" / "grades.json").read_text())
    assert len(report["grades"]) == len(grades)
    assert (course_dir / "reports" / "grade-distribution.png").stat().st_size > 1000
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for row in rows:
            sub = gb.find_submission(row["assignment"], row["student"])
            assert abs(sub.score - float(row["score"])) < 1e-9, row


def test_grade_table_lists_every_submission(graded):
    """Does the printed table have one row per submission with score / max?"""
    _, grades = graded
    text = table(list(grades.values()))
    assert len(text.splitlines()) == len(grades) + 2
    assert re.search(r"perfect\s+02_simple_layers\s+6 / 6", text)


def test_student_data_stays_out_of_the_repository(graded, status_before_grading):
    """Did grading write nothing into the repository (git status compared with before grading)?"""
    added = sorted(_git_status() - status_before_grading)
    assert not added, f"grading changed the repository: {added}"
