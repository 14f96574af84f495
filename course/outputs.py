"""What ``course grade`` writes into the course folder: each result as soon as it is judged (``autograded/``,
``reports/results/``), then the class's feedback pages, ``grades.csv``, ``reports/grades.json``, the grade
distribution and the class report. The gradebook is written last, by ``course.gradebook``."""

import csv
import json
from pathlib import Path

import nbformat

from . import lateness, written
from .exchange import copy_stamps
from .feedback import write_feedback_pages
from .spreadsheet import csv_cell, open_csv


def grade_record(g):
    """One notebook's grade as plain JSON data (for ``reports/``): scores, reasons, every sub-check."""
    return {"student": g.student, "assignment": g.assignment, "score": g.score, "max_score": g.max_score,
            "status": g.status, "reason": g.reason, "notes": g.notes, "late": lateness.as_record(g),
            "lang": getattr(g, "lang", "en"),  # the language of the messages (autograder.i18n)
            "cells": [{"grade_id": c.grade_id, "score": c.score, "points": c.points, "problem": c.problem,
                       "checks": [_check_record(k) for k in c.checks]}
                      for c in g.cells],
            "written": written.as_record(getattr(g, "written", None) or [])}


def _check_record(k):
    """One sub-check as JSON; ``message_en``: its message in English when the student's is in another language
    (the class report, course/report.py, reads that one)."""
    record = {"title": k.title, "passed": k.passed, "message": k.message}
    if getattr(k, "message_en", ""):
        record["message_en"] = k.message_en
    return record


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
    with open_csv(course_dir / "grades.csv") as fh:  # UTF-8 with a BOM: Excel shows Hangul ids (spreadsheet.py)
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
    (reports / "grades.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
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


def _columns(text):
    """How many columns ``text`` takes in a terminal: Hangul and other East Asian wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(grades):
    """The grade table printed at the end of ``course grade``."""
    rows = [("student", "assignment", "score", "status")]
    for g in sorted(grades, key=lambda g: (g.student, g.assignment)):
        status = g.status if g.status != "graded" else ("ok" if not g.notes else f"{len(g.notes)} note(s)")
        rows.append((g.student, g.assignment, f"{g.score:g} / {g.max_score:g}", status))
    widths = [max(_columns(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell + " " * (w - _columns(cell)) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
