"""The release check: is ``release/`` what students may get, and does the course grade it right?

Per assignment, each failure naming the notebook and the cell:

1. every graded cell has hidden checks registered, and its ``points=`` matches the cell metadata;
2. the released notebook has no solution, no hidden test, no grader import, and its folder holds
   no grader or reference file; no cell but an answer cell binds a public notebook-level name (see
   :func:`check_names`: a check cell's ``sigmoid = Sigmoid()`` would replace a student's helper ``sigmoid``);
3. the source notebook, graded as if a student had submitted it, gets full marks, and its visible
   checks pass;
4. the released notebook, submitted unfilled, gets 0 on every graded cell, and nothing fails before
   the first answer cell;
5. the released folder is self-contained: the released notebook with the solutions typed in runs in a
   plain kernel, in a copy of that folder alone, where nothing of the repository can be imported
   (:func:`check_self_contained`), and every visible check passes.
"""

import ast
import os
import re
import shutil
import subprocess
import symtable
from pathlib import Path

import nbformat

from autograder import notebook as nbtools
from autograder.checks import scenarios_for
from autograder.course_files import course_files
from autograder.pipeline import grade_jobs, scratch_dir
from autograder.submissions import Job

from .sequence import ROOT

# Public names that a cell other than an answer cell binds on purpose, for the student to use: the data,
# the hyperparameters and the results of the training runs of 06, which its prose tells students to use
# and change. Every other name a non-answer cell binds must be private (see check_names).
GIVEN_NAMES = {
    "06_training_mnist": frozenset({
        "x_train", "t_train", "x_test", "t_test",  # the toy data set, as load_mnist returns it
        "x_val", "t_val",  # the validation set split off the toy training set
        "iters_num", "batch_size", "learning_rate", "hidden_size",  # the hyperparameters cell
        "plot_history", "network", "history",  # the toy run and its plot
        "RUN_FULL_TRAINING", "DATASET", "full_iters_num", "full_batch_size", "full_learning_rate",
        "full_hidden_size", "load_mnist", "x_train_full", "t_train_full", "x_test_full", "t_test_full",
        "x_val_full", "t_val_full",
        "history_full",  # the full MNIST run
    }),
}

# calls that read or write notebook-level names in ways the analysis below cannot follow
DYNAMIC = {"exec", "eval", "globals", "vars", "locals", "setattr", "delattr", "get_ipython"}


def global_bindings(source):
    """What running ``source`` as a notebook cell does to the notebook's global names.

    Returns ``[(name, how)]``, how being "import" (bound only by import statements), "bind" (assignment
    of any kind, for/with/except/match target, ``:=``, def, class, del, or a ``global`` statement in a
    function), "change" (an attribute or item of a global object is assigned or deleted) or "dynamic"
    (a call such as ``exec`` or ``globals()`` that can bind names unseen). Raises SyntaxError.
    """
    tree = ast.parse(source)
    table = symtable.symtable(source, "<cell>", "exec")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            found.append(("*", "bind"))
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_namespace():
            found.append((sym.get_name(), "bind"))
        elif sym.is_imported():
            found.append((sym.get_name(), "import"))

    scopes = {}

    def declared_global(t):
        for child in t.get_children():
            scopes[(child.get_name(), child.get_lineno())] = child
            for sym in child.get_symbols():
                if sym.is_declared_global() and (sym.is_assigned() or sym.is_imported()):
                    found.append((sym.get_name(), "bind"))
            declared_global(child)

    declared_global(table)

    def visit(node, scope):
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = scopes.get((child.name, child.lineno))  # None: unknown, so judged as global
            if isinstance(child, (ast.Attribute, ast.Subscript)) and isinstance(child.ctx, (ast.Store, ast.Del)):
                root = child.value
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if isinstance(root, ast.Name):
                    sym = scope.lookup(root.id) if scope is not None and scope is not table else None
                    if sym is None or not sym.is_local() or sym.is_declared_global():
                        found.append((root.id, "change"))
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and child.id in DYNAMIC:
                found.append((child.id, "dynamic"))
            visit(child, inner)

    visit(tree, table)
    bound = {name for name, how in found if how == "bind"}
    return list(dict.fromkeys((name, how) for name, how in found if how != "change" or name not in bound))


def _cell_kind(cell):
    if nbtools.is_graded(cell):
        return "visible check" if nbtools.points(cell) == 0 else "graded cell"
    return "read-only cell" if nbtools.meta(cell).get("locked") else "code cell"


