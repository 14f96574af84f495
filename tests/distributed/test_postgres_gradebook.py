"""A PostgreSQL gradebook (issue 16, item 4), on a real server started by the test (see conftest.py).

``course grade --db postgresql://...`` grades the bundled examples into a course folder whose gradebook is
that database; the scores are read back with SQL on a connection of the test's own; the formgrader (a real
Jupyter server with nbgrader's formgrader, configured the nbgrader way by the course folder's
``nbgrader_config.py``) and ``course export`` read them; manual grades and comments written while
``course grade`` runs again (one through the formgrader's API, one by a second connection whose transaction
holds the row's lock while the grader waits for it) survive, and the grader's own scores are written too.
"""

import csv
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import debian_chromium
import pytest

from autograder.judge import CellResult, Check
from autograder.pipeline import NotebookGrade
from course.examples import EXAMPLES
from course.grading import GradebookBusy, prepare_course_dir, record_in_gradebook

A1, A2 = "01_computational_graphs", "02_simple_layers"
BIN = Path(sys.executable).parent
SERVER_START_S = 300  # a bound on waiting, never an assertion on speed
GRADE_S = 1800


def course(*args, sandbox=None, grading=True):
    cmd = [str(BIN / "course"), *args]
    if grading:
        cmd += ["-q"] + ([] if sandbox else ["--allow-unsandboxed"])
    return cmd


def run(cmd, cwd):
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=GRADE_S)
    assert done.returncode == 0, f"{' '.join(cmd[:3])} failed ({done.returncode}):\n{done.stdout[-3000:]}\n" \
                                 f"{done.stderr[-3000:]}"
    return done.stdout + done.stderr


GRADES_SQL = """
SELECT sa.student_id, a.name, bc.name, g.id, g.auto_score, g.manual_score, g.needs_manual_grade, gc.max_score
FROM grade g
JOIN submitted_notebook sn ON sn.id = g.notebook_id
JOIN submitted_assignment sa ON sa.id = sn.assignment_id
JOIN assignment a ON a.id = sa.assignment_id
JOIN base_cell bc ON bc.id = g.cell_id
JOIN grade_cells gc ON gc.id = g.cell_id
"""
COMMENTS_SQL = """
SELECT sa.student_id, a.name, bc.name, c.id, c.manual_comment
FROM comment c
JOIN submitted_notebook sn ON sn.id = c.notebook_id
JOIN submitted_assignment sa ON sa.id = sn.assignment_id
JOIN assignment a ON a.id = sa.assignment_id
JOIN base_cell bc ON bc.id = c.cell_id
"""


def db_grades(postgres, database):
    """``{(student, assignment, cell): row}`` read with SQL on a connection of the test's own."""
    with postgres.connect(database) as con:
        rows = con.execute(GRADES_SQL).fetchall()
    return {(s, a, c): SimpleNamespace(id=i, auto=auto, manual=manual, needs_manual=needs, points=pts)
            for s, a, c, i, auto, manual, needs, pts in rows}


def db_comments(postgres, database):
    with postgres.connect(database) as con:
        return {(s, a, c): SimpleNamespace(id=i, manual=m) for s, a, c, i, m in con.execute(COMMENTS_SQL)}


def results(course_dir):
    """What the grader computed, from ``reports/results/<student>/<assignment>.json``."""
    found = {}
    for path in (Path(course_dir) / "reports" / "results").glob("*/*.json"):
        record = json.loads(path.read_text())
        for cell in record["cells"]:
            found[(record["student"], record["assignment"], cell["grade_id"])] = (cell["score"], cell["points"])
    return found


@pytest.fixture(scope="module")
def graded(postgres, sandbox, tmp_path_factory):
    database = "bfs_examples"
    url = postgres.create_database(database)
    course_dir = tmp_path_factory.mktemp("pg-course")
    started = time.monotonic()
    out = run(course("grade", str(EXAMPLES), "--course-dir", str(course_dir), "--db", url, "-a", A1, "-a", A2,
                     sandbox=sandbox), cwd=course_dir.parent)
    print(f"course grade --db postgresql (2 assignments, 4 students): {time.monotonic() - started:.1f} s")
    return SimpleNamespace(url=url, database=database, course_dir=course_dir, out=out)


