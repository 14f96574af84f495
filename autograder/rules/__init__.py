"""Judge-side rules of every graded cell: tolerances, comparisons, known mistakes, hints, partial credit.

Never copied into the sandbox (the kernel sees only ``autograder.checks``). Registration is explicit:
``ASSIGNMENTS`` lists one module per assignment, each with ``RULES = {grade_id: Rule}``.
"""

from . import activation_layers, affine_softmax, computational_graphs, full_backprop, simple_layers, training
from .core import Rule

ASSIGNMENTS = (computational_graphs, simple_layers, activation_layers, affine_softmax, full_backprop, training)


def _collect():
    found = {}
    for module in ASSIGNMENTS:
        for grade_id, rule in module.RULES.items():
            if grade_id in found:
                raise RuntimeError(f"grade cell {grade_id!r} has rules in two assignments")
            found[grade_id] = rule
    return found


RULES = _collect()


def rule_for(grade_id):
    """The rule of graded cell ``grade_id`` (every cell with scenarios has one: a test checks it)."""
    return RULES.get(grade_id, Rule())
