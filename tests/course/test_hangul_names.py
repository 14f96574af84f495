"""Hangul names on the way in (``autograder/intake.py``) and out (grades.csv, the exports, the grade table).

A Korean class arrives with student folders like ``김민수`` and files like ``나의_계층.py``: from a folder, from a zip
that says its names are UTF-8, from a Mac (names decomposed into jamo, NFD), or from Korean Windows's built-in
"compressed folder" (names in code page 949, no UTF-8 flag). Each must give the student id and the file names a
person typed, composed (NFC), so the same student is one student and ``import 나의_계층`` finds the file.
"""

import csv
import unicodedata
import zipfile

from autograder import intake
from autograder.submissions import find_jobs
from course.outputs import table
from course.spreadsheet import csv_cell, open_csv

A = "02_simple_layers"
STUDENT = "김민수"
HELPER = "나의_계층.py"


def nfd(text):
    return unicodedata.normalize("NFD", text)


def legacy_zip(path, names):
    """A zip whose member names are the given raw bytes without the UTF-8 flag, as old zip tools write them.
    (Python's zipfile always flags a non-ASCII name, so ASCII stand-ins of the same length are swapped in.)"""
    stand_ins = [f"{i}".rjust(len(raw), "Q").encode() for i, raw in enumerate(names)]
    with zipfile.ZipFile(path, "w") as zf:
        for stand_in in stand_ins:
            zf.writestr(zipfile.ZipInfo(stand_in.decode()), b"{}")
    data = path.read_bytes()
    for stand_in, raw in zip(stand_ins, names):
        assert data.count(stand_in) == 2  # the local header and the central directory
        data = data.replace(stand_in, raw)
    path.write_bytes(data)
    assert not any(m.flag_bits & 0x800 for m in zipfile.ZipFile(path).infolist())
    return path


def taken(folder):
    """``{student: sorted file names}`` of a class folder as grading takes it in."""
    jobs, skipped = find_jobs(folder, {A})
    assert not skipped, skipped
    return {j.student: sorted(str(rel) for rel, _ in intake.read_tree(j.folder)[0]) for j in jobs}


def test_a_folder_from_a_mac_gives_composed_names(tmp_path):
    """Are a student folder and a helper file named in decomposed jamo taken in as the names a person typed?"""
    folder = tmp_path / "class" / nfd(STUDENT) / A
    folder.mkdir(parents=True)
    (folder / nfd(HELPER)).write_text("# 나의 계층\n", encoding="utf-8")
    (folder / "simple_layers.ipynb").write_text("{}")
    assert taken(tmp_path / "class") == {STUDENT: sorted([HELPER, "simple_layers.ipynb"])}
    assert all(unicodedata.is_normalized("NFC", s) for s in taken(tmp_path / "class"))
    dest = tmp_path / "copy"
    assert intake.copy_tree(folder, dest) == []
    assert sorted(p.name for p in dest.iterdir()) == sorted([HELPER, "simple_layers.ipynb"])


def test_the_same_name_in_two_unicode_forms_is_one_name(tmp_path):
    """Two student folders (or two files) that differ only in composed/decomposed form: the first is used, the
    second named in a note, never merged silently."""
    for form in (STUDENT, nfd(STUDENT)):
        (tmp_path / "class" / form / A).mkdir(parents=True)
    found, notes = intake.subfolders(tmp_path / "class")
    assert [name for name, _ in found] == [STUDENT]
    assert len(notes) == 1 and "another folder has the same name" in notes[0], notes
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / HELPER).write_text("a")
    (sub / nfd(HELPER)).write_text("b")
    files, notes = intake.read_tree(sub)
    assert [str(rel) for rel, _ in files] == [HELPER]
    assert len(notes) == 1 and "another file has the same name" in notes[0], notes


def test_zips_give_the_names_their_makers_meant(tmp_path):
    """A flagged UTF-8 zip, an unflagged UTF-8 one (decomposed, as a Mac writes it), Korean Windows's CP949 one:
    all give 김민수 and 나의_계층.py; a Western DOS name (CP437) stays as it was."""
    inner = [f"{STUDENT}/{A}/simple_layers.ipynb", f"{STUDENT}/{A}/{HELPER}"]
    expected = {STUDENT: sorted([HELPER, "simple_layers.ipynb"])}
    flagged = tmp_path / "flagged.zip"
    with zipfile.ZipFile(flagged, "w") as zf:
        for name in inner:
            zf.writestr(name, "{}")
    zips = {"flagged": flagged,
            "mac": legacy_zip(tmp_path / "mac.zip", [nfd(n).encode("utf-8") for n in inner]),
            "windows": legacy_zip(tmp_path / "windows.zip", [n.encode("cp949") for n in inner])}
    for label, path in zips.items():
        out = intake.unpack_zip(path, tmp_path / f"out-{label}")
        assert taken(out) == expected, label
    western = legacy_zip(tmp_path / "western.zip", [f"Renée Müller/{A}/simple_layers.ipynb".encode("cp437")])
    assert taken(intake.unpack_zip(western, tmp_path / "out-western")) == {"Renée Müller": ["simple_layers.ipynb"]}


