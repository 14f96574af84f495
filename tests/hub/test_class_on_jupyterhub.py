"""A whole class on JupyterHub, through nbgrader's exchange, driven in Debian's Chromium.

`course hub setup` makes an instructor and three students (real Linux accounts with random passwords), the
hub's own Python environment, the proxy (npm), the exchange and the course folder; `course hub start` runs
JupyterHub on 127.0.0.1 (free ports). Then, each step in the browser as a person does it, with a screenshot:

1. the instructor logs in and releases 02_simple_layers with the formgrader's Release button;
2. each student logs in (their Nbgrader menu has no Formgrader, Course List or Create Assignment), fetches the
   assignment in the Assignments tab, types MulLayer into the notebook (the buggy student swaps the inputs),
   presses Validate (the buggy student is told which check fails) and submits;
   between the buggy and the late student, the instructor sets the due date (`nbgrader db assignment add`);
3. the instructor collects with the formgrader's Collect button; `course grade` grades the course folder's
   own submitted/ (as root, like `sudo course grade`); the instructor releases feedback with the formgrader's
   button (nbgrader's release_feedback);
4. each student fetches their feedback in the Assignments tab and opens it: the late student sees the late
   penalty, the buggy student the named mistake.

Everything it starts it stops; the accounts it made are removed. Screenshots: build/screenshots/hub/
(or $BROWSER_SCREENSHOTS/hub/). Needs root, Debian's chromium, node and npm, and PyPI (for the hub's
environment, built once into build/hub-env and reused while requirements/constraints.txt is unchanged).

Run:  sudo .venv/bin/python -m pytest tests/hub -v
"""

import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import debian_chromium
import nbformat
import pytest

sync_api = debian_chromium.sync_api()
if os.geteuid() != 0:
    pytest.skip("the class test creates Linux accounts and runs JupyterHub: run it as root", allow_module_level=True)
if not (shutil.which("npm") and shutil.which("node")):
    pytest.skip("JupyterHub's proxy needs Node.js and npm (apt-get install nodejs npm)", allow_module_level=True)
for tool in ("useradd", "userdel", "chpasswd", "runuser"):
    if not shutil.which(tool):
        pytest.skip(f"{tool} not found: the class test needs Debian's account tools", allow_module_level=True)
expect = sync_api.expect

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "02_simple_layers"
NOTEBOOK = "simple_layers.ipynb"
SOURCE_NOTEBOOK = ROOT / "source" / ASSIGNMENT / NOTEBOOK
VIEWPORT = {"width": 1400, "height": 900}
# generous: CI machines are slow and shared; every wait is for a condition, none is a sleep
HUB_START_S = 180
SPAWN_MS = 180_000
STEP_MS = 60_000
VALIDATE_MS = 240_000
# what a student types into MulLayer, in place of each `raise NotImplementedError(...)` line
TYPED_FORWARD = ["self.x = x", "self.y = y", "return x * y"]
TYPED_BACKWARD = ["dx = dout * self.y", "dy = dout * self.x", "return dx, dy"]
BUGGY_BACKWARD = ["dx = dout * self.x", "dy = dout * self.x", "return dx, dy"]  # forgot to swap the inputs


# what pip and npm say when PyPI or the npm registry cannot be reached (then the test skips, saying so)
OFFLINE = (r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|Max retries exceeded|"
           r"No matching distribution found for jupyterhub|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED")


class Shots:
    """Numbered screenshots of what each person saw, one per step."""

    def __init__(self, folder):
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.taken = []
        self.pages = {}  # user -> their page, for a screenshot of each if the test fails
        self.t0 = time.monotonic()

    def __call__(self, page, step):
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path))
        self.taken.append(path)
        print(f"{time.monotonic() - self.t0:6.1f} s  {path.name}")
        return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def course(*args, **kwargs):
    """Run the `course` command of this repository (as root, as an instructor would with sudo)."""
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          **kwargs)


