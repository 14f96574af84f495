"""A grader killed halfway loses nothing already graded; a grader that fails says so loudly.

`course grade` writes each notebook's result (reports/results/<student>/<assignment>.json and the autograded
notebook) atomically as soon as it is judged. Kill the command mid-run: every result on disk is complete and
right. A grader that cannot run a notebook gives that notebook the status "grader error" (never a silent 0),
and the command exits non-zero naming the students.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from autograder import sandbox as sb
from autograder.course_files import course_files
from autograder.pipeline import Limits, grade_jobs
from autograder.submissions import Job
from course.cli import grader_errors
from course.examples import EXAMPLES
from course.grading import prepare_course_dir
from course.sequence import ROOT, by_name

A, NB = "02_simple_layers", "simple_layers.ipynb"


def test_results_written_before_a_kill_are_complete_and_right(tmp_path, sandbox):
    # what an uninterrupted run gives each of the two kinds of submission
    reference_dir = tmp_path / "reference"
    prepare_course_dir(reference_dir, [A])
    files = {A: course_files(by_name(A), reference_dir / "source", reference_dir / "release")}
    expected = {g.student: g.score for g in grade_jobs(
        [Job(s, A, EXAMPLES / s / A) for s in ("perfect", "buggy")], files, tmp_path / "work", workers=2,
        limits=Limits(), sandbox=sandbox, progress=False)}
    assert expected["perfect"] == 6 and 0 < expected["buggy"] < 6
    subs = tmp_path / "subs"
    for i in range(12):
        kind = "perfect" if i % 2 == 0 else "buggy"
        shutil.copytree(EXAMPLES / kind / A, subs / f"{kind}{i:02d}" / A)
    course_dir = tmp_path / "course"
    cmd = [sys.executable, "-m", "course.cli", "grade", str(subs), "--course-dir", str(course_dir), "-a", A,
           "-j", "1", "-q"] + ([] if sandbox else ["--allow-unsandboxed"])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    results = course_dir / "reports" / "results"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and len(list(results.glob("*/*.json"))) < 3 and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    found = sorted(results.glob("*/*.json"))
    assert 3 <= len(found) < 12, f"{len(found)} results: the kill came too late to test anything"
    assert not (course_dir / "grades.csv").exists()  # the end of the run never came
    for path in found:
        result = json.loads(path.read_text())  # complete JSON: written atomically
        student = path.parent.name
        assert result["student"] == student and result["assignment"] == A
        assert result["score"] == expected[student.rstrip("0123456789")], result
        nb = nbformat.read(course_dir / "autograded" / student / A / NB, as_version=4)
        assert any("Hidden tests:" in o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert not list(results.rglob(".*.part"))


def test_a_grader_that_cannot_run_notebooks_reports_grader_errors_not_zeros(tmp_path, capsys):
    """A sandbox that cannot start (here: bubblewrap replaced by a program that fails at once) is the grader's
    failure: status "grader error", a reason that says so, and exit status 2 naming every student."""
    course_dir = tmp_path / "course"
    prepare_course_dir(course_dir, [A])
    files = {A: course_files(by_name(A), course_dir / "source", course_dir / "release")}
    broken = sb.Bubblewrap("/bin/false", "/bin/false")
    jobs = [Job(s, A, EXAMPLES / s / A) for s in ("perfect", "buggy")]
    grades = grade_jobs(jobs, files, tmp_path / "work", workers=2, limits=Limits(cell_timeout=10,
                        notebook_timeout=60), sandbox=broken, progress=False)
    for g in grades:
        assert g.status == "grader error" and g.score == 0, (g.student, g.status, g.reason)
        assert "not the student's fault" in g.reason
    assert grader_errors(grades) == 2
    err = capsys.readouterr().err
    assert "GRADER ERROR" in err and "perfect/02_simple_layers" in err and "buggy/02_simple_layers" in err


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_course_grade_exits_non_zero_when_the_grader_fails(tmp_path):
    """The whole command, with a bubblewrap that passes the availability probe but cannot run a notebook."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text('#!/bin/sh\n[ "$#" -le 12 ] && exec /usr/bin/bwrap "$@"\nexit 1\n')
    (fake / "bwrap").chmod(0o755)
    subs = tmp_path / "subs"
    shutil.copytree(EXAMPLES / "perfect" / A, subs / "perfect" / A)
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([sys.executable, "-m", "course.cli", "grade", str(subs), "--course-dir",
                           str(tmp_path / "course"), "-a", A, "-q"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "GRADER ERROR" in proc.stderr and "perfect/02_simple_layers" in proc.stderr
    assert "grader error" in (tmp_path / "course" / "grades.csv").read_text()
