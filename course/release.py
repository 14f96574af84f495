"""``course release``: generate release/ from source/ with nbgrader, write the student helpers into it, then
prove it is right (the five checks of ``course.verify``).

The parts live in their own modules: ``course.nbgrader_access`` (settings, the nbgrader API, generate, the
helpers) and ``course.verify`` (the checks); their names are importable from here as before.
"""

from pathlib import Path

from . import editions, student_package
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


def release(root=ROOT, names=None, verify=True, workers=None, sandbox=None, limits=None, log=print, lang=None):
    """Generate and verify the release of the selected assignments (``names``; default all) under ``root``.

    ``lang``: the edition (course/editions.py). English: ``root/source`` to ``root/release``; another language:
    its ``source/`` is built from the template and the catalogs under ``root/editions/<lang>``, then released
    to ``root/editions/<lang>/release``.

    ``workers``, ``sandbox`` and ``limits`` are those of the grading run of checks 3 and 4. Returns nothing;
    raises :class:`ReleaseError` listing every problem, each naming the notebook and the cell."""
    template = Path(root)
    root = editions.edition_root(lang, template)
    db = "release-gradebook.db" if root == template else f"release-gradebook-{lang}.db"
    api = nbgrader_api(root, template / ".course-work" / db)
    problems = []
    for assignment in assignments(template, names):
        if root != template:  # the edition's source/: the template with its prose translated
            try:
                editions.write_source(lang, assignment, template, root / "source" / assignment.name)
            except editions.TranslationMissing as exc:
                problems.append(str(exc))
                continue
        generate(api, assignment)
        # release/<name>/: the helpers as files, from their one copy
        sync_helpers(assignment, template, target=root / "release" / assignment.name, lang=lang)
        log(f"released {assignment.name}" + (f" ({lang})" if root != template else ""))
        if verify:
            found = check_structure(assignment, root)
            if not found:
                found = check_by_grading(assignment, root, workers=workers, sandbox=sandbox, limits=limits)
            if not found:
                found = check_self_contained(assignment, root,
                                             cell_timeout=limits.cell_timeout if limits else None)
            log(f"  verified {assignment.name}: " + ("ok" if not found else f"{len(found)} problem(s)"))
            problems += found
    if names is None and root == template:  # the helpers as one wheel, for notebooks opened alone (Colab)
        log(f"wrote {student_package.write_release(root).relative_to(root)}")
    if problems:
        raise ReleaseError("release check failed:\n- " + "\n- ".join(problems))
