"""A Korean class, end to end through `course grade --lang ko` (the real command, relative paths): Hangul intact
in every file a person reads, and the same bytes when the class is graded again.

The TA works in ``조교/``; the class is ``제출물/`` beside the course folder ``../강의_폴더``. 김민수 writes the way the
seed student does (``tests/assignments/korean_style.py``): in assignment 2 his layers live in a file of his own,
``나의_계층.py``, imported by the answer cells, and he renamed the notebook ``오차역전파법.ipynb``; in assignment 4
he also plots with a Korean title (graded runs draw nothing: it must just run). 이서연's ``AddLayer.backward``
uses a Hangul name she never defined. Checked: the grade table, grades.csv, the feedback pages in Chromium (the
Korean comments and printed lines visible, drawn with a Korean font; screenshots in
build/screenshots/korean_code/), the autograded notebooks, the stored results and report, nbgrader's gradebook,
the exports; a second grading of the class gives the same bytes; and the same submission zipped on a Mac (names
in decomposed jamo) gets the same grade under the same student id.
"""

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile

import nbformat
import pytest
from assignments.korean_style import ADD_LAYER, MUL_LAYER, korean_submission
from debian_chromium import launch, sync_api

from autograder import notebook as nbtools
from course.sequence import ROOT, by_name

A2, A4 = "02_simple_layers", "04_affine_softmax"
KIM, LEE = "김민수", "이서연"
RENAMED, HELPER = "오차역전파법.ipynb", "나의_계층.py"
SHOTS = ROOT / "build" / "screenshots" / "korean_code"
IMPORT_CELL = "# 곱셈 계층과 덧셈 계층은 나의_계층.py 파일에 있음\nfrom 나의_계층 import MulLayer"
UNDEFINED = "상류_미분"
PLOT_CELL = '''
import matplotlib.pyplot as plt
점수_차이 = np.linspace(-4, 4, 41)
확률 = softmax(np.stack([점수_차이, np.zeros_like(점수_차이)], axis=1))[:, 0]
plt.figure(figsize=(4, 2.5))
plt.plot(점수_차이, 확률)
plt.title("소프트맥스 : 점수 차이에 따른 확률")
plt.xlabel("점수 차이")
plt.show()
'''.strip()


def course(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's course, whatever folder we start in
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=1800, env=env)


def _set(nb, grade_id, source):
    cell = next(c for c in nb.cells if nbtools.grade_id(c) == grade_id)
    cell.source = source
    return cell


def make_class(folder):
    """``folder/제출물``: the class as the TA received it."""
    kim2 = folder / KIM / A2
    kim2.mkdir(parents=True)
    nb = korean_submission(A2, "ko")
    _set(nb, "mul_layer", IMPORT_CELL)
    _set(nb, "add_layer_solution", "from 나의_계층 import AddLayer  # 덧셈 계층")
    nbformat.write(nb, kim2 / RENAMED)
    (kim2 / HELPER).write_text('"""나의 계층들 : 책 5장의 곱셈 계층과 덧셈 계층"""\n' + MUL_LAYER + "\n" + ADD_LAYER,
                               encoding="utf-8")
    kim4 = folder / KIM / A4
    kim4.mkdir(parents=True)
    nb = korean_submission(A4, "ko")
    where = nb.cells.index(next(c for c in nb.cells if nbtools.grade_id(c) == "softmax_solution"))
    nb.cells.insert(where + 1, nbformat.v4.new_code_cell(PLOT_CELL))
    nbformat.write(nb, kim4 / by_name(A4).notebook)
    lee2 = folder / LEE / A2
    lee2.mkdir(parents=True)
    nb = korean_submission(A2, "ko")
    cell = next(c for c in nb.cells if nbtools.grade_id(c) == "add_layer_solution")
    assert "    dx = dout * 1\n" in cell.source
    cell.source = cell.source.replace("    dx = dout * 1\n", f"    dx = {UNDEFINED} * 1\n")
    nbformat.write(nb, lee2 / by_name(A2).notebook)
    return folder


