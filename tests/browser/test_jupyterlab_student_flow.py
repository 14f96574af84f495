"""The student's and the instructor's flow in a real JupyterLab, driven in Debian's Chromium.

The student's tests share one ``jupyter lab`` and the instructor's test starts another: 127.0.0.1, a free port,
a token, temporary Jupyter config, data and runtime folders (the nbgrader server and lab extensions come from
the environment), serving scratch copies of ``release/02_simple_layers`` or of ``source/``. Playwright's Python
API drives ``/usr/bin/chromium``; no browser is ever downloaded.

The student's actions are a person's: clicks, keys typed into the cell editor, the Run menu, the Validate
button. JupyterLab's app object (``--LabApp.expose_app_in_browser``) is only read, to wait for the kernel
and for cells to finish, to read outputs exactly, and to scroll a cell into view.

Screenshots, one per step, go to ``$BROWSER_SCREENSHOTS/<test>/`` (default ``build/screenshots/<test>/``).

Run locally:  .venv/bin/python -m pytest tests/browser -v
Needs: Debian's ``chromium`` (``apt-get install chromium``) and the ``playwright`` package (the test extra).
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import debian_chromium
import nbformat
import pytest

sync_api = debian_chromium.sync_api()
expect = sync_api.expect

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # jupyter, and alembic for the gradebook, come from this environment
ASSIGNMENT = "02_simple_layers"
NOTEBOOK = "simple_layers.ipynb"
RELEASE = ROOT / "release" / ASSIGNMENT
SOURCE_NOTEBOOK = ROOT / "source" / ASSIGNMENT / NOTEBOOK
COURSE_ID = "backprop-from-scratch"

VIEWPORT = {"width": 1400, "height": 900}

# generous: CI machines are slow and busy; every wait is on a condition, none is a sleep
SERVER_START_S = 120
PAGE_LOAD_MS = 120_000
STEP_MS = 60_000
RUN_MS = 120_000
VALIDATE_MS = 180_000
BUTTON_MS = 10_000

# what the student types into MulLayer, in place of each `raise NotImplementedError(...)` line
TYPED_FORWARD = ["self.x = x", "self.y = y", "return x * y"]
TYPED_BACKWARD = ["dx = dout * self.y", "dy = dout * self.x", "return dx, dy"]
# the classic mistake: not swapping the inputs
WRONG_LINE = ("dx = dout * self.y", "dx = dout * self.x")

# visible test cells, found by a line of their source, and what each prints when it passes (bp_checks.say: the
# English text itself in the English course)
MUL_VISIBLE = 'print(say("MulLayer works on this small example."))'
VISIBLE_TESTS = {
    MUL_VISIBLE: "MulLayer works on this small example.",
    'print(say("AddLayer works on this small example."))': "AddLayer works on this small example.",
    'print(say("The apple graph gives the numbers from the text."))':
        "The apple graph gives the numbers from the text.",
    'print(say("The apples-and-oranges graph gives the numbers from the text."))':
        "The apples-and-oranges graph gives the numbers from the text.",
}
MUL_SOLUTION = "class MulLayer:"
# what bp_checks.assert_close tells a student whose MulLayer.backward does not swap its inputs
FRIENDLY_DX = "AssertionError: dx from backward(2.0) is wrong: largest error 4, expected 10 but got 6."


class FlowError(AssertionError):
    """The student would not see what the course promises them."""


class ValidateError(AssertionError):
    """nbgrader's Validate button is missing, or did not report what it should."""


# --- the notebook on disk ---------------------------------------------------------------------------------

