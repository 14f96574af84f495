"""Written answers: graded by a person in the formgrader, kept by ``course grade``, shown on the feedback page.

A written answer is nbgrader's "manually graded answer": a markdown cell that is both a solution and a grade
cell with points (:func:`autograder.notebook.is_manual`). Its model answer and rubric are the text of that cell
in ``source/``, which nbgrader's release replaces with "YOUR ANSWER HERE": students never receive it, and it
never reaches ``autograded/`` (the grading template holds the released stub). Graders open the source
notebook (the formgrader's Manage Assignments links to it) beside the formgrader.

The life of an answer:

1. ``course grade``: the rebuilt notebook keeps the student's text (:func:`autograder.notebook.merge`) and is
   written to ``autograded/`` with its nbgrader metadata, so the formgrader lists it under "needs manual
   grade"; the gradebook gets ``needs_manual_grade`` (an empty answer gets 0 and "No response.", as nbgrader
   does), never a manual score or a comment (:func:`course.gradebook.record_in_gradebook`); the feedback page
   shows the answer, "not graded yet", or the score and comment already in the gradebook.
2. Graders give scores and comments in the formgrader.
3. ``course feedback`` writes the pages again from what grading stored (``reports/results/``, ``autograded/``)
   and the gradebook's manual scores and comments, without running anything; then nbgrader's
   ``release_feedback`` hands them out. A later ``course grade`` keeps every manual score and comment, and
   asks for a new look (``needs_manual_grade``) only where the answer's text changed.
"""

import hashlib
import json
import warnings
from pathlib import Path

import nbformat

from autograder import notebook as nbtools


def describe(feedback_nb, template):
    """The written answers of a graded notebook: ``[{"grade_id", "points", "text", "answered", "sha256"}]``."""
    if feedback_nb is None:
        return []
    found = nbtools.written_answers(feedback_nb, template)
    for w in found:
        w["sha256"] = hashlib.sha256(w["text"].encode()).hexdigest()
    return found


def mark_changes(written, previous_record):
    """Set ``changed`` on each answer: True unless the stored record of the last grading holds the same text."""
    before = {}
    if isinstance(previous_record, dict):
        before = {w.get("grade_id"): w.get("sha256") for w in previous_record.get("written") or []
                  if isinstance(w, dict)}
    for w in written:
        w["changed"] = before.get(w["grade_id"]) != w["sha256"]
    return written


def previous_record(course_dir, student, assignment):
    """The result that the last ``course grade`` stored for this notebook, or None."""
    path = Path(course_dir) / "reports" / "results" / student / f"{assignment}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def as_record(written):
    """What ``reports/`` keeps of the written answers (no text: that is in ``autograded/``)."""
    return [{k: w[k] for k in ("grade_id", "points", "answered", "sha256") if k in w} for w in written]


def read_manual(db_url, grades):
    """Attach the gradebook's manual scores and comments to each grade with written answers, as
    ``grade.manual = {grade_id: {"score": float | None, "comment": str | None}}``. Reads only; a submission the
    gradebook does not know yet simply has none."""
    wanted = [g for g in grades if getattr(g, "written", None)]
    if not wanted:
        return grades
    from nbgrader.api import Gradebook, MissingEntry

    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        warnings.simplefilter("ignore")
        for g in wanted:
            manual = {}
            notebook = Path(g.notebook).stem
            for w in g.written:
                try:
                    grade = gb.find_grade(w["grade_id"], notebook, g.assignment, g.student)
                    comment = gb.find_comment(w["grade_id"], notebook, g.assignment, g.student)
                except MissingEntry:
                    continue
                manual[w["grade_id"]] = {"score": grade.manual_score, "comment": comment.manual_comment}
            g.manual = manual
    return grades


class _Cell:
    def __init__(self, record):
        self.grade_id = record.get("grade_id")
        self.score = float(record.get("score") or 0)
        self.points = float(record.get("points") or 0)


class _Late:
    def __init__(self, record):
        self.penalty = float((record or {}).get("penalty") or 0)


class StoredGrade:
    """A graded notebook as ``course grade`` stored it (``reports/results/`` and ``autograded/``), with what the
    feedback page needs; nothing is run again."""

    def __init__(self, record, notebook, feedback):
        self.student, self.assignment = record["student"], record["assignment"]
        self.notebook = notebook
        self.score, self.max_score = float(record["score"]), float(record["max_score"])
        self.status, self.reason = record.get("status", "graded"), record.get("reason") or ""
        self.notes = list(record.get("notes") or [])
        self.cells = [_Cell(c) for c in record.get("cells") or []]
        self.late = _Late(record.get("late")) if record.get("late") else None
        self.final_score = round(max(0.0, self.score - (self.late.penalty if self.late else 0.0)), 2)
        self.feedback = feedback
        self.written = [dict(w) for w in record.get("written") or []]
        self.manual = {}


def stored_grades(course_dir, names=None):
    """Every notebook that ``course grade`` stored in ``course_dir`` (optionally of the assignments ``names``)."""
    from .sequence import by_name

    course_dir = Path(course_dir)
    found = []
    for path in sorted((course_dir / "reports" / "results").glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if names and record.get("assignment") not in names:
            continue
        notebook = by_name(record["assignment"]).notebook
        graded = course_dir / "autograded" / record["student"] / record["assignment"] / notebook
        feedback = nbformat.read(graded, as_version=4) if graded.is_file() else None
        grade = StoredGrade(record, notebook, feedback)
        texts = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c.source
                 for c in (feedback.cells if feedback else []) if nbtools.is_manual(c)}
        for w in grade.written:
            w["text"] = texts.get(w["grade_id"], "")
        found.append(grade)
    return found


def refresh_feedback(course_dir, names=None, db_url=None, workers=None):
    """``course feedback``: write every feedback page of ``course_dir`` again, with the manual scores and comments
    now in the gradebook (``db_url``, else the course folder's, see course/gradebook.py). Returns
    ``(pages written, problems)``; grades nothing and runs no student code."""
    from . import gradebook
    from .feedback import write_feedback_pages

    course_dir = Path(course_dir).resolve()
    url = gradebook.resolve_db_url(course_dir, db_url)
    gradebook.check_connection(url)
    grades = read_manual(url, stored_grades(course_dir, names))
    pages = [(g, course_dir / "feedback" / g.student / g.assignment / f"{Path(g.notebook).stem}.html")
             for g in grades]
    return len(pages), write_feedback_pages(pages, workers)
