"""The judge: compare what student code produced with what the reference produces.

The judge runs in the grader's own process, which never executes student code. It re-creates each
scenario's seeded inputs, runs the reference on them, and compares with the outputs recorded in the
notebook kernel (``autograder.hidden``). Known mistakes are recognised and named.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .compare import describe_mismatch, plain_array
from .scenario import execute, scenarios_for


@dataclass
class Check:
    title: str
    passed: bool
    message: str = ""


@dataclass
class CellResult:
    grade_id: str
    points: float
    checks: list = field(default_factory=list)
    problem: str = ""  # why nothing could be checked (cell skipped, records missing or tampered)

    @property
    def score(self):
        if not self.checks:
            return 0.0
        passed = sum(c.passed for c in self.checks)
        return math.floor(self.points * passed / len(self.checks) * 100 + 1e-9) / 100

    def report(self):
        """Plain-text feedback for the student: one line per sub-check."""
        lines = [f"Hidden tests: {self.score:g} / {self.points:g} points"]
        if self.problem:
            lines.append(f"  ✗ {self.problem}")
        for c in self.checks:
            lines.append(f"  {'✓' if c.passed else '✗'} {c.title}" + ("" if c.passed else f": {c.message}"))
        return "\n".join(lines)


def reference_namespace():
    from . import reference

    return vars(reference)


def judge_scenario(sc, recorded, error, ref_ns=None):
    """Return a :class:`Check` for one scenario given the student's recorded outputs or error."""
    if error:
        hint = "" if "Likely mistake" in error else error_hint(error)
        return Check(sc.title, False, error + (f" Likely mistake: {hint}" if hint else ""))
    expected, ref_error = execute(sc, ref_ns if ref_ns is not None else reference_namespace())
    if ref_error:
        raise RuntimeError(f"the reference failed scenario {sc.grade_id}/{sc.title}: {ref_error}")
    inputs = sc.make_inputs()
    problems = []
    for key, exp in expected.items():
        got = recorded.get(key, f"was not produced (the check did not get as far as `{key}`)")
        if key in sc.custom:
            msg = sc.custom[key](got, exp, inputs)
        elif isinstance(got, str):
            msg = f"{key} {got}."
        else:
            msg = describe_mismatch(key, got, exp, rtol=sc.rtol, atol=sc.atol)
        if msg:
            hint = diagnose(sc, key, got, inputs, expected)
            problems.append(msg + (f" Likely mistake: {hint}" if hint else ""))
    return Check(sc.title, not problems, " ".join(problems))


# common exceptions from student code, and what usually causes them
ERROR_HINTS = [
    ("NoneType", "a value that forward should have stored for backward (such as self.x, self.mask or self.out) "
                 "is still None: store it in forward."),
    ("values to unpack", "return exactly the values the docstring lists, in that order."),
    ("not aligned", "the shapes in a matrix product do not fit: check the order of the factors and the transposes."),
    ("matmul", "the shapes in a matrix product do not fit: check the order of the factors and the transposes."),
    ("could not be broadcast", "two arrays of different shapes were combined: check each one's shape."),
    ("is not defined", "run every cell above, and keep the names the notebook asks for."),
]


def error_hint(error):
    for needle, hint in ERROR_HINTS:
        if needle in error:
            return hint
    return ""


def diagnose(sc, key, got, inputs, expected):
    """Name the known mistake that explains output ``key``, if one does."""
    if isinstance(got, str):
        return ""
    for mistake in sc.mistakes:
        if mistake.key != key:
            continue
        try:
            wrong, problem = plain_array(mistake.wrong(inputs, expected))
        except Exception:  # a recogniser that does not apply to these inputs
            continue
        if problem is not None:
            continue
        if got.size == 1 and wrong.shape != got.shape:  # e.g. a scalar returned where an array was due
            got = np.broadcast_to(got.reshape(()), wrong.shape)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-9):
            return mistake.message
    return ""


def judge_cell(grade_id, points, records, ref_ns=None):
    """Judge every scenario of a graded cell. ``records`` is what :func:`autograder.records.load_records` returned."""
    result = CellResult(grade_id, float(points))
    if isinstance(records, str):
        result.problem = records
        return result
    for sc in scenarios_for(grade_id):
        entry = records.get(sc.index)
        if entry is None:
            result.checks.append(Check(sc.title, False, "was not run (the hidden test did not finish)."))
            continue
        outputs, error = entry
        result.checks.append(judge_scenario(sc, outputs, error, ref_ns))
    return result