def check_names(assignment, root=ROOT):
    """No cell that the student did not write may bind a public name at the notebook level.

    Hidden checks run in the namespace the notebook's cells leave behind, and so do the student's own
    cells: a check cell's ``sigmoid = Sigmoid()`` replaces a student's helper function ``sigmoid``, and
    their ``Sigmoid.forward`` then fails. So every code cell but the answer cells (setup, read-only,
    plain code, visible checks, graded cells with their hidden part) may bind only private names
    (``_name``) or keep its names inside a function; exceptions: imports in the setup cells (the
    read-only cells before the first answer cell), and ``GIVEN_NAMES``, which answer cells must not bind.
    Returns a list of problems, each naming the notebook and the cell.
    """
    problems = []
    where = f"source/{assignment.name}/{assignment.notebook}"
    nb = nbformat.read(Path(root) / "source" / assignment.name / assignment.notebook, as_version=4)
    given = GIVEN_NAMES.get(assignment.name, frozenset())
    first_answer = next((i for i, c in enumerate(nb.cells) if nbtools.is_solution(c)), len(nb.cells))
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = nbtools.grade_id(cell) or _cell_kind(cell)
        try:
            bindings = global_bindings(cell.source)
            if nbtools.BEGIN_HIDDEN in cell.source:  # the grader's own call may pass globals() to the grader
                shown = nbtools.strip_region(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN)
                bindings = [b for b in bindings if b[1] != "dynamic"] + [
                    b for b in global_bindings(shown) if b[1] == "dynamic"]
        except SyntaxError as exc:
            if not nbtools.is_solution(cell):
                problems.append(f"{where}, cell {i + 1} ({label}): is not plain Python (line {exc.lineno}: "
                                f"{exc.msg}), so the names it binds cannot be checked")
            continue
        if nbtools.is_solution(cell):
            clash = sorted(name for name, how in bindings if name in given and how in ("bind", "import"))
            if clash:
                problems.append(f"{where}, cell {i + 1} ({label}): the answer cell binds {', '.join(clash)}, "
                                "which GIVEN_NAMES lists as given to the student by another cell")
            continue
        setup = i < first_answer and nbtools.meta(cell).get("locked") and not nbtools.is_graded(cell)
        for name, how in bindings:
            if name.startswith("_") and name != "*" or (how in ("bind", "import") and name in given):
                continue
            if how == "import" and setup:
                continue
            if how == "dynamic":
                problems.append(f"{where}, cell {i + 1} ({label}): calls {name}(), which can change the "
                                "notebook's names in ways the release check cannot follow")
            elif how == "change":
                problems.append(f"{where}, cell {i + 1} ({label}): assigns to an attribute or item of `{name}`, "
                                "an object the student's code may use; work on an object of the cell's own")
            elif name == "*":
                problems.append(f"{where}, cell {i + 1} ({label}): `import *` binds names no one chose")
            else:
                problems.append(f"{where}, cell {i + 1} ({label}): binds the public name `{name}` at the notebook "
                                "level, where it replaces any `" + name + "` of the student's (a helper of "
                                "theirs, say); use a private name (`_" + name + "`) or keep it inside a function")
    return problems



