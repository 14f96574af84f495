"""A feedback page with written answers, as the student sees it in Debian's Chromium: their answer, its state
("not graded yet", or the grader's score), the grader's comment (markdown, sanitised: its markup runs nothing),
and the total once every answer is graded. Screenshots in build/screenshots/<test>/ (or $BROWSER_SCREENSHOTS).
"""

import copy
import os
import re
import shutil
from pathlib import Path

import debian_chromium
import nbformat
import pytest

sync_api = debian_chromium.sync_api()

from autograder import notebook as nbtools  # noqa: E402
from course.feedback import write_feedback_html  # noqa: E402
from course.sequence import ROOT, by_name  # noqa: E402
from course.written import describe  # noqa: E402

A = by_name("03_activation_layers")
ANSWER = "At 0 the difference quotient is **0.5**; just above 0 it is 0.65. The corner has no derivative."
COMMENT = ("Good numbers. *Why* is 0 only a convention? <script>window.pwned = 'comment'</script>"
           "<img src=x onerror=\"window.pwned='img'\">")


class _Cell:
    def __init__(self, gid, points):
        self.grade_id, self.score, self.points = gid, points, points


class _Grade:
    """What course grade hands the page writer: a perfect automatic part and one written answer."""

    def __init__(self, manual):
        src = nbformat.read(ROOT / "source" / A.name / A.notebook, as_version=4)
        rel = nbformat.read(ROOT / "release" / A.name / A.notebook, as_version=4)
        template = nbtools.grading_template(src, rel)
        nb = copy.deepcopy(rel)
        next(c for c in nb.cells if nbtools.is_manual(c)).source = ANSWER
        self.student, self.assignment, self.notebook = "writer", A.name, A.notebook
        self.cells = [_Cell(gid, pts) for gid, pts in nbtools.graded_cells(template)]
        self.max_score = self.score = self.final_score = sum(c.points for c in self.cells)
        self.reason, self.notes, self.late, self.feedback = "", [], None, nb
        self.written = describe(nb, template)
        self.manual = manual


@pytest.fixture
def shots(request):
    base = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder = base / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.mark.parametrize("stage", ["before", "after"])
def test_written_answer_and_comment_on_the_page(tmp_path, shots, stage):
    """Before manual grading, does the student see their answer marked 'not graded yet'; after it, the score,
    the comment (its markup inert) and the total?"""
    manual = {} if stage == "before" else {"relu_kink_answer": {"score": 1.5, "comment": COMMENT}}
    grade = _Grade(manual)
    page = tmp_path / "activation_layers.html"
    write_feedback_html(grade, page)
    with sync_api.sync_playwright() as playwright:
        browser = debian_chromium.launch(playwright)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(page.as_uri())
        summary = tab.locator(".bfs-summary").inner_text()
        tab.screenshot(path=str(shots / "01-summary.png"))
        box = tab.locator(".bfs-written")
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(shots / "02-written-answer.png"))
        text = box.inner_text()
        assert "At 0 the difference quotient is 0.5" in text
        assert tab.locator(".bfs-written strong", has_text="0.5").count() == 1  # the student's markdown, rendered
        if stage == "before":
            assert "relu_kink_answer (written answer)\tnot graded yet\t2" in summary
            assert "Written answers (2 points): 1 of 1 not graded yet" in summary
            assert "Your written answer (relu_kink_answer, 2 points): not graded yet" in text
            assert "Comment from the grader" not in text
        else:
            assert "relu_kink_answer (written answer)\t1.5\t2" in summary
            assert f"Written answers: 1.5 / 2. Total: {grade.score + 1.5:g} / {grade.max_score + 2:g}" in summary
            assert "Comment from the grader:" in text and "Good numbers. Why is 0 only a convention?" in text
            assert tab.evaluate("window.pwned === undefined")
        browser.close()
