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
from pathlib import Path

import nbformat
import pytest
from test_jupyterlab_student_flow import (
    KERNEL_IDLE_JS,
    NOTEBOOK_PANEL,
    PAGE_LOAD_MS,
    ROOT,
    RUN_MS,
    STEP_MS,
    VIEWPORT,
    Shots,
    browser,  # noqa: F401  (the module's Chromium, a fixture)
    expect,
    jupyter_lab,
)

from course import student_env

if not student_env.language_pack_installed("ko"):
    pytest.skip(f"JupyterLab's Korean language pack is not installed: pip install {student_env.LANGUAGE_PACKS['ko']} "
                "(pinned in requirements/constraints.txt; ./dev setup installs it)", allow_module_level=True)

NOTEBOOK = "hangul.ipynb"
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
    nbformat.write(nb, folder / NOTEBOOK)
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
            page.goto(lab.at(f"/lab/workspaces/korean/tree/{NOTEBOOK}?reset"))
            page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell").first.wait_for(timeout=PAGE_LOAD_MS)
            page.wait_for_function(KERNEL_IDLE_JS, arg=NOTEBOOK, timeout=PAGE_LOAD_MS)
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
