"""Due dates and late penalties, the nbgrader way.

A submission's time is its ``timestamp.txt`` (written by ``nbgrader submit``, kept by ``nbgrader collect``);
the due date is the assignment's in nbgrader's gradebook (set in the formgrader, or with
``nbgrader db assignment add NAME --duedate="2025-03-01 17:00:00 Europe/Berlin"``), plus any extension the
gradebook gives that student. The penalty comes from the late-submission plugin that ``nbgrader autograde``
would use: ``c.AssignLatePenalties.plugin_class`` in the course's ``nbgrader_config.py``, by default
:class:`LatePenalty` below, which keeps nbgrader's ``penalty_method`` ('none', 'zero') and adds a
percentage per started day.
"""

import math
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

TIMESTAMP = "timestamp.txt"
MAX_TIMESTAMP_BYTES = 200  # nbgrader writes ~30; anything much longer is not a timestamp


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin, plus a penalty per started day late.

    ``penalty_method = 'zero'`` takes every point of a late notebook (nbgrader's own rule); otherwise a late
    notebook loses ``percent_per_day`` percent of its score for every started 24 hours after the due date
    (and its extension), after ``grace_minutes``; never more than its score.
    """

    percent_per_day = Float(0, help="Percent of the notebook's score lost per started day late (0: no penalty)."
                            ).tag(config=True)
    grace_minutes = Float(0, help="Minutes after the due date that still count as on time.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        """The points a notebook scoring ``score`` loses for being ``total_seconds_late`` late (None: none)."""
        late = total_seconds_late - 60 * self.grace_minutes
        if late <= 0:
            return None
        if self.penalty_method == "zero":
            return score
        if not self.percent_per_day:
            return None
        days = math.ceil(late / 86400)
        return min(score, round(score * self.percent_per_day / 100 * days, 2))

    def describe(self):
        """The policy in one sentence, for students."""
        grace = f" after a grace period of {self.grace_minutes:g} min" if self.grace_minutes else ""
        if self.penalty_method == "zero":
            return f"late work scores 0{grace}"
        if self.percent_per_day:
            return f"late work loses {self.percent_per_day:g}% of its score per started day{grace}"
        return "late work is not penalised"


@dataclass
class Lateness:
    """When a notebook was handed in against its due date, and what that cost."""

    submitted: datetime  # UTC, naive, as nbgrader stores times
    due: datetime = None  # UTC, naive; None: the assignment has no due date
    penalty: float = 0.0
    policy: str = ""

    @property
    def seconds_late(self):
        """Seconds after the due date (0.0 when on time or without a due date)."""
        return max(0.0, (self.submitted - self.due).total_seconds()) if self.due else 0.0

    @property
    def is_late(self):
        """Was the notebook handed in after its due date?"""
        return self.seconds_late > 0

    def note(self, score, max_score):
        """One line for the feedback page and the report."""
        when = f"submitted {self.submitted:%Y-%m-%d %H:%M:%S} UTC"
        if not self.due:
            return f"{when}; this assignment has no due date."
        due = f"due {self.due:%Y-%m-%d %H:%M:%S} UTC"
        if not self.is_late:
            return f"{when}, on time ({due})."
        late = f"{when}, {duration(self.seconds_late)} after the due date ({due})"
        if self.penalty:
            return (f"Late submission: {late}. Late penalty: -{self.penalty:g} points ({self.policy}); "
                    f"score after the penalty: {max(0.0, score - self.penalty):g} / {max_score:g}.")
        return f"Late submission: {late}. No late penalty ({self.policy})."


def duration(seconds):
    """``3 days 4 h``, ``2 h 5 min``, ``12 min``, ``40 s``: for people, not machines."""
    if seconds < 1:
        return "less than a second"
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def read_timestamp(folder):
    """The UTC time in ``folder/timestamp.txt`` as nbgrader parses it, or ``(None, why)``.

    The file is the student's (their ``nbgrader submit`` wrote it): only a small regular file is read, never
    through a link."""
    from nbgrader.utils import parse_utc

    path = Path(folder) / TIMESTAMP
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, "no timestamp.txt"
    except OSError:
        return None, "timestamp.txt is not a regular file"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TIMESTAMP_BYTES:
            return None, "timestamp.txt is not a small regular file"
        text = os.read(fd, MAX_TIMESTAMP_BYTES + 1).decode("utf-8", "replace").strip()
    finally:
        os.close(fd)
    try:
        when = parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        return None, "timestamp.txt holds no time nbgrader can read"
    if when is None or not isinstance(when, datetime):
        return None, "timestamp.txt holds no time nbgrader can read"
    return when, ""


def load_course_config(course_dir, base):
    """``base`` (the course's settings) overlaid with ``course_dir/nbgrader_config.py``, as nbgrader loads it."""
    import copy

    from traitlets.config.loader import PyFileConfigLoader

    config = copy.deepcopy(base)
    path = Path(course_dir) / "nbgrader_config.py"
    if path.is_file():
        config.merge(PyFileConfigLoader(path.name, str(path.parent)).load_config())
    return config


def penalty_plugin(config):
    """The configured late-submission plugin (``AssignLatePenalties.plugin_class``), else :class:`LatePenalty`."""
    from traitlets.utils.importstring import import_item

    name = config.get("AssignLatePenalties", {}).get("plugin_class")
    cls = (import_item(name) if isinstance(name, str) else name) if name else LatePenalty
    return cls(config=config)


def describe(plugin):
    """The late policy of ``plugin`` in one sentence for students."""
    if hasattr(plugin, "describe"):
        return plugin.describe()
    return f"{type(plugin).__name__}" + (f", penalty_method={plugin.penalty_method!r}"
                                         if hasattr(plugin, "penalty_method") else "")


def due_dates(db_url):
    """``{assignment: due}`` and ``{(student, assignment): extension}`` from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    dues, extensions = {}, {}
    with Gradebook(db_url) as gb:
        for a in gb.assignments:
            dues[a.name] = a.duedate
            for sub in a.submissions:
                if sub.extension:
                    extensions[(sub.student_id, a.name)] = sub.extension
    return dues, extensions


def assess(grade, folder, due, extension, plugin):
    """The :class:`Lateness` of one graded notebook (None without a readable timestamp), and a note if the
    time could not be read."""
    submitted, problem = read_timestamp(folder)
    if submitted is None:
        if due and problem != "no timestamp.txt":
            return None, f"submission time unknown ({problem}): no late penalty was applied."
        return None, ""
    due = due + (extension or timedelta(0)) if due else None
    late = Lateness(submitted, due, policy=describe(plugin))
    if late.is_late:
        penalty = plugin.late_submission_penalty(grade.student, grade.score, late.seconds_late)
        late.penalty = round(min(max(float(penalty or 0), 0.0), grade.score), 2)  # nbgrader's clamp
    return late, ""


CSV_COLUMNS = ["late_penalty", "final_score", "submitted"]


def csv_values(grade):
    """``late_penalty, final_score, submitted`` of one grade, for grades.csv."""
    late = grade.late
    return [f"{late.penalty:g}" if late else "0", f"{grade.final_score:g}",
            f"{late.submitted:%Y-%m-%d %H:%M:%S} UTC" if late else ""]


def as_record(grade):
    """The lateness of one grade as plain JSON data (None: no submission time)."""
    late = grade.late
    if late is None:
        return None
    return {"submitted": f"{late.submitted:%Y-%m-%d %H:%M:%S.%f} UTC",
            "due": f"{late.due:%Y-%m-%d %H:%M:%S} UTC" if late.due else None,
            "seconds_late": late.seconds_late, "penalty": late.penalty, "policy": late.policy,
            "final_score": grade.final_score}


def record(gb, grade):
    """Put the submission time and the late penalty into nbgrader's gradebook (the formgrader and
    ``nbgrader export`` read them there); a grade without a time clears an earlier penalty."""
    late = grade.late
    if late is not None:
        gb.find_submission(grade.assignment, grade.student).timestamp = late.submitted
    notebook = gb.find_submission_notebook(Path(grade.notebook).stem, grade.assignment, grade.student)
    notebook.late_submission_penalty = late.penalty if late is not None and late.penalty else None
