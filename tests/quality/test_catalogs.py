"""The message catalogs of the Korean edition: complete and current, and used where students read them.

The catalogs (``autograder/locale/ko/LC_MESSAGES/<domain>.po``) are compared with a fresh Babel extraction of the
code (``babel.cfg``, ``autograder.i18n.extract``): each domain's test names every entry that is missing, empty,
fuzzy, obsolete or stale, or whose ``{placeholders}`` differ from its msgid. Then: English stays the default and
unchanged; the students' ``bp_checks.py`` speaks Korean with its compiled catalog and ``BACKPROP_LANG=ko`` (in a
separate Python, as in a student's kernel) and English without a catalog; the host's judge and feedback page speak
the language they are asked for, and two gradings in two languages at once never mix.
"""

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from autograder import compare, i18n
from autograder.checks import scenarios_for
from autograder.judge import judge_cell
from autograder.scenario import execute

ROOT = Path(__file__).resolve().parents[2]
HANGUL = "[\uac00-\ud7a3]"


@pytest.fixture(scope="module")
def templates():
    return i18n.extract()


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_the_korean_catalog_is_complete_and_current(domain, templates):
    """Does the ko catalog of this domain translate every text the code marks, and nothing else, with the same
    placeholders, none of them fuzzy or empty?"""
    assert len([m for m in templates[domain] if m.id]) > 10, f"the extraction found almost nothing in {domain}"
    problems = i18n.catalog_problems("ko", domain, templates)
    assert not problems, f"{len(problems)} problem(s) in the ko catalog of {domain}:\n" + "\n".join(problems)


def test_no_marked_text_hides_in_an_f_string():
    """Is every marked text visible to Babel (a call inside an f-string's braces is not, before Python 3.12)?"""
    assert i18n.hidden_in_fstrings() == []


def test_the_catalog_check_finds_each_kind_of_problem(tmp_path):
    """Would the catalog check notice a missing, empty, fuzzy, stale or obsolete entry, a placeholder that differs,
    and a marked f-string (can the test above fail)?"""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "words.py").write_text(
        "from autograder.i18n import N_\n"
        "A = N_('missing one')\nB = N_('empty one')\nC = N_('fuzzy one')\nD = N_('{count} items')\n"
        "E = N_('fine one')\nF = N_(f'made {A}')\nG = f\"{N_('inside')}\"\n", encoding="utf-8")
    found = i18n.extract(tmp_path)
    assert {m.id for m in found["grader"] if m.id} == {"missing one", "empty one", "fuzzy one", "{count} items",
                                                      "fine one"}
    cat = Catalog(locale="ko", domain="grader")
    cat.add("empty one", "")
    cat.add("fuzzy one", "퍼지", flags=["fuzzy"])
    cat.add("{count} items", "{number}개")
    cat.add("fine one", "좋음")
    cat.add("gone from the code", "사라짐")
    cat.obsolete["old"] = cat["fine one"].__class__("old", "옛날")
    po = tmp_path / "grader.po"
    with open(po, "wb") as f:
        write_po(f, cat)
    problems = "\n".join(i18n.catalog_problems("ko", "grader", found, po))
    for expected in ("missing entry 'missing one'", "empty translation of 'empty one'", "fuzzy translation of "
                     "'fuzzy one'", "placeholders of '{count} items'", "stale entry", "obsolete entry 'old'",
                     "course/words.py:7 marks an f-string"):
        assert expected in problems, problems
    assert "fine one" not in problems
    assert i18n.hidden_in_fstrings(tmp_path) == [("course/words.py", 8)]


# -- the students' bp_checks.py ------------------------------------------------------------------------------------

