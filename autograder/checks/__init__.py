"""The kernel side of the hidden tests: one probe module per assignment (inputs and drivers, no verdicts).

Registration is explicit: ``ASSIGNMENTS`` lists the modules, each of which holds ``CELLS``, its
scenarios by graded cell. What the judge does with the outputs lives in ``autograder.rules``.
"""

from . import activation_layers, affine_softmax, computational_graphs, full_backprop, simple_layers, training

ASSIGNMENTS = (computational_graphs, simple_layers, activation_layers, affine_softmax, full_backprop, training)


def _collect():
    found = {}
    for module in ASSIGNMENTS:
        for grade_id, scenarios in module.CELLS.items():
            if grade_id in found:
                raise RuntimeError(f"grade cell {grade_id!r} has scenarios in two assignments")
            found[grade_id] = scenarios
    return found


SCENARIOS = _collect()


def scenarios_for(grade_id):
    """The scenarios of graded cell ``grade_id``, in order (their index is their position)."""
    if grade_id not in SCENARIOS:
        raise KeyError(f"no hidden checks are registered for grade cell {grade_id!r}")
    return SCENARIOS[grade_id]
