"""A hostile class, graded in one batch: nobody gets unearned points, everyone else is graded right.

Every hostile submission is the released 02_simple_layers notebook (answer cells left as stubs, or
replaced by code that only cheats) plus hostile code. Each must score 0 with the reason written down,
while a perfect and a buggy student in the same batch get 6/6 and 5/6. Broken input (bad JSON, no
notebook, a renamed notebook, extra files, an older release) is graded with a reason and the batch goes
on. The class is graded twice: scores and feedback pages must be identical.

Needs the real sandbox (bubblewrap; cgroups as root for the process and memory caps): several cases are
only harmless inside it.
"""

import csv
import hashlib
import io
import json
import os
import re
import resource
import shutil
import sys
import time
from pathlib import Path
from textwrap import dedent

import nbformat
import pytest

from autograder import sandbox as sb
from autograder.pipeline import Limits

ROOT = Path(__file__).resolve().parents[2]
A, NB = "02_simple_layers", "simple_layers.ipynb"
RELEASE_NB = ROOT / "release" / A / NB
EXAMPLES = ROOT / "course" / "examples" / "submitted"
LIMITS = Limits(cell_timeout=10, notebook_timeout=40, memory_mb=512, processes=64)
GRADE_IDS = {"mul_layer_forward": 5, "mul_layer_backward": 5, "add_layer": 6, "buy_apples": 3, "buy_apples_oranges": 3}
MARKER = "bfs-hostile-marker"

BOX, PROBLEM = sb.detect()
# without cgroups the sandbox still runs (memory capped by address space), but there is no process cap:
# the fork bomb is left out and the limits test is skipped
CGROUPS = BOX is not None and BOX.cgroups is not None
pytestmark = pytest.mark.skipif(BOX is None, reason=f"needs the grading sandbox (bubblewrap): {PROBLEM}")
needs_cgroups = pytest.mark.skipif(not CGROUPS, reason="needs per-notebook cgroups (pids, memory) as root")


# --- building submissions --------------------------------------------------------------------------------

def release():
    return nbformat.read(RELEASE_NB, as_version=4)


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def with_cells(top=None, end=None, answers=None, nb=None):
    """The release notebook with a code cell after the setup cell and/or at the end; ``answers``
    replaces the source of every answer cell."""
    nb = nb or release()
    if answers is not None:
        for cell in nb.cells:
            if meta(cell).get("solution"):
                cell.source = dedent(answers).strip()
    if top:
        at = next(i for i, c in enumerate(nb.cells) if meta(c).get("grade_id") == "setup") + 1
        nb.cells.insert(at, nbformat.v4.new_code_cell(dedent(top).strip()))
    if end:
        nb.cells.append(nbformat.v4.new_code_cell(dedent(end).strip()))
    return nb