def solutions_from_source():
    """grade_id -> the source notebook's solution, with nbgrader's solution marker lines removed."""
    solutions = {}
    for cell in nbformat.read(SOURCE_NOTEBOOK, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            lines = [line for line in cell.source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            solutions[meta["grade_id"]] = "\n".join(lines)
    return solutions


def wrong_mul_layer():
    right = solutions_from_source()["mul_layer"]
    wrong = right.replace(*WRONG_LINE)
    assert wrong != right, f"the source's MulLayer has no line {WRONG_LINE[0]!r} to break"
    return wrong


def student_folder(parent, answers):
    """``parent/02_simple_layers``: a copy of the released assignment with solution cells answered
    (grade_id -> source)."""
    folder = parent / ASSIGNMENT
    shutil.copytree(RELEASE, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    path = folder / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    answered = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
            answered.add(grade_id)
    assert answered == set(answers), f"no solution cells {sorted(set(answers) - answered)} in {path}"
    nbformat.write(nb, path)
    return folder


def cell_source_on_disk(path, grade_id):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell.source
    raise KeyError(grade_id)


def typed_mul_layer():
    """The release's MulLayer stub with the student's typed lines in place of the two `raise` lines."""
    stub = cell_source_on_disk(RELEASE / NOTEBOOK, "mul_layer").split("\n")
    raises = [i for i, line in enumerate(stub) if "raise NotImplementedError" in line]
    assert len(raises) == 2, "the MulLayer stub should have two `raise NotImplementedError` lines"
    for i, typed in reversed(list(zip(raises, [TYPED_FORWARD, TYPED_BACKWARD]))):
        indent = stub[i][:len(stub[i]) - len(stub[i].lstrip())]
        stub[i:i + 1] = [indent + line for line in typed]
    return "\n".join(stub)


# --- jupyter lab --------------------------------------------------------------------------------------------

@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def at(self, path):
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"

    def loaded_server_extensions(self):
        return set(re.findall(r"(\S+) \| extension was successfully loaded", self.log.read_text(errors="replace")))

    def log_tail(self, lines=40):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


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


@contextmanager
def jupyter_lab(root, home):
    """``jupyter lab`` serving ``root`` (also its working directory) with Jupyter's own folders under ``home``."""
    config = home / "config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)  # a test may have put settings there
    # the news toast of the announcements plugin would cover the page
    disabled = {"@jupyterlab/apputils-extension:announcements": True}
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", JUPYTER_CONFIG_DIR=str(config),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    token = secrets.token_hex(16)
    for attempt in range(3):
        port = free_port()
        log = home / f"jupyter-lab-{attempt}.log"
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        lab = Lab(f"http://127.0.0.1:{port}", token, Path(root), log)
        deadline = time.monotonic() + SERVER_START_S
        while proc.poll() is None and time.monotonic() < deadline and not answers(lab.at("/api/status")):
            time.sleep(0.25)
        if proc.poll() is None and answers(lab.at("/api/status")):
            break
        stop(proc, lab)
        if "already in use" not in lab.log_tail():
            raise RuntimeError(f"jupyter lab did not start within {SERVER_START_S} s:\n{lab.log_tail()}")
    else:
        raise RuntimeError(f"jupyter lab found no free port:\n{lab.log_tail()}")
    try:
        yield lab
    finally:
        stop(proc, lab)


def stop(proc, lab):
    """Shut the server down as a user would (its kernels with it); force only what we started, if it hangs."""
    if proc.poll() is None:
        request = urllib.request.Request(lab.at("/api/shutdown"), method="POST")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except (urllib.error.URLError, OSError):
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


# --- browser fixtures ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = debian_chromium.launch(playwright)
        yield chromium
        chromium.close()


class Shots:
    """Numbered screenshots of what the person saw, one per step."""

    def __init__(self, folder):
        self.folder = folder
        self.taken = []
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, page, step):
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path))
        self.taken.append(path)
        return path


