"""What a worker sends back is data, checked where the grading is coordinated (issue 16, item 1).

A worker runs student code (in its sandbox); its answer for a notebook is bytes, checked exactly as the runner
checks what the sandbox sends (``autograder.pipeline.read_run``): outputs rebuilt by ``clean_output`` onto the
coordinator's own rebuilt notebook, records by name and size and then by the strict record reader, text bounded.
A malformed answer is a grader error for that notebook, never a grade. No notebook runs in these tests: the
answers are written by hand, as a compromised worker would.
"""

import json
import os

import pytest

from autograder import intake
from autograder.course_files import course_files
from autograder.pipeline import BadRun, Limits, grade_jobs, judge_run, prepare_notebook, read_run
from autograder.records import encode
from autograder.submissions import Job
from course.examples import EXAMPLES
from course.sequence import ROOT, by_name

A = "02_simple_layers"


@pytest.fixture(scope="module")
def files():
    return course_files(by_name(A), ROOT / "source", ROOT / "release")


def answer(*frames, ok=True, reason="", notes=(), extra_notes=(), where="tcp://10.0.0.9:1234"):
    end = {"type": "run", "ok": ok, "reason": reason, "notes": list(notes), "timing_dependent": False,
           "grader_fault": False, "extra_notes": list(extra_notes), "where": where}
    return b"".join(json.dumps(f).encode() + b"\n" for f in [*frames, end])


def code_cells(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def test_forged_outputs_and_records_are_checked_as_the_sandbox_s_are(files, tmp_path):
    """Outputs that would run script, frames for a markdown cell, a record with a path for a name and a record
    that is not a record: is each dropped or refused, as from the sandbox, and the rest kept?"""
    prepared = prepare_notebook(files, "perfect", EXAMPLES / "perfect" / A, tmp_path / "host")
    assert prepared.grade is None
    code = code_cells(prepared.merged)
    markdown = next(i for i, c in enumerate(prepared.merged.cells) if c.cell_type == "markdown")
    gid = files.graded[0][0]
    import base64

    data = answer(
        {"type": "cell", "index": code[0], "execution_count": 1, "outputs": [
            {"output_type": "display_data", "data": {"application/javascript": "alert(1)"}, "metadata": {}},
            {"output_type": "stream", "name": "stdout", "text": "hello\n"},
            {"output_type": "made-up", "text": "?"}]},
        {"type": "cell", "index": markdown, "execution_count": 2,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "not a code cell\n"}]},
        {"type": "record", "name": "../../escaped.rec", "data": base64.b64encode(encode([])).decode()},
        {"type": "record", "name": f"{gid}.rec", "data": base64.b64encode(b"BFSREC1\nnot a record").decode()},
        extra_notes=["a note from the worker"])
    grade = judge_run(files, prepared, data, tmp_path / "host")
    cell = grade.feedback.cells[code[0]]
    assert [o["output_type"] for o in cell.outputs] == ["stream"] and cell.outputs[0]["text"] == "hello\n"
    assert grade.feedback.cells[markdown].get("outputs") is None
    assert not (tmp_path / "escaped.rec").exists() and not (tmp_path / "host" / "escaped.rec").exists()
    judged = {c.grade_id: c for c in grade.cells}
    assert judged[gid].score == 0 and "unreadable" in judged[gid].problem
    assert all(c.score == 0 for c in grade.cells)  # no record came back for the others: not run, no points
    assert "a note from the worker" in grade.notes and grade.status == "graded"


@pytest.mark.parametrize("data", [
    b"", b"not json\n", b'{"type": "run"}\n', answer()[:-1], answer(notes=["x"] * 1000),
    answer(reason="x" * 100_000), answer().replace(b'"ok": true', b'"ok": "yes"'), "a string, not bytes",
])
def test_a_malformed_answer_is_refused(files, tmp_path, data):
    """No end, bad types, too many or too long notes, not bytes: is each refused (BadRun)?"""
    prepared = prepare_notebook(files, "perfect", EXAMPLES / "perfect" / A, tmp_path / "host")
    with pytest.raises(BadRun):
        read_run(data, prepared.merged_json, tmp_path / "records")


class Garbage:
    """A cluster whose every worker answers garbage (or nothing a run could give)."""

    version = "v"

    def in_flight(self):
        return 2

    def run(self, payload):
        assert payload["snapshot"] and payload["helpers"] and payload["merged"]  # the submission travels as data
        return b"\x00garbage"

    def lost(self, exc):
        return False


def test_garbage_from_a_worker_is_a_grader_error_for_its_notebooks_only(files, tmp_path):
    """Does every notebook whose worker answered garbage get "grader error" (not a 0 as a grade), while a
    submission with no notebook, which needs no worker, is still graded?"""
    empty = tmp_path / "empty" / A
    empty.mkdir(parents=True)
    jobs = [Job("perfect", A, EXAMPLES / "perfect" / A), Job("buggy", A, EXAMPLES / "buggy" / A),
            Job("nothing", A, empty)]
    grades = grade_jobs(jobs, {A: files}, tmp_path / "work", limits=Limits(), progress=False, cluster=Garbage())
    assert [g.status for g in grades] == ["grader error", "grader error", "broken"]
    assert all("BadRun" in g.reason and "not the student's fault" in g.reason for g in grades[:2])


def test_read_tree_takes_in_what_copy_tree_copies(tmp_path):
    """Does the in-memory intake that travels to workers take exactly the files and notes of copy_tree (links,
    pipes, a file over the limit, the total budget)?"""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.ipynb").write_text("{}")
    (src / "sub" / "data.txt").write_bytes(b"x" * 3000)
    (src / "big.bin").write_bytes(b"y" * 5000)
    (src / "z.txt").write_bytes(b"z" * 2500)  # over what is left of the budget
    os.symlink("/etc/passwd", src / "link")
    os.mkfifo(src / "pipe")
    limits = intake.IntakeLimits(max_file_bytes=4000, max_total_bytes=5000)
    taken, notes = intake.read_tree(src, limits)
    copied = intake.copy_tree(src, tmp_path / "dest", limits)
    assert notes == copied and len(notes) == 4, notes
    on_disk = {str(p.relative_to(tmp_path / "dest")): p.read_bytes() for p in (tmp_path / "dest").rglob("*")
               if p.is_file()}
    assert {str(rel): data for rel, data in taken} == on_disk == {"a.ipynb": b"{}", "sub/data.txt": b"x" * 3000}
