"""Where the course's notebooks are: in the repository (a checkout, or ``pip install -e .`` of one), or inside
the installed package (``pip install`` of a built wheel, e.g. on a grading worker).

A wheel carries ``source/`` and ``release/`` in ``course/materials/`` (copied there by ``setup.py`` when the
wheel is built), next to the grader code built from the same commit: the hidden checks in
``autograder/checks/`` are keyed to the graded cells of exactly these source notebooks, so the two travel
as one versioned unit and a worker needs nothing but the wheel. Grading never writes into the package: it
copies an assignment's source folder into the course folder and writes the student helpers there.
"""

from pathlib import Path

from .sequence import ROOT

PACKAGED = Path(__file__).resolve().parent / "materials"


class CourseMaterialsMissing(RuntimeError):
    """Neither a checkout nor the installed package holds the course's notebooks."""


def is_checkout():
    """Is this course run from its repository (where ``course release`` and ``course examples`` write)?"""
    return (ROOT / "source").is_dir() and (ROOT / "pyproject.toml").is_file()


def course_root():
    """The folder holding ``source/`` and ``release/``: the repository, else the installed package's copy."""
    if is_checkout():
        return ROOT
    if (PACKAGED / "source").is_dir():
        return PACKAGED
    raise CourseMaterialsMissing(
        f"the course's notebooks are neither in a repository ({ROOT / 'source'}) nor in the installed package "
        f"({PACKAGED / 'source'}): install the course from a wheel built with `pip wheel .` or `python -m build` "
        "(they copy source/ and release/ into it), or run it from a checkout.")


def default_work_dir():
    """Where ``course`` keeps its course folder by default: ``.course-work`` in the repository, or in the current
    folder for an installed course (never inside the installation)."""
    return ROOT / ".course-work" if is_checkout() else Path.cwd() / ".course-work"
