"""Does the kernel-side runtime (what student code can read inside the sandbox) give no answer away?

What the runtime may hold is stated in ``autograder/scenario.py``. These tests build it with
``autograder.runtime.make_runtime`` and look for every judge-side text (the message of every known mistake and
hint, every sentence of the rules and the judge) and for the reference's code; then a notebook graded in
the real sandbox prints every file under ``/grader`` into its own output, and the same search runs on that.
"""

import ast
import base64
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import nbformat
import pytest

from autograder import pipeline, rules
from autograder.checks import SCENARIOS
from autograder.course_files import course_files
from autograder.judge import reference_namespace
from autograder.rules.core import GENERIC_HINTS
from autograder.runtime import make_runtime
from autograder.scenario import execute

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "autograder"
KERNEL_FILES = {"__init__.py", "compare.py", "scenario.py", "hidden.py", "records.py", "executor.py", "frames.py",
                "kernel_client.py",
                *(f"checks/{p.name}" for p in (PACKAGE / "checks").glob("*.py")),
                # the visible checks' compiled catalogs (autograder.i18n.write_kernel_catalog): translations only
                *(f"bp_checks_locale/{p.parent.parent.name}/LC_MESSAGES/bp_checks.mo"
                  for p in (PACKAGE / "locale").glob("*/LC_MESSAGES/bp_checks.po"))}


def _output_keys():
    """Every output key the probes write (run on the reference): names, not secrets, so they may appear."""
    keys = set()
    for grade_id, scenarios in SCENARIOS.items():
        rule = rules.rule_for(grade_id)
        for sc in scenarios:
            outputs, error = execute(sc, reference_namespace())
            assert error is None, sc.title
            keys.update(outputs)
            keys.update(rule.derive(outputs, sc.make_inputs()) if rule.derive else ())
            keys.add(sc.title)
    return keys


