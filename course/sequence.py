"""The assignments of the course, in teaching order."""

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Assignment:
    """One assignment: its nbgrader id (folder name), title, notebook, and the helpers released with it."""

    name: str  # nbgrader assignment id = folder name under source/ and release/
    title: str
    notebook: str  # notebook file name inside the folder
    extra_files: tuple = ()  # student-side helpers that travel with the release: (src path, dest name)


BP_CHECKS = ("autograder/compare.py", "bp_checks.py")

SEQUENCE = [
    Assignment("01_computational_graphs", "Computational graphs", "computational_graphs.ipynb",
               (BP_CHECKS, ("course/student_files/graph_drawing.py", "graph_drawing.py"))),
    Assignment("02_simple_layers", "Simple layers", "simple_layers.ipynb", (BP_CHECKS,)),
    Assignment("03_activation_layers", "Activation layers", "activation_layers.ipynb", (BP_CHECKS,)),
    Assignment("04_affine_softmax", "Affine and Softmax-with-Loss", "affine_softmax.ipynb", (BP_CHECKS,)),
    Assignment("05_full_backprop", "Full backprop and gradient check", "full_backprop.ipynb", (BP_CHECKS,)),
    Assignment("06_training_mnist", "Training on MNIST", "training_mnist.ipynb",
               (BP_CHECKS, ("mnist_utils", "mnist_utils"))),
]


def assignments(root=ROOT, names=None):
    """The assignments whose source notebook exists, in course order (optionally only ``names``)."""
    found = [a for a in SEQUENCE if (Path(root) / "source" / a.name / a.notebook).exists()]
    if names:
        unknown = set(names) - {a.name for a in SEQUENCE}
        if unknown:
            raise SystemExit(f"unknown assignment(s): {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(a.name for a in SEQUENCE)}")
        found = [a for a in found if a.name in names]
    return found


def by_name(name):
    """The :class:`Assignment` called ``name``; raises KeyError."""
    for a in SEQUENCE:
        if a.name == name:
            return a
    raise KeyError(name)
