"""Benchmark: grade a synthetic class with our pipeline and with plain sequential ``nbgrader autograde``.

The class: ``--students`` students (default 60) × every released assignment, a mix of perfect, blank
and buggy notebooks (``course/examples/submitted``; made from source/ and release/ the same way where an
assignment has no committed examples), each submission folder holding the released helper files too,
as a student's would.

1. ``course grade`` (``course.grading.grade_class``): sandbox on (unless ``--no-sandbox``), workers =
   cores; end to end (course folder, gradebook, feedback pages, grades.csv, report), and the grading part
   alone; with ``--dask``, the same again on a Dask cluster on this machine (a scheduler and as many
   ``dask worker`` processes, ``--nworkers 1 --nthreads 1``, on 127.0.0.1): the Dask overhead as a ratio;
2. ``nbgrader autograde <assignment> --force`` for each assignment, in a scratch nbgrader course folder
   with this course's nbgrader configuration (hidden tests judge in the kernel there). Setting up that
   folder (``generate_assignment``, copying submissions) is not timed.

Printed: both wall times, the ratio, and per-notebook costs against a bare kernel start (start a kernel,
run ``pass``, shut it down) and against our executor on a one-cell notebook, with and without the sandbox;
the CPU seconds of every side (all their processes, counted in a cgroup of this benchmark's own when it runs
as root), which depend far less than wall times on what else the machine runs; and where each notebook's time
goes, stage by stage (``benchmarks/stages.py``).

    .venv/bin/python benchmarks/bench_grading.py                 # 60 students
    .venv/bin/python benchmarks/bench_grading.py --dask          # ... and on a Dask cluster of 2 workers
    .venv/bin/python benchmarks/bench_grading.py --students 3 -j 1 --skip-nbgrader   # a quick look at the stages
"""

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import sandbox as sb  # noqa: E402
from autograder.pipeline import Limits  # noqa: E402
from autograder.runner import SINGLE_THREAD_ENV, run_notebook  # noqa: E402
from autograder.runtime import make_runtime  # noqa: E402
from benchmarks import stages  # noqa: E402
from course.examples import BUGS  # noqa: E402
from course.examples import EXAMPLES as EXAMPLE_DIR  # noqa: E402
from course.release import perfect_submission  # noqa: E402
from course.sequence import assignments  # noqa: E402

KINDS = ["perfect", "blank", "buggy"]


def released():
    return [a for a in assignments(ROOT) if (ROOT / "release" / a.name / a.notebook).exists()]


def example_notebooks(assignment):
    """``{kind: notebook}`` for one assignment: the committed examples, else made like them."""
    found = {k: EXAMPLE_DIR / k / assignment.name / assignment.notebook for k in KINDS}
    found = {k: nbformat.read(p, as_version=4) for k, p in found.items() if p.exists()}
    if "perfect" not in found:
        found["perfect"] = perfect_submission(nbformat.read(ROOT / "source" / assignment.name / assignment.notebook,
                                                            as_version=4))
    if "blank" not in found:
        found["blank"] = nbformat.read(ROOT / "release" / assignment.name / assignment.notebook, as_version=4)
    if "buggy" not in found:
        buggy = nbformat.from_dict(dict(found["perfect"]))
        for old, new in BUGS.get(assignment.name, []):
            for cell in buggy.cells:
                if old in cell.source:
                    cell.source = cell.source.replace(old, new, 1)
                    break
        found["buggy"] = buggy
    for nb in found.values():
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    return found


def make_class(target, students, selected):
    """``target/<student>/<assignment>/``: the notebook plus the released helper files."""
    count = 0
    for a in selected:
        notebooks = example_notebooks(a)
        helpers = [p for p in (ROOT / "release" / a.name).iterdir() if p.name != a.notebook]
        for i in range(students):
            folder = target / f"student{i:03d}" / a.name
            folder.mkdir(parents=True)
            nbformat.write(notebooks[KINDS[i % len(KINDS)]], folder / a.notebook)
            for h in helpers:
                (shutil.copytree if h.is_dir() else shutil.copy2)(h, folder / h.name)
            count += 1
    return count


