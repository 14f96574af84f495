"""The ``course`` command: a thin layer over course.release, course.grading and course.examples."""

import argparse
import sys
import tempfile
from pathlib import Path

from autograder.i18n import LANGUAGES

from .sequence import ROOT, SEQUENCE


def _sandbox(args, choice="bubblewrap"):
    """The sandbox to grade in (``choice``: the ``sandbox`` setting), or None when the instructor chose to grade
    without one (``none``) or allowed it where there is none (``--allow-unsandboxed``)."""
    from autograder import sandbox

    if choice == "none":
        print("WARNING: grading WITHOUT a sandbox (the sandbox setting is 'none'). Student code runs with your "
              "rights.", file=sys.stderr)
        return None
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
    """``course release``: generate and verify release/; returns the exit status (1 when a check fails)."""
    from .release import ReleaseError, release

    _require_checkout("course release")
    from .editions import edition_root

    settings = _settings(None, args)
    try:
        release(ROOT, args.assignment or None, verify=not args.no_verify, workers=settings.workers or None,
                sandbox=_sandbox(args, settings.sandbox) if not args.no_verify else None, limits=settings.limits(),
                lang=settings.language)
    except ReleaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    released = edition_root(settings.language, ROOT) / "release"
    print(f"{released.relative_to(ROOT)}/ is up to date and " + ("verified" if not args.no_verify else "NOT verified")
          + f" ({released}).")
    if getattr(args, "to_exchange", False):
        from . import hub

        try:
            hub.release_to_exchange(args.hub_dir, args.assignment or None)
        except hub.HubError as exc:
            raise SystemExit(f"error: {exc}") from None
    return 0


def _settings(course_dir, args):
    """The grading settings: the course's nbgrader_config.py, ``course_dir``'s, then the flags that were given."""
    from traitlets import TraitError

    from .settings import SETTINGS, load

    try:
        return load(course_dir, {name: getattr(args, name, None) for name in SETTINGS})
    except TraitError as exc:
        raise SystemExit(f"error: {exc}") from None


def _require_checkout(what):
    """Commands that write the course's own files (source/, release/, examples) run only in its repository."""
    from .layout import is_checkout

    if not is_checkout():
        raise SystemExit(f"error: {what} writes the course's own files, so it runs in a checkout of the course "
                         "repository, not in an installed course (which grades with the notebooks it was built with).")


def _grade(submissions, course_dir, args):
    from autograder.distributed import ClusterError

    from .gradebook import GradebookError, formgrader_note, resolve_db_url
    from .grading import GradingInputError, grade_class, table

    settings = _settings(course_dir, args)
    try:
        grades = grade_class(submissions, course_dir, names=args.assignment or None, workers=settings.workers or None,
                             limits=settings.limits(), sandbox=_sandbox(args, settings.sandbox),
                             progress=not args.quiet, db_url=getattr(args, "db", None),
                             scheduler=getattr(args, "scheduler", None), regrade=getattr(args, "regrade", False),
                             students=getattr(args, "student", None), lang=settings.language)
    except (GradebookError, GradingInputError, ClusterError) as exc:
        raise SystemExit(f"error: {exc}") from None
    print(table(grades))
    print(f"\ngrades:   {Path(course_dir) / 'grades.csv'}\nfeedback: {Path(course_dir) / 'feedback'}"
          f"\nreport:   {Path(course_dir) / 'reports' / 'index.html'}")
    note = formgrader_note(course_dir, resolve_db_url(course_dir, args.db)) if getattr(args, "db", None) else None
    if note:
        print(f"note: {note}")
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
    """``course grade``: grade a class; returns the exit status (2 when the grader failed on a submission)."""
    from .exchange import restore_ownership

    # no folder given: the course folder's own submitted/ (what `nbgrader collect` filled), graded in place
    submissions = args.submissions or Path(args.course_dir) / "submitted"
    try:
        return grader_errors(_grade(submissions, args.course_dir, args))
    finally:
        restore_ownership(args.course_dir)  # run with sudo on an instructor's course folder: give it back


