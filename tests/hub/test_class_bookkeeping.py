"""A class's bookkeeping around `course grade`, without a browser: submission times, due dates, extensions and
late penalties, nbgrader's release_feedback on our output, grades out to an LMS, and bad input (twice, late,
empty, foreign, not on the roster, handed in under another name, a collect while grading runs).

One course folder is graded once for most questions: nbgrader's layout, as `nbgrader collect` leaves it
(``submitted/<student>/02_simple_layers/`` with ``timestamp.txt`` and ``submission_secret.txt``), a gradebook
with the roster, a due date and one extension, and an exchange whose ``inbound/`` holds the submissions.
"""

import csv
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import warnings
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest

from course.exporters import EXPORTERS
from course.lateness import Lateness, LatePenalty, duration

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ASSIGNMENT = "02_simple_layers"
NOTEBOOK = "simple_layers.ipynb"
COURSE_ID = "backprop-from-scratch"
PERFECT = ROOT / "course" / "examples" / "submitted" / "perfect" / ASSIGNMENT / NOTEBOOK
BUGGY = ROOT / "course" / "examples" / "submitted" / "buggy" / ASSIGNMENT / NOTEBOOK
FOREIGN = ROOT / "release" / "03_activation_layers" / "activation_layers.ipynb"
DUE = datetime(2030, 3, 1, 17, 0, 0)  # UTC, as nbgrader stores it
EVIL_NAME = "=HYPERLINK(\"http://x\",\"click\")"
BACKDATED = datetime(2020, 1, 1, 12, 0, 0)


def stamp(when):
    return f"{when:%Y-%m-%d %H:%M:%S.%f} UTC"  # what `nbgrader submit` writes


# --- the late policy on its own (no grading) -------------------------------------------------------------------

def test_late_penalty_per_started_day_after_grace():
    """Does LatePenalty take percent_per_day of the score per *started* day, after the grace period, never more
    than the score, and nothing when on time?"""
    plugin = LatePenalty(percent_per_day=10, grace_minutes=5)
    assert plugin.late_submission_penalty("s", 6.0, 0) is None
    assert plugin.late_submission_penalty("s", 6.0, 4 * 60) is None  # inside the grace period
    assert plugin.late_submission_penalty("s", 6.0, 6 * 60) == 0.6  # one started day
    assert plugin.late_submission_penalty("s", 6.0, 5 * 60 + 86400 + 1) == 1.2  # two started days
    assert plugin.late_submission_penalty("s", 6.0, 30 * 86400) == 6.0  # never more than the score
    assert LatePenalty(penalty_method="zero").late_submission_penalty("s", 4.0, 1) == 4.0  # nbgrader's rule
    assert LatePenalty().late_submission_penalty("s", 4.0, 86400) is None  # the default: no penalty


def test_lateness_note_says_when_how_late_and_what_it_cost():
    """Does the student's note give the submission time, the due date, how late, the penalty and the result?"""
    late = Lateness(datetime(2030, 3, 3, 18, 30), DUE, penalty=1.8, policy="late work loses 10% ...")
    note = late.note(6, 6)
    assert "2030-03-03 18:30:00 UTC" in note and "2 days 1 h after the due date" in note
    assert "Late penalty: -1.8 points" in note and "4.2 / 6" in note
    assert duration(0.3) == "less than a second" and duration(125) == "2 min" and duration(3700) == "1 h 1 min"


# --- one graded class ------------------------------------------------------------------------------------------

def hand_in(course_dir, student, notebook_bytes, when=None, secret=None):
    folder = course_dir / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / NOTEBOOK).write_bytes(notebook_bytes)
    shutil.copy(ROOT / "release" / ASSIGNMENT / "bp_checks.py", folder / "bp_checks.py")
    if when is not None:
        (folder / "timestamp.txt").write_text(stamp(when))
        (folder / "submission_secret.txt").write_text(secret or hashlib.sha256(student.encode()).hexdigest())
    return folder


