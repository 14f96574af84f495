"""Is release/ what `course release` makes from source/, and does it leak nothing?"""

import filecmp
import shutil
from pathlib import Path

import nbformat
import pytest

from course.release import check_structure, generate, nbgrader_api, sync_helpers
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
        sync_helpers(a)
        shutil.copytree(ROOT / "source" / a.name, root / "source" / a.name,
                        ignore=shutil.ignore_patterns("__pycache__"))
        generate(api, a)
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


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_helpers_in_source_match_their_originals(assignment):
    """Are the student-side helper files in source/ identical to the files they are copied from?"""
    for src, dest in assignment.extra_files:
        src, dest = ROOT / src, ROOT / "source" / assignment.name / dest
        if src.is_dir():
            for f in src.rglob("*.py"):
                assert filecmp.cmp(f, dest / f.relative_to(src), shallow=False), f"{dest}: run `course release`"
        else:
            assert filecmp.cmp(src, dest, shallow=False), f"{dest} differs from {src}: run `course release`"


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
    monkeypatch.setattr(rel, "sync_helpers", lambda a, root=None: None)
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


if not Path(ROOT / "release").is_dir():  # pragma: no cover
    pytest.skip("no release/ folder", allow_module_level=True)