def cmd_demo(args):
    """``course demo``: release, then grade the bundled examples (or a synthetic class); returns the exit status."""
    from autograder import sandbox

    from .examples import EXAMPLES
    from .layout import is_checkout

    if not sandbox.detect()[0] and not args.allow_unsandboxed:
        print("note: no sandbox here; the demo grades only the bundled examples, so it runs without one.")
        args.allow_unsandboxed = True
    if not args.skip_release and is_checkout():  # an installed course grades the notebooks it was built with
        args.no_verify = False
        if cmd_release(args):
            return 1
    course_dir = args.course_dir or tempfile.mkdtemp(prefix="backprop-course-demo-")
    if getattr(args, "class_size", None) is not None:
        return _demo_class(args, Path(course_dir).resolve())
    print(f"\nGrading the bundled example submissions in {course_dir}")
    return grader_errors(_grade(EXAMPLES, Path(course_dir).resolve(), args))


def _demo_class(args, course_dir):
    """`course demo --class-size N`: grade a seeded synthetic class (course/synthetic.py), then name the report."""
    import shutil

    from . import synthetic

    names = args.assignment or None
    subs = Path(tempfile.mkdtemp(prefix="backprop-synthetic-class-"))
    try:
        try:
            synthetic.make_class(subs, args.class_size, seed=args.seed, names=names)
        except synthetic.SyntheticClassError as exc:
            raise SystemExit(f"error: {exc}") from None
        synthetic.set_due_dates(course_dir, names)
        print(f"\nGrading a synthetic class of {args.class_size} students (seed {args.seed}) in {course_dir}")
        status = grader_errors(_grade(subs, course_dir, args))
    finally:
        shutil.rmtree(subs, ignore_errors=True)
    print(f"\nWhat the class got wrong: {course_dir / 'reports' / 'index.html'}")
    return status


def cmd_translations(args):
    """``course translations``: bring an edition's catalogs of notebook prose up to date with source/ (new cells
    get empty entries, changed ones are marked fuzzy); returns 1 while any cell still needs a translator."""
    from .editions import problems, update_catalogs
    from .sequence import assignments

    _require_checkout("course translations")
    import nbformat

    selected = assignments(ROOT, args.assignment or None)
    if not args.check:
        update_catalogs(args.language, selected)
    found = [p for a in selected for p in problems(args.language, a.name, nbformat.read(
        ROOT / "source" / a.name / a.notebook, as_version=4))]
    for line in found:
        print(line)
    print(f"{len(found)} cell(s) of the {args.language} edition need a translator." if found
          else f"the {args.language} edition's prose is complete and up to date.")
    return 1 if found else 0


def cmd_lab(args):
    """``course lab``: JupyterLab for a student of an edition, in its released folders (or FOLDER): menus in that
    language and visible checks in it, for this server only (nothing installed changes). Returns its status."""
    import subprocess

    from .editions import edition_root
    from .layout import default_work_dir
    from .student_env import StudentEnvError, lab_environment

    lang = args.language or "en"
    folder = args.folder or edition_root(lang, ROOT) / "release"
    if not Path(folder).is_dir():
        raise SystemExit(f"error: no folder {folder}" + (f"; run `course release --lang {lang}` first"
                                                         if args.folder is None else ""))
    try:
        env = lab_environment(lang, default_work_dir() / "lab" / lang / "config")
    except StudentEnvError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"JupyterLab in {folder} ({lang}); Ctrl-C stops it.", flush=True)
    extra = args.lab_args[1:] if args.lab_args[:1] == ["--"] else args.lab_args
    return subprocess.call([sys.executable, "-m", "jupyter", "lab", *extra], cwd=folder, env=env)


def cmd_examples(args):
    """``course examples``: regenerate the bundled example submissions; returns 0."""
    from .examples import build

    _require_checkout("course examples")
    print(f"wrote {build()}")
    return 0


def cmd_report(args):
    """Rebuild reports/index.html and reports/mistakes.csv from the stored results, without grading again."""
    from .report import write_report

    results = Path(args.course_dir) / "reports" / "results"
    if not results.is_dir():
        raise SystemExit(f"error: no stored results in {results}; run `course grade` first.")
    print(f"wrote {write_report(args.course_dir)}")
    return 0


