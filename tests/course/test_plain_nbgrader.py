"""Do plain nbgrader commands keep working on this course, with the same grades as `course grade`?"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course.examples import EXAMPLES
from course.sequence import ROOT

A = "02_simple_layers"


def _nbgrader(args, cwd):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_generate_autograde_export(tmp_path):
    """Does `nbgrader generate_assignment / autograde / export` from a course copy grade the examples right?"""
    for name in ("nbgrader_config.py", "course", "source"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    out = _nbgrader(["generate_assignment", A, "--force"], tmp_path)
    assert out.returncode == 0, out.stderr
    released = (tmp_path / "release" / A / "simple_layers.ipynb").read_bytes()
    assert released == (ROOT / "release" / A / "simple_layers.ipynb").read_bytes()
    for student in ("perfect", "buggy", "blank"):
        shutil.copytree(EXAMPLES / student / A, tmp_path / "submitted" / student / A)
    out = _nbgrader(["autograde", A], tmp_path)
    assert out.returncode == 0, out.stderr
    out = _nbgrader(["export"], tmp_path)
    assert out.returncode == 0, out.stderr
    scores = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert scores == {"perfect": 6.0, "buggy": 5.0, "blank": 0.0}  # one slip, one penalty; per-output credit
    out = _nbgrader(["generate_feedback", A], tmp_path)
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "feedback" / "buggy" / A / "simple_layers.html").read_text()
    assert "BEGIN HIDDEN" not in html and "from autograder" not in html
