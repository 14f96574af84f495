"""Resumable and incremental grading (issue 16, item 3), with `course grade` as a user runs it.

A run SIGKILLed halfway, then run again, grades every notebook exactly once in total (counted in
``reports/grading-log.jsonl``, one line per notebook graded) and ends as an uninterrupted run; a result whose
submission and grader version are unchanged is reused; a changed submission, ``--regrade``, or a changed grader
version (here: a limit) grade again; ``--student`` grades one student. The tests of this file share one course
folder and run in order.
"""

import json
import os
import shutil
import signal
import subprocess
import time

import nbformat
import pytest
from grading_support import (
    GRADE_TIMEOUT,
    NOTEBOOKS,
    course_grade,
    differences,
    graded_outputs,
    no_notebook_left,
    run_course,
)

from autograder.course_files import course_files
from autograder.pipeline import Limits, helper_files
from autograder.versions import code_version, grader_version, tree_digest
from course.examples import EXAMPLES
from course.resume import logged
from course.sequence import ROOT, by_name

A1 = "01_computational_graphs"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder and a copy of the example class to grade into it (the copy may be changed)."""
    folder = tmp_path_factory.mktemp("resume")
    shutil.copytree(EXAMPLES, folder / "submitted-class")
    yield folder / "course", folder / "submitted-class"
    assert no_notebook_left(folder) == []


def graded_in(course_dir, since):
    return [(x["student"], x["assignment"]) for x in logged(course_dir)[since:]]


def test_a_run_killed_halfway_then_run_again_grades_each_notebook_once(course, example_reference, sandbox):
    """SIGKILL `course grade` (and everything it started) once some results are on disk: does the next run reuse
    exactly those, grade the rest, leave what was kept untouched, and end byte for byte as an uninterrupted run?"""
    course_dir, subs = course
    results = course_dir / "reports" / "results"
    proc = subprocess.Popen(course_grade(course_dir, sandbox=sandbox, submissions=subs), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + GRADE_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None and len(list(results.glob("*/*.json"))) < 3:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in results.glob("*/*.json")}
    judged = len(logged(course_dir))
    # a result the kill caught before its key and log line were written is not reused: it is graded again
    assert 2 <= judged <= len(kept) < NOTEBOOKS, f"{len(kept)} results, {judged} logged: the kill came too late"
    assert len(list((course_dir / "reports" / "resume").glob("*/*.json"))) == judged
    assert not (course_dir / "grades.csv").exists()  # the end of the run never came

    out = run_course(course_grade(course_dir, sandbox=sandbox, submissions=subs))
    assert f"graded {NOTEBOOKS - judged} notebook(s); reused {judged} stored result(s)" in out, out[-2000:]
    every = graded_in(course_dir, 0)
    assert len(every) == NOTEBOOKS and len(set(every)) == NOTEBOOKS  # each notebook graded exactly once in all
    assert all(p.read_bytes() == data for p, (data, _) in kept.items())
    assert differences(graded_outputs(course_dir), example_reference) == []


def test_grading_again_grades_only_what_changed(course, example_reference, sandbox):
    """Run again unchanged: nothing is graded and the outputs are the same; change one submission's notebook:
    only that notebook is graded."""
    course_dir, subs = course
    before = len(logged(course_dir))
    out = run_course(course_grade(course_dir, sandbox=sandbox, submissions=subs))
    assert f"graded 0 notebook(s); reused {NOTEBOOKS}" in out, out[-2000:]
    assert len(logged(course_dir)) == before
    assert differences(graded_outputs(course_dir), example_reference) == []

    path = subs / "buggy" / A1 / by_name(A1).notebook
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A note the student added after the deadline."))
    nbformat.write(nb, path)
    out = run_course(course_grade(course_dir, sandbox=sandbox, submissions=subs))
    assert f"graded 1 notebook(s); reused {NOTEBOOKS - 1}" in out, out[-2000:]
    assert graded_in(course_dir, before) == [("buggy", A1)]


def test_student_regrade_and_a_new_grader_version(course, sandbox):
    """`--student perfect` grades nothing while nothing changed, `--regrade` grades perfect's two notebooks and
    no one else's, and a changed limit (part of the grader version) grades again without `--regrade`."""
    course_dir, subs = course
    before = len(logged(course_dir))
    out = run_course(course_grade(course_dir, "--student", "perfect", sandbox=sandbox, submissions=subs))
    assert "graded 0 notebook(s); reused 2" in out, out[-2000:]
    out = run_course(course_grade(course_dir, "--student", "perfect", "--regrade", sandbox=sandbox,
                                  submissions=subs))
    assert "graded 2 notebook(s)." in out, out[-2000:]
    assert sorted(graded_in(course_dir, before)) == [("perfect", a) for a in ("01_computational_graphs",
                                                                                 "02_simple_layers")]
    rows = (course_dir / "grades.csv").read_text().splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["perfect", "perfect"]  # grades.csv: this run's notebooks

    before = len(logged(course_dir))
    out = run_course(course_grade(course_dir, "--student", "blank", "--cell-timeout", "61", sandbox=sandbox,
                                  submissions=subs))
    assert "graded 2 notebook(s)." in out, out[-2000:]
    assert sorted(graded_in(course_dir, before)) == [("blank", a) for a in ("01_computational_graphs",
                                                                               "02_simple_layers")]
    key = json.loads((course_dir / "reports" / "resume" / "blank" / f"{A1}.json").read_text())
    other = json.loads((course_dir / "reports" / "resume" / "buggy" / f"{A1}.json").read_text())
    assert key["grader"] != other["grader"] and key["submission"] != other["submission"]
    assert key["lang"] == other["lang"] == "en"  # a Korean run of this folder reuses neither


def test_the_grader_version_names_what_a_grade_depends_on(tmp_path):
    """Does the grader version change with the grader's code, the assignment as graded (template, helpers), the
    limits and the sandbox, and stay the same otherwise?"""
    files = course_files(by_name(A1), ROOT / "source", ROOT / "release")
    helpers = helper_files(files)
    base = grader_version(files, helpers, Limits(), True)
    assert grader_version(files, helper_files(files), Limits(), True) == base
    assert grader_version(files, helpers, Limits(cell_timeout=61), True) != base
    assert grader_version(files, helpers, Limits(), False) != base
    assert grader_version(files, helpers[:-1], Limits(), True) != base
    assert grader_version(files, helpers, Limits(), True, code="another grader") != base
    template = files.template
    files.template = nbformat.from_dict(json.loads(nbformat.writes(template)))
    files.template.cells[-1].source += " "
    assert grader_version(files, helpers, Limits(), True) != base
    # the code version: every Python file of the autograder package (one changed byte of a copy changes it)
    package = tmp_path / "autograder"
    shutil.copytree(ROOT / "autograder", package, ignore=shutil.ignore_patterns("__pycache__"))
    fresh = code_version.__wrapped__  # not the cached value
    assert tree_digest(package) == tree_digest(ROOT / "autograder") and fresh(str(package)) == code_version()
    judge = package / "judge.py"
    judge.write_text(judge.read_text() + "\n")
    assert fresh(str(package)) != code_version()