def cmd_feedback(args):
    """Write the feedback pages again from the stored results and the gradebook's manual scores and comments
    (written answers graded in the formgrader), without grading again."""
    from .gradebook import GradebookError
    from .written import refresh_feedback

    results = Path(args.course_dir) / "reports" / "results"
    if not results.is_dir():
        raise SystemExit(f"error: no stored results in {results}; run `course grade` first.")
    try:
        count, problems = refresh_feedback(args.course_dir, args.assignment or None, getattr(args, "db", None))
    except GradebookError as exc:
        raise SystemExit(f"error: {exc}") from None
    for problem in problems:
        print(f"note: {problem}")
    print(f"wrote {count} feedback page(s) in {Path(args.course_dir) / 'feedback'}; hand them out with "
          "`nbgrader release_feedback ASSIGNMENT` (or the formgrader's Release Feedback)")
    return 0


def cmd_export(args):
    """Grades from the gradebook (what the formgrader shows, late penalties taken) as CSV for an LMS."""
    from .exporters import export
    from .gradebook import GradebookError, check_connection, is_sqlite, resolve_db_url

    try:
        url = resolve_db_url(args.course_dir, args.db)
        check_connection(url)
    except GradebookError as exc:
        raise SystemExit(f"error: {exc}") from None
    db = Path(url.removeprefix("sqlite:///").split("?")[0])
    if is_sqlite(url) and not db.exists():
        raise SystemExit(f"error: no gradebook at {db}; run `course grade` first.")
    export(url, args.format, str(args.to) if args.to else "-", assignments=args.assignment or ())
    if args.to:
        print(f"wrote {args.to}")
    return 0


def cmd_hub(args):
    """`course hub setup|start|nbgrader|teardown`: a class on this machine (see course/hub.py)."""
    from . import hub

    try:
        if args.action == "setup":
            students = list(args.students or [])
            if args.roster:
                students += [line.split("#")[0].strip() for line in Path(args.roster).read_text().splitlines()
                             if line.split("#")[0].strip()]
            h = hub.setup(args.hub_dir, instructor=args.instructor, students=students, course_dir=args.course_dir,
                          env=args.env, port=args.port, names=args.assignment or None,
                          passwords=not args.no_passwords, allow_readable_repo=args.allow_readable_repo,
                          lang=args.language)
            print(f"\nThe class is ready: instructor {h.instructor}, {len(h.students)} student(s), course folder "
                  f"{h.course_dir}.\nStart it with:  sudo {sys.argv[0]} hub start --hub-dir {args.hub_dir}")
        elif args.action == "start":
            hub.start(args.hub_dir, port=args.port, hub_port=args.hub_port, proxy_api_port=args.proxy_api_port)
        elif args.action == "nbgrader":
            return hub.as_instructor(args.hub_dir, ["nbgrader", *args.args]).returncode
        elif args.action == "teardown":
            hub.teardown(args.hub_dir, remove_users=args.remove_users)
    except hub.HubError as exc:
        raise SystemExit(f"error: {exc}") from None
    return 0


DB_HELP = ("nbgrader's gradebook as an SQLAlchemy URL, e.g. postgresql://USER@HOST:5432/DBNAME (password in "
           "~/.pgpass); default: c.CourseDirectory.db_url in the course folder's nbgrader_config.py, else "
           "sqlite:///COURSE_DIR/gradebook.db")


