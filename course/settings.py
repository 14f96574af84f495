"""Grading settings the nbgrader way: traitlets of one Configurable, read from ``nbgrader_config.py``.

``course/nbgrader_config.py`` holds the course's values (``c.GradingSettings.cell_timeout = 60``, ...), and a
course folder's own ``nbgrader_config.py`` may change them for that class; flags of ``course grade``
(``--cell-timeout`` ...) override both for one run. README's "Settings" table lists them all.
"""

from traitlets import Enum, Float, Int
from traitlets.config import LoggingConfigurable

from autograder.i18n import DEFAULT, LANGUAGES
from autograder.pipeline import Limits

_LIMITS = Limits()  # the code's only defaults; the course's values are in course/nbgrader_config.py


class GradingSettings(LoggingConfigurable):
    """How ``course grade`` (and the grading part of ``course release``) runs each notebook."""

    cell_timeout = Float(_LIMITS.cell_timeout, min=1, help=(
        "Seconds one notebook cell may run. A cell that runs longer is interrupted and the next cell runs; one "
        "that ignores the interrupt for as long again stops its notebook. Plain `nbgrader autograde` uses "
        "Execute.timeout, which the course's config sets to this.")).tag(config=True)
    notebook_timeout = Float(_LIMITS.notebook_timeout, min=1, help=(
        "Seconds one whole notebook may run (kernel start included); then it is stopped and graded as far as "
        "it got.")).tag(config=True)
    memory_mb = Int(_LIMITS.memory_mb, min=64, help=(
        "Memory cap per notebook in MB (the kernel, everything it starts, and the files it writes).")).tag(config=True)
    processes = Int(_LIMITS.processes, min=4, help=(
        "Processes and threads one notebook may run at once (needs cgroups; see README).")).tag(config=True)
    workers = Int(0, min=0, help="Notebooks graded at once; 0: one per CPU core.").tag(config=True)
    sandbox = Enum(["bubblewrap", "none"], "bubblewrap", help=(
        "bubblewrap: every notebook runs in the bubblewrap sandbox, and grading refuses to start without it "
        "(unless --allow-unsandboxed); none: notebooks run with your rights, for submissions you trust only."
    )).tag(config=True)
    language = Enum(list(LANGUAGES), DEFAULT, help=(
        "The course's language: the edition of the notebooks (their prose) and the language of every message "
        "a student reads (checks, mistakes, feedback pages). Scores do not depend on it.")).tag(config=True)

    def limits(self):
        """The :class:`autograder.pipeline.Limits` of these settings."""
        return Limits(cell_timeout=self.cell_timeout, notebook_timeout=self.notebook_timeout,
                      memory_mb=self.memory_mb, processes=self.processes)


SETTINGS = ("cell_timeout", "notebook_timeout", "memory_mb", "processes", "workers", "sandbox", "language")


def load(course_dir=None, overrides=None):
    """The :class:`GradingSettings` of the course: ``course/nbgrader_config.py``, then ``course_dir``'s own
    ``nbgrader_config.py`` (when given and present), then ``overrides`` ({name: value}; ``None`` values are
    ignored: a flag that was not given). Raises ``traitlets.TraitError`` for a value out of range."""
    from .nbgrader_access import course_config

    settings = GradingSettings(config=course_config(course_dir))
    for name, value in (overrides or {}).items():
        if name not in SETTINGS:
            raise KeyError(f"no grading setting {name!r}; known: {', '.join(SETTINGS)}")
        if value is not None:
            setattr(settings, name, value)
    return settings
