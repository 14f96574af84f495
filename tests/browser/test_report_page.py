"""The class report as an instructor sees it, opened from the course folder in Debian's Chromium.

A small synthetic class is graded for real (``course.grading.grade_class``, the sandbox when this machine has
one): ten students of 02_simple_layers, three with the same planted mistake (MulLayer.backward does not swap
its inputs), two with another (AddLayer.backward sends 1), one of the three with markup for an id. A student on
the roster who never handed in has markup for an id too; ``course report`` then rebuilds the page. The test
reads what a person sees: the planted mistake first with 30%, the next with 20%, the counts, the cells sorted
by difficulty, the plots drawn, example links that open feedback pages without naming the student, nothing
run, nothing loaded from outside the course folder.

Screenshots go to ``$BROWSER_SCREENSHOTS/report/`` (default ``build/screenshots/report/``).
Run:  .venv/bin/python -m pytest tests/browser/test_report_page.py -v   (needs Debian's chromium)
The README's picture is made by the same code:
      .venv/bin/python tests/browser/test_report_page.py COURSE_DIR/reports/index.html docs 04_affine_softmax
"""

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import debian_chromium
import pytest

sync_api = debian_chromium.sync_api()

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "02_simple_layers"
# the launch settings of the other browser tests: as root no sandbox, no GPU, and nothing that phones home
VIEWPORT = {"width": 1280, "height": 900}
PLANTED = "MulLayer.backward does not swap the inputs"  # tests/quality/catalogue.py
SECOND = "AddLayer.backward returns 1 instead of dout"
HOSTILE = "synthetic-10<img src=x onerror=\"window.pwned='id'\">"
ROSTER_ONLY = "<b onmouseover=\"window.pwned='roster'\">absent</b>"


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory, sandbox):
    """Ten students graded by `course grade`'s library function; a roster student added; `course report` run."""
    from course.cli import main
    from course.grading import grade_class
    from course.synthetic import Plan, student_ids, write_class

    base = tmp_path_factory.mktemp("report-page")
    ids = student_ids(9) + [HOSTILE]
    mistakes = {ids[0]: (PLANTED,), ids[4]: (PLANTED,), HOSTILE: (PLANTED,), ids[2]: (SECOND,), ids[6]: (SECOND,)}
    write_class(base / "submitted", {s: {ASSIGNMENT: Plan("solved", mistakes.get(s, ()))} for s in ids})
    grades = grade_class(base / "submitted", base / "course", names=[ASSIGNMENT], workers=1, sandbox=sandbox,
                         progress=False, log=lambda *a: None)
    assert sorted(g.status for g in grades) == ["graded"] * 10
    with sqlite3.connect(base / "course" / "gradebook.db") as con:  # on the roster, never handed in
        con.execute("INSERT INTO student (id) VALUES (?)", (ROSTER_ONLY,))
    assert main(["report", "--course-dir", str(base / "course")]) == 0
    return base / "course"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = debian_chromium.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def shots():
    base = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder = base / "report"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = []

    def shot(target, step, **kw):
        path = folder / f"{len(taken) + 1:02d}-{step}.png"
        target.screenshot(path=str(path), **kw)
        taken.append(path)
        return path

    return shot


class Report:
    """The report opened from its course folder, with every request it made; anything outside the folder (or
    not a data: image) is refused and recorded."""

    def __init__(self, browser, page_file):
        self.folder = Path(page_file).resolve().parents[1].as_uri() + "/"
        self.url = Path(page_file).resolve().as_uri()
        self.requests, self.refused, self.dialogs = [], [], []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.url, wait_until="load")

    def _route(self, route):
        if route.request.url.startswith(self.folder):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def off_page(self):
        return [u for u in self.requests + self.refused if u != self.url and not u.startswith("data:")]

    def close(self):
        self.context.close()


