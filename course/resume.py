"""Grading again grades only what changed: a stored result is reused while its submission and grader are the same.

Each notebook's result is written the moment it is judged (``reports/results/<student>/<assignment>.json`` and
``autograded/``, course/outputs.py). Next to it this module keeps its key, ``reports/resume/<student>/
<assignment>.json``: the sha256 of the submission as it was taken in (``autograder.pipeline.submission_digest``),
the grader version (``autograder.versions``: the grader's code and libraries, the assignment as graded, the
limits, the sandbox), the notes the judge gave before the course's bookkeeping added its own, and the sha256 of
the result and autograded files it belongs to. ``course grade`` run again (after a kill, a reboot, or to take in
new submissions) reuses every result whose key still holds and grades the rest; ``--regrade`` grades everything.
What is reused is the run and its judgement; the bookkeeping (late penalty, notes of the intake, written answers)
is done again, as for a new grade, so a changed due date or extension still counts.

``reports/grading-log.jsonl`` gets one line per notebook graded (never for a reused one): when, who, where it
ran (``here`` or a Dask worker's address), status and score.

Grades of a whole class stay small in memory: once written, a grade's judged notebook is read back from
``autograded/`` when a page needs it (:class:`StoredNotebook`).
"""

import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import intake
from autograder.judge import Check
from autograder.pipeline import NotebookGrade, grader_error, helper_files, submission_digest
from autograder.versions import grader_version

KEY_FORMAT = 1


@dataclass
class StoredCell:
    """A graded cell as stored: its score as judged (the checks' shares are not stored), and its checks."""

    grade_id: str
    points: float
    score: float
    checks: list = field(default_factory=list)
    problem: str = ""


_slot, _slot_lock = [None, None], threading.Lock()  # the last notebook read: (path, mtime, size), notebook


class StoredNotebook(Mapping):
    """A judged notebook as written to ``autograded/``, read from there when it is used (the last one read is kept,
    no more), so that the grades of a whole class do not hold every notebook. Pickles as its path."""

    def __init__(self, path):
        self.path = Path(path)

    def load(self):
        stat = os.stat(self.path)
        key = (str(self.path), stat.st_mtime_ns, stat.st_size)
        with _slot_lock:
            if _slot[0] == key:
                return _slot[1]
        nb = nbformat.read(self.path, as_version=4)
        with _slot_lock:
            _slot[:] = [key, nb]
        return nb

    def __getitem__(self, key):
        return self.load()[key]

    def __iter__(self):
        return iter(self.load())

    def __len__(self):
        return len(self.load())

    def __bool__(self):
        return True

    def __getattr__(self, name):  # notebook.cells, notebook.metadata
        if name.startswith("_") or name == "path":
            raise AttributeError(name)
        return getattr(self.load(), name)

    def __getstate__(self):
        return {"path": self.path}

    def __setstate__(self, state):
        self.path = state["path"]


def _sha256(path):
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _atomic_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