def test_a_recovered_name_is_still_checked_for_safety(tmp_path):
    """A name read in another encoding goes through the same checks: ``..`` is refused whatever the bytes."""
    bad = legacy_zip(tmp_path / "bad.zip", ["../김민수/x.ipynb".encode("cp949")])
    try:
        intake.unpack_zip(bad, tmp_path / "out")
    except intake.Refused as exc:
        assert "unsafe path" in str(exc)
    else:
        raise AssertionError("a zip member outside the target was unpacked")
    assert not (tmp_path / STUDENT).exists()


def test_spreadsheet_csv_starts_with_a_bom_and_keeps_hangul(tmp_path):
    """Is a CSV for spreadsheets UTF-8 with a byte order mark (Excel then reads it as UTF-8, not as the legacy
    code page), with Hangul as UTF-8 bytes and a formula still neutralised?"""
    path = tmp_path / "성적.csv"
    with open_csv(path) as fh:
        csv.writer(fh).writerows([["student", "score"], [STUDENT, "6"], [csv_cell("=1+1"), "0"]])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and STUDENT.encode("utf-8") in data and b"\r\n" in data
    assert list(csv.DictReader(open(path, encoding="utf-8-sig"))) == [{"student": STUDENT, "score": "6"},
                                                                     {"student": "'=1+1", "score": "0"}]


def test_the_grade_table_lines_up_hangul_ids():
    """Does the table `course grade` prints keep its columns under Hangul ids (two terminal columns each)?"""
    class Grade:
        def __init__(self, student, score):
            self.student, self.assignment, self.score, self.max_score = student, A, score, 6
            self.status, self.notes = "graded", []

    lines = table([Grade(STUDENT, 6), Grade("alice", 5.5), Grade("이서연", 0)]).splitlines()
    starts = set()
    for line in lines[2:]:
        before = line.split(A)[0]
        starts.add(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before))
    assert len(starts) == 1, "\n".join(lines)


def test_text_from_the_kernel_keeps_hangul_and_is_always_writable():
    """The runner's output cleaning and the record reader pass Hangul through unchanged; a lone surrogate (JSON
    carries one, UTF-8 cannot) comes out as its escape, so the notebook and the results can still be written."""
    import nbformat

    from autograder import records
    from autograder.runner import clean_output

    out = clean_output({"output_type": "stream", "name": "stdout", "text": ["사과 2개의 가격: 220\n", "끝 \udcff\n"]})
    assert out["text"] == "사과 2개의 가격: 220\n끝 \\udcff\n"
    error = clean_output({"output_type": "error", "ename": "NameError", "evalue": "name '상류_미분' \udcff",
                          "traceback": ["상류_미분 \udcff"]})
    assert (error["evalue"], error["traceback"]) == ("name '상류_미분' \\udcff", ["상류_미분 \\udcff"])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('사과')", outputs=[out, error])])
    nbformat.writes(nb).encode("utf-8")
    decoded = records.decode(records.encode([({"dx": "배열이 아닙니다 \udcff", "y": [1.0]}, "오류: 사과 \udcff")]))
    (outputs, message), = decoded.values()
    assert message == "오류: 사과 \\udcff" and outputs["dx"] == "배열이 아닙니다 \\udcff"
    korean = "이름 '상류_미분'이 정의되지 않음"
    assert records.decode(records.encode([({}, korean)]))[0][1] == korean


def test_a_student_printing_a_lone_surrogate_is_graded_not_a_grader_error(tmp_path, sandbox):
    """Through the pipeline and the writing of results: a notebook that prints a lone surrogate and raises with
    one in its message gets its grade (half of add_layer lost, as for any exception), not "grader error"."""
    import nbformat
    from assignments.korean_style import korean_submission

    from autograder import notebook as nbtools
    from autograder.course_files import course_files
    from autograder.pipeline import grade_jobs
    from autograder.submissions import Job
    from course.outputs import write_outputs, write_result
    from course.sequence import ROOT, by_name

    a = by_name(A)
    nb = korean_submission(A)
    cell = next(c for c in nb.cells if nbtools.grade_id(c) == "add_layer_solution")
    cell.source = cell.source.replace("    dx = dout * 1\n", "    raise ValueError('깨진 글자 \\udcff 끝')\n")
    nb.cells.insert(1, nbformat.v4.new_code_cell("print('출력 \\udcff 끝')"))
    folder = tmp_path / "submitted" / STUDENT / A
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / a.notebook)
    grade, = grade_jobs([Job(STUDENT, A, folder)], {A: course_files(a, ROOT / "source", ROOT / "release")},
                        tmp_path / "work", sandbox=sandbox, progress=False)
    assert (grade.status, grade.score) == ("graded", 5.5), grade.reason
    course_dir = tmp_path / "course"
    write_result(course_dir, grade)
    assert write_outputs(course_dir, [grade], []) == []
    text = (course_dir / "reports" / "results" / STUDENT / f"{A}.json").read_text(encoding="utf-8")
    assert "깨진 글자 \\\\udcff 끝" in text  # the escape, as JSON writes a backslash
    printed = (course_dir / "autograded" / STUDENT / A / a.notebook).read_text(encoding="utf-8")
    assert "출력 \\\\udcff 끝" in printed
