"""How the course reaches nbgrader: its settings (``course/nbgrader_config.py``), an ``NbGraderAPI`` for a course
folder, ``generate_assignment``, and the student helpers that travel with every released assignment.

The helpers (``bp_checks.py``, ``graph_drawing.py``, ``mnist_utils/``; ``course.sequence`` lists them per
assignment) exist once in the repository. ``source/<assignment>/`` holds only links to them, so that plain
``nbgrader generate_assignment`` from the repository root copies their content; ``course release`` and
``course grade`` write real copies where nbgrader and the grader read them: ``release/<assignment>/`` and the
course folder's mirror of ``source/``.
"""

import os
import shutil
import sys
from pathlib import Path

from .sequence import ROOT

CONFIG_FILE = ROOT / "course" / "nbgrader_config.py"


class ReleaseError(Exception):
    """nbgrader could not generate an assignment, or its release check failed (the message says where)."""


def course_config(course_dir=None):
    """The course's nbgrader settings as a traitlets ``Config``: ``course/nbgrader_config.py``, overlaid with
    ``course_dir/nbgrader_config.py`` when ``course_dir`` holds one (as nbgrader loads a course folder's)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    namespace = {"get_config": lambda: config}
    exec(compile(CONFIG_FILE.read_text(), str(CONFIG_FILE), "exec"), namespace)
    local = Path(course_dir) / "nbgrader_config.py" if course_dir else None
    if local and local.is_file():
        config.merge(PyFileConfigLoader(local.name, str(local.parent)).load_config())
    return config


def nbgrader_api(course_dir, db_path, db_url=None):
    """An NbGraderAPI for ``course_dir`` with the gradebook at ``db_path`` (kept out of the source tree), or at
    ``db_url`` when given (an SQLAlchemy URL: a PostgreSQL server, see course/gradebook.py)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    bindir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    config = course_config()
    config.CourseDirectory.root = str(course_dir)
    if db_url is None:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    config.CourseDirectory.db_url = db_url or f"sqlite:///{Path(db_path).resolve()}"
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir, config=config)


def sync_helpers(assignment, root=ROOT, target=None, lang=None):
    """Write the student helpers of ``assignment`` (a ``course.sequence.Assignment``) as real files into
    ``target``: by default ``root/release/<assignment>/``, never the repository's ``source/`` (which holds links).
    ``lang``: the edition; one other than English gets the visible checks' compiled catalog beside them.

    Sources are read from ``root`` (the repository, or an installed course's package folder)."""
    target = Path(target) if target is not None else Path(root) / "release" / assignment.name
    for src, dest in assignment.extra_files:
        src, dest = Path(root) / src, target / dest
        if dest.is_symlink() or dest.is_file():
            dest.unlink()
        elif dest.is_dir():
            shutil.rmtree(dest)
        if src.is_dir():
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest)
    from .student_env import write_matplotlibrc

    write_matplotlibrc(target)  # Hangul in plots, wherever the notebook draws (course/student_files/matplotlibrc)
    if (lang or "en") != "en" and any(dest == "bp_checks.py" for _, dest in assignment.extra_files):
        from autograder.i18n import write_kernel_catalog

        write_kernel_catalog(lang, target)  # bp_checks_locale/<lang>/LC_MESSAGES/bp_checks.mo


def generate(api, assignment):
    """``nbgrader generate_assignment`` of ``assignment`` in the API's course folder (``release/<name>/``, forced).

    Raises :class:`ReleaseError` with nbgrader's log when it fails."""
    result = api.generate_assignment(assignment.name, force=True, create=True)
    if not result["success"]:
        raise ReleaseError(f"nbgrader could not generate {assignment.name}:\n{result['log']}\n{result['error']}")
    # nbgrader leaves the source folder's caches in the release
    for junk in Path(api.coursedir.root, "release", assignment.name).rglob("__pycache__"):
        shutil.rmtree(junk)