def solutions_from_source():
    """grade_id -> the source notebook's solution, without nbgrader's solution markers."""
    solutions = {}
    for cell in nbformat.read(SOURCE_NOTEBOOK, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            solutions[meta["grade_id"]] = "\n".join(
                line for line in cell.source.splitlines()
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return solutions


def answer_all_but_mul_layer(path):
    """The student's earlier work, saved: every answer cell but MulLayer (typed in the browser) filled in."""
    nb = nbformat.read(path, as_version=4)
    solutions = solutions_from_source()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions and gid != "mul_layer":
            cell.source = solutions[gid]
    nbformat.write(nb, path)  # the file keeps its owner, the student


# --- the class ------------------------------------------------------------------------------------------------

class Hub:
    def __init__(self, hub_dir, url, instructor, students, passwords, course_dir, log):
        self.hub_dir, self.url, self.instructor, self.students = hub_dir, url, instructor, students
        self.passwords, self.course_dir, self.log = passwords, course_dir, log

    def log_tail(self, lines=60):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def hub_env_dir(hub_dir):
    """build/hub-env when every account can pass through the repository's folders (so it is reused between
    runs), else a fresh one inside the hub folder."""
    build = ROOT / "build"
    build.mkdir(exist_ok=True)
    passable = all(os.stat(p).st_mode & stat.S_IXOTH for p in [build, *build.parents])
    return build / "hub-env" if passable else hub_dir / "env"


@pytest.fixture(scope="module")
def hub():
    tag = secrets.token_hex(2)
    instructor = f"bfs{tag}teach"
    students = {role: f"bfs{tag}{role}" for role in ("ontime", "buggy", "late")}
    hub_dir = Path(tempfile.mkdtemp(prefix="bfs-hub-", dir="/tmp"))
    os.chmod(hub_dir, 0o755)
    proc = None
    try:
        t0 = time.monotonic()
        done = course("hub", "setup", "--hub-dir", str(hub_dir), "--env", str(hub_env_dir(hub_dir)),
                      "--instructor", instructor, "--students", *students.values(), "-a", ASSIGNMENT,
                      "--allow-readable-repo")  # a test machine: the repository is readable, no real student
        if done.returncode and re.search(OFFLINE, done.stderr):
            pytest.skip("JupyterHub or its proxy could not be installed: no package registry reachable "
                        f"({re.search(OFFLINE, done.stderr).group(0)})")
        assert done.returncode == 0, f"course hub setup failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        print(f"course hub setup: {time.monotonic() - t0:.0f} s")
        passwords = dict(line.split("\t") for line in (hub_dir / "initial-passwords.txt").read_text().splitlines())
        assert set(passwords) == {instructor, *students.values()}
        course_dir = Path(json.loads((hub_dir / "hub.json").read_text())["course_dir"])
        port, hub_port, api_port = free_port(), free_port(), free_port()
        log = hub_dir / "jupyterhub.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "course.cli", "hub", "start", "--hub-dir", str(hub_dir),
                                     "--port", str(port), "--hub-port", str(hub_port), "--proxy-api-port",
                                     str(api_port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        the_hub = Hub(hub_dir, url, instructor, students, passwords, course_dir, log)
        deadline = time.monotonic() + HUB_START_S
        while proc.poll() is None and time.monotonic() < deadline and not answers(f"{url}/hub/api"):
            time.sleep(0.5)
        assert proc.poll() is None and answers(f"{url}/hub/api"), f"JupyterHub did not start:\n{the_hub.log_tail()}"
        yield the_hub
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()  # JupyterHub stops every user's server and its proxy
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=30)
        if (hub_dir / "hub.json").exists():
            done = course("hub", "teardown", "--hub-dir", str(hub_dir), "--remove-users")
            print(done.stdout, done.stderr)
        shutil.rmtree(hub_dir, ignore_errors=True)
        import pwd

        left = [n for n in [instructor, *students.values()] if _exists(pwd, n)]
        assert not left, f"accounts left behind: {left}"


def _exists(pwd, name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = debian_chromium.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(request, hub):
    """Screenshots of the test; if it fails, one more of every open page, and the end of the hub's log."""
    base = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots")
    taker = Shots(base / "hub")
    yield taker
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for user, page in taker.pages.items():
            try:
                taker(page, f"FAILED-{user}")
            except sync_api.Error:
                pass
        print(f"--- JupyterHub log ---\n{hub.log_tail(80)}")


# --- what a person does in the browser ---------------------------------------------------------------------------

def log_in(browser, hub, user, shots):
    """A browser of their own, the hub's login page, their name and password: their JupyterLab."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_MS)
    page = context.new_page()
    shots.pages[user] = page
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=SPAWN_MS)
    page.locator(".jp-DirListing").first.wait_for(timeout=SPAWN_MS)
    expect(page.get_by_role("menuitem", name="Nbgrader", exact=True)).to_be_visible(timeout=SPAWN_MS)
    return page


def close_menus(page):
    for _ in range(20):
        if not page.locator(".lm-Menu").count():
            return
        page.keyboard.press("Escape")
        page.wait_for_timeout(100)  # a key press, then look again
    raise AssertionError("JupyterLab's menu does not close on Escape")


def nbgrader_menu(page):
    """Open the Nbgrader menu of JupyterLab's menu bar; returns it and the labels of its items."""
    close_menus(page)
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    menu = page.locator(".lm-Menu").last
    menu.wait_for()
    items = [t.strip() for t in menu.locator(".lm-Menu-itemLabel").all_inner_texts() if t.strip()]
    return menu, items


def open_assignments_tab(page):
    """Nbgrader > Assignment List: the Assignments tab (or bring it to the front and refresh it)."""
    menu, _ = nbgrader_menu(page)
    menu.get_by_text("Assignment List", exact=True).click()
    panel = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden)").filter(
        has=page.locator("#released_assignments_list"))
    panel.wait_for()
    refresh = panel.locator("#refresh_assignments_list")
    if refresh.count():
        refresh.click()
    return panel


def row(panel, list_id, text):
    return panel.locator(f"#{list_id} .list_item").filter(has_text=text).first


def open_formgrader(lab, hub):
    """The formgrader in a browser tab of its own, as README says: JupyterHub forbids framing a user's pages
    (Content-Security-Policy frame-ancestors 'none'), so the Nbgrader > Formgrader menu's frame stays empty."""
    page = lab.context.new_page()
    page.goto(f"{hub.url}/user/{hub.instructor}/formgrader")
    page.locator("td.name").first.wait_for(timeout=STEP_MS)
    return page


def formgrader_action(page, column, success, shots, step):
    """Press one of the formgrader's buttons on the assignment's row and read the dialog it opens."""
    page.bring_to_front()
    page.reload()
    line = page.locator("tr").filter(has=page.locator("td.name", has_text=ASSIGNMENT))
    line.locator(f"td.{column} a").click()
    modal = page.locator("#success-modal, #error-modal")
    modal.wait_for(state="visible", timeout=VALIDATE_MS)
    page.wait_for_function(  # Bootstrap's fade-in has ended: the dialog is as a person reads it
        "() => [...document.querySelectorAll('.modal')].some(m => getComputedStyle(m).opacity === '1')")
    text = modal.inner_text()
    shots(page, step)
    assert page.locator("#success-modal").count(), f"the formgrader said: {text}"
    assert success in text, text
    modal.locator(".modal-footer .close").click()
    modal.wait_for(state="detached")
    return text


def type_over_line(page, cell, old_line, new_lines):
    """Click the line of code, select it (its indentation stays), type the new lines."""
    cell.locator(".cm-line", has_text=old_line).first.click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    for i, line in enumerate(new_lines):
        if i:
            page.keyboard.press("Enter")  # the editor keeps the indentation of the line above
        page.keyboard.type(line)
    page.keyboard.press("Escape")


def open_notebook(page, hub, user):
    page.goto(f"{hub.url}/user/{user}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    notebook.locator(".jp-Cell").first.wait_for(timeout=SPAWN_MS)
    return notebook


def scroll_to_cell(page, notebook, line):
    """Scroll the notebook with the mouse wheel, as a person does, until the cell with ``line`` is on screen
    (JupyterLab renders only the cells near the view)."""
    cell = notebook.locator(".jp-Cell").filter(has=page.locator(".cm-line", has_text=line)).first
    notebook.locator(".jp-Cell").first.hover()
    for _ in range(200):
        if cell.is_visible():
            cell.scroll_into_view_if_needed()
            return cell
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(50)  # let JupyterLab render the cells the wheel brought into view
    raise AssertionError(f"no cell with {line!r} came into view")


def validate(page, notebook, shots, step):
    """nbgrader's Validate button in the notebook's toolbar; returns (kind, text) of its dialog."""
    notebook.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=VALIDATE_MS)
    message = dialog.locator("#validation-message")
    message.wait_for(timeout=VALIDATE_MS)
    classes = (message.get_attribute("class") or "").split()
    kind = next((k for k in ("success", "failed", "changed", "type-changed", "passed") if f"validation-{k}" in classes),
                "error")
    text = dialog.locator(".jp-Dialog-body").inner_text()
    shots(page, step)
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    return kind, text


def student_works(browser, hub, role, shots, backward):
    """A student's session: log in, fetch, type MulLayer, Validate, submit. Returns their page."""
    user = hub.students[role]
    page = log_in(browser, hub, user, shots)
    _, items = nbgrader_menu(page)
    close_menus(page)
    assert "Assignment List" in items and not {"Formgrader", "Course List", "Create assignment"} & set(items), items
    # and the server side is off too: their server has no formgrader to open
    assert page.request.get(f"{hub.url}/user/{user}/formgrader").status == 404
    panel = open_assignments_tab(page)
    released = row(panel, "released_assignments_list", ASSIGNMENT)
    expect(released).to_be_visible(timeout=STEP_MS)
    shots(page, f"{role}-assignments-tab")
    released.get_by_role("button", name="Fetch").click()
    expect(row(panel, "fetched_assignments_list", ASSIGNMENT)).to_be_visible(timeout=STEP_MS)
    shots(page, f"{role}-fetched")

    path = Path(f"/home/{user}") / ASSIGNMENT / NOTEBOOK
    assert path.exists() and path.stat().st_uid != 0, f"fetch put no notebook of {user}'s own at {path}"
    answer_all_but_mul_layer(path)
    notebook = open_notebook(page, hub, user)
    cell = scroll_to_cell(page, notebook, "class MulLayer:")
    type_over_line(page, cell, "raise NotImplementedError", TYPED_FORWARD)
    type_over_line(page, cell, "raise NotImplementedError", backward)
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0, timeout=STEP_MS)
    shots(page, f"{role}-typed-mul-layer")
    kind, text = validate(page, notebook, shots, f"{role}-validate")
    saved = next(c.source for c in nbformat.read(path, as_version=4).cells if "class MulLayer:" in c.source)
    assert all(line in saved for line in TYPED_FORWARD + backward), saved

    panel = open_assignments_tab(page)
    fetched = row(panel, "fetched_assignments_list", ASSIGNMENT)
    fetched.get_by_role("button", name="Submit").click()
    expect(row(panel, "submitted_assignments_list", ASSIGNMENT)).to_be_visible(timeout=STEP_MS)
    shots(page, f"{role}-submitted")
    return page, kind, text