def exchange_entry(exchange, student, when, owner_uid, tag):
    entry = exchange / COURSE_ID / "inbound" / f"{student}+{ASSIGNMENT}+{stamp(when)}+{tag}"
    entry.mkdir(parents=True)
    (entry / NOTEBOOK).write_bytes(PERFECT.read_bytes())
    (entry / "timestamp.txt").write_text(stamp(when))
    os.chown(entry, owner_uid, owner_uid)
    return entry


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandbox):
    """Grade a class of ten in one run; returns (course_dir, exchange, {student: grade}, printed lines)."""
    from nbgrader.api import Gradebook

    from course.grading import grade_class, prepare_course_dir

    base = tmp_path_factory.mktemp("class")
    course_dir, exchange = base / "course", base / "exchange"
    course_dir.mkdir()
    perfect = PERFECT.read_bytes()
    hand_in(course_dir, "ontime", perfect, DUE - timedelta(hours=2))
    hand_in(course_dir, "late", perfect, DUE + timedelta(days=2, hours=1))  # 3 started days: 30%
    hand_in(course_dir, "extended", perfect, DUE + timedelta(hours=20))  # a day's extension: on time
    hand_in(course_dir, "empty", b"", DUE - timedelta(hours=1))
    hand_in(course_dir, "foreign", FOREIGN.read_bytes(), DUE - timedelta(hours=1))
    hand_in(course_dir, "stranger", perfect, DUE - timedelta(hours=1))  # not on the roster
    hand_in(course_dir, "nobody", perfect, DUE - timedelta(hours=1))  # submitted twice (an account that exists)
    hand_in(course_dir, "daemon", perfect, DUE - timedelta(hours=3))  # handed in by another account
    hand_in(course_dir, "zipped", perfect)  # no timestamp: handed in as a folder, not through the exchange
    hand_in(course_dir, "sync", perfect, BACKDATED)  # claims a time long before its exchange folder was made
    exchange_entry(exchange, "nobody", DUE - timedelta(hours=5), 65534, "first")
    exchange_entry(exchange, "nobody", DUE - timedelta(hours=1), 65534, "second")
    exchange_entry(exchange, "daemon", DUE - timedelta(hours=3), 65534, "forged")  # owned by nobody
    exchange_entry(exchange, "sync", BACKDATED, pwd.getpwnam("sync").pw_uid, "backdated")
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.LatePenalty.percent_per_day = 10\n")
    roster = ["ontime", "late", "extended", "empty", "foreign", "nobody", "daemon", "zipped", "sync"]
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"  # nbgrader runs alembic
    prepare_course_dir(course_dir, [ASSIGNMENT])  # the assignment in the gradebook, as the instructor released it
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        for name in roster:
            gb.update_or_create_student(name, first_name=name.title(),
                                        last_name=EVIL_NAME if name == "ontime" else "Student")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbgrader's add_submission trips harmless SQLAlchemy autoflush warnings
            gb.add_submission(ASSIGNMENT, "extended").extension = timedelta(days=1)
        gb.db.commit()
    lines = []
    grades = grade_class(course_dir / "submitted", course_dir, names=[ASSIGNMENT], sandbox=sandbox, progress=False,
                         log=lines.append)
    return course_dir, exchange, {g.student: g for g in grades}, lines


def test_in_place_grading_keeps_submitted_as_collected(graded):
    """Is the course folder's own submitted/ graded where it is (nothing copied over it, nothing archived)?"""
    course_dir, _, grades, _ = graded
    assert len(grades) == 10
    assert not (course_dir / "archive").exists()
    assert (course_dir / "submitted" / "ontime" / ASSIGNMENT / NOTEBOOK).read_bytes() == PERFECT.read_bytes()


