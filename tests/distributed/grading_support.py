"""Helpers of the Dask and resume tests: `course grade` on the example class, what it writes, a Dask cluster."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from course.examples import EXAMPLES
from course.sequence import ROOT

EXAMPLE_ASSIGNMENTS = ("01_computational_graphs", "02_simple_layers")  # two, to keep the runs short
NOTEBOOKS = 4 * len(EXAMPLE_ASSIGNMENTS)  # perfect, blank, buggy, hostile
GRADE_TIMEOUT = 1800  # a bound on waiting, never an assertion on speed


def course_grade(course_dir, *args, sandbox=None, submissions=None):
    """The argv of `course grade` on the example class (two assignments) into ``course_dir``."""
    cmd = [sys.executable, "-m", "course.cli", "grade", str(submissions or EXAMPLES), "--course-dir",
           str(course_dir), "-q", *args]
    for a in EXAMPLE_ASSIGNMENTS:
        cmd += ["-a", a]
    return cmd + ([] if sandbox else ["--allow-unsandboxed"])


def run_course(cmd, expect=0):
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=GRADE_TIMEOUT)
    assert done.returncode == expect, f"exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def graded_outputs(course_dir):
    """``{relative path: bytes}`` of what grading gives a class: grades.csv, every stored result, autograded
    notebook and feedback page (not the stamps, whose secret is random)."""
    course_dir = Path(course_dir)
    found = {"grades.csv": (course_dir / "grades.csv").read_bytes()}
    for pattern in ("reports/results/*/*.json", "autograded/*/*/*.ipynb", "feedback/*/*/*.html"):
        for path in sorted(course_dir.glob(pattern)):
            found[str(path.relative_to(course_dir))] = path.read_bytes()
    return found


def differences(found, expected):
    """The paths whose bytes differ (or that only one side has)."""
    return sorted(p for p in set(found) | set(expected) if found.get(p) != expected.get(p))


def notebook_processes(marker):
    """The notebook executors running on this machine whose command line names ``marker`` (a test's folder)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        line = " ".join(proc.info["cmdline"] or [])
        if ("autograder.executor" in line or "bwrap" in line) and str(marker) in line:
            found.append(proc)
    return found


def no_notebook_left(marker, wait=60):
    """Wait until no notebook process of ``marker`` runs; kill and name any that outlive ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        left = notebook_processes(marker)
        if not left:
            return []
        time.sleep(0.5)
    for proc in left:
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.Error:
            pass
    return [proc.pid for proc in left]


def dask_missing():
    """Why the Dask tests cannot run here, or None."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return "no Dask: pip install -c requirements/constraints.txt -e '.[test]' (distributed)"
    return None


class DaskCluster:
    """A `dask scheduler` and `dask worker` processes on 127.0.0.1 (random ports), each in a session of its own,
    with their files (and the workers' temporary folders) in ``folder``."""

    def __init__(self, folder):
        self.folder, self.bin, self.procs = Path(folder), Path(sys.executable).parent, {}
        self.start_scheduler()

    def _start(self, name, argv, env=None):
        tmp = self.folder / name / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        with open(self.folder / f"{name}.log", "ab") as log:
            self.procs[name] = subprocess.Popen(argv, cwd=self.folder / name, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True,
                                                env=dict(os.environ, TMPDIR=str(tmp), **(env or {})))

    def start_scheduler(self):
        info = self.folder / "scheduler.json"
        info.unlink(missing_ok=True)
        self._start("scheduler", [str(self.bin / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(info)])
        deadline = time.monotonic() + 120
        while not info.exists() and time.monotonic() < deadline and self.procs["scheduler"].poll() is None:
            time.sleep(0.2)
        assert info.exists(), (self.folder / "scheduler.log").read_text()[-3000:]
        self.address = json.loads(info.read_text())["address"]

    def start_worker(self, name, env=None):
        self._start(name, [str(self.bin / "dask"), "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                           "--no-dashboard", "--name", name, "--local-directory", str(self.folder / name)], env)

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=60, set_as_default=False)

    def running_a_notebook(self, name):
        """Is the worker ``name`` running a notebook right now (an executor among its processes)?"""
        try:
            tree = psutil.Process(self.procs[name].pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return False
        for proc in tree:
            try:
                if "autograder.executor" in " ".join(proc.cmdline()):
                    return True
            except psutil.Error:
                continue
        return False

    def kill(self, name):
        """SIGKILL a process and everything in its session (a worker: its nanny and its worker process)."""
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop(self):
        for name in list(self.procs):
            self.kill(name)