def bare_kernel_start(repeat=3):
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3", stderr=subprocess.DEVNULL)
        kc.execute_interactive("pass", timeout=60)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def trivial_notebook(work, box, repeat=3):
    """Median seconds for a one-cell notebook through ``run_notebook`` (our executor), optionally sandboxed."""
    runtime = make_runtime(work / "runtime")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    times = []
    for i in range(repeat):
        job = work / f"trivial{i}"
        run, records = job / "run", job / "records"
        run.mkdir(parents=True)
        records.mkdir()
        nbformat.write(nb, job / "in.ipynb")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_"))}
        env.update(SINGLE_THREAD_ENV, PYTHONPATH=str(runtime), HOME=str(run), BFS_RECORD_DIR=str(records))
        limits = Limits()
        wrap = box.wrapper(run_dir=run, record_dir=records, workdir=job, runtime=runtime,
                           limits=limits) if box else None
        t = time.perf_counter()
        result = run_notebook(job / "in.ipynb", job / "out.ipynb", cwd=run, env=env, wrap=wrap, record_dir=records,
                              cell_timeout=limits.cell_timeout, total_timeout=limits.notebook_timeout)
        times.append(time.perf_counter() - t)
        assert result.ok, result.reason
    return statistics.median(times)


def ours(subs, course_dir, workers, box, cpu=None, scheduler=None):
    """``grade_class`` end to end; also the seconds spent in each of its phases, and (``cpu``: a
    ``stages.CpuMeter``) the CPU seconds of the grading phase, its notebooks included, and of this process.
    ``scheduler``: grade on that Dask scheduler's workers."""
    import course.grading as grading
    import course.outputs as outputs

    # where each phase's function is looked up when grade_class runs
    phases = {"grading": "grade_jobs", "gradebook": "record_in_gradebook", "feedback pages": "write_feedback_pages"}
    home = {"grade_jobs": grading, "record_in_gradebook": grading, "write_feedback_pages": outputs}
    spent, real = {}, {name: getattr(home[name], name) for name in phases.values()}

    def timed(name):
        def run(*args, **kwargs):
            t, c, h = time.perf_counter(), cpu.seconds() if cpu else None, time.process_time()
            try:
                return real[name](*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0) + time.perf_counter() - t
                spent["host " + name] = spent.get("host " + name, 0) + time.process_time() - h
                if c is not None:
                    spent["cpu " + name] = spent.get("cpu " + name, 0) + cpu.seconds() - c
        return run

    for name in real:
        setattr(home[name], name, timed(name))
    try:
        t = time.perf_counter()
        grades = grading.grade_class(subs, course_dir, workers=workers, sandbox=box, progress=False,
                                     log=lambda *a: None, scheduler=scheduler)
        total = time.perf_counter() - t
    finally:
        for name, fn in real.items():
            setattr(home[name], name, fn)
    return (total, {label: spent.get(name, 0.0) for label, name in phases.items()}, grades,
            (spent.get("cpu grade_jobs"), spent.get("host grade_jobs")))


def on_dask(subs, course_dir, box, cpu, workers):
    """``grade_class`` on a Dask cluster on this machine: a ``dask scheduler`` and ``workers`` ``dask worker``
    processes (``--nworkers 1 --nthreads 1``) on 127.0.0.1, started and stopped here the way tests/distributed
    starts them (``tests.distributed.grading_support.DaskCluster``); their CPU is counted with this process's."""
    from tests.distributed.grading_support import DaskCluster

    cluster = DaskCluster(Path(course_dir).parent / "dask-cluster")
    try:
        for i in range(workers):
            cluster.start_worker(f"worker{i}")
        with cluster.client() as client:  # graded once they are all there, as local workers would be
            client.wait_for_workers(workers, timeout=300)
        return ours(subs, course_dir, workers, box, cpu, scheduler=cluster.address)
    finally:
        cluster.stop()