def test_late_penalty_in_csv_report_gradebook_and_feedback(graded):
    """Is the late student's penalty (30% of 6, three started days) in grades.csv, the JSON report, the gradebook
    (nbgrader's own `export` shows it) and their feedback page, and nobody else penalised?"""
    course_dir, _, grades, _ = graded
    late = grades["late"]
    assert late.score == 6 and late.late.penalty == 1.8 and late.final_score == 4.2
    assert any("Late penalty: -1.8 points" in n for n in late.notes)
    assert grades["extended"].late.penalty == 0 and not grades["extended"].late.is_late  # its extension
    assert grades["ontime"].late.penalty == 0 and grades["zipped"].late is None
    rows = {r["student"]: r for r in csv.DictReader(open(course_dir / "grades.csv", encoding="utf-8-sig"))}
    assert (rows["late"]["late_penalty"], rows["late"]["final_score"]) == ("1.8", "4.2")
    assert rows["late"]["submitted"].startswith("2030-03-03 18:00:00")
    assert all(r["late_penalty"] == "0" for s, r in rows.items() if s != "late")
    report = {g["student"]: g for g in json.loads((course_dir / "reports" / "grades.json").read_text())["grades"]}
    assert report["late"]["late"]["penalty"] == 1.8 and report["late"]["late"]["seconds_late"] == (2 * 86400 + 3600)
    html = (course_dir / "feedback" / "late" / ASSIGNMENT / "simple_layers.html").read_text()
    assert "Late penalty: -1.8 points" in html
    out = subprocess.run([str(BIN / "nbgrader"), "export", "--to", "nbgrader-export.csv"], cwd=course_dir,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    exported = {r["student_id"]: r for r in csv.DictReader(open(course_dir / "nbgrader-export.csv"))}
    assert float(exported["late"]["late_submission_penalty"]) == 1.8 and float(exported["late"]["score"]) == 4.2
    assert exported["late"]["timestamp"].startswith("2030-03-03 18:00:00")


def test_release_feedback_works_on_course_grade_output(graded):
    """Does nbgrader's own `release_feedback` accept what `course grade` wrote (timestamp.txt and
    submission_secret.txt beside every page, also for a submission that came without them), and put each page
    where only its student finds it (named by their secret)?"""
    course_dir, exchange, grades, _ = graded
    out = subprocess.run([str(BIN / "nbgrader"), "release_feedback", ASSIGNMENT], cwd=course_dir,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    released = exchange / COURSE_ID / "feedback"
    for student in grades:
        folder = course_dir / "feedback" / student / ASSIGNMENT
        secret = (folder / "submission_secret.txt").read_text()
        name = hashlib.md5((secret + "simple_layers").encode()).hexdigest() + ".html"  # nbgrader's notebook_hash
        assert (released / name).read_bytes() == (folder / "simple_layers.html").read_bytes(), student
    assert (course_dir / "feedback" / "ontime" / ASSIGNMENT / "timestamp.txt").read_text() == \
        (course_dir / "submitted" / "ontime" / ASSIGNMENT / "timestamp.txt").read_text()


def test_bad_input_gets_a_clear_line_and_nothing_is_lost(graded):
    """Twice, empty, foreign, not on the roster, handed in by another account, a backdated timestamp: does each
    get a clear line in the report (or a reason in its grade), while everyone else is graded?"""
    course_dir, _, grades, lines = graded
    notices = json.loads((course_dir / "reports" / "grades.json").read_text())["notices"]
    text = "\n".join(notices)
    assert "nobody/02_simple_layers: 2 submissions in the exchange; the one collected was graded" in text
    assert "stranger/02_simple_layers: stranger is not on the class roster" in text
    assert "daemon/02_simple_layers: the graded submission was handed in by the Linux user 'nobody'" in text
    assert "late/02_simple_layers: late by 2 days 1 h; penalty 1.8 points" in text
    assert "sync/02_simple_layers: its folder in the exchange was last changed" in text  # backdated timestamp.txt
    assert not [n for n in notices if "last changed" in n and not n.startswith("sync/")]
    assert all(f"note: {n}" in lines for n in notices)  # printed by `course grade` too
    assert grades["empty"].score == 0 and grades["empty"].reason, grades["empty"]
    foreign = grades["foreign"]
    assert foreign.score == 0 and any("does not look like a notebook of this assignment" in n for n in foreign.notes)
    for name in ("ontime", "late", "extended", "stranger", "nobody", "daemon", "zipped", "sync"):
        assert grades[name].score == 6, (name, grades[name].reason, grades[name].notes)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_exports_for_an_lms_match_nbgrader_export_and_take_the_penalty(graded, fmt, tmp_path):
    """Do `course export --format F` and `nbgrader export --exporter course.exporters.<F>Exporter` write the same
    bytes, with the late penalty taken and no cell a spreadsheet would run as a formula?"""
    course_dir = graded[0]
    ours = tmp_path / "ours.csv"
    done = subprocess.run([sys.executable, "-m", "course.cli", "export", "--course-dir", str(course_dir),
                           "--format", fmt, "--to", str(ours)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = tmp_path / "theirs.csv"
    done = subprocess.run([str(BIN / "nbgrader"), "export", "--exporter",
                           f"course.exporters.{EXPORTERS[fmt].__name__}", "--to", str(theirs)], cwd=course_dir,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert ours.read_bytes() == theirs.read_bytes()
    rows = list(csv.reader(open(ours, newline="", encoding="utf-8-sig")))  # totals: a BOM, for Excel
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], "a cell a spreadsheet would evaluate"
    header = rows[0]
    by_student = {}
    if fmt == "canvas":
        assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] and header[5] == ASSIGNMENT
        assert rows[1][0] == "Points Possible" and rows[1][5] == "6"
        by_student = {r[3]: r for r in rows[2:]}
        assert by_student["late"][5] == "4.2" and by_student["ontime"][5] == "6"
        assert by_student["ontime"][0] == f"'{EVIL_NAME}, Ontime"  # shown as text, never run
    elif fmt == "moodle":
        assert header == ["Username", "First name", "Last name", "Email address", ASSIGNMENT, f"{ASSIGNMENT} feedback"]
        by_student = {r[0]: r for r in rows[1:]}
        assert by_student["late"][4] == "4.2"
        assert by_student["late"][5] == "late penalty of 1.8 points (submitted 2030-03-03 18:00 UTC)"
        assert by_student["ontime"][5] == "" and by_student["ontime"][2] == "'" + EVIL_NAME
    else:
        assert header == ["student", ASSIGNMENT, "total", "max_total", "late_penalties"]
        by_student = {r[0]: r for r in rows[1:]}
        assert by_student["late"][1:] == ["4.2", "4.2", "6", "1.8"]
    assert "stranger" in by_student  # graded and added to the gradebook: exported, and named in the report


def test_a_collect_while_grading_is_graded_again(tmp_path, sandbox, monkeypatch):
    """If `nbgrader collect` replaces a submission while `course grade` runs, is the submission graded again as
    it is now (its new score), with a line in the report, instead of keeping a grade of what is gone?"""
    import course.grading as grading

    course_dir = tmp_path / "course"
    folder = hand_in(course_dir, "alice", PERFECT.read_bytes(), DUE)
    real, calls = grading.grade_jobs, []

    def grade_jobs_while_collect_runs(jobs, *args, **kwargs):
        grades = real(jobs, *args, **kwargs)
        calls.append([j.student for j in jobs])
        if len(calls) == 1:  # the collect lands during the first grading: a newer, buggy hand-in replaces it
            shutil.rmtree(folder)
            hand_in(course_dir, "alice", BUGGY.read_bytes(), DUE + timedelta(minutes=1))
        return grades

    monkeypatch.setattr(grading, "grade_jobs", grade_jobs_while_collect_runs)
    lines = []
    (grade,) = grading.grade_class(course_dir / "submitted", course_dir, names=[ASSIGNMENT], sandbox=sandbox,
                                   progress=False, log=lines.append)
    assert calls == [["alice"], ["alice"]]
    expected = nbformat.read(BUGGY, as_version=4)
    assert 0 < grade.score < 6, "the grade is not the new (buggy) submission's"
    assert any("changed while it was being graded" in line and "graded again" in line for line in lines), lines
    report = json.loads((course_dir / "reports" / "grades.json").read_text())
    assert any("alice/02_simple_layers: the submission changed while it was being graded" in n
               for n in report["notices"])
    assert expected.cells  # the buggy example is a real notebook


def test_setup_refuses_when_students_could_read_the_answers():
    """Does `course hub setup` refuse (before creating anything) when every account could read source/ and the
    reference solutions, and say how to fix it?"""
    from course.hub import exposed_answers

    if os.geteuid() != 0:
        pytest.skip("course hub setup runs as root")
    if not exposed_answers():
        pytest.skip("this checkout is not readable by other accounts")
    done = subprocess.run([sys.executable, "-m", "course.cli", "hub", "setup", "--hub-dir", "/nonexistent/hub",
                           "--instructor", "bfsnoteacher", "--students", "bfsnostudent"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "could read the course's answers" in done.stderr and "chmod 700" in done.stderr
    assert not Path("/nonexistent/hub").exists()
    import pwd

    with pytest.raises(KeyError):
        pwd.getpwnam("bfsnoteacher")
