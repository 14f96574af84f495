"""Notebook structure: nbgrader cell metadata, and the trusted grading notebook.

A submission is never executed as it arrives. The grader rebuilds the notebook from the instructor's
structure: every read-only and graded cell comes from the source (so deleted, edited, renamed or
duplicated test cells change nothing), only the student's answer cells and the extra code cells they
added are taken from the submission. Everything unusual is written down as a note.
"""

import copy
import json

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


class BrokenNotebook(Exception):
    """The submission cannot be read as a notebook; the message says why, for the grade report."""


def meta(cell):
    """The nbgrader metadata of ``cell`` (a dict; empty for a plain cell)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell):
    """The nbgrader ``grade_id`` of ``cell``, or None."""
    return meta(cell).get("grade_id")


def is_solution(cell):
    """Is ``cell`` an answer cell (nbgrader ``solution``)?"""
    return bool(meta(cell).get("solution"))


def is_graded(cell):
    """Is ``cell`` a graded code cell (a hidden-test cell or a 0-point visible check)?"""
    return bool(meta(cell).get("grade")) and cell.get("cell_type") == "code"


def points(cell):
    """The points of ``cell`` (0.0 when it has none)."""
    return float(meta(cell).get("points", 0) or 0)


def graded_cells(nb):
    """``[(grade_id, points)]`` of the auto-graded code cells that carry points, in order.

    Visible checks are graded cells worth 0 points: nbgrader's Validate button then reports them when
    they fail, but they earn nothing, so the judge skips them. Written answers (:func:`is_manual`) are
    graded by a person, never here.
    """
    return [(grade_id(c), points(c)) for c in nb.cells if is_graded(c) and points(c) > 0]


def is_manual(cell):
    """A written answer: nbgrader's "manually graded answer", a markdown cell that is both a solution and a
    grade cell with points. A person grades it in the formgrader; ``course grade`` keeps it and never scores it."""
    m = meta(cell)
    return bool(m.get("solution")) and bool(m.get("grade")) and cell.get("cell_type") == "markdown"


def manual_cells(nb):
    """``[(grade_id, points)]`` of the written answers, in order."""
    return [(grade_id(c), points(c)) for c in nb.cells if is_manual(c)]


def written_answers(nb, template):
    """The written answers of a (merged or graded) notebook: ``[{"grade_id", "points", "text", "answered"}]``.

    ``answered`` is False when the text is empty or still the released stub (the template's cell), as nbgrader
    decides "No response" by the cell's checksum."""
    stubs = {grade_id(c): c.source.strip() for c in template.cells if is_manual(c)}
    found = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in stubs and is_manual(cell) and gid not in found:
            text = cell.source
            found[gid] = {"grade_id": gid, "points": points(cell), "text": text,
                          "answered": bool(text.strip()) and text.strip() != stubs[gid]}
    return [found.get(gid) or {"grade_id": gid, "points": pts, "text": "", "answered": False}
            for gid, pts in manual_cells(template)]


NBGRADER_FIELDS = {"grade_id": str, "solution": bool, "grade": bool, "locked": bool, "task": bool,
                   "points": (int, float), "schema_version": int}


def _source(value):
    if type(value) is list and all(type(v) is str for v in value):
        value = "".join(value)
    # a lone surrogate (a JSON escape; UTF-8 cannot hold it) is kept as its escape: the rebuilt notebook must be
    # writable
    return value.encode("utf-8", "backslashreplace").decode("utf-8") if type(value) is str else None


def _clean_cell(raw):
    """A submitted cell rebuilt from its checked parts: type, source, id, and nbgrader fields of the right
    types. Everything else (outputs, other metadata, attachments) is left behind; ``None`` if unusable."""
    if type(raw) is not dict or raw.get("cell_type") not in ("code", "markdown", "raw"):
        return None
    source = _source(raw.get("source"))
    if source is None:
        return None
    metadata = raw.get("metadata") if type(raw.get("metadata")) is dict else {}
    given = metadata.get("nbgrader") if type(metadata.get("nbgrader")) is dict else {}
    nbg = {k: v for k, v in given.items() if k in NBGRADER_FIELDS and type(v) in (
        NBGRADER_FIELDS[k] if isinstance(NBGRADER_FIELDS[k], tuple) else (NBGRADER_FIELDS[k],))}
    if type(nbg.get("grade_id")) is str and not (0 < len(nbg["grade_id"]) <= 200):
        del nbg["grade_id"]
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
            "raw": nbformat.v4.new_raw_cell}[raw["cell_type"]]
    cell = make(source, metadata={"nbgrader": nbg} if nbg else {})
    cell_id = raw.get("id")
    if type(cell_id) is str and 0 < len(cell_id) <= 64 and all(c.isalnum() or c in "-_" for c in cell_id):
        cell["id"] = cell_id
    return cell


MAX_CELLS = 2000


