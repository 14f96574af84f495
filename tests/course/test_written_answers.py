"""Is a written answer kept by `course grade`, shown for manual grading, and given back with its grader's comment?"""

import copy
import json

import nbformat
import pytest

from autograder import notebook as nbtools
from course.grading import grade_class
from course.sequence import ROOT, by_name
from course.written import refresh_feedback

A = by_name("03_activation_layers")
GID = "relu_kink_answer"
ANSWER = ("At x = 0 the central difference gives 0.5 and at 3e-6 it gives 0.65: the two points straddle the "
          "corner. Backward is not wrong there; ReLU has no derivative at 0, so the checks stay away from it.")


def _released():
    return nbformat.read(ROOT / "release" / A.name / A.notebook, as_version=4)


def _template():
    src = nbformat.read(ROOT / "source" / A.name / A.notebook, as_version=4)
    return nbtools.grading_template(src, _released())


def _with_answer(nb, text):
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if nbtools.grade_id(c) == GID)
    cell.source = text
    return nb


def test_merge_keeps_written_answers_and_added_text():
    """Does the rebuilt notebook keep the student's written answer, the text of one typed into a code cell (with a
    note), and a markdown cell they added, but not a second copy of the assignment's own prose?"""
    student = _with_answer(_released(), ANSWER)
    mine = nbformat.v4.new_markdown_cell("My own note: the corner made me think.")
    prose = nbformat.v4.new_markdown_cell(next(c.source for c in student.cells if c.cell_type == "markdown"))
    at = next(i for i, c in enumerate(student.cells) if nbtools.grade_id(c) == GID)
    student.cells[at + 1:at + 1] = [mine, prose]
    merged, notes = nbtools.merge(_template(), student)
    kept = next(c for c in merged.cells if nbtools.grade_id(c) == GID)
    assert kept.cell_type == "markdown" and kept.source == ANSWER and nbtools.is_manual(kept)
    texts = [c.source for c in merged.cells if c.cell_type == "markdown"]
    assert "My own note: the corner made me think." in texts
    assert texts.count(prose.source) == 1
    assert not notes

    student = _with_answer(_released(), ANSWER)
    cell = next(c for c in student.cells if nbtools.grade_id(c) == GID)
    cell.cell_type = "code"
    merged, notes = nbtools.merge(_template(), nbformat.from_dict(json.loads(json.dumps(student))))
    kept = next(c for c in merged.cells if nbtools.grade_id(c) == GID)
    assert kept.cell_type == "markdown" and kept.source == ANSWER
    assert any(GID in n and "its text was kept" in n for n in notes)


def test_written_answers_say_what_was_answered():
    """Does an untouched stub count as no answer, and a written text as an answer?"""
    template = _template()
    found = {w["grade_id"]: w for w in nbtools.written_answers(_with_answer(_released(), ANSWER), template)}
    assert found[GID]["answered"] and found[GID]["text"] == ANSWER and found[GID]["points"] == 2
    assert not nbtools.written_answers(_released(), template)[0]["answered"]
    assert nbtools.graded_cells(template) and GID not in dict(nbtools.graded_cells(template))


@pytest.mark.parametrize("assignment", ["03_activation_layers", "04_affine_softmax", "05_full_backprop",
                                        "06_training_mnist"])
def test_every_written_question_has_points_a_rubric_and_no_released_line(assignment):
    """Does each of the course's written answers carry points and a rubric in source/, and does no line of its model
    answer or rubric reach the released notebook, the helpers or the example a blank student hands in?"""
    a = by_name(assignment)
    src = nbformat.read(ROOT / "source" / a.name / a.notebook, as_version=4)
    manual = [c for c in src.cells if nbtools.is_manual(c)]
    assert len(manual) == 1 and nbtools.points(manual[0]) == 2
    assert "**Model answer**" in manual[0].source and "**Rubric (2 points).**" in manual[0].source
    released = "\n".join(p.read_text(errors="replace") for p in (ROOT / "release" / a.name).rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts)
    released += (ROOT / "course" / "examples" / "submitted" / "blank" / a.name / a.notebook).read_text()
    lines = [line.strip() for line in manual[0].source.splitlines() if len(line.strip()) > 20]
    assert lines and not [line for line in lines if json.dumps(line)[1:-1] in released or line in released]
    stub = next(c for c in nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4).cells
                if nbtools.grade_id(c) == nbtools.grade_id(manual[0]))
    assert stub.source == "YOUR ANSWER HERE" and nbtools.is_manual(stub)


def _submit(root, student, nb):
    folder = root / student / A.name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / A.notebook)


