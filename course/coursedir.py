"""The nbgrader course folder that ``course grade`` works in: its mirror of ``source/``, its ``release/`` and
gradebook (so the formgrader and plain nbgrader commands know every graded cell), and ``submitted/``, where
each class's hand-ins are stored (earlier versions archived, never deleted)."""

import filecmp
import shutil
import time
from pathlib import Path

from autograder import intake

from . import editions, gradebook
from .layout import course_root
from .nbgrader_access import generate, nbgrader_api, sync_helpers
from .sequence import ROOT, assignments


def prepare_course_dir(course_dir, names=None, log=print, db_url=None, lang=None):
    """Mirror source/ into ``course_dir`` and generate there, so its gradebook knows every graded cell.

    ``lang``: the edition (course/editions.py): the mirror's notebooks carry that language's prose.
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
        editions.write_source(lang, a, materials, dest)
        sync_helpers(a, ROOT, target=dest, lang=lang)
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