def outputs(course_dir):
    """``{relative path: sha256}`` of every file a grading writes for people: grades, pages, notebooks, reports."""
    found = {}
    for sub, pattern in (("feedback", "*.html"), ("autograded", "*.ipynb"), ("reports", "*.json"),
                         ("reports", "*.html"), ("reports", "*.csv"), (".", "grades.csv")):
        for path in sorted((course_dir / sub).rglob(pattern)):
            found[str(path.relative_to(course_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    """The class graded twice by `course grade --lang ko` from the TA's folder, with relative paths."""
    base = tmp_path_factory.mktemp("korean-class")
    ta = base / "조교"
    make_class(ta / "제출물")
    flags = ["--lang", "ko", "-a", A2, "-a", A4, "-q", "-j", "2"] + ([] if sandbox else ["--allow-unsandboxed"])
    first = course("grade", "제출물", "--course-dir", "../강의_폴더", *flags, cwd=ta)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    course_dir = base / "강의_폴더"
    before = outputs(course_dir)
    second = course("grade", "제출물", "--course-dir", "../강의_폴더", "--regrade", *flags, cwd=ta)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    return ta, course_dir, first, second, before


def rows(course_dir):
    data = (course_dir / "grades.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "grades.csv starts with a BOM, so Excel reads it as UTF-8"
    return {(r["student"], r["assignment"]): r for r in csv.DictReader(data.decode("utf-8-sig").splitlines())}


def test_the_class_gets_its_grades_under_hangul_ids(graded):
    """Full marks for 김민수's Korean-style code (his own module file, a renamed notebook), a partial grade for
    이서연's undefined name; the ids, file names and scores as typed in the table and in grades.csv."""
    _, course_dir, first, _, _ = graded
    got = rows(course_dir)
    assert set(got) == {(KIM, A2), (KIM, A4), (LEE, A2)}
    for student, name in ((KIM, A2), (KIM, A4)):
        row = got[(student, name)]
        assert (row["status"], row["score"]) == ("graded", row["max_score"]), row
    assert (got[(KIM, A2)]["score"], got[(KIM, A4)]["score"]) == ("6", "12")
    assert float(got[(LEE, A2)]["score"]) == 5.5, got[(LEE, A2)]
    assert RENAMED in got[(KIM, A2)]["reason"] and HELPER in got[(KIM, A2)]["reason"]
    table = [line for line in first.stdout.splitlines() if line.startswith((KIM, LEE))]
    columns = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.split("0")[0]) for line in table}
    assert len(table) == 3 and len(columns) == 1, first.stdout  # the table lines up under the Hangul ids


def test_results_report_and_notebooks_keep_hangul(graded):
    """The stored results quote 이서연's Hangul name as UTF-8 text, never escaped (the report names her);
    the autograded notebooks keep the Korean code, prints and written answers; the cell plotting with a Korean title
    runs without an error or a missing-glyph warning."""
    _, course_dir, _, _, _ = graded
    lee = (course_dir / "reports" / "results" / LEE / f"{A2}.json").read_bytes()
    assert f"name '{UNDEFINED}' is not defined".encode() in lee and b"\\u" not in lee
    record = json.loads(lee)
    assert record["student"] == LEE
    lost = {c["grade_id"]: c["score"] for c in record["cells"] if c["score"] < c["points"]}
    assert lost == {"add_layer": 0.5}, lost
    assert UNDEFINED.encode() in (course_dir / "reports" / "grades.json").read_bytes()
    mistakes = (course_dir / "reports" / "mistakes.csv").read_text(encoding="utf-8-sig")
    assert {(r["student"], r["cell"]) for r in csv.DictReader(mistakes.splitlines())} == {(LEE, "add_layer")}
    assert LEE in (course_dir / "reports" / "index.html").read_text(encoding="utf-8")

    nb = nbformat.read(course_dir / "autograded" / KIM / A2 / by_name(A2).notebook, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    assert IMPORT_CELL in text and "d사과_금액, dtax = 소비세_계층.backward(dprice)" in text
    assert "사과 2개의 가격: 220.00000000000003" in printed and "d귤_개수 = 165.00" in printed
    nb = nbformat.read(course_dir / "autograded" / KIM / A4 / by_name(A4).notebook, as_version=4)
    answer = next(c for c in nb.cells if nbtools.grade_id(c) == "y_minus_t_answer")
    assert answer.source.startswith("**답.** 소프트맥스의 출력은")
    plot = next(c for c in nb.cells if c.source == PLOT_CELL)  # (graded runs draw nothing: MPLBACKEND=Agg)
    assert not [o for o in plot.outputs if o.output_type == "error" or "Glyph" in o.get("text", "")], plot.outputs


def test_gradebook_and_exports_know_the_hangul_ids(graded):
    """nbgrader's gradebook holds 김민수 and 이서연 with their scores; `course export` to a Hangul file name writes
    them (the totals for a spreadsheet with a BOM; Canvas's import layout as plain UTF-8)."""
    from nbgrader.api import Gradebook

    ta, course_dir, _, _, _ = graded
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert {s.id for s in gb.students} == {KIM, LEE}
        assert gb.find_submission(A2, KIM).score == 6 and gb.find_submission(A4, KIM).score == 12
        assert gb.find_submission(A2, LEE).score == 5.5
    done = course("export", "--course-dir", "../강의_폴더", "--to", "성적.csv", cwd=ta)
    assert done.returncode == 0, done.stderr[-2000:]
    data = (ta / "성적.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    totals = {r["student"]: r for r in csv.DictReader(data.decode("utf-8-sig").splitlines())}
    assert (totals[KIM]["total"], totals[LEE]["total"]) == ("18", "5.5")
    done = course("export", "--course-dir", "../강의_폴더", "--format", "canvas", "--to", "캔버스.csv", cwd=ta)
    assert done.returncode == 0, done.stderr[-2000:]
    canvas = (ta / "캔버스.csv").read_text(encoding="utf-8")
    assert not canvas.startswith("\ufeff") and f",{KIM}," in canvas and f",{LEE}," in canvas


def test_a_second_grading_gives_the_same_bytes(graded):
    """Grading the class again (--regrade: every notebook run again) writes the same bytes everywhere."""
    _, course_dir, _, second, before = graded
    after = outputs(course_dir)
    assert len(before) >= 10 and any(KIM in p for p in before)
    assert after == before, {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert f"{KIM}" in second.stdout


def _probe_fonts(page, text):
    """The fonts Chromium drew the innermost element holding ``text`` with (DevTools' platform fonts)."""
    found = page.evaluate("""(text) => {
        const all = [...document.querySelectorAll('body *')].filter(e => e.textContent.includes(text));
        const inner = all.filter(e => ![...e.children].some(c => c.textContent.includes(text)));
        document.querySelectorAll('[data-probe]').forEach(e => e.removeAttribute('data-probe'));
        if (inner.length) inner[0].setAttribute('data-probe', '1');
        return inner.length;
    }""", text)
    assert found, f"{text!r} is not on the page"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-probe]"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"] for f in fonts}


def test_feedback_pages_show_the_korean_code_in_chromium(graded):
    """On each page, rendered in Chromium: the Korean comments, prints and messages as text (never escapes),
    drawn with a font that has Hangul (no boxes); the class report names 이서연. Screenshots:
    build/screenshots/korean_code/."""
    api = sync_api(module_level=False)
    _, course_dir, _, _, _ = graded
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "kim-02": (course_dir / "feedback" / KIM / A2 / "simple_layers.html",
                   [KIM, "# 곱셈 계층과 덧셈 계층은 나의_계층.py 파일에 있음", "사과 2개의 가격: 220.00000000000003",
                    "# 역전파 : 각 변수에 대한 미분 값 구하기", RENAMED]),
        "lee-02": (course_dir / "feedback" / LEE / A2 / "simple_layers.html",
                   [LEE, f"name '{UNDEFINED}' is not defined", f"dx = {UNDEFINED} * 1"]),
        "kim-04": (course_dir / "feedback" / KIM / A4 / "affine_softmax.html",
                   [KIM, "소프트맥스 출력: [0.0182 0.2452 0.7366] 합계: 1.0", "소프트맥스의 출력은",
                    'plt.title("소프트맥스 : 점수 차이에 따른 확률")']),
    }
    with api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        for label, (path, wanted) in pages.items():
            page.goto(path.as_uri())
            visible = page.inner_text("body")
            for text in wanted:
                assert text in visible, f"{label}: {text!r} not visible"
            assert not re.search(r"\\u[0-9a-fA-F]{4}|&#x?[0-9a-fA-F]+;|\\x[0-9a-f]{2}", visible), label
            page.screenshot(path=str(SHOTS / f"{label}-top.png"))
            target = page.get_by_text(wanted[2] if label != "lee-02" else wanted[1]).first
            target.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{label}-code.png"))
            for text in wanted[1:3]:
                families = _probe_fonts(page, text)
                assert any(re.search(r"CJK|Nanum|KR|Korean|Un(Dotum|Batang)|Baekmuk", f) for f in families), \
                    f"{label}: {text!r} drawn with {families}: no font with Hangul"
        page.goto((course_dir / "reports" / "index.html").as_uri())  # the class report, for the instructor
        row = page.locator("tr", has_text=LEE).first
        assert A4 in row.inner_text(), "이서연 did not hand in assignment 4: the report names her"
        row.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "report.png"))
        assert any(re.search(r"CJK|Nanum|KR|Korean", f) for f in _probe_fonts(page, LEE))
        browser.close()


