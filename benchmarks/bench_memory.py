"""Benchmark: peak memory of the process that coordinates grading, for a class of N students.

For each ``--students`` N (default 60 and 600) it makes a class of N students handing in one cheap assignment
(``--assignment``, default 01_computational_graphs: the committed perfect, buggy and blank examples in turn), and
runs ``course grade`` on it in a fresh course folder, in a process of its own that reports its peak resident
memory at the end (``getrusage``: the process itself, and the largest of its children: a notebook's kernel and
executor, a feedback page worker). Printed per N: notebooks, wall time, peak RSS of the coordinating process,
the largest child, and the size on disk of what the class's grades hold (stored results, autograded notebooks:
what a process keeping every graded notebook until the end would hold).

    .venv/bin/python benchmarks/bench_memory.py                         # 60 and 600 students
    .venv/bin/python benchmarks/bench_memory.py --students 20 40        # a quick look
    .venv/bin/python benchmarks/bench_memory.py --code /tmp/old-tree    # the same with another tree's code
    .venv/bin/python benchmarks/bench_memory.py --scheduler tcp://127.0.0.1:8786   # notebooks on a Dask cluster

Sandbox on when this machine has one. Never a timed assertion: numbers to read, ratios in one run.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("perfect", "buggy", "blank")

# run in the measured process: `course grade`, then its own peak RSS and its children's (kB on Linux)
MEASURED = """
import json, resource, sys
from course.cli import main
status = main(sys.argv[2:])
print(json.dumps({"status": status, "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=open(sys.argv[1], "w"))
"""


def make_class(folder, students, assignment):
    examples = ROOT / "course" / "examples" / "submitted"
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        shutil.copytree(examples / kind / assignment, folder / f"student-{i:04d}" / assignment)


def size_mb(folder, pattern):
    return sum(p.stat().st_size for p in Path(folder).glob(pattern)) / 2**20


def measure(students, assignment, code, scheduler, sandboxed, workers):
    work = Path(tempfile.mkdtemp(prefix="bfs-bench-memory-"))
    try:
        subs, course_dir, report = work / "class", work / "course", work / "rusage.json"
        make_class(subs, students, assignment)
        argv = [sys.executable, "-c", MEASURED, str(report), "grade", str(subs), "--course-dir", str(course_dir),
                "-a", assignment, "-q"]
        argv += ["--scheduler", scheduler] if scheduler else []
        argv += [] if sandboxed else ["--allow-unsandboxed"]
        argv += ["-j", str(workers)] if workers else []
        env = dict(os.environ, PYTHONPATH=str(code or ROOT))
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode != 0 or not report.exists():
            raise SystemExit(f"course grade failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        usage = json.loads(report.read_text())
        return {"students": students, "notebooks": len(list(course_dir.glob("reports/results/*/*.json"))),
                "wall_s": round(wall, 1), "peak_rss_mb": round(usage["self_kb"] / 1024, 1),
                "largest_child_mb": round(usage["children_kb"] / 1024, 1),
                "results_mb": round(size_mb(course_dir, "reports/results/*/*.json"), 2),
                "autograded_mb": round(size_mb(course_dir, "autograded/*/*/*.ipynb"), 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[60, 600])
    parser.add_argument("--assignment", default="01_computational_graphs")
    parser.add_argument("--code", help="grade with the code of this tree (PYTHONPATH), e.g. an older commit's export")
    parser.add_argument("--scheduler", help="grade on this Dask scheduler (course grade --scheduler)")
    parser.add_argument("-j", "--workers", type=int, help="course grade -j")
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from autograder import sandbox as sb

    sandboxed = not args.no_sandbox and sb.detect()[0] is not None
    rows = []
    for n in args.students:
        row = measure(n, args.assignment, args.code, args.scheduler, sandboxed, args.workers)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"\n{'students':>8} {'notebooks':>9} {'wall s':>8} {'peak RSS MB':>11} {'largest child MB':>16} "
          f"{'results MB':>10} {'autograded MB':>13}")
    for r in rows:
        print(f"{r['students']:>8} {r['notebooks']:>9} {r['wall_s']:>8} {r['peak_rss_mb']:>11} "
              f"{r['largest_child_mb']:>16} {r['results_mb']:>10} {r['autograded_mb']:>13}")
    print(f"(code: {args.code or ROOT}; sandbox: {'on' if sandboxed else 'off'}; "
          f"{'Dask ' + args.scheduler if args.scheduler else 'local workers'})")


if __name__ == "__main__":
    main()