def judge_texts():
    """Every message of a known mistake or hint, and every sentence written in the rules and the judge."""
    texts = set(h.message for h in GENERIC_HINTS)
    for module in rules.ASSIGNMENTS:
        for rule in module.RULES.values():
            texts.update(m.message for m in rule.mistakes)
            texts.update(h.message for h in rule.hints if isinstance(h.message, str))
    for path in [*(PACKAGE / "rules").glob("*.py"), PACKAGE / "judge.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 30 \
                    and " " in node.value:
                texts.add(node.value)
    return texts - _output_keys()


def code_lines(text):
    """The statements of a module, one stripped line each: no docstrings, comments, imports or signatures."""
    docs = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docs.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#")[0].strip()
        if code and number not in docs and not code.startswith(("def ", "class ", "import ", "from ", "@")):
            lines.append(code)
    return lines


def reference_leaks(name, text):
    """Reference code found in one runtime file: two consecutive statements, or one long statement."""
    if not name.endswith(".py"):
        return []
    try:
        lines = code_lines(text)
    except SyntaxError:
        return []
    found = []
    for path in (PACKAGE / "reference").glob("*.py"):
        ref = code_lines(path.read_text())
        pairs = set(zip(ref, ref[1:]))
        found += [f"{name}: {a} / {b} (reference/{path.name})" for a, b in zip(lines, lines[1:]) if (a, b) in pairs]
        found += [f"{name}: {line} (reference/{path.name})" for line in lines if len(line) >= 40 and line in ref]
    return found


def leaks(files, secrets):
    """``files``: {name: text}. Every judge-side text or reference code found in them."""
    found = []
    for name, text in files.items():
        found += [f"{name}: {secret[:60]!r}" for secret in secrets if secret in text]
        if name.rsplit("/", 1)[-1] != "compare.py":  # bp_checks.py: every student has it (checked below)
            found += reference_leaks(name, text)
    return found


@pytest.fixture(scope="module")
def secrets():
    found = judge_texts()
    assert len(found) > 150, "the search would find nothing: the judge-side texts were not collected"
    return found


def test_the_runtime_holds_the_kernel_side_only(tmp_path):
    """Does make_runtime copy exactly the kernel-side files: no judge, rules, reference or pipeline?"""
    runtime = make_runtime(tmp_path) / "autograder"
    files = {p.relative_to(runtime).as_posix() for p in runtime.rglob("*") if p.is_file()}
    assert files == KERNEL_FILES


def test_the_runtime_gives_nothing_away(tmp_path, secrets):
    """Does no runtime file contain a mistake message, a hint, a sentence of the judge, or reference code,
    and is compare.py (the one file with a numerical gradient) the very bp_checks.py students receive?"""
    runtime = make_runtime(tmp_path) / "autograder"
    files = {p.relative_to(runtime).as_posix(): p.read_text() for p in runtime.rglob("*.py")}
    assert not leaks(files, secrets)
    released = sorted((ROOT / "release").glob("*/bp_checks.py"))
    assert released and all(p.read_bytes() == (runtime / "compare.py").read_bytes() for p in released)


def test_the_search_finds_what_it_looks_for(tmp_path, secrets):
    """Would the search notice a mistake message or the reference in the runtime (is the test able to fail)?"""
    message = next(iter(rules.RULES["mul_layer_backward"].mistakes)).message
    reference = (PACKAGE / "reference" / "affine_softmax.py").read_text()
    assert leaks({"checks/planted.py": f"NOTE = {message!r}\n"}, secrets)
    assert leaks({"checks/planted.py": reference}, set())


def test_the_kernel_cannot_import_the_judge(tmp_path):
    """With only the runtime on its path, can the kernel record results but not import judge, rules or reference?"""
    runtime = make_runtime(tmp_path / "rt")
    records = tmp_path / "records"
    records.mkdir()
    script = (
        "import importlib, json\n"
        "from autograder.hidden import check\n"
        "class MulLayer:\n"
        "    def forward(self, x, y):\n"
        "        self.x, self.y = x, y\n"
        "        return x * y\n"
        "    def backward(self, dout):\n"
        "        return dout * self.y, dout * self.x\n"
        "check('mul_layer_backward', globals())\n"
        "found = {}\n"
        "for name in ('autograder.judge', 'autograder.rules', 'autograder.reference', 'autograder.pipeline'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "        found[name] = 'imported'\n"
        "    except ImportError as exc:\n"
        "        found[name] = type(exc).__name__\n"
        "print(json.dumps(found))\n")
    env = {"PATH": os.environ.get("PATH", ""), "BFS_RECORD_DIR": str(records), "PYTHONNOUSERSITE": "1"}
    # as in the sandbox, where the repository is not mounted: no finder of the editable install, the runtime first
    prelude = ("import sys\n"
               "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
               f"sys.path.insert(0, {str(runtime)!r})\n")
    out = subprocess.run([sys.executable, "-I", "-c", prelude + script], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found == {name: "ModuleNotFoundError" for name in found}, found
    assert (records / "mul_layer_backward.rec").exists()


EXFILTRATE = '''
import base64, importlib, json, os, zlib
found = {}
for folder, dirs, names in os.walk("/grader"):
    for name in sorted(names):
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as fh:
                found[path] = fh.read().decode("utf-8", "replace")
        except OSError as exc:
            found[path] = f"<unreadable: {exc}>"
imports = {}
for name in ("autograder.judge", "autograder.rules", "autograder.reference", "autograder.pipeline"):
    try:
        importlib.import_module(name)
        imports[name] = "imported"
    except Exception as exc:
        imports[name] = type(exc).__name__
blob = base64.b64encode(zlib.compress(json.dumps({"files": found, "imports": imports}).encode(), 9)).decode()
print("EXFILTRATED", blob)
'''


def test_a_sandboxed_notebook_that_prints_every_grader_file_finds_no_answer(tmp_path, sandbox, secrets):
    """Graded for real in the sandbox, does a notebook that prints every file under /grader (and tries to
    import the judge) get the kernel-side runtime only, with nothing in it that gives an answer away?"""
    if sandbox is None:
        pytest.skip("needs the grading sandbox (bubblewrap)")
    from course.sequence import by_name

    a = by_name("02_simple_layers")
    files = course_files(a, ROOT / "source", ROOT / "release")
    nb = nbformat.read(ROOT / "release" / a.name / a.notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(EXFILTRATE.strip()))
    folder = tmp_path / "submitted" / "thief" / a.name
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / a.notebook)
    runtime = make_runtime(tmp_path / "runtime")
    grade = pipeline.grade_notebook(files, "thief", folder, tmp_path / "work", runtime,
                                    limits=pipeline.Limits(cell_timeout=60, notebook_timeout=240), sandbox=sandbox)
    printed = "".join(o.get("text", "") for c in grade.feedback.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert "EXFILTRATED " in printed, printed[-2000:]
    blob = printed.split("EXFILTRATED ", 1)[1].split()[0]
    stolen = json.loads(zlib.decompress(base64.b64decode(blob)))
    paths = {p for p in stolen["files"]}
    assert {f"/grader/runtime/autograder/{name}" for name in KERNEL_FILES} <= paths
    assert all(p.startswith(("/grader/runtime/autograder/", "/grader/records/")) for p in paths), paths
    assert not any(p.endswith((".py", ".pyc")) and "/runtime/" in p and p.split("/runtime/autograder/")[1]
                   not in KERNEL_FILES and "__pycache__" not in p for p in paths), paths
    assert all(result != "imported" for result in stolen["imports"].values()), stolen["imports"]
    assert not leaks(stolen["files"], secrets)
    assert grade.score == 0
