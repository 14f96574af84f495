"""A notebook graded in Korean, as a student of the Korean course sees it.

The bundled ``buggy`` student of 02_simple_layers is graded by ``autograder.pipeline.grade_notebook`` with
``lang="ko"`` (in the sandbox when this machine has one), beside a release folder that holds the compiled catalog
of the visible checks (``autograder.i18n.write_kernel_catalog``, as ``course release --lang ko`` writes it). The
kernel gets ``BACKPROP_LANG=ko``, so the visible check the bug breaks prints its Korean sentence into the
feedback; the hidden tests' results are in Korean; the same notebook graded in English earns the same points.
Then the feedback page is opened from disk in Debian's Chromium: its headings and score table are visible in
Korean, and the Hangul is drawn with a Korean font (Chromium's own account of the fonts it used, not a guess).

Screenshots: ``$BROWSER_SCREENSHOTS/i18n/`` (default ``build/screenshots/i18n/``).
"""

import os
import shutil
from pathlib import Path

import pytest

from autograder import i18n, pipeline
from autograder.course_files import course_files
from autograder.runtime import make_runtime
from course.feedback import write_feedback_html
from course.sequence import by_name

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "02_simple_layers"
BUGGY = ROOT / "course" / "examples" / "submitted" / "buggy" / ASSIGNMENT
SHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "build" / "screenshots")) / "i18n"
KOREAN_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Noto Sans CJK")


def _printed(nb):
    """Everything the graded notebook shows in its outputs (streams and errors), as one text."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            parts.append(out.get("text", "") if out.get("output_type") == "stream" else
                         f"{out.get('ename', '')}: {out.get('evalue', '')}")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    """``{lang: grade}`` of the buggy 02 notebook graded in Korean and in English."""
    base = tmp_path_factory.mktemp("korean")
    a = by_name(ASSIGNMENT)
    release = base / "release"
    shutil.copytree(ROOT / "release" / ASSIGNMENT, release / ASSIGNMENT)
    i18n.write_kernel_catalog("ko", release / ASSIGNMENT)
    files = course_files(a, ROOT / "source", release)
    runtime = make_runtime(base / "runtime")
    limits = pipeline.Limits(cell_timeout=60, notebook_timeout=240)
    grades = {}
    for lang in ("ko", "en"):
        grades[lang] = pipeline.grade_notebook(files, "buggy", BUGGY, base / f"work-{lang}", runtime, limits=limits,
                                               sandbox=sandbox, lang=lang)
    return grades


def test_a_korean_grading_speaks_korean_in_the_kernel_and_the_judge(graded):
    """Does the visible check print its Korean sentence (BACKPROP_LANG=ko reached the kernel), are the hidden tests'
    results Korean, and are the points those of the English grading?"""
    ko, en = graded["ko"], graded["en"]
    assert ko.lang == "ko" and en.lang == "en"
    assert ko.status == en.status == "graded"
    assert [c.score for c in ko.cells] == [c.score for c in en.cells] and ko.score == en.score < ko.max_score
    printed_ko, printed_en = _printed(ko.feedback), _printed(en.feedback)
    assert "숨겨진 테스트: " in printed_ko and "Hidden tests: " not in printed_ko
    assert "Hidden tests: " in printed_en
    # the visible check of MulLayer fails for this student: the sentence of bp_checks, in each language
    assert "값이 틀렸습니다" in printed_ko, printed_ko
    assert "is wrong" in printed_en and "값이 틀렸습니다" not in printed_en
    messages_ko = " ".join(k.message for c in ko.cells for k in c.checks if not k.passed)
    assert "짐작되는 실수:" in messages_ko and "Likely mistake" not in messages_ko
    assert [k.message_en for c in ko.cells for k in c.checks] == [k.message for c in en.cells for k in c.checks]


def test_the_korean_feedback_page_in_chromium(graded, tmp_path):
    """Opened from disk in Chromium: are the page's headings, score table and notes heading visible in Korean, and
    is their Hangul drawn with a Korean font (no missing-glyph boxes)?"""
    import debian_chromium

    sync_api = debian_chromium.sync_api(module_level=False)
    page_file = tmp_path / "simple_layers.html"
    write_feedback_html(graded["ko"], page_file)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = debian_chromium.launch(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(page_file.as_uri())
            assert page.evaluate("document.documentElement.lang") == "ko"
            h1 = page.locator("h1").first
            assert h1.inner_text() == f"피드백: {ASSIGNMENT}"
            assert page.locator(".bfs-scores th").all_inner_texts() == ["채점 셀", "점수", "배점"]
            assert page.locator("header h2").inner_text() == "채점 메모"
            assert page.locator(".bfs-score").inner_text().startswith("점수: ")
            assert page.get_by_text("숨겨진 테스트:").first.is_visible()
            page.screenshot(path=str(SHOTS / "korean-feedback-top.png"))
            failed = page.locator("text=값이 틀렸습니다").first
            failed.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "korean-feedback-visible-check.png"))
            # the fonts Chromium drew each heading's text with
            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            for selector in ("h1", ".bfs-scores th", "header h2"):
                node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
                fonts = [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]
                assert any(k in f for f in fonts for k in KOREAN_FONTS), (selector, fonts)
        finally:
            browser.close()
