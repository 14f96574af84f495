"""Is the Korean edition the same course as the English one, with only its prose translated?

One template (source/) and one catalog of prose per assignment (course/locale/ko/notebooks/): code cells,
grade ids, points and nbgrader metadata are shared, so the same code gets the same score in both editions.
"""

import shutil

import nbformat
import pytest

from course import editions
from course.examples import EXAMPLES
from course.grading import grade_class
from course.nbgrader_access import generate, nbgrader_api, sync_helpers
from course.sequence import ROOT, assignments

RELEASED = assignments()
KO = editions.edition_root("ko")


def _template(a):
    return nbformat.read(ROOT / "source" / a.name / a.notebook, as_version=4)


def _apart_from_prose(nb, checksums=True):
    """Everything of a notebook but its markdown text (and, for a released one, the checksums of markdown
    cells, which nbgrader derives from that text)."""
    cells = []
    for cell in nb.cells:
        meta = nbformat.from_dict(dict(cell.metadata))
        if cell.cell_type == "markdown" and not checksums and "nbgrader" in meta:
            meta["nbgrader"] = {k: v for k, v in meta["nbgrader"].items() if k != "checksum"}
        cells.append((cell.cell_type, cell.get("id"), meta, None if cell.cell_type == "markdown" else cell.source,
                      cell.get("outputs"), cell.get("execution_count")))
    meta = {k: v for k, v in nb.metadata.items() if k != "language_edition"}
    return cells, meta, nb.nbformat, nb.nbformat_minor


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_the_korean_notebook_differs_from_the_template_in_prose_only(assignment):
    """Same cells, ids, code, outputs and metadata; every markdown cell in Korean (Hangul in it)."""
    template = _template(assignment)
    korean = editions.translate(template, "ko", assignment.name, strict=False)
    assert _apart_from_prose(korean) == _apart_from_prose(template)
    assert korean.metadata["language_edition"] == "ko"
    hangul = lambda text: any("가" <= ch <= "힣" for ch in text)  # noqa: E731
    untranslated = [c.id for c, t in zip(korean.cells, template.cells, strict=True)
                    if c.cell_type == "markdown" and (c.source == t.source or not hangul(c.source))]
    assert not untranslated, f"markdown cells still in English: {untranslated}"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_the_korean_prose_is_complete_and_up_to_date(assignment):
    """No cell without a translation, none fuzzy, none translated from English that has changed since."""
    assert editions.problems("ko", assignment.name, _template(assignment)) == []


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_the_korean_translation_keeps_what_must_not_be_translated(assignment):
    """Code spans, formulas and nbgrader's answer markers are kept: each English cell's `code` spans, $-signs and
    BEGIN/END SOLUTION lines are in its translation too."""
    import re

    for cid, (english, korean, _) in editions.translations("ko", assignment.name).items():
        if not korean:
            continue
        for span in set(re.findall(r"`([^`\n]+)`", english)):
            assert f"`{span}`" in korean, f"{assignment.name} cell {cid}: code span `{span}` lost in Korean"
        assert english.count("$") == korean.count("$"), f"{assignment.name} cell {cid}: formulas differ"
        for marker in ("### BEGIN SOLUTION", "### END SOLUTION"):
            assert english.count(marker) == korean.count(marker), f"{assignment.name} cell {cid}: {marker}"


