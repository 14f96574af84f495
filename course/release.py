"""``course release``: generate release/ from source/ with nbgrader, write the student helpers into it, then
prove it is right (the five checks of ``course.verify``).

The parts live in their own modules: ``course.nbgrader_access`` (settings, the nbgrader API, generate, the
helpers) and ``course.verify`` (the checks); their names are importable from here as before.
"""

from pathlib import Path

from . import student_package
from .nbgrader_access import ReleaseError, generate, nbgrader_api, sync_helpers
from .sequence import ROOT, assignments
from .verify import (  # noqa: F401  (GIVEN_NAMES, check_names, global_bindings, perfect_submission: as before)
    GIVEN_NAMES,
    check_by_grading,
    check_names,
    check_self_contained,
    check_structure,
    global_bindings,
    perfect_submission,
)


def release(root=ROOT, names=None, verify=True, workers=None, sandbox=None, limits=None, log=print):
    """Generate and verify the release of the selected assignments (``names``; default all) under ``root``.

    ``workers``, ``sandbox`` and ``limits`` are those of the grading run of checks 3 and 4. Returns nothing;
    raises :class:`ReleaseError` listing every problem, each naming the notebook and the cell."""
    root = Path(root)
    api = nbgrader_api(root, root / ".course-work" / "release-gradebook.db")
    problems = []
    for assignment in assignments(root, names):
        generate(api, assignment)
        sync_helpers(assignment, root)  # release/<name>/: the helpers as files, from their one copy
        log(f"released {assignment.name}")
        if verify:
            found = check_structure(assignment, root)
            if not found:
                found = check_by_grading(assignment, root, workers=workers, sandbox=sandbox, limits=limits)
            if not found:
                found = check_self_contained(assignment, root,
                                             cell_timeout=limits.cell_timeout if limits else None)
            log(f"  verified {assignment.name}: " + ("ok" if not found else f"{len(found)} problem(s)"))
            problems += found
    if names is None:  # the helpers as one pip-installable wheel, for notebooks opened alone (Colab)
        log(f"wrote {student_package.write_release(root).relative_to(root)}")
    if problems:
        raise ReleaseError("release check failed:\n- " + "\n- ".join(problems))