def test_course_grade_writes_every_score_into_postgresql(graded, postgres):
    assert not (graded.course_dir / "gradebook.db").exists(), "course grade --db still wrote an SQLite gradebook"
    assert postgres.password not in graded.out, "the database password was printed"
    # --db was given, the course folder's nbgrader_config.py names no gradebook: say how to give it to the formgrader
    assert "c.CourseDirectory.db_url" in graded.out and "***" in graded.out

    computed = results(graded.course_dir)
    assert {k[:2] for k in computed} == {(s, a) for s in ("blank", "buggy", "hostile", "perfect") for a in (A1, A2)}
    rows = db_grades(postgres, graded.database)
    graded_cells = {k: r for k, r in rows.items() if r.points > 0}
    assert set(graded_cells) == set(computed), "the gradebook's graded cells differ from the graded notebooks'"
    for key, (score, points) in computed.items():
        row = graded_cells[key]
        assert (row.auto, row.points, row.manual, row.needs_manual) == (score, points, None, False), key
    # cells worth no points (visible checks): 0 and nothing left to grade by hand, so the formgrader flags nothing
    for key, row in rows.items():
        if row.points == 0:
            assert (row.auto, row.manual, row.needs_manual) == (0, None, False), key

    totals = {}
    for (student, assignment, _), (score, points) in computed.items():
        got, full = totals.get((student, assignment), (0, 0))
        totals[(student, assignment)] = (got + score, full + points)
    for a in (A1, A2):
        assert totals[("perfect", a)][0] == totals[("perfect", a)][1] > 0
        assert totals[("blank", a)][0] == 0 and totals[("hostile", a)][0] == 0
        assert 0 < totals[("buggy", a)][0] < totals[("buggy", a)][1]
    buggy = {c: r.auto for (s, a, c), r in graded_cells.items() if (s, a) == ("buggy", A2)}
    assert buggy == {"mul_layer_forward": 1, "mul_layer_backward": 1, "add_layer": 1, "buy_apples": 1,
                     "buy_apples_oranges": 1}


# --- the formgrader, on a real Jupyter server ------------------------------------------------------------------