class Resume:
    """The stored results of one course folder, and which of them a run may reuse.

    ``files``: ``{assignment: CourseFiles}``; ``limits`` and ``sandboxed``: as the run grades; ``regrade``: reuse
    nothing; ``lang``: the language students read (a result written in another is never reused)."""

    def __init__(self, course_dir, files, limits, sandboxed, regrade=False, lang="en"):
        self.course_dir, self.files, self.regrade, self.lang = Path(course_dir), files, regrade, lang
        self.versions = {name: grader_version(f, helper_files(f), limits, sandboxed) for name, f in files.items()}
        self.log = self.course_dir / "reports" / "grading-log.jsonl"
        self.graded = self.reused = 0

    def paths(self, student, assignment):
        """The result, key and autograded notebook of one notebook."""
        c = self.course_dir
        return (c / "reports" / "results" / student / f"{assignment}.json",
                c / "reports" / "resume" / student / f"{assignment}.json",
                c / "autograded" / student / assignment / self.files[assignment].notebook)

    def split(self, jobs):
        """``(indices of the jobs to grade, {index: reused grade})``."""
        todo, reused = [], {}
        for i, job in enumerate(jobs):
            grade = None if self.regrade else self.stored_grade(job)
            if grade is None:
                todo.append(i)
            else:
                reused[i] = grade
        return todo, reused

    def stored_grade(self, job):
        """The stored grade of ``job`` when its key still holds (same submission, same grader, the very files it was
        written with), rebuilt as the judge gave it (before the bookkeeping); else None."""
        result_path, key_path, graded_path = self.paths(job.student, job.assignment)
        try:
            key = json.loads(key_path.read_text(encoding="utf-8"))
            record = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (not isinstance(key, dict) or key.get("format") != KEY_FORMAT
                or key.get("grader") != self.versions[job.assignment] or key.get("lang", "en") != self.lang
                or key.get("result_sha256") != _sha256(result_path)
                or (key.get("feedback") and key.get("autograded_sha256") != _sha256(graded_path))):
            return None
        taken, notes = intake.read_tree(job.folder)
        if key.get("submission") != submission_digest(taken, notes):
            return None
        del taken
        files = self.files[job.assignment]
        try:
            cells = [StoredCell(c["grade_id"], c["points"], c["score"],
                                [Check(k["title"], k["passed"], k["message"], message_en=k.get("message_en", ""))
                                 for k in c["checks"]], c["problem"])
                     for c in record["cells"]]
            grade = NotebookGrade(job.student, job.assignment, files.notebook, files.max_score, cells=cells,
                                  notes=list(key["notes"]), status=record["status"], reason=record["reason"],
                                  feedback=StoredNotebook(graded_path) if key["feedback"] else None,
                                  digest=key["submission"])
        except (KeyError, TypeError):
            return None
        if grade.score != record.get("score") or [c.grade_id for c in cells] != [g for g, _ in files.graded]:
            return None
        grade.where, grade.reused = "reused", True
        return grade

    def grade(self, jobs, grade_jobs, on_result):
        """Grade ``jobs``, in order: each reused result goes through ``on_result`` (the caller's bookkeeping and
        writing) as a new one does, and ``grade_jobs(jobs to grade)`` grades the rest."""
        todo, reused = self.split(jobs)
        grades = [None] * len(jobs)
        for i, grade in sorted(reused.items()):
            try:
                if grade.feedback is not None:  # the notebook itself while it is written again, then back on disk
                    grade.feedback = nbformat.read(grade.feedback.path, as_version=4)
                on_result(grade)
            except Exception as exc:  # as grade_jobs does: one failure never stops the class
                grade = grader_error(self.files[jobs[i].assignment], jobs[i].student, exc)
            grades[i] = grade
        for i, grade in zip(todo, grade_jobs([jobs[i] for i in todo]) if todo else []):
            grades[i] = grade
        return grades

    def judged(self, grade):
        """Call first when a grade arrives, before the bookkeeping adds its notes: remember the judge's own."""
        grade.judged_notes = list(grade.notes)

    def written(self, grade):
        """Call once the result is written (``course.outputs.write_result``): store its key, log a grading, and
        let the grade read its notebook back from disk from now on."""
        result_path, key_path, graded_path = self.paths(grade.student, grade.assignment)
        if grade.digest and grade.status != "grader error":  # a grader error is always graded again
            _atomic_json(key_path, {
                "format": KEY_FORMAT, "submission": grade.digest, "grader": self.versions[grade.assignment],
                "lang": self.lang,
                "notes": getattr(grade, "judged_notes", grade.notes), "feedback": grade.feedback is not None,
                "result_sha256": _sha256(result_path),
                "autograded_sha256": _sha256(graded_path) if grade.feedback is not None else None})
        else:
            key_path.unlink(missing_ok=True)
        if getattr(grade, "reused", False):
            self.reused += 1
        else:
            self.graded += 1
            self.log.parent.mkdir(parents=True, exist_ok=True)
            line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "student": grade.student,
                    "assignment": grade.assignment, "status": grade.status, "score": grade.score,
                    "where": getattr(grade, "where", "here"), "submission": grade.digest[:16],
                    "grader": self.versions[grade.assignment][:16]}
            with open(self.log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        if grade.feedback is not None:
            grade.feedback = StoredNotebook(graded_path)

    def summary(self):
        """One line for the end of ``course grade``."""
        if not self.reused:
            return f"graded {self.graded} notebook(s)."
        return (f"graded {self.graded} notebook(s); reused {self.reused} stored result(s) whose submission and "
                "grader are unchanged (--regrade grades them again).")


def logged(course_dir):
    """The lines of ``reports/grading-log.jsonl`` (one per notebook graded), as dicts."""
    path = Path(course_dir) / "reports" / "grading-log.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
