"""The entry point that hidden test cells call: ``check("mul_layer", globals())``.

Two modes:

* **record** (``course grade``; the environment variable ``BFS_RECORD_DIR`` is set): run the student's
  code on the seeded scenarios and write the raw outputs to that folder. Nothing is judged here,
  because this process also ran student code, which may have patched numpy or anything else. The
  judge compares the records with the reference in a clean process.
* **inline** (plain ``nbgrader autograde``, or an instructor running the source notebook): judge right
  away in the kernel. Full marks: the cell prints a summary. Partial: the cell prints what failed
  and evaluates to the points earned (nbgrader's partial credit). Nothing earned: ``AssertionError``.
  The summary is in the language of the kernel's ``BACKPROP_LANG`` (English if unset or unknown).
"""

import os

from .checks import scenarios_for
from .scenario import execute

RECORD_ENV = "BFS_RECORD_DIR"


def check(grade_id, ns, points=None):
    """Run the hidden checks of graded cell ``grade_id`` against the names defined in ``ns``."""
    results = [execute(sc, ns) for sc in scenarios_for(grade_id)]
    record_dir = os.environ.get(RECORD_ENV)
    if record_dir:
        from .records import save_records

        save_records(record_dir, grade_id, results)
        return None

    from .compare import LANGUAGE_ENV
    from .i18n import DEFAULT, LANGUAGES, speaking
    from .judge import judge_cell

    if points is None:
        points = len(results)
    records = {i: r for i, r in enumerate(results)}
    lang = os.environ.get(LANGUAGE_ENV, "").strip()
    with speaking(lang if lang in LANGUAGES else DEFAULT):
        cell = judge_cell(grade_id, points, records)
        report = cell.report()
    if cell.score >= cell.points:
        print(report)
        return None
    if cell.score <= 0:
        raise AssertionError("\n" + report)
    print(report)
    return cell.score