@pytest.fixture(scope="module")
def regenerated_korean(tmp_path_factory):
    """editions/ko/release generated afresh, the way `course release --lang ko` does."""
    root = tmp_path_factory.mktemp("ko")
    api = nbgrader_api(root, root / "gradebook.db")
    for a in RELEASED:
        editions.write_source("ko", a, ROOT, root / "source" / a.name)
        generate(api, a)
        sync_helpers(a, ROOT, target=root / "release" / a.name, lang="ko")
    return root / "release"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_the_committed_korean_release_is_current_and_shares_the_code(regenerated_korean, assignment):
    """editions/ko/release is what `course release --lang ko` makes now, and apart from prose it equals release/
    (the English students' notebook): same code cells, grade ids, points, locks."""
    committed = KO / "release" / assignment.name / assignment.notebook
    assert committed.exists(), f"{committed} missing: run `course release --lang ko`"
    fresh = nbformat.read(regenerated_korean / assignment.name / assignment.notebook, as_version=4)
    assert nbformat.read(committed, as_version=4) == fresh, f"{committed} is stale: run `course release --lang ko`"
    english = nbformat.read(ROOT / "release" / assignment.name / assignment.notebook, as_version=4)
    assert _apart_from_prose(fresh, checksums=False) == _apart_from_prose(english, checksums=False)
    for path in (ROOT / "release" / assignment.name).rglob("*"):
        if path.is_file() and path.suffix != ".ipynb" and "__pycache__" not in path.parts:
            twin = KO / "release" / assignment.name / path.relative_to(ROOT / "release" / assignment.name)
            assert twin.read_bytes() == path.read_bytes(), f"{twin} differs from the English helper"


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path, monkeypatch):
    """Change one English cell: `course translations` keeps the old Korean marked fuzzy, the edition refuses
    to build until a translator updates it, and says which cell."""
    a = next(x for x in RELEASED if x.name == "02_simple_layers")
    template = tmp_path / "template"
    shutil.copytree(ROOT / "source" / a.name, template / "source" / a.name)
    monkeypatch.setattr(editions, "LOCALE", tmp_path / "locale")
    editions.update_catalogs("ko", [a], template_root=template, log=lambda *x: None)
    nb = nbformat.read(template / "source" / a.name / a.notebook, as_version=4)
    cat_path = editions.catalog_path("ko", a.name)
    from babel.messages.pofile import read_po

    cat = read_po(open(cat_path, "rb"))
    for m in cat:
        if m.context:
            m.string = "번역된 셀: " + m.context
    editions._write(cat_path, cat)
    assert editions.problems("ko", a.name, nb) == []

    changed = next(c for c in nb.cells if c.cell_type == "markdown")
    old = changed.source
    changed.source = old + "\n\nOne more English sentence."
    nbformat.write(nb, template / "source" / a.name / a.notebook)
    found = editions.problems("ko", a.name, nb)
    assert len(found) == 1 and changed.id in found[0] and "stale" in found[0]
    with pytest.raises(editions.TranslationMissing, match=changed.id):
        editions.write_source("ko", a, template, tmp_path / "out")
    assert editions.update_catalogs("ko", [a], template_root=template, log=lambda *x: None) == 1
    entry = {m.context: m for m in read_po(open(cat_path, "rb")) if m.context}[changed.id]
    assert entry.fuzzy and entry.string == "번역된 셀: " + changed.id
    assert "fuzzy" in editions.problems("ko", a.name, nb)[0]


@pytest.fixture(scope="module")
def both_editions(tmp_path_factory, sandbox):
    """The bundled example students (perfect, blank, buggy, hostile) graded in English and in Korean."""
    out = {}
    for lang in ("en", "ko"):
        course_dir = tmp_path_factory.mktemp(f"course-{lang}")
        grades = grade_class(EXAMPLES, course_dir, sandbox=sandbox, progress=False, log=lambda *a: None, lang=lang)
        out[lang] = course_dir, {(g.student, g.assignment): g for g in grades}
    return out


def test_the_examples_get_identical_scores_in_both_editions(both_editions):
    """Same code, same score, cell by cell, for every example student and assignment."""
    en, ko = both_editions["en"][1], both_editions["ko"][1]
    assert set(en) == set(ko) and len(en) >= 4 * len(RELEASED)
    for key, g in en.items():
        assert (ko[key].score, ko[key].max_score, ko[key].status) == (g.score, g.max_score, g.status), key
        assert [(c.grade_id, c.score) for c in ko[key].cells] == [(c.grade_id, c.score) for c in g.cells], key


def test_the_korean_class_reads_korean_notebooks(both_editions):
    """The Korean course folder's notebooks (what the formgrader shows, the feedback) carry the Korean prose."""
    course_dir, grades = both_editions["ko"]
    for a in RELEASED:
        korean = editions.translate(_template(a), "ko", a.name, strict=False)
        first = next(c.source for c in korean.cells if c.cell_type == "markdown")
        released = nbformat.read(course_dir / "release" / a.name / a.notebook, as_version=4)
        assert next(c.source for c in released.cells if c.cell_type == "markdown") == first
        autograded = nbformat.read(course_dir / "autograded" / "perfect" / a.name / a.notebook, as_version=4)
        assert next(c.source for c in autograded.cells if c.cell_type == "markdown") == first
