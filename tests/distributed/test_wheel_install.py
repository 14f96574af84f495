"""The course installs where workers run (issue 16, item 6): from a built wheel, not only from a checkout.

The wheel is built from the working tree (``pip wheel``; its build dependency, setuptools, comes from the
package index), installed with its dependencies into a new virtual environment in a temporary folder, and
``course grade`` of that installation grades the bundled examples of one assignment (the examples it carries
itself), in the sandbox when bubblewrap is there, from a folder that is not the repository. The installed
files are the same afterwards: grading never writes into the installation.
"""

import base64
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from course.sequence import SEQUENCE

ROOT = Path(__file__).resolve().parents[2]
A = "02_simple_layers"
PACKAGES = ("autograder", "course", "mnist_utils")
INSTALL_S = 3600  # bounds on waiting, never assertions on speed


def project_files():
    """The files of the project as a fresh clone would have them, plus new files not yet committed."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip(f"not a git checkout ({listed.stderr.strip()}): cannot tell the project's files")
    return [p for p in listed.stdout.split("\0") if p and ((ROOT / p).is_file() or (ROOT / p).is_symlink())]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env


def run(cmd, cwd, check=True, **kwargs):
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=clean_env(), timeout=INSTALL_S,
                          **kwargs)
    if check:
        assert done.returncode == 0, f"{' '.join(map(str, cmd[:4]))} failed ({done.returncode}):\n" \
                                     f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    tree = work / "tree"
    files = project_files()
    for rel in files:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / rel).is_symlink():  # as git keeps it (a link to the one copy of a helper, say)
            os.symlink(os.readlink(ROOT / rel), tree / rel)
        else:
            shutil.copy2(ROOT / rel, tree / rel)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(tree)], cwd=work)
    (built,) = (work / "dist").glob("backprop_from_scratch-*.whl")
    return SimpleNamespace(path=built, files=files)


def test_the_wheel_holds_what_a_worker_needs_to_grade(wheel):
    names = set(zipfile.ZipFile(wheel.path).namelist())
    # every file of the packages: the grader and its kernel-side runtime, the course command, its nbgrader
    # configuration, templates, hub files, the bundled examples, the student helpers
    for rel in wheel.files:
        if rel.split("/")[0] in PACKAGES and "__pycache__" not in rel:
            assert rel in names, f"{rel} is not in the wheel"
    # the notebooks grading needs, and the released ones, under course/materials/
    for a in SEQUENCE:
        for folder in ("source", "release"):
            for rel in wheel.files:
                if rel.startswith(f"{folder}/{a.name}/"):
                    assert f"course/materials/{rel}" in names, f"course/materials/{rel} is not in the wheel"
        assert f"course/materials/source/{a.name}/{a.notebook}" in names
    assert not [n for n in names if n.split("/")[0] in ("tests", "benchmarks", "source", "release", ".course-work")
                or n.endswith("gradebook.db") or "__pycache__" in n]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A new virtual environment in a temporary folder with the wheel and its dependencies (the tested pins
    on Python 3.11, as ./dev installs them)."""
    home = tmp_path_factory.mktemp("worker")
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", str(home / "venv")], cwd=home)
    python = home / "venv" / "bin" / "python"
    pins = ["-c", str(ROOT / "requirements" / "constraints.txt")] if sys.version_info[:2] == (3, 11) else []
    run([python, "-m", "pip", "install", "--quiet", *pins, str(wheel.path)], cwd=home)
    where = run([python, "-c", "import course, sysconfig; print(course.__file__); "
                 "print(sysconfig.get_paths()['purelib'])"], cwd=home).stdout.split()
    return SimpleNamespace(home=home, python=python, course=home / "venv" / "bin" / "course",
                           package=Path(where[0]).parent, site=Path(where[1]))


def installed_files(installed):
    """``{path: sha256}`` of the project's installed files, from the wheel's RECORD."""
    (record,) = installed.site.glob("backprop_from_scratch-*.dist-info/RECORD")
    files = {}
    for row in csv.reader(record.read_text().splitlines()):
        if row[0].split("/")[0] in PACKAGES and row[1]:
            files[row[0]] = row[1]
    return files


def sha256(path):
    digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def test_course_grade_from_the_wheel_grades_the_examples(installed, sandbox):
    assert installed.package.is_relative_to(installed.home / "venv"), installed.package
    examples = installed.package / "examples" / "submitted"
    course_dir = installed.home / "course"
    cmd = [installed.course, "grade", str(examples), "--course-dir", str(course_dir), "-a", A, "-q"]
    if sandbox is None:
        cmd.append("--allow-unsandboxed")
    out = run(cmd, cwd=installed.home).stdout

    rows = {r["student"]: r for r in csv.DictReader((course_dir / "grades.csv").open(encoding="utf-8-sig"))}
    assert set(rows) == {"blank", "buggy", "hostile", "perfect"}, out
    score = {s: (float(r["score"]), float(r["max_score"])) for s, r in rows.items()}
    assert score["perfect"][0] == score["perfect"][1] > 0
    assert score["blank"][0] == 0 and score["hostile"][0] == 0
    buggy = json.loads((course_dir / "reports" / "results" / "buggy" / f"{A}.json").read_text())
    assert {c["grade_id"]: c["score"] for c in buggy["cells"]} == {
        "mul_layer_forward": 1, "mul_layer_backward": 1, "add_layer": 1, "buy_apples": 1, "buy_apples_oranges": 1}
    assert any("MulLayer.backward" in k["title"] and "not times x" in k["message"]
               for c in buggy["cells"] for k in c["checks"])
    assert (course_dir / "feedback" / "perfect" / A / "simple_layers.html").is_file()
    assert (course_dir / "gradebook.db").is_file()

    # nothing of the installation was written: every installed file as the wheel's RECORD says, none added
    recorded = installed_files(installed)
    for rel, digest in recorded.items():
        assert sha256(installed.site / rel) == digest, f"grading changed the installed file {rel}"
    for package in PACKAGES:
        for path in (installed.site / package).rglob("*"):
            rel = path.relative_to(installed.site).as_posix()
            if path.is_file() and "__pycache__" not in rel:
                assert rel in recorded, f"grading added {rel} to the installation"


def test_an_installed_course_says_what_it_cannot_do(installed):
    """Without the PostgreSQL driver (not in the plain install): a clear error and how to install it; and
    the commands that write the course's own files refuse to run in an installation."""
    url = "postgresql://grader@127.0.0.1:9/gradebook"
    for cmd in (["grade", str(installed.package / "examples" / "submitted"), "--course-dir",
                 str(installed.home / "pg-course"), "--db", url, "-a", A, "--allow-unsandboxed"],
                ["export", "--course-dir", str(installed.home / "pg-course"), "--db", url]):
        done = run([installed.course, *cmd], cwd=installed.home, check=False)
        assert done.returncode != 0
        assert "psycopg" in done.stderr and "backprop-from-scratch[postgres]" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    for cmd in (["release"], ["examples"]):
        done = run([installed.course, *cmd], cwd=installed.home, check=False)
        assert done.returncode != 0 and "checkout" in done.stderr and "Traceback" not in done.stderr, done.stderr
