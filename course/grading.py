"""``course grade``: grade a class into an nbgrader course folder.

The course folder gets nbgrader's usual layout, so the formgrader and plain nbgrader commands see
the results: ``submitted/`` (a copy of what was handed in; never deleted, earlier versions archived),
``autograded/``, ``feedback/<student>/<assignment>/*.html``, ``gradebook.db``, plus ``grades.csv``
and ``reports/`` (a JSON report with every reason, and a plot of the grade distribution).
"""

import csv
import filecmp
import json
import shutil
import time
from pathlib import Path

import nbformat

from autograder import intake
from autograder.course_files import course_files
from autograder.pipeline import Limits, grade_jobs  # noqa: F401  (Limits: importable from here as before)
from autograder.submissions import Job, find_jobs, unpack_submissions

from . import gradebook, lateness, written
from .exchange import Bookkeeping, copy_stamps, grading_workdir, settle, snapshot
from .feedback import write_feedback_html, write_feedback_pages  # noqa: F401  (write_feedback_html: the API)
from .gradebook import GRADEBOOK_WAIT, GradebookBusy, GradebookIncomplete, record_in_gradebook  # noqa: F401 (moved)
from .layout import course_root
from .release import generate, nbgrader_api, sync_helpers
from .sequence import ROOT, SEQUENCE, assignments
from .settings import load as load_settings


def prepare_course_dir(course_dir, names=None, log=print, db_url=None):
    """Mirror source/ into ``course_dir`` and generate there, so its gradebook knows every graded cell.

    The gradebook: ``db_url``, else the course folder's nbgrader_config.py, else its gradebook.db
    (course/gradebook.py). source/ comes from the repository or from an installed wheel (course/layout.py);
    the student helpers are written into the course folder's copy, never into the repository or the package."""
    course_dir = Path(course_dir)
    url = gradebook.resolve_db_url(course_dir, db_url)
    gradebook.check_connection(url)
    api = nbgrader_api(course_dir, course_dir / "gradebook.db", db_url=url)
    materials = course_root()
    selected = assignments(materials, names)
    for a in selected:
        dest = course_dir / "source" / a.name
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(materials / "source" / a.name, dest, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        sync_helpers(a, ROOT, target=dest)
        generate(api, a)
    return api, selected


def store_submissions(root, course_dir, known):
    """Copy ``<student>/<assignment>/`` folders into ``course_dir/submitted``; archive what they replace.

    Everything goes through :mod:`autograder.intake` (regular files only, bounded; links, pipes and devices
    refused); one submission that cannot be copied never stops the others. Returns ``(submitted, notes)``:
    notes per ``(student, assignment)`` (what was refused) and a list of problems with the folder itself."""
    submitted = Path(course_dir) / "submitted"
    root = Path(root)
    notes, problems = {}, []
    if root.resolve() == submitted.resolve():
        return submitted, notes, problems
    stamp = time.strftime("%Y%m%d-%H%M%S")
    students, found = intake.subfolders(root)
    problems += found
    for student, student_dir in students:
        adirs, found = intake.subfolders(student_dir)
        problems += [f"{student}/{p}" for p in found]
        for name, adir in adirs:
            dest = submitted / student / name
            incoming = submitted / student / f".incoming-{name}"
            try:
                shutil.rmtree(incoming, ignore_errors=True)
                notes[(student, name)] = intake.copy_tree(adir, incoming)
                if dest.exists():
                    if _same_tree(incoming, dest):
                        shutil.rmtree(incoming)
                        continue
                    archive = Path(course_dir) / "archive" / stamp / student / name
                    archive.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(dest), str(archive))
                incoming.rename(dest)
            except Exception as exc:
                shutil.rmtree(incoming, ignore_errors=True)
                problems.append(f"{student}/{name}: could not be copied into the course folder "
                                f"({type(exc).__name__}: {exc}); it was not graded this time.")
    return submitted, notes, problems