def hostile_cases(course_dir):
    """``{student: (notebook, [text that must appear in the reasons])}``."""
    header = f"COURSE, REPO = {str(course_dir)!r}, {str(ROOT)!r}\n"
    steal = header + dedent('''
    import glob, importlib.util, json, os, sys

    def steal():
        """Find the instructor's notebook or the reference and run it here."""
        for source in [os.path.join("..", "..", "..", "..", "source"), os.path.join("..", "..", "..", "source"),
                       os.path.join(COURSE, "source"), os.path.join(REPO, "source")]:
            path = os.path.join(source, "02_simple_layers", "simple_layers.ipynb")
            if os.path.exists(path):
                for cell in json.load(open(path))["cells"]:
                    text = "".join(cell["source"])
                    if "### BEGIN SOLUTION" in text:
                        exec(text.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), globals())
                return "source notebook"
        for ref in [os.path.join(REPO, "autograder", "reference", "simple_layers.py")]:
            if os.path.exists(ref):
                spec = importlib.util.spec_from_file_location("ref", ref)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                globals().update(vars(module))
                return "reference"
        try:
            sys.path.insert(0, REPO)
            from autograder.reference.simple_layers import AddLayer, MulLayer, buy_apples, buy_apples_oranges
            globals().update(MulLayer=MulLayer, AddLayer=AddLayer, buy_apples=buy_apples,
                             buy_apples_oranges=buy_apples_oranges)
            return "reference package"
        except ImportError:
            return "nothing"

    print("STOLEN:", steal())
    ''')
    cases = {
        # the sandbox: the course folder, the repository and the reference are out of reach
        "a_reads_source": (with_cells(top=steal, answers='print("STOLEN:", steal())'), ["is not defined"]),
        "a_writes_gradebook_and_classmates": (with_cells(top=header + dedent(f'''
            import glob, os, sqlite3
            done = []
            for db in [os.path.join(COURSE, "gradebook.db"), "../../../gradebook.db", "../../../../gradebook.db"]:
                try:
                    con = sqlite3.connect(db)
                    con.execute("CREATE TABLE pwned (x)")
                    con.commit()
                    done.append(db)
                except Exception:
                    pass
            for path in (glob.glob(os.path.join(COURSE, "submitted", "*", "*", "*.ipynb"))
                         + glob.glob(os.path.join(COURSE, ".grading-work", "jobs", "*", "records", "*"))
                         + glob.glob("../../*/records/*") + glob.glob("../../../submitted/*/*/*.ipynb")):
                try:
                    open(path, "w").write("{{}}")
                    done.append(path)
                except OSError:
                    pass
            for path in [os.path.join(COURSE, "{MARKER}"), os.path.join(REPO, "{MARKER}")]:
                try:
                    open(path, "w").write("x")
                    done.append(path)
                except OSError:
                    pass
            print("TAMPERED:", done)
            ''')), ["not implemented"]),
        "a_plants_pth_and_patches_grader": (with_cells(top=f'''
            import os, site, sys
            done = []
            for folder in site.getsitepackages() + [sys.prefix, sys.base_prefix]:
                try:
                    open(os.path.join(folder, "zz_{MARKER}.pth"), "w").write("import os  # {MARKER}\\n")
                    done.append(folder)
                except OSError:
                    pass
            import autograder.hidden
            try:
                open(autograder.hidden.__file__, "a").write("\\ncheck = lambda *a, **k: None\\n")
                done.append("runtime")
            except OSError:
                pass
            print("PLANTED:", done)
            '''), ["not implemented"]),
        "a_network": (with_cells(top='''
            import socket, urllib.request
            try:
                urllib.request.urlopen("http://example.com", timeout=3)
                net = "open"
            except Exception:
                try:
                    socket.create_connection(("1.1.1.1", 80), timeout=3)
                    net = "open"
                except OSError:
                    net = "blocked"
            print("NETWORK:", net)
            '''), ["not implemented"]),
        # in-kernel tampering
        "b_patches_numpy": (with_cells(top='''
            import numpy as np
            np.allclose = lambda *a, **k: True
            np.isclose = lambda *a, **k: True
            np.array_equal = lambda *a, **k: True
            np.testing.assert_allclose = lambda *a, **k: None
            np.asarray = lambda a, *args, **k: a
            ''', answers='''
            class MulLayer:
                def forward(self, x, y): return 0
                def backward(self, dout): return 0, 0
            class AddLayer(MulLayer): pass
            def buy_apples(*a): return 0, 0, 0, 0
            def buy_apples_oranges(*a): return 0, 0, 0, 0, 0, 0
            '''), []),
        "b_lying_objects": (with_cells(top='''
            import numpy as np
            class Anything(float):
                def __eq__(self, other): return True
                def __ne__(self, other): return False
                __hash__ = float.__hash__
                def __array_function__(self, func, types, args, kwargs): return True
                def __array_ufunc__(self, ufunc, method, *args, **kwargs): return Anything(1)
                def __array__(self, dtype=None, copy=None): return np.array(np.nan)
                def __len__(self): return 2
                def __iter__(self): return iter([Anything(1), Anything(1)])
            ''', answers='''
            class MulLayer:
                def forward(self, x, y): return Anything(1)
                def backward(self, dout): return Anything(1), Anything(1)
            class AddLayer(MulLayer): pass
            def buy_apples(*a): return tuple(Anything(1) for _ in range(4))
            def buy_apples_oranges(*a): return tuple(Anything(1) for _ in range(6))
            '''), []),
        "b_input_transformer": (with_cells(top='''
            get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
            '''), ["did not run"]),
        "b_ast_transformer": (with_cells(top='''
            import ast
            class Nothing(ast.NodeTransformer):
                def visit_Module(self, node):
                    node.body = [ast.Pass()]
                    return ast.fix_missing_locations(node)
            get_ipython().ast_transformers.append(Nothing())
            '''), ["did not run"]),
        "b_custom_exception_handler": (with_cells(top='''
            def swallow(shell, etype, evalue, tb, tb_offset=None):
                print("all tests passed")
            get_ipython().set_custom_exc((BaseException,), swallow)
            '''), ["not implemented"]),
        "b_system_exit": (with_cells(top='raise SystemExit("bye")'), ["not implemented"]),
        "b_os_exit": (with_cells(top="import os\nos._exit(0)"), ["kernel died", "did not run"]),
        "b_kills_its_grader": (with_cells(top="import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"),
                               ["ended abnormally"]),
        "b_fake_records": (with_cells(end='''
            import json, os
            folder = os.environ.get("BFS_RECORD_DIR", ".")
            keys = {"mul_layer_forward": ["forward output"], "mul_layer_backward": ["dx", "dy"],
                    "add_layer": ["forward output", "dx", "dy"],
                    "buy_apples": ["price", "dapple", "dapple_num", "dtax"],
                    "buy_apples_oranges": ["price", "dapple", "dapple_num", "dorange", "dorange_num", "dtax"]}
            for gid, n in %r.items():
                dtype = "|O" if gid == "add_layer" else "<f8"  # objects claiming equality, or zeros
                head = json.dumps([{"index": i, "error": None, "problems": {},
                                    "arrays": [{"key": k, "dtype": dtype, "shape": []} for k in keys[gid]]}
                                   for i in range(n)]).encode()
                body = bytes(8 * n * len(keys[gid]))
                with open(os.path.join(folder, gid + ".rec"), "wb") as fh:
                    fh.write(b"BFSREC1\\n" + b"%%08d\\n" %% len(head) + head + body)
            print("FAKED")
            ''' % GRADE_IDS), ["unreadable"]),
        # structure
        "c_deleted_grade_cells": (_without_graded(release()), ["was deleted"]),
        "c_renamed_grade_cells": (_renamed_graded(release()), ["not part of this assignment", "was deleted"]),
        "c_duplicated_cells": (_duplicated(release()), ["more than once"]),
        # limits
        "d_infinite_loop": (with_cells(top="while True:\n    pass"), ["was interrupted"]),
        "d_ignores_sigint": (with_cells(top='''
            import signal
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            while True:
                pass
            '''), ["did not stop when interrupted"]),
        "d_memory_bomb": (with_cells(top='''
            blocks = []
            while True:
                blocks.append(b"x" * (32 * 1024 * 1024))
            '''), ["memory limit"] if CGROUPS else ["not implemented"]),
        "d_fork_bomb": (with_cells(top='''
            import os
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
            '''), ["processes or threads"]),
        "d_huge_output": (with_cells(top='''
            print("x" * 30_000_000)
            for i in range(10**9):
                print("spam spam spam spam spam spam spam spam", i)
            '''), ["was interrupted"]),
        "d_daemon": (with_cells(top=f'''
            import os, sys
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(4321.5)", "{MARKER}"])
                os._exit(0)
            print("daemon started")
            '''), ["not implemented"]),
        # records: strict format and size, whatever the kernel writes
        "b_record_bombs": (with_cells(end='''
            import json, os
            folder = os.environ.get("BFS_RECORD_DIR", ".")
            head = json.dumps([{"index": 0, "error": None, "problems": {},
                                "arrays": [{"key": "forward output", "dtype": "<f8",
                                            "shape": [10**6, 10**6]}]}]).encode()
            open(os.path.join(folder, "mul_layer_forward.rec"), "wb").write(b"BFSREC1\\n%08d\\n" % len(head) + head)
            open(os.path.join(folder, "mul_layer_backward.rec"), "wb").write(b"\\0" * (40 * 2**20))
            os.unlink(os.path.join(folder, "add_layer.rec"))
            os.symlink("/dev/zero", os.path.join(folder, "add_layer.rec"))
            print("BOMBS")
            '''), ["unreadable"]),
        # the sandbox separates notebooks graded at the same time: no lock or watch on a shared file
        "g_lock_channel": (with_cells(top='''
            import ctypes, errno, fcntl, struct
            result, shared = {}, open("/usr/lib/os-release")
            tries = {"flock": lambda: fcntl.flock(shared, fcntl.LOCK_EX | fcntl.LOCK_NB),
                     "lockf": lambda: fcntl.lockf(shared, fcntl.LOCK_SH | fcntl.LOCK_NB),
                     "getlk": lambda: fcntl.fcntl(shared, fcntl.F_GETLK, struct.pack("hhqqi", 0, 0, 0, 0, 0)),
                     "ofd_setlk": lambda: fcntl.fcntl(shared, 37, struct.pack("hhqqi", 0, 0, 0, 0, 0))}
            for name, attempt in tries.items():
                try:
                    attempt()
                    result[name] = "allowed"
                except OSError as exc:
                    result[name] = errno.errorcode[exc.errno]
            libc = ctypes.CDLL(None, use_errno=True)
            result["inotify"] = "allowed" if libc.inotify_init1(0) >= 0 else errno.errorcode[ctypes.get_errno()]
            print("CHANNEL:", sorted(result.items()))
            '''), ["not implemented"]),
        # markup in outputs never runs in the feedback page
        "i_markup_outputs": (with_cells(top=f'''
            from IPython.display import HTML, SVG, Image, Javascript, display
            display(HTML("<script>document.title = '{MARKER}-script'</script><img src=x onerror=\\"alert(1)\\">"))
            display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'))
            display(Javascript("document.title = '{MARKER}-js'"))
            display({{"image/png": "iVBORw0KGgo=", "text/plain": "img"}},
                    metadata={{"image/png": {{"width": "1 onerror=alert(1)", "height": 5}}}}, raw=True)
            display(HTML("<p>many paragraphs</p>" * 8000))
            '''), ["not implemented"]),
    }
    if not CGROUPS:
        del cases["d_fork_bomb"]
    return cases


