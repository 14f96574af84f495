"""Does the class report count what the class got wrong, say it safely, and leak nothing of the grader's?

Most tests build a hand-made set of result files (what ``course grade`` stores in ``reports/results/``) whose
counts are known; one grades a small real class (one assignment, four synthetic students) and looks for every
line of reference code and hidden test, and every value the reference computed, in the page and the CSV.
"""

import ast
import csv
import io
import json
import re
import sqlite3
import urllib.parse
from types import SimpleNamespace

import nbformat
import pytest

from course import report as rp
from course.grading import csv_cell
from course.sequence import ROOT, by_name

A02, A04 = "02_simple_layers", "04_affine_softmax"
HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("evil.example","x")'  # a folder name: no slash

A = ("dx should be dout times the *other* input (y), not times x (or dx and dy are returned in the wrong order: dx "
     "comes first).")
A_DY = ("dy should be dout times the *other* input (x), not times y (or dx and dy are returned in the wrong order: dx "
        "comes first).")
B = "the local derivative of x + y is 1: pass dout through unchanged (not 1 itself)."


def wrong(name, expected, got, mistake=""):
    """A failure message as autograder.compare and the judge write it."""
    return (f"{name} is wrong (5 of 5 elements are off): largest error 1.81538 at index [4], expected {expected} but "
            f"got {got}." + (f" Likely mistake: {mistake}" if mistake else ""))


NOT_IMPLEMENTED = "not implemented yet (the stub still raises NotImplementedError)."
NOT_RUN = "was not run (the hidden test did not finish)."
NAN = "softmax output contains NaN at 4 position(s), first at [0]; look for 0/0, log of 0 or overflow in exp."


def cell(gid, points, checks, problem=""):
    """A cell record: ``checks`` is [(title, message or "")], "" meaning passed; the score follows the checks."""
    passed = sum(not m for _, m in checks)
    score = round(points * passed / len(checks), 2) if checks else 0.0
    return {"grade_id": gid, "score": score, "points": points, "problem": problem,
            "checks": [{"title": t, "passed": not m, "message": m} for t, m in checks]}


def record(student, assignment, cells, status="graded", reason="", late=0.0):
    return {"student": student, "assignment": assignment, "score": round(sum(c["score"] for c in cells), 2),
            "max_score": sum(c["points"] for c in cells), "status": status, "reason": reason, "notes": [],
            "late": {"submitted": "2025-03-14 22:00:00.000000 UTC", "due": "2025-03-14 17:00:00 UTC",
                     "seconds_late": late, "penalty": 0.0, "policy": "", "final_score": 0.0} if late else None,
            "cells": cells}


def mul(*messages):
    return cell("mul_layer_backward", 2, [(f"MulLayer.backward case {i}", m) for i, m in enumerate(messages, 1)])


def add(*messages):
    return cell("add_layer", 1, [(f"AddLayer.backward case {i}", m) for i, m in enumerate(messages, 1)])


def hand_made_class():
    """Seven students of 02 (one late, one broken, one grader error, one stopped by a time-out) and two of 04."""
    broken = [cell("mul_layer_backward", 2, [], "no notebook"), cell("add_layer", 1, [], "no notebook")]
    return [
        record("ann", A02, [mul("", ""), add("", "")], late=3600.0),
        record("bob", A02, [mul(wrong("dx", "-0.582713", "1.23266", A), wrong("dx", "0.408282", "3.26204", A)),
                            add("", wrong("dx", "0.7021", "1", B))]),
        record("cat", A02, [mul(wrong("dx", "-0.740438", "-2.21193", A) + " " + wrong("dy", "0.31801", "0.195358",
                                                                                        A_DY), ""),
                            add(NOT_IMPLEMENTED, NOT_IMPLEMENTED)]),
        record("dan", A02, broken, status="broken", reason="no notebook named simple_layers.ipynb was found."),
        record("eve", A02, broken, status="grader error", reason="internal grader error (OSError: boom)"),
        record(HOSTILE, A02, [mul(wrong("dx", "1.19165", "2.60115", A), NOT_RUN), add(NOT_RUN, NOT_RUN)],
               status="error", reason="the notebook took longer than the limit of 300 s and was stopped."),
        record(FORMULA, A02, [mul("", ""), add("", wrong("dx", "0.5527", "1", B))]),
        record("ann", A04, [cell("softmax", 10, [(f"softmax case {i}", NAN) for i in range(4)] + [("rows", "")])]),
        record("bob", A04, [cell("softmax", 10, [("softmax of a batch", "")])]),
    ]