@pytest.fixture
def shots(request):
    base = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots")
    return Shots(base / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_"))


@pytest.fixture
def page(browser, shots, request):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            shots(page, "FAILED")
        except sync_api.Error:
            pass
    context.close()


# --- JupyterLab, as the student uses it ---------------------------------------------------------------------

KERNEL_IDLE_JS = """(path) => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.context || panel.context.path !== path || !panel.sessionContext) return false;
  const session = panel.sessionContext.session;
  return !!(session && session.kernel && session.kernel.status === 'idle');
}"""

# the first cell of the open notebook whose source contains `marker`: index, execution count and outputs
CELL_JS = """(marker) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  const index = notebook.widgets.findIndex(cell => cell.model.sharedModel.getSource().includes(marker));
  if (index < 0) return null;
  const model = notebook.widgets[index].model;
  const code = model.type === 'code';
  return {index, source: model.sharedModel.getSource(),
          executionCount: code ? model.executionCount : null, outputs: code ? model.outputs.toJSON() : []};
}"""

# run again: a new execution count (JupyterLab sets it once the cell's outputs are all in)
EXECUTED_JS = f"""([marker, before]) => {{
  const cell = ({CELL_JS})(marker);
  return !!cell && cell.executionCount !== null && cell.executionCount !== before;
}}"""

SCROLL_JS = """async ([index, align]) => {
  await window.jupyterapp.shell.currentWidget.content.scrollToItem(index, align);
}"""

ERRORS_JS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(cell => cell.model.type === 'code')
  .flatMap(cell => cell.model.outputs.toJSON().filter(out => out.output_type === 'error')
  .map(out => out.ename + ': ' + out.evalue))"""


NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the front tab


def open_notebook(page, lab, path):
    # a workspace of its own, so that JupyterLab reopens no tab of an earlier test
    workspace = re.sub(r"[^\w-]+", "-", path)
    page.goto(lab.at(f"/lab/workspaces/{workspace}/tree/{path}?reset"))
    page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell").first.wait_for(timeout=PAGE_LOAD_MS)
    page.wait_for_function(KERNEL_IDLE_JS, arg=path, timeout=PAGE_LOAD_MS)


def cell_state(page, marker):
    state = page.evaluate(CELL_JS, marker)
    if state is None:
        raise FlowError(f"no cell of the notebook contains {marker!r}")
    return state


def reveal_cell(page, marker, align="center"):
    """Scroll the cell into view ('center' or 'start'), as the student would, and return its locator."""
    page.evaluate(SCROLL_JS, [cell_state(page, marker)["index"], align])
    cell = page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook-cell").filter(
        has=page.locator(".jp-InputArea", has_text=marker))
    cell.wait_for(state="visible")
    return cell


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


def run_all_cells(page, wait_for):
    """Run > Run All Cells, then wait until each cell in ``wait_for`` (source markers) has run again.

    Stops waiting at the first of them that fails (Run All stops there) and returns that cell's state.
    """
    before = {marker: cell_state(page, marker)["executionCount"] for marker in wait_for}
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    state = None
    for marker in wait_for:
        page.wait_for_function(EXECUTED_JS, arg=[marker, before[marker]], timeout=RUN_MS)
        state = cell_state(page, marker)
        if any(out["output_type"] == "error" for out in state["outputs"]):
            break
    return state


def stream_text(out):
    text = out.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def expect_visible_test_passes(page, marker, message):
    state = cell_state(page, marker)
    errors = [f"{out['ename']}: {out['evalue']}" for out in state["outputs"] if out["output_type"] == "error"]
    printed = "".join(stream_text(out) for out in state["outputs"] if out["output_type"] == "stream")
    if errors or message not in printed:
        raise FlowError(f"the visible test {marker!r} did not pass: printed {printed!r}, errors {errors}")
    cell = reveal_cell(page, marker)
    expect(cell.locator(".jp-OutputArea-output")).to_contain_text(message)


def expect_friendly_failure(page, marker, message):
    """The visible test cell failed with ``message``, and the student sees it under the cell."""
    state = cell_state(page, marker)
    errors = [f"{out['ename']}: {out['evalue']}" for out in state["outputs"] if out["output_type"] == "error"]
    if not errors:
        raise FlowError(f"the visible test {marker!r} raised no error; expected {message!r}")
    if message not in errors[0]:
        raise FlowError(f"the visible test {marker!r} failed with {errors[0]!r}, not with the friendly "
                        f"message {message!r}")
    cell = reveal_cell(page, marker, align="start")  # the message is at the end of a long traceback
    error_output = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(error_output).to_contain_text(message)


@dataclass
class Validation:
    kind: str  # success | failed | changed | type-changed | passed | error
    title: str
    text: str


def press_validate(page, shots, step):
    """Press nbgrader's Validate button in the notebook toolbar and read the dialog it opens."""
    toolbar = page.locator(f"{NOTEBOOK_PANEL} .jp-NotebookPanel-toolbar")
    toolbar.locator("[data-jp-item-name='save']").wait_for()  # the toolbar is built
    button = toolbar.locator(".validate-button")
    try:
        button.wait_for(state="visible", timeout=BUTTON_MS)
    except sync_api.TimeoutError:
        raise ValidateError("nbgrader's Validate button is not in the notebook toolbar: is the @jupyter/nbgrader "
                            "lab extension installed and enabled? (jupyter labextension list)") from None
    button.click()
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(state="visible", timeout=VALIDATE_MS)
    except sync_api.TimeoutError:
        raise ValidateError(f"pressing Validate opened no dialog within {VALIDATE_MS // 1000} s") from None
    title = dialog.locator(".jp-Dialog-header").inner_text().strip()
    text = dialog.locator(".jp-Dialog-body").inner_text().strip()
    kind = "error"
    message = dialog.locator("#validation-message")
    if message.count():
        classes = (message.get_attribute("class") or "").split()
        kind = next((k for k in ("success", "failed", "changed", "type-changed", "passed")
                     if f"validation-{k}" in classes), "error")
    shots(page, step)
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    return Validation(kind, title, text)


def validate_expecting_success(page, shots, step):
    result = press_validate(page, shots, step)
    if result.kind != "success":
        raise ValidateError(f"Validate did not report success: {result.title}: {result.text}")
    return result


def require_nbgrader_server_extensions(lab, names=("validate_assignment", "formgrader")):
    loaded = lab.loaded_server_extensions()
    missing = [n for n in names if f"nbgrader.server_extensions.{n}" not in loaded]
    assert not missing, (f"nbgrader server extensions not loaded: {missing} (jupyter server extension list)\n"
                         f"{lab.log_tail()}")


# --- the tests ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_student_lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("student")
    (home / "work").mkdir()
    with jupyter_lab(home / "work", home / "jupyter") as lab:
        require_nbgrader_server_extensions(lab)
        yield lab


@pytest.fixture
def student_lab(shared_student_lab):
    """A student's ``jupyter lab``; each test puts its own copy of the assignment under ``student_lab.root``
    and leaves no kernel running."""
    yield shared_student_lab
    with urllib.request.urlopen(shared_student_lab.at("/api/sessions"), timeout=30) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(shared_student_lab.at(f"/api/sessions/{session['id']}"), method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def test_student_types_mul_layer_runs_all_and_validates(student_lab, page, shots):
    """Does a student who types a correct MulLayer see its visible test pass and Validate succeed, and,
    after breaking it, see the friendly message that says what is wrong?"""
    others = {grade_id: source for grade_id, source in solutions_from_source().items() if grade_id != "mul_layer"}
    folder = student_folder(student_lab.root, others)  # the other answers were saved earlier; MulLayer is typed now
    open_notebook(page, student_lab, f"{ASSIGNMENT}/{NOTEBOOK}")
    cell = reveal_cell(page, MUL_SOLUTION)
    expect(cell.locator(".cm-content")).to_contain_text("raise NotImplementedError")
    shots(page, "mul-layer-stub")

    type_over_line(page, cell, "raise NotImplementedError", TYPED_FORWARD)
    type_over_line(page, cell, "raise NotImplementedError", TYPED_BACKWARD)
    assert cell_state(page, MUL_SOLUTION)["source"] == typed_mul_layer()
    shots(page, "mul-layer-typed")

    run_all_cells(page, wait_for=list(VISIBLE_TESTS))
    for marker, message in VISIBLE_TESTS.items():
        expect_visible_test_passes(page, marker, message)
    assert page.evaluate(ERRORS_JS) == []
    reveal_cell(page, MUL_VISIBLE)
    shots(page, "visible-test-passes")

    validate_expecting_success(page, shots, "validate-success")
    # Validate saved the notebook first: what it validated is what the student typed
    assert cell_source_on_disk(folder / NOTEBOOK, "mul_layer") == typed_mul_layer()

    cell = reveal_cell(page, MUL_SOLUTION)
    type_over_line(page, cell, WRONG_LINE[0], [WRONG_LINE[1]])
    assert cell_state(page, MUL_SOLUTION)["source"] == typed_mul_layer().replace(*WRONG_LINE)
    shots(page, "mul-layer-broken")

    run_all_cells(page, wait_for=[MUL_VISIBLE])
    expect_friendly_failure(page, MUL_VISIBLE, FRIENDLY_DX)
    shots(page, "friendly-failure")


def test_validate_names_the_failing_visible_test(student_lab, page, shots):
    """Does Validate tell a student whose MulLayer.backward does not swap its inputs what is wrong?"""
    answers = dict(solutions_from_source(), mul_layer=wrong_mul_layer())
    student_folder(student_lab.root / "wrong-mul-layer", answers)
    open_notebook(page, student_lab, f"wrong-mul-layer/{ASSIGNMENT}/{NOTEBOOK}")
    shots(page, "notebook-opened")
    result = press_validate(page, shots, "validate-dialog")
    assert result.kind == "failed", f"Validate said {result.title}: {result.text}"
    assert FRIENDLY_DX.split(": ", 1)[1] in result.text


def test_friendly_message_check_catches_a_useless_message(student_lab, page, shots):
    """Self-check: if bp_checks stops explaining what is wrong, does the flow's message check fail?"""
    answers = dict(solutions_from_source(), mul_layer=wrong_mul_layer())
    folder = student_folder(student_lab.root / "useless-message", answers)
    checks = folder / "bp_checks.py"
    text = checks.read_text()
    assert text.count("raise AssertionError(message)") == 1, "bp_checks.assert_close changed: update this test"
    checks.write_text(text.replace("raise AssertionError(message)", 'raise AssertionError("test failed")'))
    open_notebook(page, student_lab, f"useless-message/{ASSIGNMENT}/{NOTEBOOK}")
    run_all_cells(page, wait_for=[MUL_VISIBLE])
    with pytest.raises(FlowError, match="not with the friendly message"):
        expect_friendly_failure(page, MUL_VISIBLE, FRIENDLY_DX)
    reveal_cell(page, MUL_VISIBLE, align="start")
    shots(page, "useless-message")


def not_found(route):
    route.fulfill(status=404, content_type="text/html", body="<!DOCTYPE html><title>404: Not Found</title>")


@pytest.mark.parametrize("breakage, complaint", [
    ("lab-extension-not-loaded", "Validate button is not in the notebook toolbar"),
    ("validate-handler-missing", "Validate did not report success"),
], ids=["lab-extension-not-loaded", "validate-handler-missing"])
def test_a_broken_validate_button_is_detected(breakage, complaint, student_lab, page, shots):
    """Self-check: when nbgrader's lab extension does not load, or its server side does not answer, does the
    Validate step fail, and say why? (The notebook is one a working Validate accepts.)"""
    student_folder(student_lab.root / breakage, solutions_from_source())
    if breakage == "lab-extension-not-loaded":
        page.route("**/lab/extensions/@jupyter/nbgrader/**", lambda route: route.abort())
    else:  # what the browser gets when the validate_assignment server extension is disabled
        page.route(re.compile(r"/assignments/validate(\?|$)"), not_found)
    open_notebook(page, student_lab, f"{breakage}/{ASSIGNMENT}/{NOTEBOOK}")
    shots(page, "notebook-opened")
    with pytest.raises(ValidateError, match=complaint):
        validate_expecting_success(page, shots, "validate-dialog")


def test_formgrader_lists_the_assignments(tmp_path, page, shots, monkeypatch):
    """Does an instructor's formgrader load, on its own page and inside JupyterLab, and list every assignment?"""
    course = tmp_path / "course"
    shutil.copytree(ROOT / "source", course / "source", ignore=shutil.ignore_patterns("__pycache__",
                                                                                       ".ipynb_checkpoints"))
    names = sorted(d.name for d in (course / "source").iterdir() if d.is_dir())  # as nbgrader lists them
    assert ASSIGNMENT in names
    (tmp_path / "exchange").mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(ROOT / 'course' / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader runs alembic
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        for name in names:
            gradebook.update_or_create_assignment(name)

    with jupyter_lab(course, tmp_path / "jupyter") as lab:
        require_nbgrader_server_extensions(lab, names=("formgrader",))
        page.goto(lab.at("/formgrader"))
        expect(page.locator("td.name")).to_have_text(names, timeout=PAGE_LOAD_MS)
        expect(page.locator("#warning-exchange")).to_be_hidden()
        shots(page, "formgrader-page")

        page.goto(lab.at("/lab"))
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click(timeout=PAGE_LOAD_MS)
        shots(page, "nbgrader-menu")
        page.get_by_role("menuitem", name="Formgrader", exact=True).click()
        frame = page.frame_locator(".jp-MainAreaWidget iframe")
        expect(frame.locator("td.name")).to_have_text(names, timeout=PAGE_LOAD_MS)
        shots(page, "formgrader-in-jupyterlab")
