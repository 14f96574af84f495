"""The feedback page as a student sees it, opened from disk in Debian's Chromium (Playwright drives it).

One real page: the bundled ``buggy`` example of 04_affine_softmax, graded by ``course.grading.grade_class``
(the sandbox when this machine has one). One hostile page: that graded notebook with a student id that is
markup and cells whose markdown and outputs try every way to run script, load something, navigate or draw
over the score table. Each page is copied alone into an empty folder and opened with ``file://``, as a
student opens the one file that nbgrader's ``release_feedback`` hands out; every request the page makes is
recorded, and any that is not the page itself (or one of its ``data:`` images) is refused and fails the test.

Screenshots go to ``$BROWSER_SCREENSHOTS/<test>/`` (default ``build/screenshots/<test>/``).
Run:  .venv/bin/python -m pytest tests/browser/test_feedback_page_in_chromium.py -v   (needs Debian's chromium)
"""

import base64
import copy
import os
import re
import shutil
from pathlib import Path

import debian_chromium
import nbformat
import pytest

sync_api = debian_chromium.sync_api()

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "04_affine_softmax"
# the launch settings of the other browser tests: as root no sandbox, no GPU, and nothing that phones home
VIEWPORT = {"width": 1280, "height": 900}

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")).decode()
HOSTILE_ID = "<img src=x onerror=\"window.pwned='student id'\">**bold**"
# each attack, if it ran, would set window.pwned, change the title, navigate, load from evil.example or cover
# the top of the page with a red box that claims full marks
HTML_ATTACK = (
    "<h3>My results</h3><script>window.pwned='html script'; document.title='PWNED'</script>"
    "<img src=x onerror=\"window.pwned='img onerror'\"><svg onload=\"window.pwned='svg onload'\"></svg>"
    "<iframe srcdoc=\"<script>parent.pwned='iframe'</script>\"></iframe>"
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\"><base href=\"https://evil.example/\">"
    "<form action=\"https://evil.example/\"><button>go</button></form>"
    "<div id=\"overlay\" style=\"position:fixed;top:0;left:0;width:100vw;height:100vh;background:#c00;"
    "z-index:99999;color:white;font-size:60px\">FAKE SCORE 12 / 12</div>"
    "<style>.bfs-summary{display:none !important} body{background:url(https://evil.example/bg.png)}</style>"
    "<a id=\"evil-link\" href=\"javascript:window.pwned='link'\">click me</a>"
    "<img src=\"https://evil.example/track.png\"><link rel=\"stylesheet\" href=\"https://evil.example/s.css\">"
    "<object data=\"https://evil.example/x\"></object><embed src=\"https://evil.example/y\">")
MARKDOWN_ATTACK = (
    "## Student notes\n\nInline $\\href{javascript:window.pwned='mathml'}{x} + \\frac{a}{b}$ and\n\n"
    "$$\\frac{\\partial L}{\\partial W} = x^\\top \\, \\text{dout}$$\n\n"
    "<details open ontoggle=\"window.pwned='toggle'\"><summary>more</summary>hidden</details>\n\n"
    "<div style=\"position:absolute;top:0;left:0;width:2000px;height:400px;background:#c00\">FAKE 12 / 12</div>\n\n"
    "<video><source onerror=\"window.pwned='video'\"></video> <p style=\"background:url(https://evil.example/p.png)\">"
    "styled</p>\n\n[a link](javascript:window.pwned='md-link') ![tracker](https://evil.example/md.png)")


def hostile_outputs():
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20' onload=\"window.pwned='svg image'\">"
           "<script>window.pwned='svg script'</script><rect width='40' height='20' fill='#3458a4'/></svg>")
    return [
        nbformat.v4.new_output("display_data", data={"text/html": HTML_ATTACK, "text/plain": "html"}),
        nbformat.v4.new_output("display_data", data={
            "application/javascript": "window.pwned='javascript output'; document.title='PWNED'",
            "text/plain": "<IPython.core.display.Javascript object>"}),
        nbformat.v4.new_output("display_data", data={"image/png": PNG}, metadata={
            "image/png": {"width": "1 onerror=window.pwned='metadata'", "height": 20}}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg}),
        nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2}, "text/plain": "w"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": MARKDOWN_ATTACK}),
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad",
                               traceback=["\x1b[0;31mValueError\x1b[0m: <b onmouseover=alert(1)>bad</b>"]),
    ]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    """The buggy example of 04_affine_softmax graded by ``course grade``'s library function: (grade, page)."""
    from course.grading import grade_class

    base = tmp_path_factory.mktemp("feedback-page")
    subs = base / "submitted" / "buggy"
    shutil.copytree(ROOT / "course" / "examples" / "submitted" / "buggy" / ASSIGNMENT, subs / ASSIGNMENT)
    grades = grade_class(base / "submitted", base / "course", names=[ASSIGNMENT], workers=1, sandbox=sandbox,
                         progress=False, log=lambda *a: None)
    grade = grades[0]
    assert 0 < grade.score < grade.max_score, (grade.score, grade.reason, grade.notes)
    return grade, base / "course" / "feedback" / "buggy" / ASSIGNMENT / "affine_softmax.html"