@pytest.fixture
def course_dir(tmp_path):
    """A course folder with the hand-made results, three students' feedback pages and a roster with fay."""
    for r in hand_made_class():
        path = tmp_path / "reports" / "results" / r["student"] / f"{r['assignment']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(r))
    for s in ("bob", "cat", HOSTILE):
        page = tmp_path / "feedback" / s / A02 / "simple_layers.html"
        page.parent.mkdir(parents=True)
        page.write_text("<!DOCTYPE html><title>Feedback</title>")
    with sqlite3.connect(tmp_path / "gradebook.db") as con:  # nbgrader's student table, as far as we read it
        con.execute("CREATE TABLE student (id VARCHAR(128) PRIMARY KEY, first_name TEXT)")
        con.executemany("INSERT INTO student (id) VALUES (?)", [("ann",), ("fay",)])
    return tmp_path


@pytest.fixture
def built(course_dir):
    report = rp.build(course_dir)
    return {a.name: a for a in report.assignments}, report


def test_counts_per_assignment(built):
    """Submitted, late, broken, grader errors, run errors, mean and median: as counted by hand?"""
    stats, report = built
    a = stats[A02]
    assert (a.submitted, a.ran, a.late) == (7, 5, 1)
    assert (a.count("broken"), a.count("grader error"), a.count("error")) == (1, 1, 1)
    # scores of the real grades (the grader error is none): ann 3, bob 0.5, cat 1, dan 0, hostile 0, formula 2.5
    assert sorted(a.scores) == [0, 0, 0.5, 1, 2.5, 3]
    assert a.mean == pytest.approx(7 / 6) and a.median == pytest.approx(0.75)
    assert [x.name for x in report.assignments] == [A02, A04]  # course order
    assert stats[A04].submitted == 2


def test_cells_hardest_first(built):
    """Full / partial / no points per cell among the notebooks that ran, the hardest cell first?"""
    a = built[0][A02]
    cells = a.hardest_cells()
    assert [c.grade_id for c in cells] == ["add_layer", "mul_layer_backward"]  # 40% of the points against 50%
    add_, mul_ = cells
    assert (add_.full, add_.partial, add_.none) == (1, 2, 2)
    assert (mul_.full, mul_.partial, mul_.none) == (2, 1, 2)
    assert add_.mean_share == pytest.approx(0.4) and mul_.mean_share == pytest.approx(0.5)


def test_named_mistakes_counted_once_per_student(built):
    """Is a mistake counted once per student (not per sub-check), ranked by students, with its cells?"""
    a = built[0][A02]
    top = a.top_mistakes()
    assert [m.text for m in top] == [A, B, A_DY]
    assert [sorted(m.students) for m in top] == [sorted(["bob", "cat", HOSTILE]), sorted(["bob", FORMULA]), ["cat"]]
    assert sum(top[0].cells["mul_layer_backward"].values()) == 4  # four failed sub-checks, three students
    assert rp.mistake_id(A) == top[0].id and re.fullmatch(r"dx-should-be-dout-times-the-[0-9a-f]{6}", top[0].id)


def test_other_failures_by_kind(built):
    """Failures without a named mistake grouped by kind: not implemented, NaN, the time-out of a notebook?"""
    stats, _ = built
    kinds = stats[A02].kinds
    assert set(kinds) == {"not implemented", "time-out"}
    assert kinds["not implemented"].students == {"cat"} and kinds["not implemented"].sub_checks == 2
    assert dict(kinds["not implemented"].cells) == {"add_layer": 2}
    assert kinds["time-out"].students == {HOSTILE}  # its "was not run" sub-checks are the notebook's time-out
    assert set(stats[A04].kinds) == {"NaN or inf"}


