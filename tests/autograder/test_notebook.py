"""Is the grading notebook rebuilt from the instructor's structure, whatever the student did to theirs?"""

import json

import nbformat
import pytest

from autograder import notebook as nbtools
from course.sequence import ROOT

A = "02_simple_layers"


@pytest.fixture()
def template():
    src = nbformat.read(ROOT / "source" / A / "simple_layers.ipynb", as_version=4)
    rel = nbformat.read(ROOT / "release" / A / "simple_layers.ipynb", as_version=4)
    return nbtools.grading_template(src, rel)


@pytest.fixture()
def student():
    return nbformat.read(ROOT / "release" / A / "simple_layers.ipynb", as_version=4)


def _sources(nb):
    return [c.source for c in nb.cells]


def test_template_has_stubs_and_hidden_tests(template):
    """Does the template keep hidden tests but contain no solution?"""
    text = "\n".join(_sources(template))
    assert "BEGIN HIDDEN TESTS" in text and "BEGIN SOLUTION" not in text and "NotImplementedError" in text


def test_answers_are_taken_and_tests_restored(template, student):
    """Is a student's answer used while their edit of a graded cell is undone and noted?"""
    for cell in student.cells:
        if nbtools.grade_id(cell) == "mul_layer":
            cell.source = "class MulLayer: pass  # mine"
        if nbtools.grade_id(cell) == "mul_layer_backward":
            cell.source = "pass"
    merged, notes = nbtools.merge(template, student)
    texts = _sources(merged)
    assert "class MulLayer: pass  # mine" in texts
    graded = next(c for c in merged.cells if nbtools.grade_id(c) == "mul_layer_backward")
    assert "check('mul_layer_backward'" in graded.source
    assert any("mul_layer_backward" in n and "changed" in n for n in notes)


def test_deleted_and_duplicated_cells(template, student):
    """Are deleted graded cells restored and duplicated answers graded once, both noted?"""
    mul = next(c for c in student.cells if nbtools.grade_id(c) == "mul_layer")
    dup = nbformat.from_dict(json.loads(json.dumps(mul)))
    dup.source = "class MulLayer: pass  # second"
    student.cells = [c for c in student.cells if nbtools.grade_id(c) != "mul_layer_forward"] + [dup]
    merged, notes = nbtools.merge(template, student)
    assert sum(nbtools.grade_id(c) == "mul_layer_forward" for c in merged.cells) == 1
    assert "class MulLayer: pass  # second" not in _sources(merged)
    assert any("deleted" in n for n in notes) and any("more than once" in n for n in notes)


def test_extra_cells_follow_their_anchor(template, student):
    """Does a code cell the student added after an answer run right after that answer?"""
    i = next(i for i, c in enumerate(student.cells) if nbtools.grade_id(c) == "mul_layer")
    student.cells.insert(i + 1, nbformat.v4.new_code_cell("helper = 1"))
    merged, _ = nbtools.merge(template, student)
    j = next(i for i, c in enumerate(merged.cells) if nbtools.grade_id(c) == "mul_layer")
    assert merged.cells[j + 1].source == "helper = 1"


def test_missing_answer_stays_a_stub(template, student):
    """Is a deleted answer cell graded as the stub (never as the solution)?"""
    student.cells = [c for c in student.cells if nbtools.grade_id(c) != "mul_layer"]
    merged, notes = nbtools.merge(template, student)
    cell = next(c for c in merged.cells if nbtools.grade_id(c) == "mul_layer")
    assert "NotImplementedError" in cell.source and any("missing" in n for n in notes)


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid notebook JSON"), ('{"cells": 3}', "not a Jupyter notebook"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_broken_files_are_reported(tmp_path, content, words):
    """Does a broken .ipynb raise BrokenNotebook with a reason a person understands?"""
    path = tmp_path / "x.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(nbtools.BrokenNotebook, match=words):
        nbtools.read(path)


def test_plain_cells_run_once_as_the_student_left_them():
    """A plain code cell of the assignment (a demo, settings) is not run a second time as an extra cell."""
    import copy

    import nbformat

    from autograder import notebook as nbtools
    from course.sequence import ROOT

    a = "06_training_mnist/training_mnist.ipynb"
    source = nbformat.read(ROOT / "source" / a, as_version=4)
    release = nbformat.read(ROOT / "release" / a, as_version=4)
    template = nbtools.grading_template(source, release)
    student = copy.deepcopy(release)
    plain = [c for c in student.cells if c.cell_type == "code" and not nbtools.grade_id(c)]
    assert plain
    plain[0].source += "\n# changed by the student"
    merged, notes = nbtools.merge(template, student)
    assert len(merged.cells) == len(template.cells) and not notes
    assert sum(c.source == plain[0].source for c in merged.cells) == 1
    assert sum(c.source == plain[1].source for c in merged.cells) == 1
