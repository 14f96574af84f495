"""What ``course grade`` keeps of nbgrader's exchange conventions, and what it tells the instructor.

``nbgrader submit`` puts ``timestamp.txt`` and ``submission_secret.txt`` next to the notebook, ``nbgrader
collect`` copies them into ``submitted/<student>/<assignment>/``, and ``nbgrader release_feedback`` reads
both from ``feedback/<student>/<assignment>/`` (the secret names the feedback file in the exchange, so only
its student finds it). Earlier submissions stay in the exchange's ``inbound/``; a collect replaces
``submitted/<student>/<assignment>/`` while it runs, so grading notices a submission that changed under it.
"""

import hashlib
import os
import pwd
import secrets
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import lateness

SECRET = "submission_secret.txt"
STAMPS = (lateness.TIMESTAMP, SECRET)
MAX_STAMP_BYTES = 1024


def _small_regular(path):
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_STAMP_BYTES


def copy_stamps(course_dir, grade, notebook_name=None):
    """Give ``autograded/`` and ``feedback/`` of one graded submission the ``timestamp.txt`` and
    ``submission_secret.txt`` that nbgrader's ``generate_feedback`` and ``release_feedback`` expect.

    A submission handed in without them (a zip, a folder) gets a timestamp from its notebook's modification
    time and a random secret, made once and kept in ``autograded/`` so grading again changes nothing."""
    course_dir = Path(course_dir)
    src = course_dir / "submitted" / grade.student / grade.assignment
    graded = course_dir / "autograded" / grade.student / grade.assignment
    feedback = course_dir / "feedback" / grade.student / grade.assignment
    graded.mkdir(parents=True, exist_ok=True)
    for name in STAMPS:
        if _small_regular(src / name):
            data = _read_small(src / name)
        elif _small_regular(graded / name):
            data = _read_small(graded / name)  # made by an earlier grading run
        elif name == SECRET:
            data = secrets.token_hex(64).encode()
        else:
            notebook = src / (notebook_name or grade.notebook)
            when = datetime.fromtimestamp(notebook.lstat().st_mtime if notebook.exists() else 0, timezone.utc)
            data = f"{when:%Y-%m-%d %H:%M:%S.%f} UTC".encode()
        for folder in (graded, feedback):
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            if target.is_symlink() or target.exists():
                target.unlink()
            target.write_bytes(data)


def _read_small(path):
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # never blocks on a pipe swapped in
    try:
        return os.read(fd, MAX_STAMP_BYTES)
    finally:
        os.close(fd)


def fingerprint(folder):
    """A digest of what grading would take in from ``folder``: the names and contents of its regular files and
    the notes on everything else, read through :mod:`autograder.intake` (bounded, links never followed).
    Never raises: an unreadable folder has the fingerprint ``"unreadable: ..."``."""
    from autograder import intake

    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return "absent"
    try:
        files, notes = intake.scan(folder)
        digest = hashlib.sha256("\n".join(notes).encode("utf-8", "backslashreplace") + b"\0")
        for rel in files:
            data, problem = intake.read_regular(folder / rel, intake.DEFAULT.max_file_bytes)
            digest.update(str(rel).encode("utf-8", "surrogateescape") + b"\0")
            digest.update(data if data is not None else problem.encode())
            digest.update(b"\0")
        return digest.hexdigest()
    except Exception as exc:  # one odd folder must not stop the class
        return f"unreadable: {type(exc).__name__}"


def snapshot(jobs):
    """The fingerprint of each job's submission folder before grading."""
    return {(j.student, j.assignment): fingerprint(j.folder) for j in jobs}


