"""The kernel-side runtime: the part of the grader copied into each sandbox, where student code can read it.

``autograder/scenario.py`` says why it gives nothing away, and ``tests/autograder/test_runtime.py`` proves it.
Never in it: the judge and its rules (``autograder.rules``), the reference, the runner, the pipeline.
"""

import shutil
from pathlib import Path

# what the kernel may import from the grader (autograder/scenario.py says why it gives nothing away): never the
# judge or its rules (autograder/rules), never the reference, never the pipeline
RUNTIME_FILES = ["__init__.py", "compare.py", "scenario.py", "hidden.py", "records.py", "executor.py", "frames.py",
                 "kernel_client.py", "checks"]


def make_runtime(directory):
    """Copy the kernel-side part of the grader (no reference, no pipeline) to ``directory``, with the visible
    checks' compiled catalogs (``autograder/bp_checks_locale/<lang>/LC_MESSAGES/bp_checks.mo``)."""
    package = Path(__file__).resolve().parent
    target = Path(directory) / "autograder"
    target.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_FILES:
        src = package / name
        if src.is_dir():
            shutil.copytree(src, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, target / name)
    # the visible checks' compiled catalogs beside compare.py (autograder/compare.py finds them there): what the
    # kernel prints through compare (say, assert_close) speaks the run's language (BACKPROP_LANG); records stay
    # English (autograder.scenario), the judge translates; translations only, nothing secret
    from .i18n import DEFAULT, KERNEL_DOMAIN, LANGUAGES, catalog_path, write_kernel_catalog

    for lang in LANGUAGES:
        if lang != DEFAULT and catalog_path(lang, KERNEL_DOMAIN).is_file():
            write_kernel_catalog(lang, target)
    return Path(directory)
