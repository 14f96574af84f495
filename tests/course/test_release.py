"""Is release/ what `course release` makes from source/, and does it leak nothing?"""

import filecmp
import shutil
from pathlib import Path

import nbformat
import pytest

from course.release import (
    check_names,
    check_self_contained,
    check_structure,
    generate,
    global_bindings,
    nbgrader_api,
    sync_helpers,
)
from course.sequence import ROOT, SEQUENCE, assignments

RELEASED = assignments()


def test_every_assignment_of_the_sequence_is_there():
    """Does source/ hold a notebook for every assignment of the course, in order?"""
    assert [a.name for a in RELEASED] == [a.name for a in SEQUENCE]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """The release generated afresh from source/ in a scratch course folder."""
    root = tmp_path_factory.mktemp("course")
    api = nbgrader_api(root, root / "gradebook.db")
    for a in RELEASED:
        shutil.copytree(ROOT / "source" / a.name, root / "source" / a.name,
                        ignore=shutil.ignore_patterns("__pycache__"))
        generate(api, a)
        sync_helpers(a, ROOT, target=root / "release" / a.name)  # as `course release` does
    return root / "release"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_release_is_in_sync_with_source(regenerated, assignment):
    """Is the committed release/ exactly what nbgrader generates from source/ now?"""
    fresh, committed = regenerated / assignment.name, ROOT / "release" / assignment.name
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*")
                             if p.is_file() and "__pycache__" not in p.parts)
    assert fresh_files == committed_files, "run `course release` and commit release/"
    for rel in fresh_files:
        assert filecmp.cmp(fresh / rel, committed / rel, shallow=False), \
            f"release/{assignment.name}/{rel} differs from a fresh release: run `course release`"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_release_leaks_nothing(assignment):
    """Does the released folder lack solutions, hidden tests and grader code?"""
    assert check_structure(assignment) == []


