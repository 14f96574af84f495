"""Where a notebook's grading time goes: per-stage timing of ``course grade``, from the benchmark's side.

Nothing in the product is changed: :func:`timed_stages` swaps the pipeline's functions for timed wrappers while a
grading runs in this process (local workers; the steps a Dask worker runs are not seen here), and timestamps each
frame as the host-side runner receives it from the sandbox. Stages of one notebook, in order:

* ``prepare``: intake and the rebuild of the notebook (``prepare_notebook``);
* ``run setup``: the run's folders and files written (``run_prepared`` before ``run_notebook``);
* ``sandbox+executor start``: from starting the sandboxed executor to its first frame (bubblewrap, the cgroup,
  Python, the executor's imports);
* ``kernel start+bootstrap``: from that frame to the first cell's start (nbclient starts the kernel, waits for it,
  the kernel imports the grader's runtime);
* ``cells``: the student's and the released cells; ``hidden checks``: the cells calling ``_hidden_check`` (the
  probes run on the student's code and write their records);
* ``run end``: from the executor's last frame to ``run_notebook`` returning (killing the sandbox, the cgroup
  removed, the executed notebook written), then ``run frames``: the answer packed as bytes;
* ``read run``: the answer checked (``read_run``); ``reference``: the judge running the reference on each
  scenario; ``judge other``: the rest of judging (deriving, comparing, mistakes); ``feedback nb``: the feedback
  notebook; ``on result``: what ``course grade`` does as each result arrives (result JSON, autograded notebook,
  the resume key, the grading log).

``worker total`` is the wall time of ``grade_notebook`` in its worker thread.
"""

import threading
import time
from collections import defaultdict
from contextlib import contextmanager

STAGES = ["prepare", "run setup", "sandbox+executor start", "kernel start+bootstrap", "cells", "hidden checks",
          "run end", "run frames", "read run", "reference", "judge other", "feedback nb", "on result",
          "worker total"]


class StageTimes:
    """Seconds per stage per notebook: ``rows[(student, assignment)] = {stage: seconds}``."""

    def __init__(self):
        self.rows = defaultdict(lambda: defaultdict(float))
        self.kinds = {}
        self._local = threading.local()
        self._lock = threading.Lock()

    def add(self, stage, seconds, key=None):
        key = key or getattr(self._local, "key", None)
        if key is None:
            return
        with self._lock:
            self.rows[key][stage] += seconds

    def table(self, kind_of=None):
        """``{(assignment, kind): {stage: mean seconds}}`` plus an ``("all", "all")`` row, and counts."""
        groups = defaultdict(list)
        for (student, assignment), row in self.rows.items():
            kind = kind_of(student) if kind_of else "all"
            groups[(assignment, kind)].append(row)
            groups[("all", "all")].append(row)
        return {g: ({s: sum(r.get(s, 0.0) for r in rows) / len(rows) for s in STAGES}, len(rows))
                for g, rows in sorted(groups.items())}


def print_table(times, kind_of=None, out=print):
    """The mean seconds per stage, per assignment and kind of notebook (short column names)."""
    short = {"prepare": "prep", "run setup": "setup", "sandbox+executor start": "box", "kernel start+bootstrap":
             "kernel", "cells": "cells", "hidden checks": "hidden", "run end": "end", "run frames": "frames",
             "read run": "read", "reference": "ref", "judge other": "judge", "feedback nb": "fbnb",
             "on result": "onres", "worker total": "TOTAL"}
    out(f"{'assignment':<26}{'kind':<8}{'n':>4} " + "".join(f"{short[s]:>7}" for s in STAGES))
    for (assignment, kind), (row, n) in times.table(kind_of).items():
        out(f"{assignment:<26}{kind:<8}{n:>4} " + "".join(f"{row[s]:7.3f}" for s in STAGES))


