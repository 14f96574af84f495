"""Every path a TA types may be relative: `course grade`, `course export` and `course release` give the same
results as with absolute paths, from any folder."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.examples import EXAMPLES
from course.sequence import ROOT

A = "02_simple_layers"


def course(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's course, whatever folder we start in
    proc = subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env)
    return proc


def tree_digest(folder, pattern):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob(pattern)) if p.is_file()}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, sandbox):
    base = tmp_path_factory.mktemp("paths")
    (base / "ta").mkdir()
    for student in ("perfect", "buggy"):
        shutil.copytree(EXAMPLES / student / A, base / "ta" / "subs" / student / A)
    flags = ["-a", A, "-q", "-j", "2"] + ([] if sandbox else ["--allow-unsandboxed"])
    # a TA in their own folder, typing relative paths (one of them with ..)
    rel = course("grade", "subs", "--course-dir", "../relcourse", *flags, cwd=base / "ta")
    absolute = course("grade", str(base / "ta" / "subs"), "--course-dir", str(base / "abscourse"), *flags, cwd=ROOT)
    return base, rel, absolute


def test_relative_and_absolute_course_dirs_grade_identically(two_runs):
    base, rel, absolute = two_runs
    assert rel.returncode == 0, rel.stderr[-3000:]
    assert absolute.returncode == 0, absolute.stderr[-3000:]
    rel_dir, abs_dir = base / "relcourse", base / "abscourse"
    assert (rel_dir / "grades.csv").read_bytes() == (abs_dir / "grades.csv").read_bytes()
    assert "perfect,02_simple_layers,6,6" in (rel_dir / "grades.csv").read_text()
    for pattern in ("*.html", "*.ipynb", "*.json"):
        sub = {"*.html": "feedback", "*.ipynb": "autograded", "*.json": "reports"}[pattern]
        assert tree_digest(rel_dir / sub, pattern) == tree_digest(abs_dir / sub, pattern), pattern
        assert tree_digest(rel_dir / sub, pattern)
    assert not (base / "ta" / "relcourse").exists()  # ../relcourse meant the folder beside, not inside


def test_export_takes_relative_paths(two_runs):
    base, _, _ = two_runs
    rel = course("export", "--course-dir", "../relcourse", "--to", "totals.csv", cwd=base / "ta")
    absolute = course("export", "--course-dir", str(base / "abscourse"), "--to", str(base / "abs.csv"), cwd=ROOT)
    assert rel.returncode == 0 and absolute.returncode == 0, rel.stderr + absolute.stderr
    assert (base / "ta" / "totals.csv").read_bytes() == (base / "abs.csv").read_bytes()


def test_release_runs_from_any_folder(tmp_path):
    before = tree_digest(ROOT / "release" / A, "*")
    proc = course("release", "-a", A, "--no-verify", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert tree_digest(ROOT / "release" / A, "*") == before
    assert not any(tmp_path.iterdir()), "release wrote into the folder it was started from"