def check_structure(assignment, root=ROOT):
    """Checks 1 and 2 of ``assignment`` under ``root`` (source/ and release/); returns a list of problems."""
    problems = check_names(assignment, root)
    where = f"source/{assignment.name}/{assignment.notebook}"
    source = nbformat.read(root / "source" / assignment.name / assignment.notebook, as_version=4)
    release_dir = root / "release" / assignment.name
    release = nbformat.read(release_dir / assignment.notebook, as_version=4)
    for i, cell in enumerate(source.cells):
        if not nbtools.is_graded(cell) or (nbtools.points(cell) == 0 and nbtools.BEGIN_HIDDEN not in cell.source):
            continue  # a visible check: graded with 0 points, so that Validate reports it
        gid, points = nbtools.grade_id(cell), nbtools.meta(cell).get("points")
        try:
            scenarios_for(gid)
        except KeyError:
            problems.append(f"{where}, cell {i + 1} ({gid}): no hidden checks are registered for it")
        m = re.search(r"points=([0-9.]+)", cell.source)
        if m and float(m.group(1)) != float(points):
            problems.append(f"{where}, cell {i + 1} ({gid}): check(..., points={m.group(1)}) but the cell "
                            f"metadata gives {points} points")
    secret_lines = set()
    for cell in source.cells:
        for begin, end in [(nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION), (nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN)]:
            inside = False
            for line in cell.source.splitlines():
                if line.strip() == begin:
                    inside = True
                elif line.strip() == end:
                    inside = False
                elif inside and len(line.strip()) > 12 and not line.strip().startswith("#"):
                    secret_lines.add(line.strip())
    visible_lines = {line.strip() for c in source.cells if not nbtools.is_solution(c)
                     for line in nbtools.strip_region(c.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN).splitlines()}
    secret_lines -= visible_lines
    rwhere = f"release/{assignment.name}/{assignment.notebook}"
    for i, cell in enumerate(release.cells):
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "autograder"):
            if marker in cell.source:
                problems.append(f"{rwhere}, cell {i + 1}: contains {marker!r}")
        for line in cell.source.splitlines():
            if line.strip() in secret_lines:
                problems.append(f"{rwhere}, cell {i + 1}: contains a solution or hidden-test line: {line.strip()!r}")
        if cell.get("outputs"):
            problems.append(f"{rwhere}, cell {i + 1}: has outputs (they could reveal answers)")
    for path in release_dir.rglob("*"):
        if path.is_file() and path.name != assignment.notebook:
            grader_file = path.name in ("judge.py", "scenario.py", "gradebook.db") or "reference" in path.parts
            rel = path.relative_to(release_dir).parts
            # the course's plot settings and an edition's compiled catalog of the visible checks (sync_helpers)
            course_file = rel == ("matplotlibrc",) or (len(rel) == 4 and rel[0] == "bp_checks_locale"
                                                       and rel[2:] == ("LC_MESSAGES", "bp_checks.mo"))
            if grader_file or (path.suffix not in (".py", ".md", ".txt") and not course_file):
                problems.append(f"release/{assignment.name}/{path.relative_to(release_dir)}: should not be released")
            elif "autograder" in path.read_text(errors="replace") and path.name != "bp_checks.py":
                problems.append(f"release/{assignment.name}/{path.relative_to(release_dir)}: mentions the grader")
    return problems


def perfect_submission(source_nb):
    """The source notebook as a student who typed the solutions would submit it."""
    nb = nbformat.from_dict(dict(source_nb))
    for cell in nb.cells:
        if nbtools.is_solution(cell):
            cell.source = nbtools.strip_markers(cell.source)
        elif nbtools.is_graded(cell):
            cell.source = nbtools.strip_region(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN)
    return nb


def check_by_grading(assignment, root=ROOT, workers=None, sandbox=None, limits=None):
    """Checks 3 and 4: grade the solutions (full marks) and the blank release (zero) with the real pipeline.

    ``workers``, ``sandbox``, ``limits``: as for :func:`autograder.pipeline.grade_jobs`. Returns a list of
    problems, each naming the notebook and the cell."""
    problems = []
    files = course_files(assignment, root / "source", root / "release")
    work = scratch_dir("bfs-release-check-")
    try:
        subs = work / "submitted"
        for student, nb in [("solutions", perfect_submission(
                nbformat.read(root / "source" / assignment.name / assignment.notebook, as_version=4))),
                ("blank", nbformat.read(root / "release" / assignment.name / assignment.notebook, as_version=4))]:
            (subs / student / assignment.name).mkdir(parents=True)
            nbformat.write(nb, subs / student / assignment.name / assignment.notebook)
        jobs = [Job(s, assignment.name, subs / s / assignment.name) for s in ("solutions", "blank")]
        perfect, blank = grade_jobs(jobs, {assignment.name: files}, work / "grading", workers=workers,
                                    sandbox=sandbox, limits=limits, progress=False)
        where = f"source/{assignment.name}/{assignment.notebook}"
        for cell in perfect.cells:
            if cell.score < cell.points:
                problems.append(f"{where}, graded cell {cell.grade_id}: the solution scores {cell.score:g}/"
                                f"{cell.points:g}:\n{cell.report()}")
        for note in perfect.notes:
            problems.append(f"{where}: grading the solution noted: {note}")
        for i, cell in enumerate(perfect.feedback.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" or (out.get("output_type") == "stream"
                                                         and out.get("name") == "stderr"):
                    text = out.get("evalue") or out.get("text", "")
                    problems.append(f"{where}, cell {i + 1}: fails with the solution: {text.strip()[:300]}")
        rwhere = f"release/{assignment.name}/{assignment.notebook}"
        for cell in blank.cells:
            if cell.score > 0:
                problems.append(f"{rwhere}, graded cell {cell.grade_id}: the unfilled notebook scores "
                                f"{cell.score:g} (a test that cannot fail?)")
        first_solution = next(i for i, c in enumerate(blank.feedback.cells) if nbtools.is_solution(c))
        for i, cell in enumerate(blank.feedback.cells[:first_solution]):
            if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                problems.append(f"{rwhere}, cell {i + 1}: fails before the first answer cell")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return problems