# odd but honest: a perfect notebook beside things a real class hands in; full marks, a note on what was not used
ODD_HONEST = {
    "h_deep_tree": "nested at most",
    "h_odd_names": "not valid UTF-8",
    "h_odd_metadata": "",
    "h_shadows_grader": "reserved for the grader",
    "h_prints_a_lot": "",
}
# folders that are not graded at all, only reported
REFUSED_FOLDERS = {"f_student_is_link": "is a link", "f_assignment_is_link/": "is a link",
                   "\\xff\\xfe_student": "not valid UTF-8"}
ID_MARKUP = ["=1+2", "@SUM(1)", "<img src=x onerror=alert(1)>"]


def write_odd_input(root, course_dir):
    """Links, special files, odd names, deep trees, huge and deep notebooks; returns ``{student: reason}`` of
    the submissions that must score 0."""
    def folder(student):
        d = root / student / A
        d.mkdir(parents=True, exist_ok=True)
        return d

    zero = {}
    d = folder("f_notebook_links_to_source")
    (d / NB).symlink_to(os.path.relpath(course_dir / "source" / A / NB, d))
    zero["f_notebook_links_to_source"] = "is a link"
    d = folder("f_notebook_links_to_classmate")
    (d / NB).symlink_to(os.path.join("..", "..", "z_perfect", A, NB))
    zero["f_notebook_links_to_classmate"] = "is a link"
    d = folder("f_notebook_links_to_device")
    (d / NB).symlink_to("/dev/zero")
    zero["f_notebook_links_to_device"] = "is a link"
    d = folder("f_notebook_is_a_pipe")
    os.mkfifo(d / NB)
    zero["f_notebook_is_a_pipe"] = "named pipe"
    d = folder("f_huge_notebook")
    nb = release()
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * (21 * 2**20)))
    nbformat.write(nb, d / NB)
    zero["f_huge_notebook"] = "larger than 20 MB"
    d = folder("f_deep_json")
    (d / NB).write_text("[" * 200_000 + "]" * 200_000)
    zero["f_deep_json"] = "not valid notebook JSON"
    # folders that are links are never followed
    (root / "f_student_is_link").symlink_to("z_perfect")
    (root / "f_assignment_is_link").mkdir()
    (root / "f_assignment_is_link" / A).symlink_to(os.path.join("..", "z_perfect", A))
    shutil.copytree(EXAMPLES / "perfect" / A, root / os.fsdecode(b"\xff\xfe_student") / A)
    # odd but honest
    for student in ODD_HONEST:
        shutil.copytree(EXAMPLES / "perfect" / A, root / student / A)
    deep = root / "h_deep_tree" / A
    for i in range(40):
        deep = deep / f"level{i}"
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("deep")
    d = root / "h_odd_names" / A
    with open(os.path.join(os.fsencode(d), b"caf\xe9.csv"), "w") as fh:
        fh.write("x")
    os.mkfifo(d / "a_pipe")
    (d / "latest").symlink_to("/etc/passwd")
    d = root / "h_odd_metadata" / A
    raw = json.loads((d / NB).read_text())
    raw["cells"].append({"cell_type": "code", "source": "print('extra')", "metadata": {"nbgrader": "surprise"},
                         "outputs": [], "execution_count": None})
    raw["cells"].append({"cell_type": "code", "source": ["print(", "2)"], "outputs": "?", "execution_count": "x",
                         "metadata": {"nbgrader": {"grade_id": ["a"], "solution": "yes", "points": "x"}}})
    raw["cells"].append({"cell_type": "code", "source": "print(3)", "metadata": {"nbgrader": {
        "grade_id": "mul_layer_forward", "grade": True, "points": 99, "solution": False}}, "outputs": []})
    raw["cells"].append({"cell_type": "markdown", "source": "odd", "metadata": ["a list"], "id": {"x": 1}})
    raw["cells"].append({"cell_type": "widget", "source": 5})
    (d / NB).write_text(json.dumps(raw))
    d = root / "h_shadows_grader" / A
    for name, text in [("autograder/__init__.py", "raise SystemExit('shadowed')\n"),
                       ("autograder/hidden.py", "def check(*a, **k):\n    pass\n"),
                       ("ipykernel_launcher.py", "raise SystemExit(3)\n"), ("nbformat.py", "raise SystemExit(4)\n"),
                       ("json.py", "raise SystemExit(5)\n"), ("jupyter_client/__init__.py", "raise SystemExit(6)\n"),
                       ("sitecustomize.py", "raise SystemExit(7)\n")]:
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text)
    d = root / "h_prints_a_lot" / A
    nb = nbformat.read(d / NB, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(dedent('''
        import os, subprocess, sys
        for i in range(30_000):
            print("out", i, end=" ")
            print("err", i, end=" ", file=sys.stderr)
        os.write(1, b"straight to the file descriptor\\n")
        subprocess.run(["echo", "from a child process"])
        ''').strip()))
    nbformat.write(nb, d / NB)
    # student ids a spreadsheet or a browser would run
    for student in ID_MARKUP:
        nbformat.write(release(), folder(student) / NB)
    return zero


