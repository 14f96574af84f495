"""Does assignment 5's timing exercise keep grading deterministic (the same feedback bytes twice)?"""

import re
import shutil

from autograder.feedback_notebook import VARIES_NOTE
from course.grading import grade_class
from course.sequence import ROOT, by_name

A = by_name("05_full_backprop")


def test_times_stay_in_the_students_notebook_and_grading_twice_gives_the_same_page(tmp_path, sandbox):
    """Graded twice, is the page of a perfect submission the same bytes, with a note where the measured times
    were (they differ from run to run), and are the measured times nowhere on it?"""
    subs = tmp_path / "submitted" / "timer"
    shutil.copytree(ROOT / "course" / "examples" / "submitted" / "perfect" / A.name, subs / A.name)
    pages = []
    for run in ("first", "second"):
        grades = grade_class(tmp_path / "submitted", tmp_path / run, names=[A.name], workers=1, sandbox=sandbox,
                             progress=False, log=lambda *a: None)
        assert grades[0].score == grades[0].max_score, grades[0].reason
        pages.append((tmp_path / run / "feedback" / "timer" / A.name / A.notebook.replace(".ipynb", ".html"))
                     .read_bytes())
    assert pages[0] == pages[1]
    text = pages[0].decode()
    assert VARIES_NOTE.strip()[:60] in text
    assert not re.search(r"\d ms per gradient|about [\d,]+ times faster", text)  # printed times, not the code