def nbgrader_sequential(subs, course_dir, selected, cpu=None):
    """Plain ``nbgrader autograde`` per assignment (it grades the students one after another). Returns the wall
    time, the scores and (``cpu``: a ``stages.CpuMeter``) the CPU seconds of all its processes."""
    from course.grading import prepare_course_dir

    prepare_course_dir(course_dir, [a.name for a in selected], log=lambda *a: None)
    shutil.copytree(subs, course_dir / "submitted")
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa\n"
        f"load_subconfig({str(ROOT / 'course' / 'nbgrader_config.py')!r})  # noqa\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course_dir / 'gradebook.db'}'\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")  # nbgrader runs alembic
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    t, c = time.perf_counter(), cpu.seconds() if cpu else None
    for a in selected:
        proc = subprocess.run([nbgrader, "autograde", a.name, "--force"], cwd=course_dir, env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader autograde {a.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    total = time.perf_counter() - t
    used = cpu.seconds() - c if c is not None else None
    return total, _nbgrader_scores(course_dir, selected), used


def _nbgrader_scores(course_dir, selected):
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for a in selected:
            for sub in gb.assignment_submissions(a.name):
                scores[(sub.student_id, a.name)] = sub.score
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("-a", "--assignment", action="append", help="only these assignments (default: all released)")
    parser.add_argument("-j", "--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-sandbox", action="store_true", help="grade our side without the sandbox")
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--no-stages", action="store_true", help="do not time each notebook's stages")
    parser.add_argument("--dask", action="store_true",
                        help="also grade the class on a Dask cluster of --workers workers on this machine")
    args = parser.parse_args(argv)

    box = None
    if not args.no_sandbox:
        box, problem = sb.detect()
        if box is None:
            raise SystemExit(f"no sandbox here ({problem}); use --no-sandbox to benchmark without one")
    cpu = stages.CpuMeter()
    selected = [a for a in released() if not args.assignment or a.name in args.assignment]
    work = Path(tempfile.mkdtemp(prefix="bfs-bench-"))
    try:
        subs = work / "submitted"
        n = make_class(subs, args.students, selected)
        print(f"class: {args.students} students x {len(selected)} assignment(s) "
              f"({', '.join(a.name for a in selected)}) = {n} notebooks; {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"sandbox: {box.describe() if box else 'off'}; workers: {args.workers}")

        bare = bare_kernel_start()
        plain = trivial_notebook(work / "trivial-plain", None)
        boxed = trivial_notebook(work / "trivial-boxed", box) if box else None
        print(f"\nbare kernel start (start, run `pass`, shut down):  {bare:6.2f} s")
        print(f"one-cell notebook through our executor:            {plain:6.2f} s  (+{plain - bare:.2f} s)")
        if boxed is not None:
            print(f"... in the sandbox (bubblewrap + cgroups):          {boxed:6.2f} s  (+{boxed - bare:.2f} s)")

        stage_times = None if args.no_stages else stages.timed_stages()
        with stage_times if stage_times is not None else contextlib.nullcontext() as times:
            cpu_start = cpu.seconds()
            total, phases, grades, (cpu_grading, cpu_host) = ours(subs, work / "ours", args.workers, box, cpu)
            cpu_total = cpu.seconds() - cpu_start if cpu_start is not None else None
        grading = phases["grading"]
        by_kind = {}
        for g in grades:
            kind = KINDS[int(g.student[-3:]) % len(KINDS)]
            by_kind.setdefault(kind, set()).add(f"{g.score:g}/{g.max_score:g}")
        print(f"\nours, end to end ({args.workers} workers):      {total:7.1f} s   "
              f"({total / n:.2f} s per notebook)")
        rest = total - sum(phases.values())
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()) + f", the rest {rest:.1f} s "
              "(course folder, copies, autograded/, csv, json, plot)")
        print(f"  per notebook per worker: {grading * args.workers / n:.2f} s "
              f"= bare kernel start + {grading * args.workers / n - bare:.2f} s")
        if cpu_total is not None:
            print(f"  CPU (all processes, cgroup cpuacct) end to end: {cpu_total:.1f} s = {cpu_total / n:.2f} s per "
                  "notebook")
        if cpu_grading is not None:
            print(f"  CPU (all processes, cgroup cpuacct) while grading: {cpu_grading:.1f} s = {cpu_grading / n:.2f} s "
                  f"per notebook ({cpu_host / n:.2f} s of it in this process, the rest in sandboxes); "
                  f"{cpu_grading / grading:.2f} of {os.cpu_count()} cores busy on average")
        print(f"  scores by kind: {', '.join(f'{k}: {sorted(v)}' for k, v in sorted(by_kind.items()))}")
        if times is not None:
            print("\nmean seconds per notebook and stage, in its worker (benchmarks/stages.py):")
            stages.print_table(times, kind_of=lambda student: KINDS[int(student[-3:]) % len(KINDS)])
        if args.dask:
            cpu_start = cpu.seconds()
            d_total, d_phases, d_grades, (d_cpu_grading, d_host) = on_dask(subs, work / "dask", box, cpu,
                                                                           args.workers)
            d_cpu_total = cpu.seconds() - cpu_start if cpu_start is not None else None
            same = sum((a.student, a.assignment, a.score, a.status) == (b.student, b.assignment, b.score, b.status)
                       for a, b in zip(sorted(grades, key=lambda g: (g.student, g.assignment)),
                                       sorted(d_grades, key=lambda g: (g.student, g.assignment))))
            print(f"\nours on Dask ({args.workers} `dask worker`s, --nworkers 1 --nthreads 1, 127.0.0.1): "
                  f"{d_total:7.1f} s end to end ({d_total / n:.2f} s per notebook)")
            print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in d_phases.items()))
            if d_cpu_total is not None:
                print(f"  CPU end to end {d_cpu_total:.1f} s = {d_cpu_total / n:.2f} s per notebook; while grading "
                      f"{d_cpu_grading / n:.2f} s per notebook, {d_host / n:.3f} s of it in this process (the "
                      "coordinator: intake, rebuild, judging)")
            print(f"  same student, assignment, score and status as the local run: {same}/{len(grades)}")
            print(f"  Dask overhead: {d_total / total:.2f}x end to end, {d_phases['grading'] / grading:.2f}x grading "
                  "alone (Dask time / local time)")
        if args.skip_nbgrader:
            return 0
        seq, scores, cpu_seq = nbgrader_sequential(subs, work / "nbgrader", selected, cpu)
        print(f"nbgrader autograde, sequential:       {seq:7.1f} s   ({seq / n:.2f} s per notebook "
              f"= bare kernel start + {seq / n - bare:.2f} s)")
        if cpu_seq is not None and cpu_grading is not None:
            print(f"  CPU: {cpu_seq:.1f} s = {cpu_seq / n:.2f} s per notebook ({cpu_seq / seq:.2f} cores busy on "
                  f"average); ours while grading {cpu_grading / n:.2f} s per notebook: "
                  f"{cpu_seq / cpu_grading:.2f}x less CPU per notebook"
                  + (f", end to end {cpu_seq / cpu_total:.2f}x" if cpu_total else ""))
        agree = sum(abs(scores.get((g.student, g.assignment), -1) - g.score) < 1e-6 for g in grades)
        print(f"  scores agree with ours on {agree}/{len(grades)} notebooks")
        print(f"\nspeed-up: {seq / total:.2f}x end to end, {seq / grading:.2f}x grading alone")
    finally:
        cpu.close()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
