"""The ``course`` command: a thin layer over course.release, course.grading and course.examples."""

import argparse
import csv
import sys
import tempfile
from pathlib import Path

from .sequence import ROOT, SEQUENCE


def _sandbox(args):
    """The sandbox to grade in, or None when the instructor explicitly allowed grading without one."""
    from autograder import sandbox

    box, problem = sandbox.detect()
    if box:
        return box
    if getattr(args, "allow_unsandboxed", False):
        print(f"WARNING: grading WITHOUT a sandbox ({problem}). Student code runs with your rights.",
              file=sys.stderr)
        return None
    raise SystemExit(f"error: no sandbox for student code: {problem}\n"
                     "Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap), or pass "
                     "--allow-unsandboxed if you trust every submission.")


def cmd_release(args):
    from .release import ReleaseError, release

    try:
        release(ROOT, args.assignment or None, verify=not args.no_verify, workers=args.workers,
                sandbox=_sandbox(args) if not args.no_verify else None)
    except ReleaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"release/ is up to date and verified ({ROOT / 'release'}).")
    return 0


def _limits(args):
    from autograder.pipeline import Limits

    return Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                  memory_mb=args.memory_mb)


def _grade(submissions, course_dir, args):
    from .grading import GradebookBusy, GradingInputError, grade_class, table

    try:
        grades = grade_class(submissions, course_dir, names=args.assignment or None, workers=args.workers,
                             limits=_limits(args), sandbox=_sandbox(args), progress=not args.quiet)
    except (GradebookBusy, GradingInputError) as exc:
        raise SystemExit(f"error: {exc}") from None
    print(table(grades))
    print(f"\ngrades:   {Path(course_dir) / 'grades.csv'}\nfeedback: {Path(course_dir) / 'feedback'}"
          f"\nreport:   {Path(course_dir) / 'reports'}")
    return grades


def grader_errors(grades):
    """Say loudly which submissions the grader itself failed on; returns the exit status (2 if any)."""
    failed = [g for g in grades if g.status == "grader error"]
    if not failed:
        return 0
    print(f"\nGRADER ERROR: the grader failed on {len(failed)} submission(s); their 0 is NOT a grade. "
          "Grade them again after fixing the cause (the reason is in grades.csv):", file=sys.stderr)
    for g in failed:
        print(f"  {g.student}/{g.assignment}: {g.reason}", file=sys.stderr)
    return 2


def cmd_grade(args):
    return grader_errors(_grade(args.submissions, args.course_dir, args))


def cmd_demo(args):
    from autograder import sandbox

    from .examples import EXAMPLES

    if not sandbox.detect()[0] and not args.allow_unsandboxed:
        print("note: no sandbox here; the demo grades only the bundled examples, so it runs without one.")
        args.allow_unsandboxed = True
    if not args.skip_release:
        args.no_verify = False
        if cmd_release(args):
            return 1
    course_dir = args.course_dir or tempfile.mkdtemp(prefix="backprop-course-demo-")
    print(f"\nGrading the bundled example submissions in {course_dir}")
    return grader_errors(_grade(EXAMPLES, Path(course_dir).resolve(), args))


def cmd_examples(args):
    from .examples import build

    print(f"wrote {build()}")
    return 0


def cmd_export(args):
    """Per-student totals from the gradebook (what the formgrader shows), as CSV."""
    from nbgrader.api import Gradebook

    from .grading import csv_cell

    db = Path(args.course_dir) / "gradebook.db"
    if not db.exists():
        raise SystemExit(f"error: no gradebook at {db}; run `course grade` first.")
    out = open(args.to, "w", newline="") if args.to else sys.stdout
    writer = csv.writer(out)
    with Gradebook(f"sqlite:///{db.resolve()}") as gb:
        names = [a.name for a in gb.assignments]
        writer.writerow(["student"] + names + ["total", "max_total"])
        for student in gb.students:
            scores = []
            for name in names:
                try:
                    scores.append(gb.find_submission(name, student.id).score)
                except Exception:
                    scores.append(0.0)
            writer.writerow([csv_cell(student.id)] + [f"{s:g}" for s in scores] + [f"{sum(scores):g}",
                             f"{sum(a.max_score for a in gb.assignments):g}"])
    if args.to:
        out.close()
        print(f"wrote {args.to}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="course", description="Backprop from Scratch: run the course.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, grading=True):
        p.add_argument("-a", "--assignment", action="append",
                       help="only this assignment (repeatable); known: " + ", ".join(a.name for a in SEQUENCE))
        p.add_argument("-j", "--workers", type=int, default=None, help="parallel workers (default: cores)")
        p.add_argument("--allow-unsandboxed", action="store_true",
                       help="grade even when no sandbox is available (only for submissions you trust)")
        if grading:
            p.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell (default 60)")
            p.add_argument("--notebook-timeout", type=float, default=300, help="seconds per notebook (default 300)")
            p.add_argument("--memory-mb", type=int, default=2048, help="memory cap per notebook (default 2048)")
            p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("release", help="generate release/ from source/ and verify it")
    common(p, grading=False)
    p.add_argument("--no-verify", action="store_true", help="skip the checks (not recommended)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("grade", help="autograde a folder or zip of submissions")
    p.add_argument("submissions", help="folder with <student>/<assignment>/ (or its parent with submitted/), or a zip")
    p.add_argument("--course-dir", default=str(ROOT / ".course-work" / "course"),
                   help="nbgrader course folder for results (default: .course-work/course, not tracked by git)")
    common(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("demo", help="release, then grade the bundled example submissions in a scratch folder")
    p.add_argument("--course-dir", default=None, help="where to grade (default: a new temporary folder)")
    p.add_argument("--skip-release", action="store_true", help="grade only")
    common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="write per-student totals from the gradebook as CSV")
    p.add_argument("--course-dir", default=str(ROOT / ".course-work" / "course"))
    p.add_argument("--to", help="CSV file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("examples", help="(course authors) regenerate the bundled example submissions")
    p.set_defaults(func=cmd_examples)
    return parser


PATH_OPTIONS = ("submissions", "course_dir", "to")


def main(argv=None):
    args = build_parser().parse_args(argv)
    # every path the user gives is resolved once, here: relative and absolute paths give the same results
    for name in PATH_OPTIONS:
        if getattr(args, name, None):
            setattr(args, name, Path(getattr(args, name)).expanduser().resolve())
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