def fetch_and_open_feedback(page, role, shots):
    """Fetch Feedback in the Assignments tab, follow "(view feedback)", open the page; returns its text."""
    panel = open_assignments_tab(page)
    submitted = row(panel, "submitted_assignments_list", ASSIGNMENT)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    link = panel.locator("#submitted_assignments_list").get_by_text("(view feedback)")
    expect(link.first).to_be_visible(timeout=STEP_MS)
    shots(page, f"{role}-feedback-fetched")
    link.first.click()
    item = page.locator(".jp-DirListing-item").filter(has_text=NOTEBOOK.replace(".ipynb", ".html"))
    item.first.wait_for(timeout=STEP_MS)
    item.first.dblclick()
    frame = page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) .jp-HTMLViewer iframe")
    body = frame.locator("body")
    expect(body).to_contain_text("Feedback", timeout=STEP_MS)
    shots(page, f"{role}-feedback-page")
    return frame, body.inner_text()


def test_a_class_runs_through_the_exchange(hub, browser, shots):
    """Can an instructor release, three students fetch, work, Validate and submit, the instructor collect,
    grade with `course grade` and release feedback, and each student read their feedback, on a real JupyterHub?
    Is the late student's penalty on their page, and the buggy student's mistake named on theirs?"""
    t0 = time.monotonic()
    teacher = log_in(browser, hub, hub.instructor, shots)
    _, items = nbgrader_menu(teacher)
    shots(teacher, "instructor-nbgrader-menu")
    close_menus(teacher)
    assert {"Assignment List", "Formgrader", "Create assignment"} <= set(items), items
    formgrader = open_formgrader(teacher, hub)
    shots.pages["formgrader"] = formgrader
    formgrader_action(formgrader, "release", f"Successfully released '{ASSIGNMENT}'", shots, "instructor-released")
    outbound = Path(json.loads((hub.hub_dir / "hub.json").read_text())["exchange"]) / "backprop-from-scratch" / \
        "outbound" / ASSIGNMENT / NOTEBOOK
    assert outbound.exists(), f"the Release button put nothing at {outbound}"
    exchange = outbound.parents[3]  # the permissions nbgrader documents (and a sticky inbound of ours)
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777
    assert stat.S_IMODE((exchange / "backprop-from-scratch" / "inbound").stat().st_mode) == 0o3733
    assert stat.S_IMODE(hub.course_dir.stat().st_mode) == 0o700 and hub.course_dir.owner() == hub.instructor

    pages, validations = {}, {}
    for role, backward in [("ontime", TYPED_BACKWARD), ("buggy", BUGGY_BACKWARD)]:
        pages[role], *validations[role] = student_works(browser, hub, role, shots, backward)
    # the due date passes: set as instructors do, with the plain nbgrader command (or the formgrader's edit)
    due = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    done = course("hub", "nbgrader", "--hub-dir", str(hub.hub_dir), "db", "assignment", "add", ASSIGNMENT,
                  f"--duedate={due}")
    assert done.returncode == 0, done.stdout + done.stderr
    pages["late"], *validations["late"] = student_works(browser, hub, "late", shots, TYPED_BACKWARD)

    assert validations["ontime"][0] == validations["late"][0] == "success", validations
    kind, text = validations["buggy"]
    assert kind == "failed" and "dx" in text, f"Validate told the buggy student: {kind}: {text}"

    formgrader_action(formgrader, "collect", f"Successfully collected submissions of '{ASSIGNMENT}'", shots,
                      "instructor-collected")
    submitted = hub.course_dir / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(hub.students.values())

    graded = course("grade", "--course-dir", str(hub.course_dir), "-a", ASSIGNMENT, "-q", "-j", "2")
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    print(graded.stdout)
    rows = {r["student"]: r
            for r in __import__("csv").DictReader(open(hub.course_dir / "grades.csv", encoding="utf-8-sig"))}
    ontime, buggy, late = (rows[hub.students[r]] for r in ("ontime", "buggy", "late"))
    assert ontime["score"] == ontime["final_score"] == "6" and ontime["late_penalty"] == "0"
    assert float(buggy["score"]) < 6 and buggy["late_penalty"] == "0"
    assert late["score"] == "6" and late["late_penalty"] == "0.6" and late["final_score"] == "5.4"
    assert f"{hub.students['late']}/{ASSIGNMENT}: late by" in graded.stdout
    for name in hub.students.values():
        for folder in ("autograded", "feedback"):
            for stamp in ("timestamp.txt", "submission_secret.txt"):
                assert (hub.course_dir / folder / name / ASSIGNMENT / stamp).exists(), (folder, name, stamp)
    owner = hub.course_dir.stat().st_uid
    root_owned = [p for p in hub.course_dir.rglob("*") if p.lstat().st_uid != owner]
    assert not root_owned, f"course grade left files the instructor cannot change: {root_owned[:5]}"

    formgrader_action(formgrader, "release-feedback", f"Successfully released feedback of '{ASSIGNMENT}'",
                      shots, "instructor-released-feedback")

    texts = {}
    for role in ("ontime", "buggy", "late"):
        pages[role].bring_to_front()
        frame, texts[role] = fetch_and_open_feedback(pages[role], role, shots)
        if role == "buggy":  # the named mistake, where the student reads it: under the graded cell
            mistake = frame.get_by_text("Likely mistake").first
            mistake.scroll_into_view_if_needed()
            expect(mistake).to_be_visible()
            shots(pages[role], "buggy-feedback-mistake")
    assert "Late penalty" not in texts["ontime"] and "6 / 6" in texts["ontime"]
    assert "MulLayer.backward" in texts["buggy"] and "Likely mistake" in texts["buggy"], texts["buggy"][:3000]
    assert "Late penalty: -0.6 points" in texts["late"] and "5.4 / 6" in texts["late"], texts["late"][:3000]
    print(f"class flow: {time.monotonic() - t0:.0f} s, {len(shots.taken)} screenshots in {shots.folder}")


def test_release_to_the_exchange_from_the_command_line(hub):
    """Does `course release --to-exchange` (its hub part: generate in the course folder, then nbgrader's
    release_assignment as the instructor) put another assignment in the exchange, owned by the instructor?"""
    code = ("import sys; from course.hub import release_to_exchange; "
            "release_to_exchange(sys.argv[1], ['01_computational_graphs'])")
    done = subprocess.run([sys.executable, "-c", code, str(hub.hub_dir)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    exchange = Path(json.loads((hub.hub_dir / "hub.json").read_text())["exchange"])
    released = exchange / "backprop-from-scratch" / "outbound" / "01_computational_graphs"
    assert (released / "computational_graphs.ipynb").exists() and released.owner() == hub.instructor
    listed = course("hub", "nbgrader", "--hub-dir", str(hub.hub_dir), "list")
    assert listed.returncode == 0 and "01_computational_graphs" in listed.stdout + listed.stderr, listed.stderr