@contextmanager
def timed_stages():
    """While inside, the grading pipeline of this process records its stage times into the yielded
    :class:`StageTimes`."""
    import autograder.judge as judge
    import autograder.pipeline as pipeline
    import autograder.runner as runner
    import course.grading as grading

    times = StageTimes()
    local = times._local
    saved = []

    def swap(module, name, make):
        real = getattr(module, name)
        saved.append((module, name, real))
        setattr(module, name, make(real))

    def timing(stage):
        def make(real):
            def wrapped(*args, **kwargs):
                t = time.perf_counter()
                try:
                    return real(*args, **kwargs)
                finally:
                    times.add(stage, time.perf_counter() - t)
            return wrapped
        return make

    def grade_notebook(real):
        def wrapped(files, student, *args, **kwargs):
            local.key = (student, files.name)
            t = time.perf_counter()
            try:
                return real(files, student, *args, **kwargs)
            finally:
                times.add("worker total", time.perf_counter() - t)
                local.key = None
        return wrapped

    def run_prepared(real):
        def wrapped(*args, **kwargs):
            local.run_started = time.perf_counter()
            local.run_returned = None
            try:
                return real(*args, **kwargs)
            finally:
                end = time.perf_counter()
                if local.run_returned is not None:
                    times.add("run frames", end - local.run_returned)
        return wrapped

    def run_notebook(real):
        def wrapped(nb_path, *args, **kwargs):
            import nbformat

            start = time.perf_counter()
            times.add("run setup", start - local.run_started)
            local.collector = None
            try:
                return real(nb_path, *args, **kwargs)
            finally:
                end = local.run_returned = time.perf_counter()
                frames = getattr(local.collector, "_bench_frames", [])
                hidden = {i for i, c in enumerate(nbformat.read(nb_path, as_version=4).cells)
                          if c.cell_type == "code" and "_hidden_check(" in c.source}
                last, current = start, None
                for stamp, kind, index in frames:
                    if kind == "hello":
                        times.add("sandbox+executor start", stamp - last)
                    elif kind == "start":
                        if current is None:
                            times.add("kernel start+bootstrap", stamp - last)
                        else:
                            times.add("hidden checks" if current in hidden else "cells", stamp - last)
                        current = index
                    elif kind in ("cell", "done"):
                        if current is not None:
                            times.add("hidden checks" if current in hidden else "cells", stamp - last)
                        current = None if kind == "done" else current
                    else:
                        continue
                    last = stamp
                times.add("run end", end - last)
        return wrapped

    real_init, real_frame = runner._Collector.__init__, runner._Collector._frame

    def collector_init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._bench_frames = []
        if getattr(local, "collector", 0) is None:  # the first one of a run_notebook call in this thread
            local.collector = self

    def collector_frame(self, line):
        stamp = time.perf_counter()
        real_frame(self, line)
        frames = getattr(self, "_bench_frames", None)
        if frames is not None and line.startswith(b'{"type":"'):
            kind = line[9:line.index(b'"', 9)].decode()
            index = None
            if kind in ("start", "cell"):
                try:
                    import json

                    index = json.loads(line)["index"] if kind == "start" else None
                except Exception:
                    index = None
            frames.append((stamp, kind, index))

    def judge_cell(real):
        def wrapped(*args, **kwargs):
            t = time.perf_counter()
            local.reference = 0.0
            try:
                return real(*args, **kwargs)
            finally:
                times.add("judge other", time.perf_counter() - t - local.reference)
        return wrapped

    def reference_execute(real):
        def wrapped(*args, **kwargs):
            t = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent = time.perf_counter() - t
                local.reference = getattr(local, "reference", 0.0) + spent
                times.add("reference", spent)
        return wrapped

    def grade_jobs(real):
        def wrapped(*args, on_result=None, **kwargs):
            if on_result is not None:
                inner = on_result

                def on_result(grade):
                    t = time.perf_counter()
                    try:
                        return inner(grade)
                    finally:
                        times.add("on result", time.perf_counter() - t, key=(grade.student, grade.assignment))
            return real(*args, on_result=on_result, **kwargs)
        return wrapped

    swap(pipeline, "grade_notebook", grade_notebook)
    swap(pipeline, "prepare_notebook", timing("prepare"))
    swap(pipeline, "run_prepared", run_prepared)
    swap(pipeline, "run_notebook", run_notebook)
    swap(pipeline, "read_run", timing("read run"))
    swap(pipeline, "judge_cell", judge_cell)
    swap(pipeline, "feedback_notebook", timing("feedback nb"))
    swap(judge, "execute", reference_execute)
    swap(grading, "grade_jobs", grade_jobs)
    runner._Collector.__init__, runner._Collector._frame = collector_init, collector_frame
    try:
        yield times
    finally:
        runner._Collector.__init__, runner._Collector._frame = real_init, real_frame
        for module, name, real in reversed(saved):
            setattr(module, name, real)


class CpuMeter:
    """CPU seconds used by this process and everything it starts, from a cgroup v1 ``cpuacct`` group of its own
    (made here when this runs as root; the sandbox's per-notebook cgroups use the other controllers, so the
    notebooks stay counted). ``None`` readings when that is not possible."""

    ROOT = "/sys/fs/cgroup/cpuacct"

    def __init__(self, name="bfs-bench-cpu"):
        import os
        from pathlib import Path

        self.group = None
        mount = Path(self.ROOT)
        if os.geteuid() != 0 or not (mount / "cgroup.procs").exists():
            return
        try:
            group = mount / f"{name}-{os.getpid()}"
            group.mkdir(exist_ok=True)
            (group / "cgroup.procs").write_text(str(os.getpid()))
            self.group = group
        except OSError:
            self.group = None

    def seconds(self):
        """CPU seconds (all cores) used since the group was made, or None."""
        if self.group is None:
            return None
        try:
            return int((self.group / "cpuacct.usage").read_text()) / 1e9
        except OSError:
            return None

    def close(self):
        """Move this process back to the top group and remove its own (best effort)."""
        import os

        if self.group is None:
            return
        try:
            with open(f"{self.ROOT}/cgroup.procs", "w") as fh:
                fh.write(str(os.getpid()))
            self.group.rmdir()
        except OSError:
            pass
        self.group = None