def settle(before, jobs, grades, regrade, log=print):
    """Grade again every submission that changed while it was graded (``nbgrader collect`` replaced it).

    ``regrade(jobs)`` grades a list of jobs. Returns the grades and report lines; a submission that changed
    during its second grading too keeps that grade, with a line saying to grade again."""
    notices = []
    for attempt in range(2):
        changed = [i for i, j in enumerate(jobs) if fingerprint(j.folder) != before[(j.student, j.assignment)]]
        if not changed:
            break
        for i in changed:
            j = jobs[i]
            what = "graded again, as it is now" if attempt == 0 else "it changed again: run `course grade` again"
            notices.append(f"{j.student}/{j.assignment}: the submission changed while it was being graded "
                           f"(a collect ran at the same time); {what}.")
        if attempt == 1:
            break
        again = [jobs[i] for i in changed]
        before = {**before, **snapshot(again)}
        for i, grade in zip(changed, regrade(again)):
            grades[i] = grade
    for line in notices:
        log(line)
    return grades, notices


def inbound_history(exchange_root, course_id, student, assignment):
    """``[(timestamp, owner, path)]`` of every submission of ``assignment`` by ``student`` in the exchange."""
    from nbgrader.utils import parse_utc

    inbound = Path(exchange_root) / course_id / "inbound"
    found = []
    try:
        names = os.listdir(inbound)
    except OSError:
        return found
    for name in names:
        parts = name.rsplit("+", 3)
        if len(parts) < 3 or parts[0] != student or parts[1] != assignment:
            continue
        try:
            when = parse_utc(parts[2])
        except (ValueError, OverflowError):
            continue
        try:
            owner = pwd.getpwuid(os.lstat(inbound / name).st_uid).pw_name
        except (KeyError, OSError):
            owner = "?"
        found.append((when, owner, inbound / name))
    return sorted(found)


def exchange_settings(config):
    """``(exchange root, course id)`` from an nbgrader configuration, or ``(None, None)``."""
    root = config.get("Exchange", {}).get("root")
    course_id = config.get("CourseDirectory", {}).get("course_id")
    return (root, course_id) if isinstance(root, str) and isinstance(course_id, str) else (None, None)


class Bookkeeping:
    """What ``course grade`` knows of a class besides its notebooks: due dates and extensions (the gradebook),
    the late policy and the exchange (the course's nbgrader configuration), the roster (the gradebook's
    students). :meth:`annotate` applies them to one grade."""

    def __init__(self, course_dir, config, db_url):
        self.course_dir = Path(course_dir)
        self.dues, self.extensions = lateness.due_dates(db_url)
        self.roster = _roster(db_url)
        self.plugin = lateness.penalty_plugin(config)
        self.exchange_root, self.course_id = exchange_settings(config)
        self.notices = {}  # (student, assignment) -> report lines for the instructor

    def annotate(self, g):
        """Set ``g.late`` (submission time, due date, penalty), add a note for the student when the submission
        was late or its time unreadable, and keep report lines for the instructor."""
        folder = self.course_dir / "submitted" / g.student / g.assignment
        late, problem = lateness.assess(g, folder, self.dues.get(g.assignment),
                                        self.extensions.get((g.student, g.assignment)), self.plugin)
        g.late = late
        lines = []
        if problem:
            g.notes.append(problem)
            lines.append(f"{g.student}/{g.assignment}: {problem}")
        if late is not None and late.is_late:
            g.notes.append(late.note(g.score, g.max_score))
            lines.append(f"{g.student}/{g.assignment}: late by {lateness.duration(late.seconds_late)}; "
                         f"penalty {late.penalty:g} points ({late.policy}).")
        if self.roster and g.student not in self.roster:
            lines.append(f"{g.student}/{g.assignment}: {g.student} is not on the class roster (nbgrader's student "
                         "list): graded, and added to the gradebook; if they are not in the class: "
                         f"`nbgrader db student remove {g.student} --force`.")
        if self.exchange_root and self.course_id:
            lines += _history_lines(g, late, inbound_history(self.exchange_root, self.course_id, g.student,
                                                             g.assignment))
        self.notices[(g.student, g.assignment)] = lines

    def lines(self):
        """The notices gathered while grading, one line each, in a stable order."""
        return [line for key in sorted(self.notices) for line in self.notices[key]]


def _roster(db_url):
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {s.id for s in gb.students}


