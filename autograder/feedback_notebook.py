"""The judged notebook as the student may see it (the feedback page's notebook part; ``autograded/``)."""

import nbformat

from . import notebook as nbtools


def feedback_notebook(executed, grade):
    """The executed notebook as the student may see it: hidden tests replaced by their results."""
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
        for out in cell.outputs:
            if out.get("output_type") == "error":
                # keep the message; drop frames that could point into grader code
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
    return nb