def test_drops_and_missing(built):
    """Sharp drops between handed-in assignments, and who did not hand in what (roster included)?"""
    _, report = built
    assert report.drops == [("ann", A02, 100.0, A04, 20.0, 1)]  # bob went up; nobody else has two grades
    missing = dict(report.missing)
    assert missing["fay"] == [A02, A04]  # on the roster, never handed in
    assert missing["cat"] == [A04] and "ann" not in missing and "bob" not in missing
    assert sorted(report.students) == sorted(["ann", "bob", "cat", "dan", "eve", "fay", HOSTILE, FORMULA])


def test_named_mistake_text_ends_where_the_next_problem_starts():
    """Two problems in one sub-check, each with its mistake: both texts, and nothing of the second problem?"""
    message = wrong("dx", "0.195358", "0.31801", A) + " " + wrong("dy", "0.31801", "0.195358", A_DY)
    assert rp.named_mistakes(message) == [A, A_DY]
    two_sentences = ("x after forward is wrong: largest error 2.8 at index [3, 1], expected -2.81233 but got 0. "
                     "Likely mistake: forward changed the array it was given. Work on a copy (out = x.copy()). "
                     "loss has shape (3,), but shape () was expected.")
    assert rp.named_mistakes(two_sentences) == ["forward changed the array it was given. Work on a copy "
                                                "(out = x.copy())."]
    assert rp.named_mistakes("dx is wrong: largest error 1, expected 2 but got 3.") == []


def test_structured_mistake_id_is_used_when_the_judge_gives_one():
    """When a result's check carries a mistake id, is that the id (so the report follows the judge)?"""
    data = record("zed", A02, [mul(wrong("dx", "1.5", "2.5", A), "")])
    data["cells"][0]["checks"][0]["mistake_id"] = "mul-layer/swap-inputs"
    report = rp.aggregate([rp.parse_result(data)])
    assert list(report.assignments[0].mistakes) == ["mul-layer/swap-inputs"]


def test_redact_keeps_shapes_and_drops_values():
    """Does a message lose the values the reference computed, but keep shapes and counts?"""
    text = rp.redact("dx is wrong (12 of 12 elements are off): largest error 2.85376 at index [0, 0], expected "
                     "0.408282 but got 3.26204. db has shape (4,), but shape (5,) was expected. loss was 1e-07.")
    assert "0.408282" not in text and "3.26204" not in text and "2.85376" not in text and "1e-07" not in text
    assert "(12 of 12 elements are off)" in text and "shape (4,), but shape (5,)" in text
    assert rp.redact("dapple is wrong: largest error 57791.4, expected 220 but got 57800.") == \
        "dapple is wrong: largest error …, expected … but got …."


