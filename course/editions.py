"""Editions of the course in other languages, built from the one template in ``source/``.

``source/`` holds every notebook once: English prose, code cells, nbgrader metadata, hidden tests. The prose of
another language lives in gettext catalogs, one per assignment, ``course/locale/<lang>/notebooks/<name>.po``: one
entry per markdown cell, its context the cell's id, its msgid the English cell, its msgstr the translated cell.
An edition's notebook is the template with each markdown cell replaced by its translation, so code cells, grade
ids, points, hidden tests and the reference stay shared (``tests/course/test_editions.py`` proves the two
editions differ in markdown text only).

Where an edition lives, as an nbgrader course of its own (nbgrader's conventions: ``source/`` and ``release/``
under a course root):

* English: the repository root (``source/``, ``release/``);
* Korean: ``editions/ko/``: ``source/`` is built by ``course release --lang ko`` (not committed: it is the
  template plus the catalog), ``release/`` is generated from it by nbgrader and committed, like ``release/``.

A course folder graded in Korean (``course grade --lang ko``, or ``c.GradingSettings.language = "ko"`` in its
``nbgrader_config.py``) builds its own Korean ``source/`` the same way (``course/coursedir.py``).

When the English text of a cell changes, ``course translations`` (``update_catalogs``) marks its translation
fuzzy (``git diff`` of the catalog shows the English it was made from); a fuzzy, empty or
missing translation fails ``course release`` of that edition and the catalog test, never ships half-translated.
"""

import shutil
from pathlib import Path

import nbformat

from autograder.i18n import DEFAULT, check_language

from .sequence import ROOT

LOCALE = Path(__file__).resolve().parent / "locale"


class TranslationMissing(RuntimeError):
    """An edition's catalog lacks a translation (or holds a stale one) for a markdown cell of the template."""


def edition_root(lang, root=ROOT):
    """The nbgrader course root of the edition in ``lang``: the repository for English, ``editions/<lang>``
    otherwise."""
    lang = check_language(lang)
    return Path(root) if lang == DEFAULT else Path(root) / "editions" / lang


def catalog_path(lang, name):
    """The catalog of assignment ``name``'s notebook prose in ``lang``."""
    return LOCALE / check_language(lang) / "notebooks" / f"{name}.po"


def prose_cells(nb):
    """``[(cell id, English text)]`` of the template's markdown cells: what an edition translates."""
    return [(cell["id"], cell.source) for cell in nb.cells if cell.cell_type == "markdown"]


def _shown(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _read(path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        return read_po(f)


def _write(path, catalog):
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".po.tmp")
    with open(tmp, "wb") as f:
        write_po(f, catalog, width=0, omit_header=False, sort_output=False)
    tmp.replace(path)


def translations(lang, name):
    """``{cell id: (English msgid, translation, fuzzy)}`` of one assignment's catalog (empty if none)."""
    path = catalog_path(lang, name)
    if not path.is_file():
        return {}
    return {m.context: (m.id, m.string, m.fuzzy) for m in _read(path) if m.id and m.context}


def problems(lang, name, nb):
    """What keeps the ``lang`` edition of notebook ``nb`` (assignment ``name``) from being complete: cells
    with no translation, an empty or fuzzy one, one made for other English (stale), entries for cells the
    template no longer has. Returns a list of sentences naming the cell."""
    found = []
    have = translations(lang, name)
    where = _shown(catalog_path(lang, name))
    cells = prose_cells(nb)
    for cid, text in cells:
        entry = have.get(cid)
        first = text.strip().splitlines()[0][:60] if text.strip() else ""
        if entry is None:
            found.append(f"{where}: markdown cell {cid} ({first!r}) has no translation")
        elif entry[0] != text:
            found.append(f"{where}: markdown cell {cid} ({first!r}) changed in English since it was translated "
                         "(stale: run `course translations` and update the fuzzy entry)")
        elif not entry[1].strip() or entry[2]:
            found.append(f"{where}: markdown cell {cid} ({first!r}) has an empty or fuzzy translation")
    ids = {cid for cid, _ in cells}
    found += [f"{where}: entry {cid} names no markdown cell of the template (obsolete: remove it)"
              for cid in have if cid not in ids]
    return found


def translate(nb, lang, name, strict=True):
    """A copy of template notebook ``nb`` with its prose in ``lang`` (the template itself for English).

    ``strict``: raise :class:`TranslationMissing` listing every missing or stale cell; otherwise such cells keep
    their English text."""
    if check_language(lang) == DEFAULT:
        return nb
    if strict:
        found = problems(lang, name, nb)
        if found:
            raise TranslationMissing(f"the {lang} edition of {name} is incomplete:\n- " + "\n- ".join(found))
    have = translations(lang, name)
    out = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in out.cells:
        entry = have.get(cell.get("id"))
        if cell.cell_type == "markdown" and entry and entry[0] == cell.source and entry[1].strip() and not entry[2]:
            cell.source = entry[1]
    out.metadata["language_edition"] = lang
    return out


def write_source(lang, assignment, template_root, dest, strict=True):
    """Write assignment ``assignment``'s source folder in ``lang`` to ``dest``: the template's folder (links
    followed: helpers as files) with the notebook's prose translated."""
    dest, folder = Path(dest), Path(template_root) / "source" / assignment.name
    translated = None
    if check_language(lang) != DEFAULT:  # first: an incomplete edition writes nothing
        nb = nbformat.read(folder / assignment.notebook, as_version=4)
        translated = translate(nb, lang, assignment.name, strict=strict)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(folder, dest, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    if translated is not None:
        nbformat.write(translated, dest / assignment.notebook)


def update_catalogs(lang, assignments, template_root=ROOT, log=print):
    """Create or update the ``lang`` catalogs of ``assignments`` from the template: new cells get an empty
    entry, cells whose English changed keep their translation marked fuzzy,
    entries of removed cells are dropped. Returns the number of entries that need a translator."""
    from babel.messages.catalog import Catalog

    lang = check_language(lang)
    todo = 0
    for a in assignments:
        nb = nbformat.read(Path(template_root) / "source" / a.name / a.notebook, as_version=4)
        path = catalog_path(lang, a.name)
        old = {m.context: m for m in _read(path) if m.id and m.context} if path.is_file() else {}
        cat = Catalog(locale=lang, project=f"Backprop from Scratch: {a.name}", domain=a.name,
                      fuzzy=False, header_comment=f"# {lang} prose of {a.name}/{a.notebook}, one entry per "
                      "markdown cell (msgctxt: the cell id).")
        for cid, text in prose_cells(nb):
            before = old.get(cid)
            string, flags = "", ()
            if before is not None and before.string:
                string = before.string
                flags = ("fuzzy",) if before.id != text or before.fuzzy else ()
            cat.add(text, string, context=cid, flags=flags)
            todo += 0 if string and not flags else 1
        _write(path, cat)
        log(f"{_shown(path)}: "
            f"{sum(1 for m in cat if m.id and (not m.string or m.fuzzy))} of {len(prose_cells(nb))} cells to translate")
    return todo
