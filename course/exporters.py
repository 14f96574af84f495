"""Grades out of nbgrader's gradebook, in the CSV layouts learning management systems import.

Each exporter is an nbgrader ``ExportPlugin``, so both of these work::

    course export --format canvas --to canvas.csv
    nbgrader export --exporter course.exporters.CanvasExporter --to canvas.csv

Scores are the gradebook's (autograded by ``course grade``, plus any manual grade given in the formgrader)
minus the late penalty (nbgrader's ``late_submission_penalty``), never below zero. Only assignments with at
least one submission are exported; a student without a submission of one gets 0 for it, as in nbgrader's own
export. Every text cell is neutralised for spreadsheets (a leading ``= + - @`` would be run as a formula).
"""

import csv
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin


def cell(value):
    """A CSV cell a spreadsheet shows as text (see course.spreadsheet.csv_cell); numbers as ``%g``."""
    from .spreadsheet import csv_cell

    if isinstance(value, float):
        return f"{value:g}"
    return csv_cell("" if value is None else str(value))


@dataclass
class Row:
    """One student's line: their gradebook entry and, per assignment, (final score, penalty, timestamp)."""

    student: object
    scores: dict = field(default_factory=dict)

    @property
    def total(self):
        """The student's total score over the exported assignments, after late penalties."""
        return round(sum(s for s, _, _ in self.scores.values()), 2)

    @property
    def penalties(self):
        """The student's late penalties over the exported assignments."""
        return round(sum(p for _, p, _ in self.scores.values()), 2)


class CourseExporter(ExportPlugin):
    """What every layout shares: which assignments and students, and each final score."""

    default_file = "grades.csv"
    for_spreadsheets = False  # True: a file people open in Excel, written with a BOM (course/spreadsheet.py)

    def collect(self, gradebook):
        """``(assignments, rows)``: assignments with a submission, in gradebook order; one row per student."""
        wanted_a = {str(a) for a in self.assignment}
        wanted_s = {str(s) for s in self.student}
        assignments = [a for a in gradebook.assignments if (not wanted_a or a.name in wanted_a) and a.submissions]
        rows = []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            if wanted_s and student.id not in wanted_s:
                continue
            row = Row(student)
            for a in assignments:
                try:
                    sub = gradebook.find_submission(a.name, student.id)
                except MissingEntry:
                    row.scores[a.name] = (0.0, 0.0, None)
                    continue
                penalty = float(sub.late_submission_penalty or 0)
                row.scores[a.name] = (round(max(0.0, float(sub.score) - penalty), 2), penalty, sub.timestamp)
            rows.append(row)
        return assignments, rows

    def export(self, gradebook):
        """Write the gradebook's grades as this exporter's CSV (nbgrader's ExportPlugin entry point)."""
        assignments, rows = self.collect(gradebook)
        with _open(self.to or self.default_file, self.for_spreadsheets) as fh:
            writer = csv.writer(fh)
            for line in self.lines(assignments, rows):
                writer.writerow([cell(v) for v in line])
        self.log.info("Exported %d students and %d assignments to %s", len(rows), len(assignments),
                      self.to or self.default_file)

    def lines(self, assignments, rows):
        """The CSV lines (lists of cells) for ``assignments`` and ``rows``; each exporter writes its own."""
        raise NotImplementedError


@contextmanager
def _open(to, for_spreadsheets=False):
    if to == "-":
        yield sys.stdout
        return
    if for_spreadsheets:
        from .spreadsheet import open_csv

        with open_csv(to) as fh:
            yield fh
        return
    with open(to, "w", newline="", encoding="utf-8") as fh:  # an LMS's importer reads it: plain UTF-8
        yield fh


def _name(student):
    if student.last_name or student.first_name:
        return ", ".join(n for n in (student.last_name, student.first_name) if n)
    return student.id


class CanvasExporter(CourseExporter):
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, one column per assignment
    (a new column becomes a new Canvas assignment), and a "Points Possible" row. Students are matched by SIS
    Login ID, which is the nbgrader student id (the account name); ID is nbgrader's ``lms_user_id`` if set."""

    default_file = "canvas-grades.csv"

    def lines(self, assignments, rows):
        """Canvas's gradebook import: a header, a Points Possible line, a line per student."""
        yield ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [a.name for a in assignments]
        yield ["Points Possible", "", "", "", ""] + [float(a.max_score) for a in assignments]
        for row in rows:
            s = row.student
            yield [_name(s), s.lms_user_id or "", "", s.id, ""] + [row.scores[a.name][0] for a in assignments]


class MoodleExporter(CourseExporter):
    """Moodle's "Import grades from CSV": users by username (or email), one grade column per assignment and a
    feedback column beside it saying when a late penalty was taken (map it to the item's feedback)."""

    default_file = "moodle-grades.csv"

    def lines(self, assignments, rows):
        """Moodle's grade import: username, names, email, then score and feedback per assignment."""
        header = ["Username", "First name", "Last name", "Email address"]
        for a in assignments:
            header += [a.name, f"{a.name} feedback"]
        yield header
        for row in rows:
            s = row.student
            line = [s.id, s.first_name or "", s.last_name or "", s.email or ""]
            for a in assignments:
                score, penalty, when = row.scores[a.name]
                line += [score, _late_text(penalty, when)]
            yield line


class TotalsExporter(CourseExporter):
    """One line per student: each assignment's final score, the total, the total possible and the late
    penalties taken (the spreadsheet many instructors keep)."""

    default_file = "totals.csv"
    for_spreadsheets = True

    def lines(self, assignments, rows):
        """A line per student: the score per assignment, total, maximum and late penalties."""
        yield ["student"] + [a.name for a in assignments] + ["total", "max_total", "late_penalties"]
        max_total = round(sum(float(a.max_score) for a in assignments), 2)
        for row in rows:
            yield ([row.student.id] + [row.scores[a.name][0] for a in assignments]
                   + [row.total, max_total, row.penalties])


def _late_text(penalty, when):
    if not penalty:
        return ""
    return f"late penalty of {penalty:g} points" + (f" (submitted {when:%Y-%m-%d %H:%M} UTC)" if when else "")


EXPORTERS = {"canvas": CanvasExporter, "moodle": MoodleExporter, "totals": TotalsExporter}


def export(db_url, fmt, to="-", assignments=(), students=()):
    """Write the gradebook at ``db_url`` in layout ``fmt`` (canvas, moodle, totals) to ``to`` ("-": stdout)."""
    from nbgrader.api import Gradebook

    plugin = EXPORTERS[fmt](to=to, assignment=list(assignments), student=list(students))
    with Gradebook(db_url) as gb:
        plugin.export(gb)