def test_mistakes_csv(course_dir):
    """One row per failed sub-check and student, readable as CSV, formulas neutralised, no reference value?"""
    rp.write_report(course_dir)
    text = (course_dir / "reports" / "mistakes.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == rp.CSV_HEADER
    bob = [r for r in rows if r["student"] == "bob" and r["assignment"] == A02]
    assert [(r["cell"], r["kind"], r["message"]) for r in bob] == [
        ("mul_layer_backward", "named mistake", A), ("mul_layer_backward", "named mistake", A),
        ("add_layer", "named mistake", B)]
    assert {r["mistake_id"] for r in bob} == {rp.mistake_id(A), rp.mistake_id(B)}
    assert {r["student"] for r in rows} >= {"'" + FORMULA, HOSTILE, "cat", "dan"}
    assert not [r for r in rows if r["student"][:1] in "=+-@"]
    assert [r["kind"] for r in rows if r["student"] == "cat"].count("not implemented") == 2
    for value in ("0.582713", "1.23266", "0.408282", "0.31801", "0.195358", "1.81538", "0.7021"):
        assert value not in text


def test_page_escapes_ids_and_links_feedback_anonymously(course_dir):
    """Student ids are escaped text; example links point at the feedback pages without naming the student?"""
    page = rp.write_report(course_dir).read_text(encoding="utf-8")
    assert "<img src=x" not in page and html_escaped(HOSTILE) in page
    assert "<script" not in page.lower() and not re.search(r"(?:src|href)=\"(?!data:|\.\./feedback/|#|mistakes)", page)
    assert "default-src 'none'" in page
    links = re.findall(r'<a href="(\.\./feedback/[^"]+)">([^<]*)</a>', page)
    first = {href for href, _ in links[:3]}
    assert first == {f"../feedback/{urllib.parse.quote(s, safe='')}/{A02}/simple_layers.html"
                     for s in ("bob", "cat", HOSTILE)}
    assert {text for _, text in links} <= {"example 1", "example 2", "example 3"}
    for href, _ in links:
        assert (course_dir / "reports" / urllib.parse.unquote(href)).resolve().is_file()


def html_escaped(text):
    import html

    return html.escape(text, quote=True)


def test_report_is_deterministic_and_rebuilt_by_course_report(course_dir, monkeypatch, capsys):
    """`course report` (with a relative --course-dir) rebuilds the same bytes from the stored results?"""
    from course.cli import main

    first = rp.write_report(course_dir).read_bytes(), (course_dir / "reports" / "mistakes.csv").read_bytes()
    (course_dir / "reports" / "index.html").unlink()
    monkeypatch.chdir(course_dir.parent)
    assert main(["report", "--course-dir", course_dir.name]) == 0
    assert str(course_dir / "reports" / "index.html") in capsys.readouterr().out
    assert ((course_dir / "reports" / "index.html").read_bytes(),
            (course_dir / "reports" / "mistakes.csv").read_bytes()) == first


def test_unreadable_result_files_are_named_and_left_out(course_dir):
    """A damaged result file is named on the page and the rest of the class is still reported?"""
    bad = course_dir / "reports" / "results" / "ann" / f"{A04}.json"
    bad.write_text("{not json")
    report = rp.build(course_dir)
    assert len(report.problems) == 1 and "ann/04_affine_softmax.json" in report.problems[0]
    assert {a.name: a.submitted for a in report.assignments} == {A02: 7, A04: 1}


def test_distribution_has_integer_counts(built):
    """Counts of students on the y axis of the histogram are whole numbers (no 0.5 ticks)?"""
    fig = rp.plot_distribution(built[0][A02])
    ticks = fig.axes[0].get_yticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)


def test_csv_cell_is_the_grading_one():
    """The CSV is neutralised with course.grading.csv_cell (the one grades.csv uses)?"""
    assert csv_cell(FORMULA) == "'" + FORMULA


# -- a real class, graded: nothing of the grader's reaches the page or the CSV --------------------------------------

def _code_lines(path):
    """The single-line statements of a Python file (no docstrings, no string-only lines), 16 characters or more."""
    source = path.read_text()
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue
            segment = ast.get_source_segment(source, node) or ""
            if "\n" not in segment and len(segment.strip()) >= 16:
                lines.add(segment.strip())
    return lines


def _hidden_lines():
    from autograder import notebook as nbtools

    lines = set()
    for a in (by_name(n) for n in (A02, A04)):
        nb = nbformat.read(ROOT / "source" / a.name / a.notebook, as_version=4)
        for c in nb.cells:
            if nbtools.BEGIN_HIDDEN in c.source:
                region = c.source.split(nbtools.BEGIN_HIDDEN, 1)[1].split(nbtools.END_HIDDEN, 1)[0]
                lines |= {line.strip() for line in region.splitlines() if len(line.strip()) >= 8}
    return lines


# a change no recogniser knows: its failures say "expected ... but got ..." and name no mistake
ODD = SimpleNamespace(name="Affine.forward scales its output", old="out = np.dot(self.x, self.W) + self.b",
                      new="out = 1.5 * (np.dot(self.x, self.W) + self.b)")


