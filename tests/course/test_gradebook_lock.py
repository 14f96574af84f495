"""A gradebook held by another program (the formgrader, an nbgrader command) never loses a result."""

import sqlite3
import threading

import pytest
from nbgrader.api import Gradebook

from autograder.course_files import course_files
from autograder.judge import CellResult, Check
from autograder.pipeline import NotebookGrade
from course.grading import GradebookBusy, prepare_course_dir, record_in_gradebook
from course.sequence import ROOT

A = "02_simple_layers"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course_dir = tmp_path_factory.mktemp("course")
    api, (assignment,) = prepare_course_dir(course_dir, [A], log=lambda *a: None)
    graded = course_files(assignment, ROOT / "source", ROOT / "release").graded
    return course_dir, api, assignment, graded


def full_marks(student, assignment, graded):
    cells = [CellResult(gid, points, [Check("all", True)]) for gid, points in graded]
    return NotebookGrade(student, assignment.name, assignment.notebook, sum(p for _, p in graded), cells=cells)


def hold_lock(db, seconds, locked):
    """Another program's write transaction: an exclusive lock on the gradebook for ``seconds``."""
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    locked.set()
    threading.Event().wait(seconds)
    con.execute("COMMIT")
    con.close()


def test_a_write_waits_for_a_lock_held_longer_than_sqlites_default(course):
    course_dir, api, assignment, graded = course
    locked = threading.Event()
    holder = threading.Thread(target=hold_lock, args=(course_dir / "gradebook.db", 7, locked))  # default: 5 s
    holder.start()
    assert locked.wait(30)
    record_in_gradebook(api, [full_marks("alice", assignment, graded)], wait=60)
    holder.join()
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_submission(A, "alice").score == sum(p for _, p in graded) > 0


def test_a_lock_that_is_never_released_gives_a_clear_error(course):
    course_dir, api, assignment, graded = course
    locked = threading.Event()
    holder = threading.Thread(target=hold_lock, args=(course_dir / "gradebook.db", 4, locked))
    holder.start()
    assert locked.wait(30)
    with pytest.raises(GradebookBusy, match=r"grades\.csv.*hold every result.*run the same `course grade`"):
        record_in_gradebook(api, [full_marks("bob", assignment, graded)], wait=1)
    holder.join()
