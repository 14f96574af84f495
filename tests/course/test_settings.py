"""Are the grading limits read from nbgrader_config.py, the nbgrader way, and overridden by `course grade` flags?"""

import nbformat
import pytest
from traitlets import TraitError

from course.cli import build_parser
from course.nbgrader_access import course_config
from course.sequence import ROOT, by_name
from course.settings import SETTINGS, GradingSettings, load


def _config(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n" + text)
    return folder


def test_the_course_config_sets_every_setting_and_plain_nbgrader_uses_its_cell_limit():
    """Does course/nbgrader_config.py give each setting its value, and Execute.timeout the same cell limit?"""
    config = course_config()
    assert set(config.GradingSettings) == set(SETTINGS)
    settings = load()
    assert config.Execute.timeout == settings.cell_timeout
    assert settings.limits().cell_timeout == settings.cell_timeout


def test_a_course_folder_config_changes_settings_and_flags_override_it(tmp_path):
    """Does a course folder's nbgrader_config.py override the course's values, and a given flag override both,
    while a flag left out (None) keeps the configured value?"""
    course_dir = _config(tmp_path / "course", "c.GradingSettings.cell_timeout = 5\nc.GradingSettings.memory_mb = 1024\n"
                                              "c.GradingSettings.sandbox = 'none'\n")
    settings = load(course_dir)
    assert (settings.cell_timeout, settings.memory_mb, settings.sandbox) == (5, 1024, "none")
    assert settings.notebook_timeout == load().notebook_timeout  # not set there: the course's value
    settings = load(course_dir, {"cell_timeout": None, "memory_mb": 512, "workers": None})
    assert (settings.cell_timeout, settings.memory_mb, settings.workers) == (5, 512, load().workers)
    with pytest.raises(TraitError):
        load(course_dir, {"cell_timeout": 0})
    with pytest.raises(TraitError):
        load(course_dir, {"sandbox": "docker"})


def test_grade_flags_default_to_none_so_the_config_decides():
    """Does every setting flag of `course grade` default to None (not a number of its own)?"""
    args = build_parser().parse_args(["grade", "somewhere"])
    assert {name: getattr(args, name) for name in SETTINGS} == dict.fromkeys(SETTINGS)
    args = build_parser().parse_args(["grade", "somewhere", "--cell-timeout", "7", "--sandbox", "none", "-j", "3"])
    assert (args.cell_timeout, args.sandbox, args.workers) == (7, "none", 3)


def test_every_setting_is_documented():
    """Has every setting a help text (what `course grade --help` and README's table say)?"""
    for name in SETTINGS:
        assert len(GradingSettings.class_traits()[name].help) > 20, name


def test_a_5_second_cell_limit_in_the_course_config_stops_an_infinite_loop_at_5_seconds(tmp_path, sandbox):
    """Graded with a course folder whose nbgrader_config.py sets a 5 s cell limit, is a `while True: pass` cell
    interrupted at 5 s (the note says so), and the rest of the notebook graded?"""
    from course.grading import grade_class

    a = by_name("02_simple_layers")
    course_dir = _config(tmp_path / "course", "c.GradingSettings.cell_timeout = 5\n")
    nb = nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell("while True:\n    pass"))
    folder = tmp_path / "submitted" / "looper" / a.name
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / a.notebook)
    [grade] = grade_class(tmp_path / "submitted", course_dir, names=[a.name], sandbox=sandbox, progress=False,
                          log=lambda *args: None)
    stopped = [n for n in grade.notes if "while True:" in n]
    assert stopped == [f"cell {at + 1} (`while True:`) ran longer than 5 s and was interrupted."], grade.notes
    assert grade.status == "graded" and grade.cells and grade.score == 0  # the blank answers: nothing earned