def _same_tree(a, b):
    """Do two folders that the grader wrote itself (regular files only) hold the same files?"""
    files = lambda root: sorted(str(p.relative_to(root)) for p in Path(root).rglob("*"))  # noqa: E731
    return files(a) == files(b) and all(
        filecmp.cmp(Path(a) / f, Path(b) / f, shallow=False) for f in files(a) if (Path(a) / f).is_file())


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text: a leading ``= + - @`` (or tab, carriage return) would make
    Excel, LibreOffice or Google Sheets evaluate it as a formula, so such text gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def grade_record(g):
    """One notebook's grade as plain JSON data (for ``reports/``): scores, reasons, every sub-check."""
    return {"student": g.student, "assignment": g.assignment, "score": g.score, "max_score": g.max_score,
            "status": g.status, "reason": g.reason, "notes": g.notes, "late": lateness.as_record(g),
            "cells": [{"grade_id": c.grade_id, "score": c.score, "points": c.points, "problem": c.problem,
                       "checks": [{"title": k.title, "passed": k.passed, "message": k.message} for k in c.checks]}
                      for c in g.cells],
            "written": written.as_record(getattr(g, "written", None) or [])}


def _atomic_write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_result(course_dir, g):
    """Write one notebook's result as soon as it is graded: the autograded notebook (what the student
    may see) and ``reports/results/<student>/<assignment>.json``, each replaced atomically."""
    course_dir = Path(course_dir)
    if g.feedback is not None:
        _atomic_write(course_dir / "autograded" / g.student / g.assignment / g.notebook,
                      nbformat.writes(g.feedback).encode())
    _atomic_write(course_dir / "reports" / "results" / g.student / f"{g.assignment}.json",
                  json.dumps(grade_record(g), indent=1, ensure_ascii=False).encode())