def build_parser():
    """The ``argparse`` parser of the ``course`` command and its subcommands."""
    from .layout import default_work_dir

    parser = argparse.ArgumentParser(prog="course", description="Backprop from Scratch: run the course.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, grading=True):
        p.add_argument("-a", "--assignment", action="append",
                       help="only this assignment (repeatable); known: " + ", ".join(a.name for a in SEQUENCE))
        # every setting flag defaults to None: the value in nbgrader_config.py (course/settings.py) is used
        p.add_argument("-j", "--workers", type=int, default=None,
                       help="notebooks graded at once (default: GradingSettings.workers; 0: one per core)")
        p.add_argument("--sandbox", choices=["bubblewrap", "none"], default=None,
                       help="run notebooks in bubblewrap, or without a sandbox (default: GradingSettings.sandbox)")
        p.add_argument("--allow-unsandboxed", action="store_true",
                       help="grade even when no sandbox is available (only for submissions you trust)")
        p.add_argument("--lang", dest="language", choices=LANGUAGES, default=None,
                       help="the edition: the notebooks' prose and every message students read "
                            "(default: GradingSettings.language, English)")
        if grading:
            p.add_argument("--cell-timeout", type=float, default=None,
                           help="seconds per cell (default: GradingSettings.cell_timeout)")
            p.add_argument("--notebook-timeout", type=float, default=None,
                           help="seconds per notebook (default: GradingSettings.notebook_timeout)")
            p.add_argument("--memory-mb", type=int, default=None,
                           help="memory cap per notebook in MB (default: GradingSettings.memory_mb)")
            p.add_argument("--processes", type=int, default=None,
                           help="processes and threads per notebook (default: GradingSettings.processes)")
            p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("release", help="generate release/ from source/ and verify it")
    common(p, grading=False)
    p.add_argument("--no-verify", action="store_true", help="skip the checks (not recommended)")
    p.add_argument("--to-exchange", action="store_true",
                   help="then release to the class's nbgrader exchange as its instructor (a class made by "
                        "`course hub setup`; as root)")
    p.add_argument("--hub-dir", default="/srv/backprop-hub", help="the class (default /srv/backprop-hub)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("grade", help="autograde a folder or zip of submissions")
    p.add_argument("submissions", nargs="?",
                   help="folder with <student>/<assignment>/ (or its parent with submitted/), or a zip "
                        "(default: the course folder's own submitted/, as `nbgrader collect` left it)")
    p.add_argument("--course-dir", default=str(default_work_dir() / "course"),
                   help="nbgrader course folder for results (default: .course-work/course in the repository, not "
                        "tracked by git; for an installed course, in the current folder)")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the notebooks on the workers of this Dask scheduler (`dask scheduler`; on each grading "
                        "machine `dask worker tcp://HOST:PORT`, with this course and bubblewrap installed); taking in "
                        "and judging stay here (needs the [dask] extra)")
    p.add_argument("--regrade", action="store_true",
                   help="grade every notebook again (default: a stored result whose submission and grader version "
                        "are unchanged is reused)")
    p.add_argument("--student", action="append", metavar="ID", help="only this student's notebooks (repeatable)")
    common(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("demo", help="release, then grade the bundled example submissions in a scratch folder")
    p.add_argument("--course-dir", default=None, help="where to grade (default: a new temporary folder)")
    p.add_argument("--skip-release", action="store_true", help="grade only")
    p.add_argument("--class-size", type=int, default=None, metavar="N",
                   help="grade a seeded synthetic class of N students (ids synthetic-NN, mistakes drawn from the "
                        "grader-quality catalogue) instead of the bundled examples")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic class (default 0)")
    common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="write the gradebook's grades as CSV for an LMS (Canvas, Moodle) or as totals")
    p.add_argument("--course-dir", default=str(default_work_dir() / "course"))
    p.add_argument("--format", choices=["totals", "canvas", "moodle"], default="totals",
                   help="totals (default): a line per student; canvas / moodle: their gradebook import layout")
    p.add_argument("-a", "--assignment", action="append", help="only this assignment (repeatable)")
    p.add_argument("--to", help="CSV file (default: standard output)")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="rebuild reports/index.html and reports/mistakes.csv from the stored results "
                                      "(no grading)")
    p.add_argument("--course-dir", default=str(default_work_dir() / "course"),
                   help="the course folder `course grade` wrote (default: .course-work/course)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("feedback", help="write the feedback pages again, with the scores and comments graders gave "
                                        "written answers in the formgrader (no grading)")
    p.add_argument("--course-dir", default=str(default_work_dir() / "course"),
                   help="the course folder `course grade` wrote (default: .course-work/course)")
    p.add_argument("-a", "--assignment", action="append", help="only this assignment (repeatable)")
    p.add_argument("--db", help="the gradebook's URL (default: the course folder's nbgrader_config.py, else its "
                                "gradebook.db)")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("hub", help="a class on this machine: JupyterHub, accounts, nbgrader's exchange (as root)")
    hub_actions = p.add_subparsers(dest="action", required=True)
    q = hub_actions.add_parser("setup", help="create the accounts, the hub, the exchange and the course folder")
    q.add_argument("--instructor", required=True, help="the instructor's account name")
    q.add_argument("--students", nargs="*", help="student account names")
    q.add_argument("--roster", help="a file with one student account name per line")
    q.add_argument("--course-dir", help="the course folder (default: ~INSTRUCTOR/backprop-course)")
    q.add_argument("--env", help="the hub's Python environment (default: HUB_DIR/env)")
    q.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1 (default 8000)")
    q.add_argument("-a", "--assignment", action="append", help="only generate this assignment (repeatable)")
    q.add_argument("--no-passwords", action="store_true",
                   help="create accounts without a password (set them with `passwd NAME`)")
    q.add_argument("--lang", dest="language", choices=LANGUAGES, default=None,
                   help="the class's edition: its notebooks, messages and the students' JupyterLab in this language "
                        "(default: the class's so far; English for a new class)")
    q.add_argument("--allow-readable-repo", action="store_true",
                   help="do not refuse when every account could read this repository (solutions, reference)")
    q = hub_actions.add_parser("start", help="run JupyterHub in the foreground (Ctrl-C stops it)")
    q.add_argument("--port", type=int, help="public port (default: the one given to setup)")
    q.add_argument("--hub-port", type=int, help="the hub's internal port (default 8081)")
    q.add_argument("--proxy-api-port", type=int, help="the proxy's API port (default 8001)")
    q = hub_actions.add_parser("nbgrader", help="run an nbgrader command as the instructor, in the course folder")
    q.add_argument("args", nargs=argparse.REMAINDER, help="e.g. collect 02_simple_layers")
    q = hub_actions.add_parser("teardown", help="remove the hub folder (and, with --remove-users, its accounts)")
    q.add_argument("--remove-users", action="store_true", help="also remove the accounts setup created, homes too")
    for q in hub_actions.choices.values():
        q.add_argument("--hub-dir", default="/srv/backprop-hub", help="the class's folder (default /srv/backprop-hub)")
    p.set_defaults(func=cmd_hub)

    p = sub.add_parser("lab", help="JupyterLab for a student: the edition's released folders, menus and checks in its "
                                   "language (for this server only)")
    p.add_argument("--folder", help="where to start (default: release/, or editions/LANG/release/)")
    p.add_argument("--lang", dest="language", choices=LANGUAGES, default=None, help="the edition (default: en)")
    p.add_argument("lab_args", nargs=argparse.REMAINDER,
                   help="after --, passed on to `jupyter lab` (e.g. course lab --lang ko -- --no-browser)")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser("translations", help="(course authors) update an edition's catalogs of notebook prose "
                                            "(course/locale/LANG/notebooks/) from source/ and list what is missing")
    p.add_argument("--lang", dest="language", choices=[lang for lang in LANGUAGES if lang != "en"], default="ko")
    p.add_argument("-a", "--assignment", action="append", help="only this assignment (repeatable)")
    p.add_argument("--check", action="store_true", help="only list what is missing or stale; change nothing")
    p.set_defaults(func=cmd_translations)

    p = sub.add_parser("examples", help="(course authors) regenerate the bundled example submissions")
    p.set_defaults(func=cmd_examples)
    return parser


PATH_OPTIONS = ("submissions", "course_dir", "to", "folder")


def main(argv=None):
    """Run the ``course`` command with ``argv`` (default: the command line); returns its exit status."""
    args = build_parser().parse_args(argv)
    # every path the user gives is resolved once, here: relative and absolute paths give the same results
    for name in PATH_OPTIONS:
        if getattr(args, name, None):
            setattr(args, name, Path(getattr(args, name)).expanduser().resolve())
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