# run first in the kernel of check 5: what remains importable is the released folder, the standard library and
# the installed third-party packages; never the repository (its editable-install finder and its paths go, and
# the grader's and the course's packages refuse to load wherever they are installed)
PLAIN_KERNEL = """
import importlib.util as _util, sys as _sys
_repo, _keep = {repo!r}, (_sys.prefix, _sys.base_prefix)
_sys.meta_path[:] = [_f for _f in _sys.meta_path if not str(getattr(_f, "__module__", "")).startswith("__editable__")]
_sys.path[:] = [_p for _p in _sys.path if not (_p.startswith("__editable__") or (
    (_p == _repo or _p.startswith(_repo + "/")) and not _p.startswith(_keep)))]
_sys.path_importer_cache.clear()
class _NotReleased:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("autograder", "course"):
            raise ModuleNotFoundError(f"No module named {{name!r}} (not part of the released folder)")
_sys.meta_path.insert(0, _NotReleased())
for _name in {helpers!r}:
    _spec = _util.find_spec(_name)
    assert _spec is None or str(_spec.origin).startswith({folder!r}), f"{{_name}} would come from {{_spec.origin}}"
del _util, _sys, _NotReleased, _repo, _keep, _name, _spec
"""
# modules of the repository that a released notebook imports; each must come from the released folder, or not at all
HELPER_MODULES = ("mnist_utils", "bp_checks", "graph_drawing", "toy_digits")


def check_self_contained(assignment, root=ROOT, cell_timeout=None):
    """Check 5: run the released notebook, with the source's solutions typed in, in a copy of
    ``root/release/<assignment>/`` alone and a kernel that can import nothing of the repository.

    ``cell_timeout``: seconds per cell (default: ``autograder.pipeline.Limits``'). Returns a list of problems
    (a cell that fails, a visible check that prints nothing), each naming the released notebook and cell."""
    from nbclient import NotebookClient

    from autograder.pipeline import Limits
    from autograder.runner import SINGLE_THREAD_ENV

    root = Path(root)
    rwhere = f"release/{assignment.name}/{assignment.notebook}"
    work = scratch_dir("bfs-release-plain-")
    try:
        folder = work / assignment.name
        shutil.copytree(root / "release" / assignment.name, folder, ignore=shutil.ignore_patterns("__pycache__"))
        nb = perfect_submission(nbformat.read(root / "source" / assignment.name / assignment.notebook, as_version=4))
        preamble = PLAIN_KERNEL.format(repo=str(ROOT.resolve()), folder=str(folder.resolve()),
                                       helpers=HELPER_MODULES)
        nb.cells.insert(0, nbformat.v4.new_code_cell(preamble))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_", "PYTHONPATH"))}
        env.update({k: v for k, v in SINGLE_THREAD_ENV.items() if k != "PYTHONSAFEPATH"}, HOME=str(work))
        # no network: a notebook that would fetch a missing helper (its setup cell may) fails at once instead
        env.update({name: "http://127.0.0.1:9" for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")},
                   PIP_NO_INDEX="1", PIP_RETRIES="0", PIP_TIMEOUT="2", no_proxy="", NO_PROXY="")
        client = NotebookClient(nb, timeout=cell_timeout or Limits().cell_timeout, kernel_name="python3",
                                allow_errors=True, record_timing=False, resources={"metadata": {"path": str(folder)}})
        client.execute(env=env, stderr=subprocess.DEVNULL)  # the kernel's log lines are not the release's
    finally:
        shutil.rmtree(work, ignore_errors=True)
    errors = {i: o for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"}
    if 0 in errors:
        return [f"{rwhere}: the plain kernel for check 5 could not be set up: {errors[0].get('evalue')}"]
    problems = [f"{rwhere}, cell {i}: fails in a plain kernel in a copy of the released folder alone "
                f"(is a helper missing from release/{assignment.name}/?): {o.get('ename')}: {o.get('evalue')}"
                for i, o in sorted(errors.items())]
    for i, cell in enumerate(nb.cells[1:], 1):
        if nbtools.is_graded(cell) and nbtools.points(cell) == 0 and i not in errors and not any(
                o.get("name") == "stdout" for o in cell.get("outputs", [])):
            problems.append(f"{rwhere}, cell {i} ({nbtools.grade_id(cell)}): the visible check printed nothing "
                            "in a plain kernel")
    return problems