@pytest.fixture(scope="module")
def hostile(graded, tmp_path_factory):
    """The graded notebook with a hostile student id and hostile cells, rendered by course.feedback."""
    from course.feedback import write_feedback_html

    grade = copy.deepcopy(graded[0])
    grade.student = HOSTILE_ID
    nb = grade.feedback
    nb.cells[1:1] = [nbformat.v4.new_markdown_cell(MARKDOWN_ATTACK),
                     nbformat.v4.new_code_cell("show_off()", outputs=hostile_outputs())]
    path = tmp_path_factory.mktemp("hostile-page") / "affine_softmax.html"
    write_feedback_html(grade, path)
    return grade, path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = debian_chromium.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(request):
    base = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder = base / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = []

    def shot(target, step, **kw):
        path = folder / f"{len(taken) + 1:02d}-{step}.png"
        target.screenshot(path=str(path), **kw)
        taken.append(path)
        return path

    return shot


class Opened:
    """A page opened from its own folder, with every request and dialog it caused."""

    def __init__(self, browser, page_file, tmp_path):
        alone = tmp_path / "alone" / page_file.name  # only the page: nothing beside it to load
        alone.parent.mkdir(parents=True)
        shutil.copyfile(page_file, alone)
        self.url = alone.as_uri()
        self.requests, self.refused, self.dialogs = [], [], []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.url, wait_until="load")

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def off_page(self):
        return [u for u in self.requests + self.refused if u != self.url and not u.startswith("data:")]

    def close(self):
        self.context.close()


@pytest.fixture
def opened(browser, tmp_path):
    pages = []

    def open_page(path):
        pages.append(Opened(browser, path, tmp_path))
        return pages[-1]

    yield open_page
    for p in pages:
        p.close()


def summary_rows(page):
    return page.eval_on_selector_all(
        "#bfs-summary table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")