def _without_graded(nb):
    nb.cells = [c for c in nb.cells if not meta(c).get("grade")]
    return nb


def _renamed_graded(nb):
    for i, cell in enumerate(nb.cells):
        if meta(cell).get("grade"):
            cell.metadata["nbgrader"]["grade_id"] += "_renamed"
            cell["id"] = f"renamed-{i}"
            cell.source = 'print("all hidden tests passed")'
    return nb


def _duplicated(nb):
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if meta(cell).get("grade") or meta(cell).get("solution"):
            copy = nbformat.from_dict(json.loads(json.dumps(cell)))
            copy["id"] = cell["id"] + "-copy"
            copy.source = "pass" if meta(cell).get("grade") else "MulLayer = AddLayer = object"
            cells.append(copy)
    nb.cells = cells
    return nb


def perfect():
    return nbformat.read(EXAMPLES / "perfect" / A / NB, as_version=4)


def _older_release():
    """The perfect notebook as an older release named it: answer cell 'mul_layer' was 'mullayer', and the
    graded cell 'add_layer' was 'add_layer_test'."""
    nb = perfect()
    for cell in nb.cells:
        gid = meta(cell).get("grade_id")
        if gid == "mul_layer":
            cell.metadata["nbgrader"]["grade_id"], cell["id"] = "mullayer", "old-mullayer"
        if gid == "add_layer":
            cell.metadata["nbgrader"]["grade_id"], cell["id"] = "add_layer_test", "old-add-layer"
    return nb


