"""JupyterLab in Korean for a student of the Korean course, in Debian's Chromium.

The course's setting (course/student_env.py ``select_lab_language("ko")``, written into the server's Jupyter config
folder as ``course hub setup --lang ko`` does for a hub's students) and the language pack
``jupyterlab-language-pack-ko-KR``: the menu bar reads 파일, 편집, 보기, 실행, 커널, ... A notebook with Korean
prose is opened in a folder holding the course's matplotlibrc; the student runs it from the Korean Run menu
(실행 ▸ 모든 셀 실행) and its plot, titled in Korean, comes out with no warning printed.

JupyterLab is started by the student-flow test's own helper (127.0.0.1, a free port, a token, temporary Jupyter
folders). Screenshots: build/screenshots/lab-ko/ (or $BROWSER_SCREENSHOTS/lab-ko/): look at them; Hangul, no boxes.
Needs Debian's chromium, playwright and the language pack (./dev setup installs it); skips saying which is missing.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_jupyterlab_student_flow import (
    EXECUTED_JS,
    KERNEL_IDLE_JS,
    MUL_VISIBLE,
    NOTEBOOK,
    NOTEBOOK_PANEL,
    PAGE_LOAD_MS,
    ROOT,
    RUN_MS,
    STEP_MS,
    VIEWPORT,
    Shots,
    browser,  # noqa: F401  (the module's Chromium, a fixture)
    cell_state,
    expect,
    expect_friendly_failure,
    expect_visible_test_passes,
    jupyter_lab,
    open_notebook,
    reveal_cell,
    solutions_from_source,
    wrong_mul_layer,
)

from autograder.i18n import gettext
from course import student_env
from course.editions import edition_root

if not student_env.language_pack_installed("ko"):
    pytest.skip(f"JupyterLab's Korean language pack is not installed: pip install {student_env.LANGUAGE_PACKS['ko']} "
                "(pinned in requirements/constraints.txt; ./dev setup installs it)", allow_module_level=True)

HANGUL_NOTEBOOK = "hangul.ipynb"
# the menu bar of JupyterLab 4.4 in the Korean pack, left to right (nbgrader's own menu keeps its name)
KOREAN_MENUS = ["파일", "편집", "보기", "실행", "커널", "Nbgrader", "탭", "설정", "도움말"]
ENGLISH_MENUS = ["File", "Edit", "View", "Run", "Kernel", "Tabs", "Settings", "Help"]
PROSE = ("# 오차역전파법\n\n계산 그래프에서 순전파는 왼쪽에서 오른쪽으로, 역전파는 오른쪽에서 왼쪽으로 국소적 미분을 "
         "전달합니다. 사과 100원짜리 2개에 소비세 10%가 붙으면 지불 금액은 220원입니다.")
PLOT = """import matplotlib.pyplot as plt
import numpy as np

