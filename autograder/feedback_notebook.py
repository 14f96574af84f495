"""The judged notebook as the student may see it (the feedback page's notebook part; ``autograded/``)."""

import nbformat

from . import notebook as nbtools
from .i18n import N_, gettext

# the tag of a cell whose output differs from run to run (assignment 5 times the gradients): its output stays in
# the student's own notebook, and the page shows a note instead, so that grading twice gives the same bytes. Only
# cells of the assignment carry it (the rebuilt notebook keeps no metadata of the student's own cells).
VARIES = "remove-output"
VARIES_NOTE = N_("(This cell measures times, which differ from run to run: its output is in your own notebook, "
                 "not on this page.)")


def feedback_notebook(executed, grade):
    """The executed notebook as the student may see it: hidden tests replaced by their results (in the language of
    the current ``autograder.i18n.speaking`` block)."""
    nb = nbformat.from_dict(dict(executed))
    results = {c.grade_id: c for c in grade.cells}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = nbtools.grade_id(cell)
        if nbtools.is_graded(cell) and gid in results:
            cell.source = nbtools.strip_region(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN).rstrip()
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=results[gid].report() + "\n")]
        elif nbtools.BEGIN_HIDDEN in cell.source:  # never show hidden tests, wherever they are
            cell.source = nbtools.strip_region(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN)
            cell.outputs = []
        elif VARIES in (cell.get("metadata", {}).get("tags") or []):  # an assignment's cell that measures time
            note = gettext(VARIES_NOTE) + "\n"  # in the language of the grading (autograder.i18n.speaking)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=note)] if cell.outputs else []
        for out in cell.outputs:
            if out.get("output_type") == "error":
                # keep the message; drop frames that could point into grader code
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
    return nb