def test_the_same_work_zipped_on_a_mac_gets_the_same_grade(graded, tmp_path, sandbox):
    """김민수's assignment 2 in a zip made on a Mac (names in decomposed jamo): graded as 김민수 (composed),
    ``import 나의_계층`` finds his file, and the grade is the folder's (it was 2 / 6 before intake composed names)."""
    ta, course_dir, _, _, _ = graded
    zipped = tmp_path / "맥에서_압축.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted((ta / "제출물" / KIM / A2).iterdir()):
            zf.write(path, unicodedata.normalize("NFD", f"{KIM}/{A2}/{path.name}"))
    data = zipped.read_bytes()
    assert unicodedata.normalize("NFD", KIM).encode() in data and KIM.encode() not in data
    flags = ["--lang", "ko", "-a", A2, "-q"] + ([] if sandbox else ["--allow-unsandboxed"])
    done = course("grade", zipped.name, "--course-dir", "맥_강의", *flags, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    got = rows(tmp_path / "맥_강의")
    assert set(got) == {(KIM, A2)}
    assert got[(KIM, A2)]["score"] == rows(course_dir)[(KIM, A2)]["score"] == "6"
    assert (tmp_path / "맥_강의" / "feedback" / KIM / A2 / "simple_layers.html").is_file()