def _history_lines(grade, late, history):
    lines, who = [], f"{grade.student}/{grade.assignment}"
    if not history:
        return lines
    graded = late.submitted if late else None
    if graded is not None:
        match = [h for h in history if abs((h[0] - graded).total_seconds()) < 1e-3]
        for _, owner, path in match:
            if owner != grade.student:
                lines.append(f"{who}: the graded submission was handed in by the Linux user {owner!r}, not by "
                             f"{grade.student} ({path}): check it before releasing its grade.")
            changed = last_change(path)
            if changed is not None and changed > graded + BACKDATE_SLACK:
                claimed = f"{graded:%Y-%m-%d %H:%M:%S}"
                lines.append(f"{who}: its folder in the exchange was last changed {changed:%Y-%m-%d %H:%M:%S} UTC, "
                             f"{_ago(changed - graded)} after the submission time it claims ({claimed} UTC): its "
                             "timestamp.txt may have been edited; check it (the late penalty used the claimed time).")
        newer = [h for h in history if h[0] > graded + timedelta(milliseconds=1)]
        if newer:
            lines.append(f"{who}: a newer submission ({newer[-1][0]:%Y-%m-%d %H:%M:%S} UTC) is in the exchange but "
                         "was not collected: collect again (`nbgrader collect --update`) and grade again.")
    if len(history) > 1:
        lines.append(f"{who}: {len(history)} submissions in the exchange; the one collected was graded"
                     + (f" (submitted {graded:%Y-%m-%d %H:%M:%S} UTC)" if graded else "")
                     + f"; every one is kept in {history[0][2].parent}.")
    return lines


BACKDATE_SLACK = timedelta(minutes=2)  # `nbgrader submit` writes and chmods its files within seconds
MAX_CHANGE_ENTRIES = 2000


def last_change(folder):
    """The latest status change (ctime: the kernel's clock, which a student cannot set back) of ``folder`` and
    of what is in it, in naive UTC; links are not followed, at most MAX_CHANGE_ENTRIES entries are looked at."""
    latest, seen = None, 0
    for root, dirs, files in os.walk(folder):
        for name in [None, *files, *dirs]:
            seen += 1
            if seen > MAX_CHANGE_ENTRIES:
                break
            try:
                ctime = os.lstat(root if name is None else os.path.join(root, name)).st_ctime
            except OSError:
                continue
            latest = ctime if latest is None else max(latest, ctime)
    if latest is None:
        return None
    return datetime.fromtimestamp(latest, timezone.utc).replace(tzinfo=None)


def _ago(delta):
    from .lateness import duration

    return duration(delta.total_seconds())


def restore_ownership(course_dir, log=print):
    """As root, give back to the course folder's owner what root created in it (``course grade`` run with
    sudo on an instructor's course folder), so their formgrader can still write. Links are not followed."""
    course_dir = Path(course_dir)
    if os.geteuid() != 0 or not course_dir.is_dir():
        return 0
    owner = course_dir.stat()
    if owner.st_uid == 0:
        return 0
    changed = 0
    for root, dirs, files in os.walk(course_dir):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            if info.st_uid == 0:
                os.lchown(path, owner.st_uid, owner.st_gid)
                changed += 1
    return changed


def grading_workdir(course_dir):
    """Where ``course grade`` runs the notebooks: ``course_dir/.grading-work``, or a new private folder under
    the system's temporary folder when the course folder is closed to this process's own uid (an instructor's
    0700 course folder on a hub, graded by root): the sandbox (bubblewrap, in a user namespace of its own)
    cannot pass through such a folder even when started by root."""
    import tempfile

    course_dir = Path(course_dir).resolve()
    me = os.geteuid()

    def passable(path):  # by the sandbox, which keeps this process's uid but none of root's privileges
        info = os.stat(path)
        return bool(info.st_mode & stat.S_IXOTH or (info.st_uid == me and info.st_mode & stat.S_IXUSR))

    if all(passable(p) for p in [course_dir, *course_dir.parents]):
        return course_dir / ".grading-work"
    return Path(tempfile.mkdtemp(prefix="bfs-grading-"))