def write_submissions(root, course_dir, *, resubmission=False):
    """The whole class under ``root``; returns ``{student: [expected reason texts]}`` of the hostile ones."""
    def put(student, nb=None, name=NB, text=None):
        folder = root / student / A
        folder.mkdir(parents=True, exist_ok=True)
        if nb is not None:
            nbformat.write(nb, folder / name)
        elif text is not None:
            (folder / name).write_text(text)
        return folder

    for student in ("perfect", "buggy"):
        shutil.copytree(EXAMPLES / student / A, root / f"z_{student}" / A)
        shutil.copytree(EXAMPLES / student / A, root / f"m_{student}" / A)  # a second copy mid-batch
    shutil.copytree(EXAMPLES / "hostile" / A, root / "b_example_hostile" / A)
    cases = hostile_cases(course_dir)
    for student, (nb, _) in cases.items():
        put(student, nb)
    # the resubmission: first a buggy notebook, then the stubs with every test cell deleted
    if resubmission:
        put("r_resubmits", _without_graded(with_cells(top="import numpy as np\nnp.allclose = lambda *a, **k: True")))
    else:
        shutil.copytree(EXAMPLES / "buggy" / A, root / "r_resubmits" / A)
    # bad input
    put("e_broken_json", text='{"cells": [{"cell_type": "code", "source": "print(1)"')
    put("e_empty_file", text="")
    put("e_not_a_notebook", text="[1, 2, 3]")
    put("e_no_notebook", name="README.txt", text="I could not finish, sorry")
    folder = put("e_two_notebooks", release(), name="first try.ipynb")
    nbformat.write(perfect(), folder / "second try.ipynb")
    put("e_misnamed", perfect(), name="Simple Layers (1).ipynb")
    folder = put("e_extra_files", perfect())
    (folder / "bp_checks.py").write_text("def assert_close(*a, **k):\n    pass\n")
    (folder / "prices.csv").write_text("apple,100\n")
    (folder / "helpers").mkdir()
    (folder / "helpers" / "util.py").write_text("X = 1\n")
    (folder / "secret").symlink_to(course_dir / "gradebook.db")
    put("e_older_release", _older_release())
    cases.update({student: (None, [reason]) for student, reason in write_odd_input(root, course_dir).items()})
    return cases


