"""Submissions as handed in: the class's layout (``<student>/<assignment>/``, a zip of it), and in one
student's folder the notebook to grade and the other files that may sit beside it.

Every byte is read through ``autograder.intake`` (regular files only, bounded): a student's folder is first
copied into a snapshot, and everything here works on that snapshot.
"""

import filecmp
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import intake

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_EXTRA_BYTES = 20 * 1024 * 1024
# names the grader's own code uses inside the sandbox: a student's file of that name is never put beside it
RESERVED_NAMES = {"autograder", "autograder.py", "bp_checks.py", "sitecustomize.py", "usercustomize.py"}


def _files_under(item):
    """The files under ``item`` of a snapshot (which holds only regular files and folders)."""
    return [item] if item.is_file() else sorted(p for p in item.rglob("*") if p.is_file())


def _same_files(found, item, released):
    theirs = {p.relative_to(item) for p in found} if item.is_dir() else {Path()}
    ours = {p.relative_to(released) for p in _files_under(released)} if released.is_dir() else {Path()}
    ours = {p for p in ours if "__pycache__" not in p.parts}
    theirs = {p for p in theirs if "__pycache__" not in p.parts}
    return theirs == ours and all(filecmp.cmp(item / p, released / p, shallow=False) for p in theirs)


NBGRADER_STAMPS = ("timestamp.txt", "submission_secret.txt")


def copy_extra_files(snapshot, notebook_path, run_dir):
    """Give the notebook the other files the student handed in (their own data or modules), never in
    place of a released helper or under a name the grader uses, at most 20 MB. ``snapshot`` is the
    submission as :func:`autograder.intake.copy_tree` took it in. Returns notes."""
    used, skipped, budget = [], [], MAX_EXTRA_BYTES
    for item in sorted(Path(snapshot).iterdir()):
        if item == notebook_path or item.name.startswith(".") or item.name == "__pycache__":
            continue
        if item.name in NBGRADER_STAMPS:  # what `nbgrader submit` adds beside the notebook: not the student's work
            continue
        found = _files_under(item)
        if (run_dir / item.name).exists():  # a released helper: their copy is ignored; say so if it differs
            if not _same_files(found, item, run_dir / item.name):
                skipped.append(f"{item.name} (changed from the released version, which was used instead)")
            continue
        if item.name in RESERVED_NAMES or item.name.split(".")[0] in RESERVED_NAMES:
            skipped.append(f"{item.name} (this name is reserved for the grader)")
            continue
        if not found:
            continue
        size = sum(p.stat().st_size for p in found)
        if size > budget:
            skipped.append(f"{item.name} (too large: extra files may take {MAX_EXTRA_BYTES // 2**20} MB in all)")
            continue
        budget -= size
        for src in found:
            dest = run_dir / src.relative_to(snapshot)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        used.append(item.name)
    notes = []
    if used:
        notes.append(f"other files in the submission were available to the notebook: {', '.join(used)}.")
    if skipped:
        notes.append(f"files in the submission that were not used: {'; '.join(skipped)}.")
    return notes


def find_notebook(folder, expected):
    """The submitted notebook in ``folder`` (a snapshot): by its expected name, else the only notebook there."""
    if not folder.is_dir():
        return None, [f"no submission folder {folder.name}"]
    path = folder / expected
    if path.is_file():
        return path, []
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith(".") and p.is_file())
    if len(found) == 1:
        return found[0], [f"the notebook was renamed to {found[0].name} (expected {expected}); it was graded."]
    if not found:
        return None, [f"no notebook in the submission (expected {expected})."]
    return None, [f"several notebooks and none named {expected}: {', '.join(p.name for p in found)}."]


@dataclass
class Job:
    """One notebook to grade: a student's folder of one assignment."""

    student: str
    assignment: str
    folder: Path


def find_jobs(submitted_root, known, also_known=()):
    """Every ``<student>/<assignment>/`` folder under ``submitted_root``; anything else is reported.

    Only real folders count: a student or assignment "folder" that is a link is refused, never followed."""
    jobs, skipped = [], []
    students, notes = intake.subfolders(submitted_root)
    skipped += notes
    for student, student_dir in students:
        adirs, notes = intake.subfolders(student_dir)
        skipped += [f"{student}/{n}" for n in notes]
        for name, adir in adirs:
            if name in known:
                jobs.append(Job(student, name, adir))
            elif name in also_known:
                skipped.append(f"{student}/{name}: not selected for this run")
            else:
                skipped.append(f"{student}/{name}: not an assignment of this course")
    return jobs, skipped


def unpack_submissions(path, target):
    """Return a folder laid out as ``<student>/<assignment>/``: ``path`` itself, its ``submitted/``, or a zip
    (unpacked safely into ``target``; :class:`autograder.intake.Refused` for a dangerous archive)."""
    path = Path(path).resolve()
    if path.is_file() and zipfile.is_zipfile(path):
        path = intake.unpack_zip(path, target)
        inner = [p for p in path.iterdir() if p.is_dir() and not p.name.startswith("__MACOSX")]
        if len(inner) == 1 and not (path / "submitted").is_dir() and (inner[0] / "submitted").is_dir():
            path = inner[0]
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is neither a folder nor a zip file of submissions.")
    sub = path / "submitted"
    return sub if sub.is_dir() and not sub.is_symlink() else path