def expect_score_table_on_top(page, grade):
    """The score table is the first thing on the page, visible without scrolling, and nothing covers it."""
    table = page.locator("#bfs-summary table")
    sync_api.expect(table).to_be_visible()
    box = table.bounding_box()
    assert box["y"] + box["height"] < VIEWPORT["height"], "the score table must be visible without scrolling"
    # the automatic cells, then the written answers (graded later by a person: "not graded yet" until then)
    assert summary_rows(page) == [[c.grade_id, f"{c.score:g}", f"{c.points:g}"] for c in grade.cells] + [
        [f"{w['grade_id']} (written answer)", "not graded yet", f"{w['points']:g}"] for w in grade.written]
    sync_api.expect(page.locator("#bfs-summary .bfs-score")).to_contain_text(
        f"{grade.score:g} / {grade.max_score:g}")
    covered = page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('#bfs-summary, #bfs-summary td, #bfs-summary h1')) {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            if (!hit || !el.contains(hit) && !hit.contains(el)) out.push(el.tagName + ' covered by ' +
                (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
        }
        return out;
    }""")
    assert not covered, covered


def test_the_graded_page_is_readable_offline(graded, opened, shots):
    """Does the student see headings, typeset formulas, highlighted code and the score table first, with no
    escaped HTML, no raw LaTeX and no request beyond the page itself?"""
    grade, path = graded
    view = opened(path)
    page = view.page
    shots(page, "top-score-table")
    expect_score_table_on_top(page, grade)

    text = page.inner_text("body")
    for raw in ("&lt;h1", "&lt;p&gt;", "<h1", "<p>", "\\frac", "\\partial", "$$"):
        assert raw not in text, f"{raw!r} is visible on the page"
    assert not re.search(r"\$[^$\n]{1,80}\$", text), re.search(r"\$[^$\n]{1,80}\$", text)[0]

    headings = page.locator(".bfs-md h1, .bfs-md h2, .bfs-md h3")
    assert headings.count() >= 4
    sync_api.expect(page.get_by_role("heading", name=re.compile("Affine layer, forward"))).to_be_visible()

    maths = page.evaluate("""() => [...document.querySelectorAll('math')].map(m => {
        const r = m.getBoundingClientRect(); return [m.getAttribute('display') || 'inline', r.width, r.height]; })""")
    assert len(maths) >= 20 and any(d == "block" for d, _, _ in maths)
    assert all(w > 0 and h > 0 for _, w, h in maths), "every formula is laid out"
    # a typeset fraction stacks numerator over denominator: taller than one line of its text
    stacked = page.evaluate("""() => [...document.querySelectorAll('math[display=block] mfrac')].map(f => {
        const r = f.getBoundingClientRect(), line = parseFloat(getComputedStyle(f).fontSize);
        return r.height / line; })""")
    assert stacked and max(stacked) > 1.6, stacked
    fraction = page.locator("section:has(math[display=block] mfrac)").first
    fraction.scroll_into_view_if_needed()
    shots(fraction, "formulas")

    code = page.locator(".bfs-source").filter(has=page.locator(".kn")).first
    keyword, name = code.locator(".kn").first, code.locator(".n").first
    colour = "e => getComputedStyle(e).color"
    assert keyword.evaluate(colour) != name.evaluate(colour), "code is highlighted"
    report = page.locator(".bfs-output").filter(has_text="Hidden tests:").first
    sync_api.expect(report).to_be_visible()
    report.scroll_into_view_if_needed()
    shots(page.locator("section.bfs-code").filter(has_text="Hidden tests:").first, "code-and-results")
    shots(page, "full-page", full_page=True)

    assert page.evaluate("document.scripts.length") == 0
    assert not view.off_page(), view.off_page()
    assert not view.dialogs


def test_hostile_markup_stays_inert(hostile, opened, shots):
    """Does nothing a student put in their id, markdown or outputs run, load, navigate or cover the scores?"""
    grade, path = hostile
    view = opened(path)
    page = view.page
    shots(page, "top")
    assert page.evaluate("typeof window.pwned") == "undefined", page.evaluate("window.pwned")
    assert page.title() == f"Feedback: {ASSIGNMENT} — {HOSTILE_ID}"
    assert page.url == view.url
    expect_score_table_on_top(page, grade)
    student = page.locator("#bfs-summary .bfs-student")
    sync_api.expect(student).to_have_text(f"Student: {HOSTILE_ID}")  # the id, as text: no image, no bold

    live = page.evaluate("""() => {
        const bad = [];
        for (const el of document.querySelectorAll('*')) {
            for (const a of el.attributes) {
                if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) bad.push(el.tagName + ' ' + a.name);
            }
            const tag = el.tagName.toLowerCase();
            if (['script', 'iframe', 'object', 'embed', 'form', 'base', 'link', 'svg', 'video'].includes(tag))
                bad.push(tag);
            if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) bad.push('meta refresh');
        }
        if (document.querySelectorAll('style').length !== 1) bad.push('a style element of the student');
        return bad;
    }""")
    assert not live, live

    attack = page.locator("section.bfs-code").filter(has_text="My results").first
    attack.scroll_into_view_if_needed()
    shots(attack, "hostile-outputs")
    sync_api.expect(attack.get_by_text("FAKE SCORE 12 / 12")).to_be_visible()  # shown as a plain box of text
    sync_api.expect(attack.get_by_text("JavaScript, which a feedback page never runs")).to_be_visible()
    sync_api.expect(attack.get_by_text("an interactive widget, which a feedback page never runs")).to_be_visible()
    page.locator("#evil-link, a:has-text('click me')").first.click()
    page.get_by_text("a link", exact=True).first.click()  # its javascript: href was dropped: plain text
    page.locator("details summary").first.click()

    notes = page.locator("section.bfs-markdown").filter(has_text="Student notes").first
    notes.scroll_into_view_if_needed()
    shots(notes, "hostile-markdown")
    assert notes.locator("math mfrac").count() == 2
    assert "[image: tracker]" in notes.inner_text()

    page.evaluate("window.scrollTo(0, 0)")
    expect_score_table_on_top(page, grade)
    assert page.evaluate("typeof window.pwned") == "undefined", page.evaluate("window.pwned")
    assert page.title() == f"Feedback: {ASSIGNMENT} — {HOSTILE_ID}" and page.url == view.url
    assert not view.dialogs, view.dialogs
    assert not view.off_page(), view.off_page()
    shots(page, "after-clicks")
