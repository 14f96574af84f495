"""The bundled example submissions: what ``course demo`` grades and the tests check.

For every released assignment: ``perfect`` (the solutions, typed in), ``blank`` (the release as handed
out), ``buggy`` (one realistic mistake), and ``hostile`` (tries to cheat; must earn nothing).
They are generated from source/ and release/ so they never drift; ``course examples`` rewrites them.
"""

import shutil
from pathlib import Path

import nbformat

from .release import perfect_submission
from .sequence import ROOT, assignments

EXAMPLES = ROOT / "course" / "examples" / "submitted"

# one realistic bug per assignment: (text in the solution, replacement)
BUGS = {
    "01_computational_graphs": [("dapple = dapple_price * apple_num", "dapple = apple_num")],  # no upstream
    "02_simple_layers": [("dx = dout * self.y", "dx = dout * self.x")],  # forgot to swap the inputs
    "03_activation_layers": [("self.out = out", "self.out = x")],  # Sigmoid caches x, backward uses it as y
    "04_affine_softmax": [("self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=1)")],  # wrong axis
    "06_training_mnist": [("        params[key] -= learning_rate * grads[key]",
                           "        params[key] = params[key] - learning_rate * grads[key]")],  # rebinds the array
    "05_full_backprop": [("reversed(list(self.layers.values()))", "list(self.layers.values())")],  # wrong order
}

# a submission that tries to get points without the work: it fakes numpy's comparisons, returns an
# object equal to everything, and looks for the instructor's files next to it
HOSTILE_CELL = '''
import numpy as np, os, glob

class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
    def __array_function__(self, func, types, args, kwargs): return True

np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isclose = lambda *a, **k: True
leaked = glob.glob("../../**/source/**/*.ipynb", recursive=True) + glob.glob("/work/**/reference/*.py", recursive=True)
print("found instructor files:", leaked[:3])
'''

# answers for the hostile student: every class/function of the assignment returns Anything()
HOSTILE_ANSWER = '''
class _Lie:
    def __init__(self, *a, **k): pass
    def __getattr__(self, name): return lambda *a, **k: (Anything(1), Anything(1))
    def __call__(self, *a, **k): return tuple(Anything(1) for _ in range(6))
'''


def _hostile(release_nb):
    nb = nbformat.from_dict(dict(release_nb))
    nb.cells.insert(1, nbformat.v4.new_code_cell(HOSTILE_CELL.strip(), id="hostile-setup"))
    import re

    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            names = re.findall(r"^(?:class|def) (\w+)", cell.source, flags=re.M)
            cell.source = HOSTILE_ANSWER.strip() + "\n" + "\n".join(f"{n} = _Lie()" if not n[0].isupper()
                                                                     else f"{n} = _Lie" for n in names)
    return nb


def build(root=ROOT, target=None):
    """Write the example submissions for every assignment; returns the folder."""
    target = Path(target or EXAMPLES)
    for a in assignments(root):
        source = nbformat.read(root / "source" / a.name / a.notebook, as_version=4)
        release = nbformat.read(root / "release" / a.name / a.notebook, as_version=4)
        perfect = perfect_submission(source)
        buggy = nbformat.from_dict(dict(perfect))
        for old, new in BUGS.get(a.name, []):
            hits = [c for c in buggy.cells if c.cell_type == "code" and old in c.source]
            if not hits:
                raise ValueError(f"example bug for {a.name}: {old!r} not found in the solutions")
            hits[0].source = hits[0].source.replace(old, new, 1)
        versions = {"perfect": perfect, "blank": release, "hostile": _hostile(release)}
        if a.name in BUGS:
            versions["buggy"] = buggy
        for student, nb in versions.items():
            folder = target / student / a.name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            nbformat.write(nb, folder / a.notebook)
    return target