@pytest.fixture(scope="module")
def real_class(tmp_path_factory, sandbox):
    """04_affine_softmax graded by `course grade`'s library function for four synthetic students."""
    from course.grading import grade_class
    from course.synthetic import Plan, load_catalogue, write_class

    base = tmp_path_factory.mktemp("report-real")
    plans = {"synthetic-01": {A04: Plan()},
             "synthetic-02": {A04: Plan("solved", ("Affine.backward: dx without transposing W", ODD.name,
                                                    "softmax normalises columns (axis=0)"))},
             "synthetic-03": {A04: Plan("solved", ("softmax without the max shift",
                                                    "Affine.dW transposed (dout.T @ x)"))},
             "synthetic-04": {A04: Plan("blank")}}
    write_class(base / "submitted", plans, mutants=load_catalogue() + [ODD])
    grade_class(base / "submitted", base / "course", names=[A04], workers=1, sandbox=sandbox, progress=False,
                log=lambda *a: None)
    return base / "course"


def test_course_grade_writes_the_report(real_class):
    """Does `course grade` write index.html and mistakes.csv, with the planted mistakes named?"""
    page = (real_class / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Synthetic class" in page
    stats = {a.name: a for a in rp.build(real_class).assignments}[A04]
    assert stats.submitted == stats.ran == 4
    texts = " ".join(m.text for m in stats.top_mistakes())
    assert "subtract the max before exp" in texts and "transpose" in texts
    assert set(stats.kinds) >= {"not implemented", "wrong values"}, "the odd change must fail without a name"


def test_no_hidden_test_or_reference_in_page_or_csv(real_class):
    """No line of reference code or hidden test, and no value the reference computed, in the page or the CSV?"""
    page = (real_class / "reports" / "index.html").read_text(encoding="utf-8")
    table = (real_class / "reports" / "mistakes.csv").read_text(encoding="utf-8")
    sources = set()
    for path in sorted((ROOT / "autograder" / "reference").glob("*.py")) + \
            sorted((ROOT / "autograder" / "checks").glob("*.py")):
        sources |= _code_lines(path)
    sources |= _hidden_lines()
    assert len(sources) > 100  # the scan looks at something
    import html

    for line in sources:
        assert line not in table and line not in page and html.escape(line) not in page, line
    values = set()
    for path in (real_class / "reports" / "results").rglob("*.json"):
        for c in json.loads(path.read_text())["cells"]:
            for k in c["checks"]:
                values |= set(re.findall(r"(?:expected|but got|largest error) (-?\d[\d.e+-]{4,})", k["message"]))
    assert len(values) > 10  # the planted mistakes did produce such messages, unnamed ones too
    for value in values:
        assert value.rstrip(".") not in table and value.rstrip(".") not in page, value


# -- the synthetic class ------------------------------------------------------------------------------------------

def test_synthetic_class_is_seeded_and_labelled():
    """The same size and seed give the same class; ids say synthetic; mistakes come from the catalogue?"""
    from course import synthetic

    mutants = synthetic.load_catalogue()
    first = synthetic.draw_class(12, seed=4, mutants=mutants)
    assert first == synthetic.draw_class(12, seed=4, mutants=mutants)
    assert first != synthetic.draw_class(12, seed=5, mutants=mutants)
    assert list(first) == [f"synthetic-{i:02d}" for i in range(1, 13)]
    names = {m.name for m in mutants}
    drawn = [m for work in first.values() for plan in work.values() for m in plan.mutants]
    assert drawn and set(drawn) <= names
    assert {p.kind for work in first.values() for p in work.values()} <= {"solved", "blank", "missing", "broken"}


def test_synthetic_class_without_the_catalogue_says_why(tmp_path, monkeypatch):
    """Installed without tests/, does `course demo --class-size` stop with a message that says what to do?"""
    from course import synthetic
    from course.cli import main

    with pytest.raises(synthetic.SyntheticClassError, match="catalogue.*--class-size"):
        synthetic.load_catalogue(tmp_path)

    def missing(root=None):
        raise synthetic.SyntheticClassError("the mistake catalogue is not here")

    monkeypatch.setattr(synthetic, "load_catalogue", missing)
    with pytest.raises(SystemExit, match="error: the mistake catalogue is not here"):
        main(["demo", "--class-size", "3", "--skip-release", "--course-dir", str(tmp_path / "c"), "-q"])
