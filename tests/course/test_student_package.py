"""Does a notebook opened away from its folder (Colab) get its helpers from the course's package, and only then?

The package is the wheel of course/student_package.py, built from the repository's one copy of each helper. The
offline test installs nothing from the network: a fresh virtual environment sees numpy, matplotlib, tqdm and
the Jupyter kernel of this one (a path file, as a Colab runtime has them preinstalled), and the notebook's own
setup cell installs the wheel from a file named in ``BFS_HELPERS`` with ``PIP_NO_INDEX`` set.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

from course import student_package as sp
from course.sequence import ROOT, assignments

RELEASED = assignments()
RUN = r'''
import sys
import nbformat
from nbclient import NotebookClient

nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "import sys, importlib\n"
    "print('PYTHON', sys.executable)\n"
    "for _m in %r:\n"
    "    print('MODULE', _m, importlib.import_module(_m).__file__)" % (sys.argv[4].split(','),)))
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[3])
'''


def _setup_cell(nb):
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup")


def test_the_wheel_is_the_same_bytes_every_time_and_holds_every_helper(tmp_path):
    """Do the helpers give the same wheel twice, with a valid RECORD, and every helper of every release folder?"""
    first, second = sp.build_wheel(tmp_path / "a"), sp.build_wheel(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = set(zf.namelist())
        record = zf.read(f"{sp.NAME.replace('-', '_')}-{sp.VERSION}.dist-info/RECORD").decode()
    assert {"bp_checks.py", "graph_drawing.py", "toy_digits.py", "mnist_utils/__init__.py"} <= names
    assert {line.split(",")[0] for line in record.splitlines()} == names
    for a in RELEASED:
        for item in (ROOT / "release" / a.name).iterdir():
            if item.name not in (a.notebook, "matplotlibrc") and not item.name.startswith((".", "__")):
                assert item.name in names or f"{item.name}/__init__.py" in names, f"{a.name}: {item.name}"


def test_the_committed_wheel_is_up_to_date():
    """Is release/helpers/ the wheel the helpers build now (`course release` writes it)?"""
    committed = ROOT / "release" / sp.RELEASE_FOLDER / sp.WHEEL
    assert committed.is_file(), f"{committed} missing: run `course release`"
    assert committed.read_bytes() == sp.wheel_bytes(), f"{committed} is stale: run `course release`"
    assert [p.name for p in committed.parent.iterdir()] == [sp.WHEEL]


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.name)
def test_every_setup_cell_installs_the_package_only_when_helpers_are_missing(assignment):
    """Does each notebook's setup cell name the package's URL and look for exactly the helpers its folder has?"""
    source = _setup_cell(nbformat.read(ROOT / "source" / assignment.name / assignment.notebook, as_version=4))
    assert f'_HELPERS = "{sp.URL}"' in source.source, f"{assignment.name}: the setup cell's _HELPERS line differs"
    looked_for = re.search(r"for _name in \[([^\]]*)\]", source.source)
    assert looked_for, f"{assignment.name}: the setup cell does not look for its helpers"
    named = sorted(json.loads(f"[{looked_for.group(1)}]"))
    folder = ROOT / "release" / assignment.name
    present = sorted(p.name.removesuffix(".py") for p in folder.iterdir()
                     if p.name not in (assignment.notebook, "matplotlibrc")  # the font setting: no module
                     and not p.name.startswith((".", "__")))
    assert named == present, f"{assignment.name}: looks for {named}, its folder has {present}"
    assert set(named) <= set(sp.modules())


def _run(python, notebook, folder, out, env, modules):
    script = out.parent / "run_notebook.py"
    script.write_text(RUN)
    done = subprocess.run([str(python), str(script), str(notebook), str(folder), str(out), ",".join(modules)],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    return errors, text


def _env(tmp_path, venv, helpers):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "BFS_"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", BFS_HELPERS=str(helpers), PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1",
               HOME=str(tmp_path / "home"))
    return env


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A new virtual environment without the course or its helpers; numpy, matplotlib, tqdm and Jupyter come
    from this environment through a path file (what Colab has preinstalled)."""
    base = tmp_path_factory.mktemp("colab")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "colab_preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    found = subprocess.run([str(python), "-c", "import importlib.util as u; print([m for m in "
                            f"{sp.modules() + ['autograder', 'course']!r} if u.find_spec(m)])"],
                           capture_output=True, text=True, cwd=base).stdout.strip()
    assert found == "[]", f"the fresh environment already has {found}"
    (base / "home").mkdir()
    return base, venv, python, sp.build_wheel(base / "dist")


@pytest.mark.parametrize("name", ["01_computational_graphs", "06_training_mnist"])
def test_a_notebook_alone_installs_the_helpers_and_runs(fresh_venv, name, tmp_path):
    """Opened alone in an empty folder of a fresh environment (as on Colab), does the notebook install the helpers
    from the wheel in its setup cell and then run with every visible check passing? And run again, does the setup
    cell leave the installed helpers alone (here: a missing wheel would fail the install)?"""
    base, venv, python, wheel = fresh_venv
    a = next(x for x in RELEASED if x.name == name)
    alone = tmp_path / "alone"
    alone.mkdir()
    notebook = alone / a.notebook
    shutil.copy2(ROOT / "course" / "examples" / "submitted" / "perfect" / a.name / a.notebook, notebook)
    needed = [m for m in sp.modules() if m in _setup_cell(nbformat.read(notebook, as_version=4)).source]
    errors, text = _run(python, notebook, alone, tmp_path / "first.ipynb", _env(base, venv, wheel), needed)
    assert not errors, errors
    assert f"PYTHON {python}" in text
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    for module in needed:
        assert re.search(rf"MODULE {module} {re.escape(site)}/{module}", text), (module, text[-2000:])
    assert sorted(p.name for p in alone.iterdir()) == [a.notebook]  # nothing was put beside the notebook
    errors, _ = _run(python, notebook, alone, tmp_path / "again.ipynb",
                     _env(base, venv, base / "no-such-wheel.whl"), needed)
    assert not errors, errors


def test_next_to_its_helpers_the_setup_cell_does_nothing(tmp_path):
    """In its released folder, with no package installed and no wheel to be found, does the notebook run as
    before (the setup cell finds the helpers beside it and installs nothing)?"""
    a = next(x for x in RELEASED if x.name == "01_computational_graphs")
    folder = tmp_path / a.name
    shutil.copytree(ROOT / "release" / a.name, folder)
    shutil.copy2(ROOT / "course" / "examples" / "submitted" / "perfect" / a.name / a.notebook, folder / a.notebook)
    env = _env(tmp_path, Path(sys.executable).parent.parent, tmp_path / "no-such-wheel.whl")
    (tmp_path / "home").mkdir()
    errors, text = _run(Path(sys.executable), folder / a.notebook, folder, tmp_path / "out.ipynb", env,
                        ["bp_checks", "graph_drawing"])
    assert not errors, errors
    assert f"MODULE bp_checks {folder}/bp_checks.py" in text
