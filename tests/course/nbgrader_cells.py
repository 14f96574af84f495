"""Cells with nbgrader (schema 3) metadata, as the course's source notebooks hold them, for tests to add.

A source notebook follows one pattern per concept: explanation (markdown), a solution cell, a
visible check (read-only), then a graded cell whose hidden region calls ``autograder.hidden.check``.
(This was ``course/authoring.py``, which nothing of the course used: notebooks are written in JupyterLab.)
"""

import textwrap

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _src(text):
    return textwrap.dedent(text).strip("\n")


def _nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text):
    """Explanatory prose (students may edit it; it is not graded)."""
    return nbformat.v4.new_markdown_cell(_src(text))


def code(text):
    """A plain code cell (examples, plots) that students may change."""
    return nbformat.v4.new_code_cell(_src(text))


def readonly(grade_id, text):
    """A locked code cell (setup). Students cannot change it, and grading restores it."""
    return nbformat.v4.new_code_cell(_src(text), metadata=_nbgrader(grade_id, locked=True))


def visible(grade_id, text):
    """A visible check: locked, graded with 0 points, so nbgrader's Validate reports it when it fails.

    Its code runs inside a function ``_check`` (so its variables never replace a name of the student's).
    """
    body = "\n".join("    " + line if line.strip() else "" for line in _src(text).splitlines())
    text = f"def _check():\n{body}\n\n\n_check()"
    return nbformat.v4.new_code_cell(_src(text), metadata=_nbgrader(grade_id, grade=True, locked=True, points=0))


def solution(grade_id, text):
    """An autograded answer: everything between ### BEGIN/END SOLUTION becomes a stub in the release."""
    return nbformat.v4.new_code_cell(_src(text), metadata=_nbgrader(grade_id, solution=True))


def graded(grade_id, points, comment):
    """A graded test cell whose hidden region runs the scenarios registered for ``grade_id``.

    ``comment`` tells students what the hidden tests look at; it stays visible in the release.
    """
    comment = "\n".join("# " + line if line else "#" for line in _src(comment).splitlines())
    # a private name: no cell but the student's may bind a public one (``course release`` checks it)
    body = (f"{comment}\n### BEGIN HIDDEN TESTS\nfrom autograder.hidden import check as _hidden_check\n"
            f"_hidden_check({grade_id!r}, globals(), points={points})\n### END HIDDEN TESTS")
    return nbformat.v4.new_code_cell(body, metadata=_nbgrader(grade_id, grade=True, locked=True, points=points))


def notebook(cells):
    """A new notebook of ``cells`` with the course's kernel."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(nb, path):
    """Validate ``nb`` and write it to ``path``."""
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