def read(path):
    """Read a submitted notebook, turning every way it can be broken into :class:`BrokenNotebook`.

    The cells are rebuilt from their checked parts (:func:`_clean_cell`): an odd cell (unusual metadata,
    a missing source) is left out rather than making the whole notebook unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.loads(fh.read())
    except UnicodeDecodeError:
        raise BrokenNotebook(f"{path.name} is not UTF-8 text, so it is not a notebook.") from None
    except json.JSONDecodeError as exc:
        raise BrokenNotebook(f"{path.name} is not valid notebook JSON (line {exc.lineno}: {exc.msg}). "
                             "Was it edited outside Jupyter or saved half-way?") from None
    except (RecursionError, ValueError, MemoryError):
        raise BrokenNotebook(f"{path.name} is not valid notebook JSON (nested too deep or too large).") from None
    if type(raw) is not dict or type(raw.get("cells")) is not list or raw.get("nbformat") != 4:
        raise BrokenNotebook(f"{path.name} is JSON but not a Jupyter notebook (not an nbformat 4 notebook).")
    if len(raw["cells"]) > MAX_CELLS:
        raise BrokenNotebook(f"{path.name} has {len(raw['cells'])} cells; a notebook may have {MAX_CELLS}.")
    nb = nbformat.v4.new_notebook()
    nb.cells = [c for c in map(_clean_cell, raw["cells"]) if c is not None]
    return nb


def strip_region(text, begin, end):
    """Remove the lines from ``begin`` to ``end`` (inclusive)."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.strip() == begin:
            skipping = True
        elif line.strip() == end:
            skipping = False
        elif not skipping:
            out.append(line)
    return "\n".join(out)


def strip_markers(text):
    """Source cell with the solution markers removed: what a perfect student would have typed."""
    return "\n".join(line for line in text.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def _visible(text):
    return strip_region(text, BEGIN_HIDDEN, END_HIDDEN).strip()


def grading_template(source_nb, release_nb):
    """The source notebook with every solution replaced by the released stub (hidden tests kept)."""
    stubs = {grade_id(c): c for c in release_nb.cells if is_solution(c)}
    template = copy.deepcopy(source_nb)
    for i, cell in enumerate(template.cells):
        if is_solution(cell):
            template.cells[i] = copy.deepcopy(stubs[grade_id(cell)])
    return template


def _own_text(cell, template_ids, template_texts):
    """Is this markdown cell one the student added (not a copy of the assignment's prose), with some text?"""
    return (not grade_id(cell) and cell.get("id") not in template_ids and cell.source.strip()
            and cell.source.strip() not in template_texts)


def _extra(cell):
    """A new cell for the student's extra cell: code is run as ordinary code, markdown is kept as text."""
    if cell.cell_type == "markdown":
        return nbformat.v4.new_markdown_cell(cell.source)
    return nbformat.v4.new_code_cell(cell.source)


def merge(template, student_nb):
    """Build the notebook to execute: template structure + the student's answers (code and written) and the
    cells they added (code cells run, markdown cells kept as text).

    Returns ``(notebook, notes)``.
    """
    notes = []
    known = {grade_id(c): c for c in template.cells if grade_id(c)}
    by_id = {c.get("id"): grade_id(c) for c in template.cells if grade_id(c) and c.get("id")}
    # plain code cells of the assignment (no nbgrader metadata: a demo, settings the student may change) run
    # once, in their place, as the student left them; not a second time as an extra cell
    plain = {c.get("id") for c in template.cells if c.cell_type == "code" and not grade_id(c) and c.get("id")}
    plain_sources = {}
    template_ids = {c.get("id") for c in template.cells if c.get("id")}
    template_texts = {c.source.strip() for c in template.cells if c.cell_type == "markdown"}
    answers, extras, anchor = {}, {}, None
    for cell in student_nb.cells:
        if not grade_id(cell) and cell.cell_type == "code" and cell.get("id") in plain:
            plain_sources.setdefault(cell["id"], cell.source)
            continue
        gid = grade_id(cell) or by_id.get(cell.get("id"))
        if gid in known:
            anchor = gid
            if not is_solution(known[gid]):
                if _visible(cell.source) != _visible(known[gid].source):
                    notes.append(f"read-only cell {gid!r} was changed in the submission; "
                                 "the original was used.")
                continue
            if gid in answers:
                notes.append(f"answer cell {gid!r} appears more than once; the first copy was graded.")
                continue
            if is_manual(known[gid]):  # a written answer: its text is kept, whatever kind of cell holds it
                if cell.cell_type != "markdown":
                    notes.append(f"written answer {gid!r} was turned into a {cell.cell_type} cell; its text was "
                                 "kept as the answer.")
                answers[gid] = cell.source
                continue
            if cell.cell_type != "code":
                notes.append(f"answer cell {gid!r} was turned into a {cell.cell_type} cell; graded as empty.")
                continue
            answers[gid] = cell.source
        elif cell.cell_type == "code" and cell.source.strip():
            if gid:
                notes.append(f"cell {gid!r} is not part of this assignment; it was run as ordinary code.")
            extras.setdefault(anchor, []).append(cell)
        elif cell.cell_type == "markdown" and _own_text(cell, template_ids, template_texts):
            # text the student added (an answer written below its cell, notes): kept in place, never run
            extras.setdefault(anchor, []).append(cell)
    merged = copy.deepcopy(template)
    merged.cells = [_extra(c) for c in extras.get(None, [])]
    for cell in template.cells:
        cell = copy.deepcopy(cell)
        gid = grade_id(cell)
        if gid and is_solution(cell):
            if gid in answers:
                cell.source = answers[gid]
            else:
                notes.append(f"answer cell {gid!r} is missing from the submission; graded as unanswered.")
        elif not gid and cell.get("id") in plain_sources:
            cell.source = plain_sources[cell["id"]]
        merged.cells.append(cell)
        for extra in extras.get(gid, []) if gid else []:
            merged.cells.append(_extra(extra))
    missing_tests = [g for g, c in known.items() if is_graded(c)
                     and not any(grade_id(s) == g or s.get("id") == c.get("id") for s in student_nb.cells)]
    for gid in missing_tests:
        notes.append(f"graded cell {gid!r} was deleted from the submission; it was restored and run.")
    for i, cell in enumerate(merged.cells):
        cell["id"] = f"cell-{i}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return merged, notes