class Formgrader:
    def __init__(self, url, token, log):
        self.url, self.token, self.log = url, token, log

    def call(self, path, body=None, method="GET"):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def notebooks(self, assignment, notebook):
        """``{student: submitted notebook}`` as the formgrader's list of submissions shows them."""
        return {s["student"]: s for s in self.call(f"/formgrader/api/submitted_notebooks/{assignment}/{notebook}")}

    def tail(self):
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


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
def jupyter_server(root, home):
    """A Jupyter server (nbgrader's formgrader among its extensions) serving ``root``, also its working
    folder, so that nbgrader reads ``root/nbgrader_config.py`` as it does for an instructor."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"))
    token = secrets.token_hex(16)
    for attempt in range(3):
        port = free_port()
        log = home / f"jupyter-server-{attempt}.log"
        cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}"]
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        server = Formgrader(f"http://127.0.0.1:{port}", token, log)
        deadline = time.monotonic() + SERVER_START_S
        status = f"{server.url}/api/status?token={token}"
        while proc.poll() is None and time.monotonic() < deadline and not answers(status):
            time.sleep(0.25)
        if proc.poll() is None and answers(status):
            break
        stop(proc, server)
        if "already in use" not in server.tail():
            raise RuntimeError(f"the Jupyter server did not start:\n{server.tail()}")
    else:
        raise RuntimeError("the Jupyter server found no free port")
    try:
        yield server
    finally:
        stop(proc, server)


def stop(proc, server):
    if proc.poll() is None:
        try:
            server.call("/api/shutdown", method="POST", body={})
        except (urllib.error.URLError, OSError, ValueError):
            proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """The course folder configured the nbgrader way (its nbgrader_config.py names the gradebook), and its
    formgrader running."""
    (graded.course_dir / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.db_url = {graded.url!r}\n")
    with jupyter_server(graded.course_dir, tmp_path_factory.mktemp("jupyter")) as server:
        yield server


def test_the_formgrader_and_course_export_read_postgresql(graded, formgrader, postgres):
    computed = results(graded.course_dir)
    for assignment, notebook in ((A1, "computational_graphs"), (A2, "simple_layers")):
        shown = formgrader.notebooks(assignment, notebook)
        assert set(shown) == {"blank", "buggy", "hostile", "perfect"}, formgrader.tail()
        for student, entry in shown.items():
            cells = [v for k, v in computed.items() if k[:2] == (student, assignment)]
            assert entry["score"] == pytest.approx(sum(s for s, _ in cells)), (student, assignment)
            assert entry["max_score"] == pytest.approx(sum(p for _, p in cells))
            assert not entry["needs_manual_grade"]

    # `course export` without --db: the course folder's nbgrader_config.py names the gradebook
    out = subprocess.run(course("export", "--course-dir", str(graded.course_dir), grading=False),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = {row["student"]: row for row in csv.DictReader(io.StringIO(out.stdout))}
    assert set(lines) == {"blank", "buggy", "hostile", "perfect"}
    for student, row in lines.items():
        for assignment in (A1, A2):
            expected = sum(s for k, (s, _) in computed.items() if k[:2] == (student, assignment))
            assert float(row[assignment]) == pytest.approx(expected), (student, assignment)


def blocked_writes(con, holder_pid):
    """Statements of other connections that wait for a lock held by ``holder_pid``."""
    return [q for (q,) in con.execute(
        "SELECT query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (holder_pid,)).fetchall()]


def test_manual_grades_written_while_course_grade_runs_survive(graded, formgrader, postgres, sandbox):
    db, course_dir = graded.database, graded.course_dir
    before = db_grades(postgres, db)
    comments = db_comments(postgres, db)
    a_key, b_key = ("perfect", A2, "mul_layer_forward"), ("buggy", A2, "mul_layer_backward")
    a, b = before[a_key], before[b_key]
    true_a, true_b = a.auto, b.auto
    a_comment = next(k for k in sorted(comments) if k[:2] == a_key[:2])  # a comment of each notebook
    b_comment = next(k for k in sorted(comments) if k[:2] == b_key[:2])
    # scores the grader must write again: a stale value it can only replace by writing those rows
    with postgres.connect(db) as con:
        con.execute("UPDATE grade SET auto_score = 0.125 WHERE id = ANY(%s)", ([a.id, b.id],))

    # a TA's transaction on grade b (a manual score and a comment), still open when `course grade` starts
    ta = postgres.connect(db)
    ta.execute("UPDATE grade SET manual_score = 1.25, needs_manual_grade = false WHERE id = %s", (b.id,))
    ta.execute("UPDATE comment SET manual_comment = %s WHERE id = %s",
               ("dx: see the chain rule (TA)", comments[b_comment].id))
    ta_pid = ta.info.backend_pid

    # --regrade: every notebook is graded again while the graders write (unchanged results would be reused)
    cmd = course("grade", str(EXAMPLES), "--course-dir", str(course_dir), "-a", A2, "--regrade", sandbox=sandbox)
    proc = subprocess.Popen(cmd, cwd=course_dir.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # meanwhile another TA saves a manual score and a comment for grade a in the formgrader
        saved = formgrader.call(f"/formgrader/api/grade/{a.id}", {"manual_score": 0.5, "extra_credit": None}, "PUT")
        assert saved["manual_score"] == 0.5
        formgrader.call(f"/formgrader/api/comment/{comments[a_comment].id}", {"manual_comment": "tidy code (TA)"},
                        "PUT")
        assert proc.poll() is None, "course grade ended before the formgrader's write: the test proves nothing"

        # the grader reaches grade b and waits for the TA's transaction, which then commits
        with postgres.connect(db, autocommit=True) as watch:
            waiting = []
            deadline = time.monotonic() + GRADE_S
            while proc.poll() is None and time.monotonic() < deadline and not waiting:
                waiting = [q for q in blocked_writes(watch, ta_pid) if "UPDATE grade" in q]
                time.sleep(0.2)
        if not waiting:
            proc.kill()
            pytest.fail(f"course grade never waited for the TA's lock on grade b:\n{proc.communicate()[0][-3000:]}")
        assert "auto_score" in waiting[0] and "manual_score" not in waiting[0], waiting[0]
        ta.commit()
        out, _ = proc.communicate(timeout=GRADE_S)
    finally:
        ta.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out[-3000:]

    after = db_grades(postgres, db)
    comments = db_comments(postgres, db)
    assert (after[a_key].manual, after[a_key].auto) == (0.5, true_a), "the formgrader's manual score was lost"
    assert (after[b_key].manual, after[b_key].auto) == (1.25, true_b), "the TA's manual score was lost"
    assert comments[a_comment].manual == "tidy code (TA)"
    assert comments[b_comment].manual == "dx: see the chain rule (TA)"
    for key, row in after.items():  # every other grade as the first run left it
        if key not in (a_key, b_key):
            assert (row.auto, row.manual) == (before[key].auto, before[key].manual), key

    # the formgrader shows the manual scores over the automatic ones
    shown = formgrader.notebooks(A2, "simple_layers")
    full = {s: sum(r.auto for k, r in after.items() if k[:2] == (s, A2) and r.auto is not None) for s in shown}
    assert shown["perfect"]["score"] == pytest.approx(full["perfect"] - true_a + 0.5)
    assert shown["buggy"]["score"] == pytest.approx(full["buggy"] - true_b + 1.25)
    assert shown["blank"]["score"] == pytest.approx(full["blank"])


def test_a_lock_held_too_long_on_postgresql_gives_a_clear_error(postgres, tmp_path):
    """record_in_gradebook waits for a row lock up to ``wait`` seconds (lock_timeout), then says what to do."""
    url = postgres.create_database("bfs_lock")
    api, (assignment,) = prepare_course_dir(tmp_path / "course", [A2], log=lambda *a: None, db_url=url)
    with postgres.connect("bfs_lock") as con:  # the graded cells, as generate_assignment put them into the gradebook
        graded = sorted(con.execute("SELECT bc.name, gc.max_score FROM grade_cells gc JOIN base_cell bc "
                                    "ON bc.id = gc.id WHERE gc.max_score > 0").fetchall())
    assert graded

    def full_marks(student):
        cells = [CellResult(gid, points, [Check("all", True)]) for gid, points in graded]
        return NotebookGrade(student, A2, assignment.notebook, sum(p for _, p in graded), cells=cells)

    record_in_gradebook(api, [full_marks("carol")])
    rows = db_grades(postgres, "bfs_lock")
    assert all(r.auto == r.points for k, r in rows.items() if k[0] == "carol")
    with postgres.connect("bfs_lock") as holder:  # an open transaction holding one of carol's grade rows
        holder.execute("UPDATE grade SET manual_score = 1 WHERE id = %s", (rows[("carol", A2, graded[0][0])].id,))
        with pytest.raises(GradebookBusy, match=r"grades\.csv.*hold every result.*run the same `course grade`") as err:
            record_in_gradebook(api, [full_marks("carol")], wait=1)
        holder.rollback()
    assert postgres.password not in str(err.value)


SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS")
                   or Path(__file__).resolve().parents[2] / "build" / "screenshots")


def test_the_formgrader_page_shows_the_grades_of_postgresql(graded, formgrader, postgres):
    """What a TA sees: the formgrader's page of 02's submissions, in Chromium, shows each student's score as the
    PostgreSQL gradebook holds it (manual scores over automatic ones, after the test above)."""
    sync_api = debian_chromium.sync_api(module_level=False)
    rows = db_grades(postgres, graded.database)
    expected = {}
    for student in ("blank", "buggy", "hostile", "perfect"):
        mine = [r for k, r in rows.items() if k[:2] == (student, A2)]
        score = sum(r.manual if r.manual is not None else (r.auto or 0) for r in mine)
        expected[student] = f"{round(score, 2):g} / {round(sum(r.points for r in mine), 2):g}"
    shots = SCREENSHOTS / "postgres-formgrader"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = debian_chromium.launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 700})
            page.set_default_timeout(120_000)
            # as a TA goes: the formgrader's Manual Grading page, the assignment, its notebook
            page.goto(f"{formgrader.url}/formgrader/gradebook?token={formgrader.token}")
            page.get_by_role("link", name=A2, exact=True).click()
            page.get_by_role("link", name="simple_layers", exact=True).click()
            table = page.locator("table tbody tr")
            sync_api.expect(table.locator("td.score")).to_have_count(4, timeout=120_000)  # rows of submissions
            shown = {}
            for i in range(4):
                row = table.nth(i)
                row.locator("td.reveal .name-hidden").click()  # the eye: show the student's name
                name = row.locator("td.name .name-shown")
                sync_api.expect(name).to_be_visible(timeout=60_000)
                shown[name.inner_text().strip()] = row.locator("td.score").inner_text().strip()
            page.mouse.move(0, 0)  # no tooltip over the table
        finally:
            page.screenshot(path=str(shots / "gradebook-02-submissions.png"), full_page=True)
            browser.close()
    assert shown == expected