def write_outputs(course_dir, grades, skipped, workers=None, notices=()):
    """Write the class's outputs: feedback pages, grades.csv, reports/. One submission's page or stamps that
    cannot be written never stop the others; returns notices on what went wrong (also in grades.json)."""
    course_dir = Path(course_dir)
    pages, notices = [], list(notices)
    for g in grades:
        stem = Path(g.notebook).stem
        pages.append((g, course_dir / "feedback" / g.student / g.assignment / f"{stem}.html"))
        try:
            copy_stamps(course_dir, g)  # timestamp.txt and submission_secret.txt, for nbgrader's release_feedback
        except Exception as exc:
            notices.append(f"{g.student}/{g.assignment}: timestamp.txt could not be kept for release_feedback "
                           f"({type(exc).__name__}: {exc}).")
    for problem in write_feedback_pages(pages, workers):
        notices.append(f"GRADER PROBLEM: {problem}")
    with open(course_dir / "grades.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "score", "max_score", "status", "reason"] + lateness.CSV_COLUMNS)
        for g in sorted(grades, key=lambda g: (g.student, g.assignment)):
            writer.writerow([csv_cell(v) for v in (g.student, g.assignment, f"{g.score:g}", f"{g.max_score:g}",
                                                   g.status, g.reason or "; ".join(g.notes),
                                                   *lateness.csv_values(g))])
    reports = course_dir / "reports"
    reports.mkdir(exist_ok=True)
    report = {"skipped": skipped, "notices": notices,
              "grades": [grade_record(g) for g in sorted(grades, key=lambda g: (g.student, g.assignment))]}
    (reports / "grades.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    plot_distribution(grades, reports / "grade-distribution.png")
    try:  # reports/index.html and mistakes.csv, from every stored result (course/report.py; `course report`)
        from .report import write_report

        write_report(course_dir)
    except Exception as exc:  # the report never costs a grade: everything above is written, the gradebook follows
        import sys

        print(f"warning: reports/index.html was not written ({type(exc).__name__}: {exc}); "
              "`course report` builds it again from reports/results/.", file=sys.stderr)
    return notices


def plot_distribution(grades, path):
    """A histogram of the scores of each assignment, in percent."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    names = sorted({g.assignment for g in grades})
    if not names:
        return
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 2.8), squeeze=False)
    for ax, name in zip(axes[0], names):
        pct = [100 * g.score / g.max_score for g in grades if g.assignment == name and g.max_score]
        ax.hist(pct, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color="#4c72b0", edgecolor="white")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("score (%)")
        ax.set_xlim(0, 100)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # students are counted in whole numbers
    axes[0][0].set_ylabel("students")
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(fig)


def table(grades):
    """The grade table printed at the end of ``course grade``."""
    rows = [("student", "assignment", "score", "status")]
    for g in sorted(grades, key=lambda g: (g.student, g.assignment)):
        status = g.status if g.status != "graded" else ("ok" if not g.notes else f"{len(g.notes)} note(s)")
        rows.append((g.student, g.assignment, f"{g.score:g} / {g.max_score:g}", status))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class GradingInputError(Exception):
    """The class as a whole cannot be taken in (not a folder or zip, a dangerous zip); says what to do."""


def grade_class(submissions, course_dir, *, names=None, workers=None, limits=None, sandbox=None,
                progress=True, log=print, db_url=None):
    """Grade every submission under ``submissions`` (a folder or a zip) into ``course_dir``.

    Paths may be relative (to the current folder); they are resolved once, here. ``db_url``: the gradebook
    (see :func:`prepare_course_dir`). ``limits`` and ``workers``: ``None`` takes them from the course's
    settings (``course/nbgrader_config.py`` and ``course_dir/nbgrader_config.py``, see course/settings.py);
    ``sandbox``: an ``autograder.sandbox`` object, or ``None`` to grade without one. Returns the grades."""
    course_dir = Path(course_dir).resolve()
    submissions = Path(submissions).resolve()
    course_dir.mkdir(parents=True, exist_ok=True)
    settings = load_settings(course_dir)
    limits, workers = limits or settings.limits(), workers or settings.workers or None
    api, selected = prepare_course_dir(course_dir, names, log=log, db_url=db_url)
    known = {a.name: a for a in selected}
    unpacked = course_dir / ".unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    try:
        root = unpack_submissions(submissions, unpacked)
        submitted, intake_notes, problems = store_submissions(root, course_dir, known)
    except (intake.Refused, FileNotFoundError) as exc:
        raise GradingInputError(str(exc)) from None
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    jobs, skipped = find_jobs(submitted, known, also_known={a.name for a in SEQUENCE})
    skipped = problems + skipped
    jobs = [Job(j.student, j.assignment, j.folder) for j in jobs]
    files = {a.name: course_files(a, course_dir / "source", course_dir / "release") for a in selected}
    work = grading_workdir(course_dir)  # outside an instructor's closed course folder: the sandbox must reach it
    shutil.rmtree(work, ignore_errors=True)
    # due dates, late policy, roster, exchange (course/exchange.py); what each submission was before grading
    books = Bookkeeping(course_dir, lateness.load_course_config(course_dir, api.config), api.coursedir.db_url)
    seen = snapshot(jobs)

    def finished(grade):
        grade.notes[:0] = intake_notes.get((grade.student, grade.assignment), [])
        books.annotate(grade)
        # written answers: kept for the formgrader; compared with the last grading's before it is replaced
        grade.written = written.mark_changes(written.describe(grade.feedback, files[grade.assignment].template),
                                             written.previous_record(course_dir, grade.student, grade.assignment))
        write_result(course_dir, grade)

    try:
        grades = grade_jobs(jobs, files, work, workers=workers, limits=limits, sandbox=sandbox,
                            progress=progress, on_result=finished)
        grades, changed = settle(seen, jobs, grades, lambda again: grade_jobs(
            again, files, work, workers=workers, limits=limits, sandbox=sandbox, progress=False,
            on_result=finished), log=lambda *a: None)  # a collect replaced a submission meanwhile: grade it again
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notices = changed + books.lines()
    written.read_manual(api.coursedir.db_url, grades)  # scores and comments graders gave: shown on the pages
    notices = write_outputs(course_dir, grades, skipped, workers=workers, notices=notices)  # first: no lock wait
    record_in_gradebook(api, grades)
    for s in skipped:
        log(f"skipped {s}")
    for line in notices:
        log(f"note: {line}")
    return grades
