"""What the grader needs of one assignment: the grading template (source structure, released text) and the
folder of released helpers that every notebook runs beside."""

from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import notebook as nbtools


@dataclass
class CourseFiles:
    """What the grader needs of one assignment: its name, notebook name, template and release folder."""

    name: str
    notebook: str
    template: object
    release_dir: Path

    @property
    def graded(self):
        """``[(grade_id, points)]`` of the graded cells, in notebook order."""
        return nbtools.graded_cells(self.template)

    @property
    def max_score(self):
        """The points the notebook is worth."""
        return sum(p for _, p in self.graded)


def course_files(assignment, source_root, release_root):
    """The :class:`CourseFiles` of ``assignment`` (a ``course.sequence.Assignment``): its grading template built
    from ``source_root/<name>/<notebook>`` and the released one, and ``release_root/<name>`` for the helpers."""
    source_nb = nbformat.read(Path(source_root) / assignment.name / assignment.notebook, as_version=4)
    release_dir = Path(release_root) / assignment.name
    release_nb = nbformat.read(release_dir / assignment.notebook, as_version=4)
    return CourseFiles(assignment.name, assignment.notebook, nbtools.grading_template(source_nb, release_nb),
                       release_dir)