def _grade_row(course_dir, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        grade = gb.find_grade(GID, A.notebook.replace(".ipynb", ""), A.name, student)
        comment = gb.find_comment(GID, A.notebook.replace(".ipynb", ""), A.name, student)
        return (grade.auto_score, grade.manual_score, grade.needs_manual_grade, comment.auto_comment,
                comment.manual_comment)


def _give_manual_grade(course_dir, student, score, text):
    """What the formgrader does when a grader saves a score and a comment."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        notebook = A.notebook.replace(".ipynb", "")
        grade = gb.find_grade(GID, notebook, A.name, student)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gb.find_comment(GID, notebook, A.name, student).manual_comment = text
        gb.db.commit()


def _page(course_dir, student):
    return (course_dir / "feedback" / student / A.name / A.notebook.replace(".ipynb", ".html")).read_text()


@pytest.fixture(scope="module")
def graded_twice(tmp_path_factory, sandbox):
    """A class of three graded, a manual grade given, then graded again (one student changed their answer)."""
    perfect = nbformat.read(ROOT / "course" / "examples" / "submitted" / "perfect" / A.name / A.notebook,
                            as_version=4)
    subs = tmp_path_factory.mktemp("submissions")
    course_dir = tmp_path_factory.mktemp("course")
    _submit(subs, "writer", _with_answer(perfect, ANSWER))
    _submit(subs, "silent", _with_answer(perfect, "YOUR ANSWER HERE"))
    _submit(subs, "changer", _with_answer(perfect, "A first try."))
    run = dict(names=[A.name], sandbox=sandbox, progress=False, log=lambda *a: None)
    first = {g.student: g for g in grade_class(subs, course_dir, **run)}
    rows_first = {s: _grade_row(course_dir, s) for s in first}
    page_first = _page(course_dir, "writer")
    _give_manual_grade(course_dir, "writer", 1.5, "Good: both numbers are right. Say *why* 0 is a convention.")
    _give_manual_grade(course_dir, "changer", 0.5, "Only a first try.")
    _submit(subs, "changer", _with_answer(perfect, "A second, better try: 0.5 at 0, and 0.65 just above."))
    # regrade: every notebook graded for real again (stored results would otherwise be reused), so a grading
    # run meets the manual grades of all three
    second = {g.student: g for g in grade_class(subs, course_dir, regrade=True, **run)}
    rows_second = {s: _grade_row(course_dir, s) for s in second}
    return course_dir, first, rows_first, page_first, second, rows_second


def test_written_answer_reaches_autograded_and_the_page(graded_twice):
    """Is the answer in autograded/ with its nbgrader metadata (what the formgrader grades), and on the page with
    'not graded yet', without the model answer or rubric?"""
    course_dir, first, rows, page, _, _ = graded_twice
    nb = nbformat.read(course_dir / "autograded" / "writer" / A.name / A.notebook, as_version=4)
    cell = next(c for c in nb.cells if nbtools.grade_id(c) == GID)
    assert cell.source == ANSWER and nbtools.is_manual(cell) and nbtools.points(cell) == 2
    assert ANSWER.split(":")[0] in page and "not graded yet" in page and "Your written answer" in page
    for secret in ("Model answer", "Rubric"):
        assert secret not in page and secret not in json.dumps(nb)
    assert first["writer"].score == first["writer"].max_score  # the automatic part is unchanged: full marks


def test_gradebook_asks_for_a_manual_grade_only_where_there_is_an_answer(graded_twice):
    """Does an answer need a manual grade, and does an untouched stub get 0 with "No response.", as nbgrader's
    autograde does?"""
    _, _, rows, _, _, _ = graded_twice
    assert rows["writer"] == (None, None, True, None, None)
    assert rows["silent"] == (0.0, None, False, "No response.", None)


def test_a_regrade_keeps_manual_scores_and_comments(graded_twice):
    """Does a second `course grade` keep the grader's score and comment, leave an unchanged answer graded, and ask
    for a new look at a changed answer (keeping its old score until then)?"""
    course_dir, _, _, _, second, rows = graded_twice
    assert rows["writer"] == (None, 1.5, False, None,
                              "Good: both numbers are right. Say *why* 0 is a convention.")
    assert rows["changer"][1:] == (0.5, True, None, "Only a first try.")
    page = _page(course_dir, "writer")
    assert "Comment from the grader:" in page and "<em>why</em> 0 is a convention" in page
    assert "Written answers: <strong>1.5 / 2</strong>" in page
    total = second["writer"].score + 1.5
    assert f"Total: <strong>{total:g} / {second['writer'].max_score + 2:g}</strong>" in page
    assert "A second, better try" in _page(course_dir, "changer")


def test_course_feedback_writes_the_pages_again_with_new_comments(graded_twice):
    """After graders finish, does `course feedback` put their newest scores and comments on the pages, without
    grading again, and is the gradebook's total the automatic score plus the manual one?"""
    from nbgrader.api import Gradebook

    course_dir, _, _, _, second, _ = graded_twice
    _give_manual_grade(course_dir, "changer", 2, "Much better now.")
    count, problems = refresh_feedback(course_dir, [A.name])
    assert count == 3 and not problems
    page = _page(course_dir, "changer")
    assert "Much better now." in page and "Only a first try." not in page
    assert "Written answers: <strong>2 / 2</strong>" in page
    assert "0 (no answer)" in _page(course_dir, "silent")
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_submission(A.name, "changer").score == pytest.approx(second["changer"].score + 2)


def test_course_feedback_command(graded_twice, capsys):
    """Does the `course feedback` command say how many pages it wrote and how to hand them out?"""
    from course import cli

    course_dir = graded_twice[0]
    assert cli.main(["feedback", "--course-dir", str(course_dir), "-a", A.name]) == 0
    assert "wrote 3 feedback page(s)" in capsys.readouterr().out