# --- grading it ------------------------------------------------------------------------------------------------

def host_processes(marker):
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def leftover_cgroups():
    if not CGROUPS:
        return []
    return [d for parent in BOX.cgroups.parents.values() for d in parent.glob(f"{sb.PREFIX}{os.getpid()}-*")]


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def why(g):
    """Everything the grade report says about a submission, as one text."""
    parts = [g.reason, *g.notes]
    for c in g.cells:
        parts += [c.problem] + [k.message for k in c.checks]
    return "\n".join(p for p in parts if p)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from course.grading import grade_class

    base = tmp_path_factory.mktemp("hostile")
    course_dir = base / "course"
    course_dir.mkdir()
    runs = []
    for n, resubmission in enumerate((False, True)):
        subs = base / f"submissions{n}"
        cases = write_submissions(subs, course_dir, resubmission=resubmission)
        started, logged = time.monotonic(), []
        # regrade: the second run must grade every notebook again (not reuse stored results), or the
        # determinism test below would compare a run with itself
        grades = grade_class(subs, course_dir, workers=2, limits=LIMITS, sandbox=BOX, progress=False,
                             log=logged.append, regrade=True)
        pages = {p.relative_to(course_dir / "feedback"): p.read_bytes()
                 for p in sorted((course_dir / "feedback").rglob("*.html"))}
        runs.append({"grades": {g.student: g for g in grades}, "pages": pages, "log": logged,
                     "seconds": time.monotonic() - started, "subs": subs,
                     "csv": (course_dir / "grades.csv").read_text(encoding="utf-8"),
                     "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
        print(f"\nrun {n + 1}: {len(grades)} notebooks in {runs[-1]['seconds']:.0f} s", file=sys.stderr)
    yield course_dir, cases, runs
    for folder in [course_dir, ROOT]:
        (folder / MARKER).unlink(missing_ok=True)


def test_reference_students_are_graded_right_in_the_same_batch(graded):
    _, _, runs = graded
    for run in runs:
        g = run["grades"]
        for prefix in ("z_", "m_"):
            assert g[f"{prefix}perfect"].score == 6, why(g[f"{prefix}perfect"])
            assert g[f"{prefix}buggy"].score == 5, why(g[f"{prefix}buggy"])
            assert not g[f"{prefix}perfect"].notes and g[f"{prefix}perfect"].status == "graded"


@pytest.mark.parametrize("run_index", [0, 1], ids=["first run", "second run"])
def test_every_hostile_submission_gets_zero_with_a_reason(graded, run_index):
    _, cases, runs = graded
    grades = runs[run_index]["grades"]
    assert len(cases) >= 15
    problems = []
    for student, (_, reasons) in list(cases.items()) + [("b_example_hostile", (None, []))]:
        g = grades[student]
        text = why(g)
        if g.score != 0:
            problems.append(f"{student}: {g.score} points\n{text}")
        if not text.strip():
            problems.append(f"{student}: no reason recorded")
        for reason in reasons:
            if reason not in text:
                problems.append(f"{student}: {reason!r} not in the reasons:\n{text}")
    assert not problems, "\n\n".join(problems)


def _output_of(course_dir, student, prefix):
    nb = nbformat.read(course_dir / "autograded" / student / A / NB, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith(prefix):
                    return line
    return None


def test_the_sandbox_hid_the_course_the_repository_and_the_network(graded):
    course_dir, _, runs = graded
    assert _output_of(course_dir, "a_reads_source", "STOLEN:") == "STOLEN: nothing"
    # a write may succeed only inside the sandbox's private /tmp (when the repository itself lives under /tmp,
    # its path exists there as the mount point of the venv): it must never reach the host
    tampered = _output_of(course_dir, "a_writes_gradebook_and_classmates", "TAMPERED:")
    assert tampered is not None and tampered.startswith("TAMPERED: [")
    reached = [p for p in re.findall(r"'([^']+)'", tampered) if MARKER not in p or Path(p).exists()]
    assert not reached, f"the sandbox let a submission write to {reached}"
    assert _output_of(course_dir, "a_plants_pth_and_patches_grader", "PLANTED:") == "PLANTED: []"
    assert _output_of(course_dir, "a_network", "NETWORK:") == "NETWORK: blocked"


def test_nothing_outside_the_sandbox_changed(graded):
    import site
    import sqlite3

    course_dir, _, runs = graded
    assert not (course_dir / MARKER).exists() and not (ROOT / MARKER).exists()
    tables = {r[0] for r in sqlite3.connect(course_dir / "gradebook.db").execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "pwned" not in tables
    for folder in site.getsitepackages() + [sys.prefix, sys.base_prefix]:
        assert not (Path(folder) / f"zz_{MARKER}.pth").exists(), folder
    for student in ("z_perfect", "m_perfect", "z_buggy"):
        assert sha(course_dir / "submitted" / student / A / NB) == sha(EXAMPLES / student[2:] / A / NB)
    assert not host_processes(MARKER), "a process the notebook started outlived its grading"
    assert not leftover_cgroups()


@needs_cgroups
def test_limits_are_named_in_the_report(graded):
    _, _, runs = graded
    g = runs[0]["grades"]
    assert "512 MB" in why(g["d_memory_bomb"])
    assert "more than 64 processes" in why(g["d_fork_bomb"])
    assert "10 s" in why(g["d_infinite_loop"])


def test_huge_output_is_capped(graded):
    course_dir, _, _ = graded
    page = course_dir / "feedback" / "d_huge_output" / A / "simple_layers.html"
    assert page.stat().st_size < 2_000_000
    # the cell never ends: it is stopped at its limit and shows only why (how much it printed is a matter
    # of timing); a cell that prints too much and ends shows "output truncated" (test_sandbox_parts)
    assert "was interrupted" in page.read_text() and "spam spam spam spam spam spam spam spam 0" not in page.read_text()


def test_bad_input_is_graded_with_a_reason_and_the_batch_goes_on(graded):
    _, _, runs = graded
    g = runs[0]["grades"]
    expected = {
        "e_broken_json": "not valid notebook JSON",
        "e_empty_file": "not valid notebook JSON",
        "e_not_a_notebook": "not a Jupyter notebook",
        "e_no_notebook": "no notebook in the submission",
        "e_two_notebooks": "several notebooks",
    }
    for student, text in expected.items():
        assert g[student].score == 0 and g[student].status == "broken", student
        assert text in why(g[student]), (student, why(g[student]))
    assert g["e_misnamed"].score == 6 and "renamed" in why(g["e_misnamed"])
    extra = g["e_extra_files"]
    assert extra.score == 6, why(extra)
    assert re.search(r"available to the notebook: helpers, prices.csv", why(extra)), why(extra)
    assert "bp_checks.py (changed" in why(extra) and "secret" in why(extra)
    older = g["e_older_release"]
    assert older.status == "graded"
    assert "'mullayer' is not part of this assignment" in why(older)
    assert "'mul_layer' is missing from the submission" in why(older)


def test_a_resubmission_replaces_the_grade_and_the_first_version_is_archived(graded):
    from nbgrader.api import Gradebook

    course_dir, _, runs = graded
    assert runs[0]["grades"]["r_resubmits"].score == 5
    second = runs[1]["grades"]["r_resubmits"]
    assert second.score == 0 and "was deleted" in why(second)
    archived = list((course_dir / "archive").glob(f"*/r_resubmits/{A}/{NB}"))
    assert len(archived) == 1 and sha(archived[0]) == sha(EXAMPLES / "buggy" / A / NB)
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_submission(A, "r_resubmits").score == 0
        assert gb.find_submission(A, "z_perfect").score == 6


def test_grading_twice_gives_identical_scores_and_feedback(graded):
    _, _, (first, second) = graded
    students = sorted(s for s in first["grades"] if s != "r_resubmits")
    assert students == sorted(s for s in second["grades"] if s != "r_resubmits")
    for s in students:
        a, b = first["grades"][s], second["grades"][s]
        assert (a.score, [c.score for c in a.cells], a.status) == (b.score, [c.score for c in b.cells], b.status), s
    # every page, the crashes and the fork bomb included: after a crash or a limit, outputs are not shown
    differ = [str(p) for p in first["pages"] if "r_resubmits" not in p.parts
              and first["pages"][p] != second["pages"].get(p)]
    assert not differ, f"feedback differs between runs: {differ}"


# --- odd input, links, special files, names, channels, markup (issue 12) ---------------------------------------

def test_odd_but_honest_submissions_get_full_marks_with_a_note(graded):
    _, _, runs = graded
    for run in runs:
        for student, note in ODD_HONEST.items():
            g = run["grades"][student]
            assert g.score == 6 and g.status == "graded", (student, why(g))
            assert note in why(g), (student, why(g))
    shadow = runs[0]["grades"]["h_shadows_grader"]
    assert "autograder (this name is reserved" in why(shadow)
    assert "sitecustomize.py (this name is reserved" in why(shadow)


def test_folders_that_are_links_or_have_odd_names_are_reported_not_followed(graded):
    _, _, runs = graded
    for run in runs:
        log = "\n".join(run["log"])
        for name, reason in REFUSED_FOLDERS.items():
            line = next((ln for ln in log.splitlines() if name.rstrip("/") in ln), None)
            assert line is not None and reason in line, (name, log)
        graded_students = set(run["grades"])
        assert "f_student_is_link" not in graded_students and "f_assignment_is_link" not in graded_students
        assert not any("\udcff" in s or "\\xff" in s for s in graded_students)


def test_no_lock_or_watch_can_carry_a_signal_between_notebooks(graded):
    course_dir, _, _ = graded
    line = _output_of(course_dir, "g_lock_channel", "CHANNEL:")
    assert line == ("CHANNEL: [('flock', 'EPERM'), ('getlk', 'EPERM'), ('inotify', 'EPERM'), "
                    "('lockf', 'EPERM'), ('ofd_setlk', 'EPERM')]"), line


def test_ids_and_outputs_cannot_run_in_a_spreadsheet_or_a_browser(graded):
    course_dir, _, runs = graded
    rows = list(csv.reader(io.StringIO(runs[0]["csv"])))
    students = {r[0] for r in rows[1:]}
    assert {"'=1+2", "'@SUM(1)"} <= students and "=1+2" not in students, students
    assert "<img src=x onerror=alert(1)>" in students  # text for a spreadsheet: shown as it is
    for page, html in runs[0]["pages"].items():
        text = html.decode("utf-8")
        lowered = text.lower()
        assert "<img src=x onerror" not in lowered, page
        assert not re.search(r"<script[^>]*>[^<]*" + MARKER, text), page
        assert not re.search(r"<[^>]+\son(error|load|click|mouseover)\s*=", lowered), page


def test_the_grader_stays_within_memory_with_every_bomb_in_the_class(graded):
    _, _, runs = graded
    # bombs: a 21 MB notebook, 400 kB of nested JSON, records that claim 8 TB, a 40 MB record, a device link
    assert runs[-1]["peak_rss_mb"] < 2500, runs[-1]["peak_rss_mb"]