def _run(folder, code, lang=None):
    env = {k: v for k, v in os.environ.items() if k != "BACKPROP_LANG"}
    if lang:
        env["BACKPROP_LANG"] = lang
    out = subprocess.run([sys.executable, "-I", "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


WRONG = ("import sys\nsys.path.insert(0, '.')\nimport numpy as np\nfrom bp_checks import assert_close\n"
         "try:\n    assert_close('dx', np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))\n"
         "except AssertionError as exc:\n    print(exc)\n")


def test_bp_checks_speaks_korean_with_its_catalog(tmp_path):
    """A released folder with the compiled catalog beside bp_checks.py: does a wrong answer get the Korean sentence
    under BACKPROP_LANG=ko and with the one catalog alone, and the English one under BACKPROP_LANG=en?"""
    shutil.copy(ROOT / "autograder" / "compare.py", tmp_path / "bp_checks.py")
    mo = i18n.write_kernel_catalog("ko", tmp_path)
    assert mo == tmp_path / "bp_checks_locale" / "ko" / "LC_MESSAGES" / "bp_checks.mo"
    template = ("{name} is wrong ({count} of {size} elements are off): largest error {error} at index {index}, "
                "expected {expected} but got {got}.")
    values = dict(name="dx", count=1, size=4, error="1", index="[1, 1]", expected="4", got="5")
    korean = i18n.gettext(template, "ko", "bp_checks").format(**values)
    assert korean != template.format(**values) and "틀렸습니다" in korean
    assert _run(tmp_path, WRONG, "ko") == korean
    assert _run(tmp_path, WRONG) == korean  # the one language beside it
    assert _run(tmp_path, WRONG, "en") == template.format(**values)


def test_a_released_bp_checks_without_a_catalog_speaks_english(tmp_path):
    """The English release (no catalog beside bp_checks.py): English, also when BACKPROP_LANG asks for Korean."""
    for item in (ROOT / "release" / "02_simple_layers").iterdir():
        if item.is_file():
            shutil.copy(item, tmp_path / item.name)
    assert not (tmp_path / "bp_checks_locale").exists()
    english = "dx is wrong (1 of 4 elements are off): largest error 1 at index [1, 1], expected 4 but got 5."
    assert _run(tmp_path, WRONG) == english
    assert _run(tmp_path, WRONG, "ko") == english


def test_english_is_the_default_and_unchanged():
    """Outside any grading language, are the checks' sentences the English ones, word for word?"""
    assert compare.describe_mismatch("dx", np.ones((3, 2)), np.zeros((2, 3))) == (
        "dx has shape (3, 2), but shape (2, 3) was expected. The number of elements is right: is it transposed, or "
        "reshaped?")
    assert compare.describe_mismatch("loss", 2.5, 2.0) == "loss is wrong: largest error 0.5, expected 2 but got 2.5."
    assert compare.describe_mismatch("y", None, 1.0) == "y is None (did you forget a `return`?)."
    with pytest.raises(AssertionError, match=r"^dW disagrees with the numerical gradient: relative error 1.00e\+00 "
                                             r"\(a correct backward pass stays below 1e-07\)\.$"):
        compare.check_gradient("dW", np.ones(3), -np.ones(3), 1e-7)
    assert i18n.language() == "en" and i18n.gettext("Likely mistake:") == "Likely mistake:"


# -- the host: the judge and the feedback page ----------------------------------------------------------------------

SWAPPED = """
class MulLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.x, dout * self.y
"""


def _records(grade_id, code):
    ns = {}
    exec(code, ns)
    return {sc.index: execute(sc, ns) for sc in scenarios_for(grade_id)}


def _messages(result):
    return " ".join(c.message for c in result.checks if not c.passed)


def test_the_judge_speaks_the_language_it_is_asked_for():
    """The same records judged with lang="ko" and in English: the same verdicts and points, Korean sentences (the
    checks' and the grader's) in the one, the English ones in the other and in ``message_en``."""
    records = _records("mul_layer_backward", SWAPPED)
    english = judge_cell("mul_layer_backward", 2, records)
    korean = judge_cell("mul_layer_backward", 2, records, lang="ko")
    assert [c.passed for c in korean.checks] == [c.passed for c in english.checks]
    assert korean.score == english.score < 2
    assert "is wrong" in _messages(english) and "Likely mistake:" in _messages(english)
    assert "틀렸습니다" in _messages(korean) and "짐작되는 실수:" in _messages(korean)
    assert "is wrong" not in _messages(korean) and "Likely mistake" not in _messages(korean)
    assert [c.message_en for c in korean.checks] == [c.message for c in english.checks]
    assert all(c.message_en == "" for c in english.checks)
    with i18n.speaking("ko"):
        assert korean.report().startswith("숨겨진 테스트: ")
    assert english.report().startswith("Hidden tests: ")


def test_a_raised_exception_and_a_stub_are_told_in_korean():
    """The judge's own sentences: an exception in student code, and a stub that still raises NotImplementedError."""
    raising = SWAPPED.replace("return dout * self.x, dout * self.y", "return dout @ self.q")
    korean = judge_cell("mul_layer_backward", 2, _records("mul_layer_backward", raising), lang="ko")
    assert "예외가 발생했습니다: " in _messages(korean) and "AttributeError" in _messages(korean)
    stub = SWAPPED.replace("return dout * self.x, dout * self.y", "raise NotImplementedError")
    korean = judge_cell("mul_layer_backward", 2, _records("mul_layer_backward", stub), lang="ko")
    assert "아직 구현되지 않았습니다" in _messages(korean) and korean.score == 0


def test_two_gradings_in_two_languages_at_once_never_mix():
    """Judging in Korean and in English on threads at the same time: each result in its own language only."""
    records = _records("mul_layer_backward", SWAPPED)
    english = _messages(judge_cell("mul_layer_backward", 2, records))
    korean = _messages(judge_cell("mul_layer_backward", 2, records, lang="ko"))

    def judge(lang):
        return _messages(judge_cell("mul_layer_backward", 2, records, lang=lang))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(judge, ["ko", "en"] * 12))
    assert results == [korean, english] * 12
    assert i18n.language() == "en" and compare.language() in ("en", os.environ.get("BACKPROP_LANG", "en"))


def test_the_feedback_page_of_a_korean_grading_is_korean():
    """A grade judged in Korean gets a page with lang="ko", Korean headings and score table; English by default."""
    from autograder.pipeline import NotebookGrade
    from course.feedback import page_html

    records = _records("mul_layer_backward", SWAPPED)
    grade = NotebookGrade("학생1", "02_simple_layers", "simple_layers.ipynb", 2.0, lang="ko",
                          notes=[i18n.gettext("this does not look like a notebook of this assignment (no answer cell "
                                              "matched).", "ko")])
    grade.cells = [judge_cell("mul_layer_backward", 2, records, lang="ko")]
    page = page_html(grade)
    assert '<html lang="ko">' in page
    for text in ("<h1>피드백: 02_simple_layers</h1>", "학생: ", "점수: ", "<th>채점 셀</th><th>점수</th><th>배점</th>",
                 "<h2>채점 메모</h2>", "이 과제의 노트북이 아닌 것 같습니다", "학생1"):
        assert text in page, text
    grade.lang, grade.notes = "en", []
    page = page_html(grade)
    assert '<html lang="en">' in page and "<h1>Feedback: 02_simple_layers</h1>" in page and "<li>none</li>" in page