def _tracked(folder):
    """The files of a helper folder that travel with a release (no caches)."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_helpers_in_source_are_links_to_their_one_copy(assignment):
    """Is each student-side helper in source/ a link to its one copy in the repository (so plain nbgrader copies
    it, and no second copy can drift), with every file of a helper folder linked?"""
    for src, dest in assignment.extra_files:
        src, dest = ROOT / src, ROOT / "source" / assignment.name / dest
        pairs = [(src / f, dest / f) for f in _tracked(src)] if src.is_dir() else [(src, dest)]
        assert pairs
        for original, link in pairs:
            assert link.is_symlink(), f"{link} should be a link to {original}, not a copy"
            assert link.resolve() == original.resolve(), f"{link} points to {link.resolve()}, not {original}"
        if src.is_dir():
            assert sorted(p.relative_to(dest) for p in dest.rglob("*")) == _tracked(src), \
                f"{dest} should hold a link for each file of {src}, and nothing else"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_released_helpers_are_files_equal_to_their_one_copy(assignment):
    """Does release/ hold the helpers as plain files (a student's folder has no links), equal to their copy?"""
    for src, dest in assignment.extra_files:
        src, dest = ROOT / src, ROOT / "release" / assignment.name / dest
        pairs = [(src / f, dest / f) for f in _tracked(src)] if src.is_dir() else [(src, dest)]
        for original, copy in pairs:
            assert copy.is_file() and not copy.is_symlink(), f"{copy}: run `course release`"
            assert filecmp.cmp(original, copy, shallow=False), f"{copy} differs from {original}: run `course release`"


def test_structure_check_catches_a_leaked_solution(tmp_path, monkeypatch):
    """Does the release check name the notebook and cell when a solution line leaks into release/?"""
    a = RELEASED[0]
    root = tmp_path
    for sub in ("source", "release"):
        shutil.copytree(ROOT / sub / a.name, root / sub / a.name)
    src = nbformat.read(root / "source" / a.name / a.notebook, as_version=4)
    rel_path = root / "release" / a.name / a.notebook
    rel = nbformat.read(rel_path, as_version=4)
    sol = next(c for c in src.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    gid = sol.metadata.nbgrader.grade_id
    target = next(c for c in rel.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    target.source = sol.source
    nbformat.write(rel, rel_path)
    problems = check_structure(a, root)
    assert any(f"release/{a.name}/{a.notebook}, cell" in p and "BEGIN SOLUTION" in p for p in problems), problems


def test_release_folders_are_self_contained():
    """Can every released notebook import its helpers from its own folder (no instructor packages)?"""
    for a in RELEASED:
        nb = nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "autograder" not in text and "course." not in text
        if "bp_checks" in text:
            assert (ROOT / "release" / a.name / "bp_checks.py").exists()
        if "mnist_utils" in text:
            assert (ROOT / "release" / a.name / "mnist_utils" / "__init__.py").exists()


def test_release_cli_fails_with_the_notebook_and_cell(tmp_path, monkeypatch, capsys):
    """Does `course release` exit non-zero and say which notebook and cell, when a check fails?"""
    import course.release as rel
    from course import cli

    monkeypatch.setattr(rel, "check_structure", lambda a, root=None: [f"release/{a.name}/x.ipynb, cell 3: leak"])
    monkeypatch.setattr(rel, "generate", lambda api, a: None)
    monkeypatch.setattr(rel, "sync_helpers", lambda *a, **k: None)
    assert cli.main(["release", "-a", RELEASED[0].name, "--allow-unsandboxed"]) == 1
    assert "cell 3: leak" in capsys.readouterr().err


def test_rerelease_changes_nothing(tmp_path):
    """Does generating twice give byte-identical notebooks (so `course release` leaves git clean)?"""
    a = RELEASED[0]
    outs = []
    for k in range(2):
        root = tmp_path / str(k)
        shutil.copytree(ROOT / "source" / a.name, root / "source" / a.name)
        generate(nbgrader_api(root, root / "gradebook.db"), a)
        outs.append((root / "release" / a.name / a.notebook).read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("code, expected", [
    ("sigmoid = Sigmoid()", {("sigmoid", "bind")}),
    ("x, (y, z) = 1, (2, 3)\nw += 1\nv: int = 4", {("x", "bind"), ("y", "bind"), ("z", "bind"), ("w", "bind"),
                                                   ("v", "bind")}),
    ("for layer in []:\n    pass\nwith open('f') as fh:\n    pass", {("layer", "bind"), ("fh", "bind")}),
    ("try:\n    pass\nexcept Exception as err:\n    pass", {("err", "bind")}),
    ("def relu(x):\n    return x\nclass Relu:\n    pass", {("relu", "bind"), ("Relu", "bind")}),
    ("del softmax", {("softmax", "bind")}),
    ("[(n := k) for k in range(3)]", {("n", "bind")}),
    ("def _f():\n    global relu\n    relu = 1\n_f()", {("relu", "bind"), ("_f", "bind")}),
    ("import numpy as np\nfrom bp_checks import assert_close", {("np", "import"), ("assert_close", "import")}),
    ("from numpy import *", {("*", "bind")}),
    ("match [1, 2]:\n    case [first, *rest]:\n        pass", {("first", "bind"), ("rest", "bind")}),
    ("Relu.forward = print", {("Relu", "change")}),
    ("def _f():\n    Sigmoid.out = 1\n    np.random.x = 2", {("_f", "bind"), ("Sigmoid", "change"),
                                                             ("np", "change")}),
    ("def _f(layer):\n    layer.out = 1\n    d = {}\n    d['k'] = 2", {("_f", "bind")}),
    ("exec('sigmoid = 1')\nglobals()['relu'] = 2", {("exec", "dynamic"), ("globals", "dynamic")}),
    ("def _check():\n    x = 1\n    relu = Relu()\n    print(x, relu)\n\n\n_check()", {("_check", "bind")}),
])
def test_global_bindings_sees_every_way_to_bind_a_name(code, expected):
    """Does the release check's analysis find each kind of notebook-level binding, and nothing local?"""
    assert set(global_bindings(code)) == expected


@pytest.fixture
def course_copy(tmp_path):
    """A scratch course: assignment 03's source and the helper it is released with."""
    a = next(a for a in RELEASED if a.name == "03_activation_layers")
    shutil.copytree(ROOT / "source" / a.name, tmp_path / "source" / a.name,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "autograder").mkdir()
    shutil.copy2(ROOT / "autograder" / "compare.py", tmp_path / "autograder" / "compare.py")
    return a, tmp_path


def _add_cell_after(path, grade_id, cell):
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
              == grade_id)
    nb.cells.insert(at + 1, cell)
    nbformat.write(nb, path)
    return at + 2  # the new cell's number, counted from 1


def test_release_refuses_a_check_cell_that_binds_a_public_name(course_copy, monkeypatch, capsys):
    """Does `course release` fail, naming the notebook and the cell, on a check cell `sigmoid = Sigmoid()`?"""
    import nbgrader_cells as authoring

    from course import cli

    a, root = course_copy
    path = root / "source" / a.name / a.notebook
    assert check_names(a, root) == []
    check = authoring.visible("sigmoid_shortcut", "")
    check.source = "sigmoid = Sigmoid()\nassert_close('Sigmoid().forward(0)', sigmoid.forward(np.zeros(2)), [0.5, 0.5])"
    number = _add_cell_after(path, "sigmoid_solution", check)
    monkeypatch.setattr(cli, "ROOT", root)
    assert cli.main(["release", "-a", a.name, "--allow-unsandboxed"]) == 1
    err = capsys.readouterr().err
    assert f"source/{a.name}/{a.notebook}, cell {number} (sigmoid_shortcut): binds the public name `sigmoid`" in err


@pytest.mark.parametrize("kind, text, words", [
    ("visible", "import math\nprint(math.pi)", "binds the public name `math`"),
    ("visible", "Sigmoid.backward = print", "assigns to an attribute or item of `Sigmoid`"),
    ("graded", "# Hidden tests: ...\n### BEGIN HIDDEN TESTS\nfrom autograder.hidden import check\n"
               "check('sigmoid_forward', globals(), points=0.5)\n### END HIDDEN TESTS",
     "binds the public name `check`"),
    ("code", "y = Sigmoid().forward(np.ones(3))", "binds the public name `y`"),
    ("visible", "eval('1')", "calls eval()"),
])
def test_names_check_covers_every_cell_that_is_not_an_answer(course_copy, kind, text, words):
    """Are visible checks, graded cells (hidden part included) and plain code cells all held to the rule?"""
    import nbgrader_cells as authoring

    a, root = course_copy
    cell = {"visible": lambda: authoring.visible("extra_check", text),
            "graded": lambda: nbformat.v4.new_code_cell(text, metadata={"nbgrader": {
                "grade": True, "grade_id": "extra_graded", "locked": True, "points": 0.5, "schema_version": 3,
                "solution": False}}),
            "code": lambda: authoring.code(text)}[kind]()
    if kind == "visible":  # authoring.visible keeps its code in a function: unwrap it to test the rule itself
        cell.source = text
    _add_cell_after(root / "source" / a.name / a.notebook, "sigmoid_solution", cell)
    problems = check_names(a, root)
    assert len(problems) == 1 and words in problems[0], problems


def test_private_names_and_setup_imports_are_allowed(course_copy):
    """Do a check in a function, `_`-names, imports in the setup cell and answer cells pass the names check?"""
    import nbgrader_cells as authoring

    a, root = course_copy
    path = root / "source" / a.name / a.notebook
    _add_cell_after(path, "sigmoid_solution", authoring.visible("extra_check", "layer = Sigmoid()\nx = 1"))
    _add_cell_after(path, "sigmoid_solution", authoring.code("_layer = Sigmoid()\n_y = _layer.forward(np.ones(2))"))
    _add_cell_after(path, "sigmoid_solution", authoring.solution("extra_answer", "sigmoid = 1\nimport math"))
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source += "\nimport math"  # the setup cell
    nbformat.write(nb, path)
    assert check_names(a, root) == []


if not Path(ROOT / "release").is_dir():  # pragma: no cover
    pytest.skip("no release/ folder", allow_module_level=True)


def test_a_released_folder_runs_alone_in_a_plain_kernel():
    """Does check 5 pass for a real released folder: its notebook, solutions typed in, runs with nothing else?"""
    a = next(a for a in RELEASED if a.name == "02_simple_layers")
    assert check_self_contained(a) == []


def test_the_plain_kernel_check_names_a_missing_helper(tmp_path):
    """Does check 5 fail, naming the notebook and the cell, when the released folder lacks bp_checks.py?"""
    a = next(a for a in RELEASED if a.name == "03_activation_layers")
    for sub in ("source", "release"):
        shutil.copytree(ROOT / sub / a.name, tmp_path / sub / a.name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "release" / a.name / "bp_checks.py").unlink()
    problems = check_self_contained(a, tmp_path)
    assert problems and all(p.startswith(f"release/{a.name}/{a.notebook}, cell ") for p in problems), problems
    nb = nbformat.read(tmp_path / "release" / a.name / a.notebook, as_version=4)
    setup = next(i for i, c in enumerate(nb.cells, 1) if c.cell_type == "code" and "bp_checks" in c.source)
    assert problems[0].startswith(f"release/{a.name}/{a.notebook}, cell {setup}: fails in a plain kernel"), problems


def test_the_plain_kernel_cannot_import_the_repository(tmp_path):
    """In check 5's kernel, do mnist_utils (installed from this repository), autograder and course fail to import
    when the released folder does not hold them, while a module of the folder imports?"""
    from course.sequence import Assignment

    a = Assignment("99_plain", "plain", "plain.ipynb")
    cells = ["import local_helper", "import mnist_utils", "import autograder.compare", "import course.sequence"]
    for sub in ("source", "release"):
        (tmp_path / sub / a.name).mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]),
                       tmp_path / sub / a.name / a.notebook)
    (tmp_path / "release" / a.name / "local_helper.py").write_text("X = 1\n")
    problems = check_self_contained(a, tmp_path)
    assert [p.split(": fails")[0] for p in problems] == [f"release/{a.name}/{a.notebook}, cell {i}" for i in (2, 3, 4)]
    assert all("ModuleNotFoundError" in p for p in problems), problems
