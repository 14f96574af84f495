"""Does every student's kernel get the same locale, text encoding and clock, whatever the grading machine's?

A TA grading on a machine set to Korean EUC-KR and Seoul time must produce the same feedback as one on a
UTF-8 machine in UTC: the kernel's environment fixes LANG/LC_ALL (C.UTF-8), UTF-8 mode and TZ (UTC)."""

import nbformat
import pytest

from autograder import pipeline
from autograder.course_files import course_files
from autograder.runtime import make_runtime
from course.sequence import ROOT, by_name

PRINT_ENV = '''import locale, os, sys, time
print("ENV", os.environ.get("LANG"), os.environ.get("LC_ALL"), sys.flags.utf8_mode, locale.getpreferredencoding(),
      time.strftime("%Z", time.gmtime(0)), time.localtime(0).tm_hour)
print("사과 100원")'''


@pytest.mark.parametrize("boxed", [True, False], ids=["sandbox", "no-sandbox"])
def test_the_kernel_speaks_utf8_in_utc_whatever_the_grader_machine(tmp_path, sandbox, monkeypatch, boxed):
    if boxed and sandbox is None:
        pytest.skip("needs the grading sandbox (bubblewrap)")
    for name, value in {"LANG": "ko_KR.EUC-KR", "LC_ALL": "ko_KR.EUC-KR", "LC_CTYPE": "ko_KR.EUC-KR",
                        "TZ": "Asia/Seoul"}.items():
        monkeypatch.setenv(name, value)
    a = by_name("02_simple_layers")
    files = course_files(a, ROOT / "source", ROOT / "release")
    nb = nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PRINT_ENV))
    folder = tmp_path / "submitted" / "student" / a.name
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / a.notebook)
    grade = pipeline.grade_notebook(files, "student", folder, tmp_path / "work", make_runtime(tmp_path / "runtime"),
                                    limits=pipeline.Limits(cell_timeout=60, notebook_timeout=240),
                                    sandbox=sandbox if boxed else None)
    printed = "".join(o.get("text", "") for c in grade.feedback.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert "ENV C.UTF-8 C.UTF-8 1 utf-8 " in printed and " 0\n" in printed.split("ENV", 1)[1], printed[-500:]
    assert "사과 100원" in printed