steps = np.arange(100)
plt.plot(steps, 2.3 * np.exp(-steps / 30) + 0.1, label="훈련 데이터")
plt.title("손실 함수")
plt.xlabel("반복 횟수")
plt.ylabel("손실")
plt.legend()
plt.show()
print("그림을 그렸습니다.")"""


def korean_notebook(folder):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(PROSE), nbformat.v4.new_code_cell(PLOT)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / HANGUL_NOTEBOOK)
    student_env.write_matplotlibrc(folder)  # what the released folder holds beside its notebook


def test_a_korean_student_sees_jupyterlab_in_korean_and_plots_in_hangul(browser, tmp_path):  # noqa: F811
    shots = Shots(Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots") / "lab-ko")
    root, home = tmp_path / "student", tmp_path / "home"
    root.mkdir()
    korean_notebook(root)
    written = student_env.select_lab_language("ko", config_dir=home / "config")
    assert written == home / "config" / "labconfig" / "default_setting_overrides.json"

    with jupyter_lab(root, home) as lab:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")  # the browser's own language is English
        context.set_default_timeout(STEP_MS)
        page = context.new_page()
        try:
            page.goto(lab.at(f"/lab/workspaces/korean/tree/{HANGUL_NOTEBOOK}?reset"))
            page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell").first.wait_for(timeout=PAGE_LOAD_MS)
            page.wait_for_function(KERNEL_IDLE_JS, arg=HANGUL_NOTEBOOK, timeout=PAGE_LOAD_MS)
            menubar = page.locator("#jp-menu-panel .lm-MenuBar-content")
            expect(menubar).to_be_visible()
            titles = [t.strip() for t in menubar.locator(".lm-MenuBar-itemLabel").all_inner_texts()]
            assert titles == KOREAN_MENUS, f"the menu bar reads {titles}, not {KOREAN_MENUS}"
            assert not set(titles) & set(ENGLISH_MENUS)
            expect(page.locator(f"{NOTEBOOK_PANEL} .jp-MarkdownOutput h1")).to_have_text("오차역전파법¶")
            shots(page, "menu-bar-in-korean")

            # the student runs the notebook from the Korean menus
            page.get_by_role("menuitem", name="실행", exact=True).click()
            run_all = page.get_by_role("menuitem", name="모든 셀 실행", exact=True)
            expect(run_all).to_be_visible()
            shots(page, "run-menu")
            run_all.click()
            output = page.locator(f"{NOTEBOOK_PANEL} .jp-OutputArea-output")
            expect(output.filter(has_text="그림을 그렸습니다.")).to_be_visible(timeout=RUN_MS)
            image = page.locator(f"{NOTEBOOK_PANEL} .jp-OutputArea-output img")
            expect(image).to_be_visible()
            image.scroll_into_view_if_needed()
            stderr = page.locator(f"{NOTEBOOK_PANEL} .jp-OutputArea-output"
                                  "[data-mime-type='application/vnd.jupyter.stderr']")
            assert stderr.count() == 0, f"the plot printed a warning: {stderr.all_inner_texts()}"
            shots(page, "plot-with-a-korean-title")

            # Settings ▸ Language: Korean is the language ticked, and the student may pick another
            page.get_by_role("menuitem", name="설정", exact=True).click()
            page.locator(".lm-Menu-item", has_text="언어").first.click()  # a submenu: no menuitem role
            languages = page.locator(".lm-Menu").filter(has_text="English")
            expect(languages.locator(".lm-Menu-item.lm-mod-toggled")).to_have_text("Korean (South Korea)")
            expect(languages.locator(".lm-Menu-item:not(.lm-mod-toggled)", has_text="English")).to_be_visible()
            shots(page, "settings-language")
        finally:
            context.close()


ASSIGNMENT = "02_simple_layers"
KOREAN_RELEASE = edition_root("ko") / "release" / ASSIGNMENT
STUDENT = "김민수"


def korean_student_folder(parent):
    """A Korean student's 02: the Korean release, every answer right but MulLayer.backward, which does not swap
    its inputs (the classic mistake)."""
    folder = parent / ASSIGNMENT
    shutil.copytree(KOREAN_RELEASE, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    answers = dict(solutions_from_source(), mul_layer=wrong_mul_layer())
    nb = nbformat.read(folder / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata["nbgrader"].get("solution"):
            cell.source = answers[grade_id]
    nbformat.write(nb, folder / NOTEBOOK)
    return folder


def test_a_korean_student_reads_korean_checks_and_a_korean_feedback_page(browser, tmp_path):  # noqa: F811
    """The Korean course end to end for one student: the Korean 02 in a Korean JupyterLab (`course lab --lang ko`'s
    settings), a wrong MulLayer answered by the visible check in Korean, then `course grade --lang ko` and the
    feedback page read in Chromium: Korean headings and the mistake named in Korean."""
    shots = Shots(Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots") / "korean-course")
    root, home = tmp_path / "student", tmp_path / "home"
    root.mkdir()
    folder = korean_student_folder(root)
    student_env.select_lab_language("ko", config_dir=home / "config")
    # what bp_checks says in Korean (its catalog beside it, in the released folder) for this mistake: the check
    # cell names the value through bp_checks.say, so the name is in Korean too
    korean_name = gettext("dx from backward(2.0)", "ko", "bp_checks")
    korean_check = gettext("{name} is wrong: largest error {error}, expected {expected} but got {got}.", "ko",
                           "bp_checks").format(name=korean_name, error=4, expected=10, got=6)
    assert korean_name != "dx from backward(2.0)" and "dx from" not in korean_check
    assert korean_check != "dx from backward(2.0) is wrong: largest error 4, expected 10 but got 6."

    with jupyter_lab(root, home) as lab:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(STEP_MS)
        page = context.new_page()
        try:
            open_notebook(page, lab, f"{ASSIGNMENT}/{NOTEBOOK}")
            heading = page.locator(f"{NOTEBOOK_PANEL} .jp-MarkdownOutput h1").first
            expect(heading).to_contain_text("과제 2")
            shots(page, "korean-notebook")
            before = cell_state(page, MUL_VISIBLE)["executionCount"]
            page.get_by_role("menuitem", name="실행", exact=True).click()
            page.get_by_role("menuitem", name="모든 셀 실행", exact=True).click()
            # the check cell has run (a new execution count: its outputs are in); an idle kernel alone may be the
            # moment before Run All reached it
            page.wait_for_function(EXECUTED_JS, arg=[MUL_VISIBLE, before], timeout=RUN_MS)
            page.wait_for_function(KERNEL_IDLE_JS, arg=f"{ASSIGNMENT}/{NOTEBOOK}", timeout=RUN_MS)
            expect_friendly_failure(page, MUL_VISIBLE, korean_check)
            page.locator(f"{NOTEBOOK_PANEL} .jp-OutputArea-output", has_text=korean_check).last \
                .scroll_into_view_if_needed()
            shots(page, "korean-check-message")
            # Run All stopped there; the student runs the next answer and its check (Shift+Enter, twice): a check
            # that passes prints its success line in Korean too (bp_checks.say in the code cell both editions share)
            add_check = 'print(say("AddLayer works on this small example."))'
            add_passes = gettext("AddLayer works on this small example.", "ko", "bp_checks")
            assert add_passes != "AddLayer works on this small example."
            before = cell_state(page, add_check)["executionCount"]
            reveal_cell(page, "class AddLayer:").locator(".jp-InputPrompt").first.click()
            page.keyboard.press("Shift+Enter")
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(EXECUTED_JS, arg=[add_check, before], timeout=RUN_MS)
            expect_visible_test_passes(page, add_check, add_passes)
            shots(page, "korean-success-line")
        finally:
            context.close()

    # the TA grades the class in Korean, with relative paths, from the class's folder
    subs = tmp_path / "class" / "submitted" / STUDENT
    subs.mkdir(parents=True)
    shutil.copytree(folder, subs / ASSIGNMENT, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    flags = [] if shutil.which("bwrap") else ["--allow-unsandboxed"]
    done = subprocess.run([sys.executable, "-m", "course.cli", "grade", "submitted", "--course-dir", "course",
                           "--lang", "ko", "-a", ASSIGNMENT, "-q", *flags], cwd=tmp_path / "class",
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stdout + done.stderr
    page_path = tmp_path / "class" / "course" / "feedback" / STUDENT / ASSIGNMENT / NOTEBOOK.replace(".ipynb",
                                                                                                      ".html")
    mistake = gettext("dx should be dout times the *other* input (y), not times x (or dx and dy are returned in "
                      "the wrong order: dx comes first).", "ko", "mistakes")
    assert mistake.startswith("dx는")
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    try:
        page.goto(page_path.as_uri())
        expect(page.locator("h1").first).to_contain_text(gettext("Feedback: {assignment} — {student}", "ko")
                                                         .split(":")[0])
        expect(page.locator("body")).to_contain_text(gettext("Likely mistake:", "ko") + " " + mistake)
        expect(page.locator("body")).to_contain_text("과제 2")  # the notebook's Korean prose
        assert "Likely mistake" not in page.locator("body").inner_text()
        page.get_by_text(mistake).first.scroll_into_view_if_needed()
        shots(page, "korean-feedback-page")
    finally:
        context.close()