def screenshot_report(page, folder, assignment=None):
    """The README's pictures: the top of the page (banner, overview, the first assignment's counts), and one
    assignment's most common mistakes (heading, chart, the table's first rows). Returns both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    top, mistakes = folder / "instructor-report.png", folder / "instructor-report-mistakes.png"
    page.screenshot(path=str(top), clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": 1250},
                    full_page=True)
    section = page.locator(f"section#a-{assignment}" if assignment else "section.assignment").first
    y0, y1 = section.evaluate("""s => {
        const h = [...s.querySelectorAll('h3')].find(e => e.textContent.includes('Most common mistakes'));
        const rows = s.querySelectorAll('table.mistakes tbody tr');
        const last = rows[Math.min(rows.length, 5) - 1] || h;
        return [h.getBoundingClientRect().top + scrollY - 12, last.getBoundingClientRect().bottom + scrollY + 12];
    }""")
    page.screenshot(path=str(mistakes), clip={"x": 0, "y": y0, "width": VIEWPORT["width"], "height": y1 - y0},
                    full_page=True)
    return top, mistakes


def rows(table):
    return table.evaluate("t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()))")


def test_the_planted_mistake_is_listed_first_with_its_share(browser, course_dir, shots):
    """Does the instructor see the class's most common mistake first, 3 of 10 students (30%), then 20%, the
    counts, the cells by difficulty and the plots, with nothing run and nothing loaded from outside?"""
    view = Report(browser, course_dir / "reports" / "index.html")
    page = view.page
    try:
        shots(page, "top")
        sync_api.expect(page.get_by_role("heading", name="What the class got wrong")).to_be_visible()
        sync_api.expect(page.locator("#synthetic")).to_contain_text("Synthetic class")

        section = page.locator(f"section#a-{ASSIGNMENT}")
        sync_api.expect(section.locator(".stats")).to_contain_text("10 submitted")
        sync_api.expect(section.locator(".stats")).to_contain_text("1 not submitted")  # the roster student

        mistakes = section.locator("table.mistakes")
        mistakes.scroll_into_view_if_needed()
        first, second = rows(mistakes)[:2]
        assert first[0] == "1" and first[1].startswith("dx should be dout times the other input (y)"), first
        assert (first[3], first[4]) == ("3", "30%"), first
        assert first[2].startswith("mul_layer_backward"), first
        assert second[1].startswith("the local derivative of x + y is 1") and (second[3], second[4]) == ("2", "20%")
        shots(section.locator("h3:has-text('Most common mistakes') + figure"), "mistake-chart")
        shots(mistakes, "mistake-table")

        # example links: three feedback pages, the link text names no student
        links = mistakes.locator("tbody tr").first.locator("a")
        assert links.all_inner_texts() == ["example 1", "example 2", "example 3"]
        hrefs = links.evaluate_all("as => as.map(a => a.href)")
        assert all("/feedback/" in h and h.endswith(f"/{ASSIGNMENT}/simple_layers.html") for h in hrefs)

        cells = rows(section.locator("table.cells"))
        means = [int(r[5].rstrip("%")) for r in cells]
        assert means == sorted(means) and len(cells) == 5 and means[0] < 100  # hardest first

        images = page.evaluate("() => [...document.images].map(i => [i.naturalWidth, i.alt, i.src.slice(0, 22)])")
        assert len(images) == 3 and all(w > 200 and alt and src == "data:image/png;base64," for w, alt, src in images)

        missing = page.locator("table.missing")
        missing.scroll_into_view_if_needed()
        sync_api.expect(missing).to_contain_text(ROSTER_ONLY)  # markup shown as text
        missing.locator("bdi").first.hover()
        shots(page, "full-page", full_page=True)
        assert page.evaluate("window.pwned") is None and page.evaluate("document.scripts.length") == 0
        assert not view.off_page(), view.off_page()
        assert not view.dialogs

        # an example opens that student's feedback page, in the course folder
        links.first.click()
        page.wait_for_load_state("load")
        assert "/feedback/" in page.url and "Feedback" in page.title()
        assert page.evaluate("window.pwned") is None
    finally:
        view.close()


def test_readme_picture_code(browser, course_dir, tmp_path):
    """Does the code that makes the README's pictures give the page's top and its mistakes?"""
    view = Report(browser, course_dir / "reports" / "index.html")
    try:
        for out in screenshot_report(view.page, tmp_path, ASSIGNMENT):
            assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    finally:
        view.close()


if __name__ == "__main__":  # the README's pictures: python tests/browser/test_report_page.py INDEX_HTML FOLDER [A]
    with sync_api.sync_playwright() as playwright:
        chromium = debian_chromium.launch(playwright)
        opened = Report(chromium, sys.argv[1])
        written = screenshot_report(opened.page, sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
        assert not opened.off_page(), opened.off_page()
        chromium.close()
    print("wrote", *written)
