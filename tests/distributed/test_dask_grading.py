"""Grading on a Dask cluster (issue 16, items 1 and 2): a real `dask scheduler` and two `dask worker` processes on
127.0.0.1, started by the test (see conftest.py); `course grade --scheduler` hands them the notebooks.

The example class (two assignments) graded through them equals the local run byte for byte; a worker SIGKILLed
while it runs a notebook changes nothing (the notebook is graded by the other worker, once); the scheduler
SIGKILLed mid-run stops `course grade` with a clear error, keeps every result already judged, and a second run
grades only the rest.
"""

import shutil
import subprocess
import time

import pytest
from grading_support import (
    GRADE_TIMEOUT,
    NOTEBOOKS,
    DaskCluster,
    course_grade,
    differences,
    graded_outputs,
    no_notebook_left,
    run_course,
)

from course.resume import logged
from course.sequence import ROOT


def ran_on(course_dir):
    return [line["where"] for line in logged(course_dir)]


def test_a_class_graded_on_dask_workers_equals_the_local_run(dask_cluster, example_reference, sandbox,
                                                             tmp_path):
    """Is every grade, stored result, autograded notebook and feedback page the same bytes as grading here, and
    did every notebook run on a worker?"""
    course_dir = tmp_path / "course"
    out = run_course(course_grade(course_dir, "--scheduler", dask_cluster.address, sandbox=sandbox))
    assert f"graded {NOTEBOOKS} notebook(s)" in out
    assert differences(graded_outputs(course_dir), example_reference) == []
    with dask_cluster.client() as client:
        workers = set(client.scheduler_info()["workers"])
    where = ran_on(course_dir)
    assert len(where) == NOTEBOOKS and set(where) <= workers, where


def test_a_worker_killed_mid_run_changes_nothing(dask_cluster, example_reference, sandbox, tmp_path):
    """SIGKILL one worker (its nanny and worker process) while it runs a notebook: is the class still graded
    byte for byte as locally, every notebook judged exactly once, the killed one by the other worker?"""
    if sandbox is None:
        pytest.skip("needs the sandbox: without it a killed worker's notebook process outlives it")
    course_dir = tmp_path / "course"
    proc = subprocess.Popen(course_grade(course_dir, "--scheduler", dask_cluster.address, sandbox=sandbox),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with dask_cluster.client() as client:
        names = {info["name"]: address for address, info in client.scheduler_info()["workers"].items()}
        victim = names["w1"]
        deadline = time.monotonic() + GRADE_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if client.processing().get(victim) and dask_cluster.running_a_notebook("w1"):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "course grade ended before w1 ran a notebook"
        judged_before = len(logged(course_dir))
        dask_cluster.kill("w1")
        out, _ = proc.communicate(timeout=GRADE_TIMEOUT)
    assert proc.returncode == 0, out[-3000:]
    assert judged_before < NOTEBOOKS
    assert differences(graded_outputs(course_dir), example_reference) == []
    lines = logged(course_dir)
    assert sorted((x["student"], x["assignment"]) for x in lines) == sorted(
        {(x["student"], x["assignment"]) for x in lines}) and len(lines) == NOTEBOOKS  # each exactly once
    assert any(x["where"] == names["w2"] for x in lines[judged_before:])  # the rest, w1's notebook too, on w2


def test_the_scheduler_gone_stops_with_a_clear_error_and_keeps_what_was_judged(dask_cluster, example_reference,
                                                                              sandbox, tmp_path):
    """SIGKILL the scheduler mid-run: does `course grade` say so and exit non-zero, with every result judged so
    far on disk, and does the next run (here, locally) grade only the rest, ending as an uninterrupted run?"""
    if not any(name.startswith("w") for name in dask_cluster.procs):
        dask_cluster.start_worker("w3")
    course_dir = tmp_path / "course"
    results = course_dir / "reports" / "results"
    proc = subprocess.Popen(course_grade(course_dir, "--scheduler", dask_cluster.address, sandbox=sandbox),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + GRADE_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None and len(list(results.glob("*/*.json"))) < 2:
        time.sleep(0.2)
    dask_cluster.kill("scheduler")
    out, _ = proc.communicate(timeout=GRADE_TIMEOUT)
    assert proc.returncode != 0, out[-3000:]
    assert "the connection to the Dask scheduler" in out and "was lost" in out, out[-3000:]
    assert "run the same command again" in out, out[-3000:]
    kept = {p: p.read_bytes() for p in results.glob("*/*.json")}
    judged = len(logged(course_dir))
    assert 2 <= len(kept) == judged < NOTEBOOKS, (len(kept), judged)
    assert not (course_dir / "grades.csv").exists()

    out = run_course(course_grade(course_dir, sandbox=sandbox))
    assert f"graded {NOTEBOOKS - judged} notebook(s); reused {judged}" in out, out[-2000:]
    lines = logged(course_dir)
    assert len(lines) == NOTEBOOKS and len({(x["student"], x["assignment"]) for x in lines}) == NOTEBOOKS
    assert all(p.read_bytes() == data for p, data in kept.items())
    assert differences(graded_outputs(course_dir), example_reference) == []


def test_a_worker_of_another_grader_version_is_refused_before_grading(tmp_path, sandbox):
    """A worker whose autograder differs by one line: does `course grade --scheduler` refuse to start, naming that
    worker and why, before any notebook is graded?"""
    other = tmp_path / "other"
    shutil.copytree(ROOT / "autograder", other / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    judge = other / "autograder" / "judge.py"
    judge.write_text(judge.read_text() + "\n# another version of the grader\n")
    cluster = DaskCluster(tmp_path / "dask")
    try:
        cluster.start_worker("elsewhere", env={"PYTHONPATH": str(other)})
        with cluster.client() as client:
            client.wait_for_workers(1, timeout=300)
        course_dir = tmp_path / "course"
        out = run_course(course_grade(course_dir, "--scheduler", cluster.address, sandbox=sandbox), expect=1)
    finally:
        cluster.stop()
    assert "cannot grade for this course" in out and "runs another version of the grader" in out, out[-2000:]
    assert "its autograder package differs" in out, out[-2000:]
    assert not list(course_dir.glob("reports/results/*/*.json")) and logged(course_dir) == []


@pytest.fixture(autouse=True)
def _no_stray_notebooks(dask_cluster, tmp_path):
    """Every notebook process a test started is gone when it ends (a killed worker's too: --die-with-parent)."""
    yield
    assert no_notebook_left(dask_cluster.folder) == [] and no_notebook_left(tmp_path) == []
