"""Scenarios: the unit of a hidden test.

A scenario makes seeded inputs, drives an implementation (a notebook namespace: the student's
globals, or the reference module's) and returns named outputs. The *same* scenario runs twice:
once on the student's code inside the notebook kernel, once on the reference in the grader's own
process. Comparing the two is the judge's job (``autograder.judge``); that split is what lets the
comparison happen where student code never ran.

Each graded notebook cell (``grade_id``) owns a list of scenarios; every scenario is a separate
sub-check worth an equal share of the cell's points, and all of them always run.
"""

import copy
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .compare import plain_array


class StudentError(Exception):
    """Student code raised, or a name the scenario needs is missing."""


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: if output ``key`` equals ``wrong(inputs, expected)``, say ``message``."""

    key: str
    message: str
    wrong: Callable


@dataclass(frozen=True)
class Scenario:
    grade_id: str
    title: str
    inputs: Callable  # (rng) -> dict of inputs
    run: Callable  # (ns, inputs) -> dict of outputs
    rtol: float = 1e-7
    atol: float = 1e-10
    mistakes: tuple = ()
    # outputs compared with a custom rule instead of equality: key -> fn(got, expected, inputs) -> msg|None
    custom: dict = field(default_factory=dict)
    index: int = 0

    @property
    def seed(self):
        return zlib.crc32(f"{self.grade_id}/{self.index}/{self.title}".encode())

    def make_inputs(self):
        return self.inputs(np.random.default_rng(self.seed))


REGISTRY: dict = {}


def add(grade_id, title, inputs, run, *, rtol=1e-7, atol=1e-10, mistakes=(), custom=None):
    """Register a scenario of the graded cell ``grade_id``.

    ``inputs(rng) -> dict`` makes the seeded inputs; ``run(ns, inputs) -> dict`` drives an implementation.
    """
    scenarios = REGISTRY.setdefault(grade_id, [])
    sc = Scenario(grade_id, title, inputs, run, rtol, atol, tuple(mistakes), dict(custom or {}),
                  index=len(scenarios))
    scenarios.append(sc)
    return sc


def scenario(grade_id, title, inputs, **options):
    """Decorator form of :func:`add`: ``@scenario("mul_layer", "forward on arrays", inputs=...)``."""

    def register(run):
        add(grade_id, title, inputs, run, **options)
        return run

    return register


def scenarios_for(grade_id):
    from . import checks  # noqa: F401  (registers every assignment's scenarios)

    if grade_id not in REGISTRY:
        raise KeyError(f"no hidden checks are registered for grade cell {grade_id!r}")
    return REGISTRY[grade_id]


def need(ns, name, what="class"):
    """Look up ``name`` in a notebook namespace, with a student-friendly error if it is missing."""
    try:
        return ns[name]
    except KeyError:
        raise StudentError(f"`{name}` is not defined. Run the cell that defines the {what} "
                           f"`{name}` (and do not rename it).") from None


def pair(value, method):
    """Unpack the two gradients a backward method returns, or explain what came back instead."""
    if type(value) not in (tuple, list) or len(value) != 2:
        raise StudentError(f"{method} must return two values, (dx, dy); it returned "
                           f"{type(value).__name__} {_short(value)}.")
    return value


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _where(exc):
    """The line of notebook code (not grader code) where ``exc`` was raised, if any."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if "autograder" not in frame.filename and "site-packages" not in frame.filename:
            code = (frame.line or "").strip()
            return f" (in {frame.name}, line {frame.lineno}" + (f": `{code}`)" if code else ")")
    return ""


def execute(sc, ns):
    """Run scenario ``sc`` on namespace ``ns``.

    Returns ``(outputs, error)``: outputs maps names to plain arrays, or to a string explaining why the
    value is not a number/array. ``error`` is a message when the code raised.
    """
    inputs = sc.make_inputs()
    try:
        raw = sc.run(ns, copy.deepcopy(inputs))
    except StudentError as exc:
        return {}, str(exc)
    except NotImplementedError:
        return {}, "not implemented yet (the stub still raises NotImplementedError)."
    except Exception as exc:  # student code may raise anything
        return {}, f"raised {type(exc).__name__}: {exc}{_where(exc)}"
    outputs = {}
    for key, value in raw.items():
        arr, problem = plain_array(value)
        outputs[key] = problem if problem else arr
    return outputs, None


def as_float32(inputs):
    """Wrap an ``inputs(rng)`` function so that its float arrays come as float32 (a fairness check)."""
    import numpy as np

    def make(rng):
        made = inputs(rng)
        return {k: v.astype(np.float32) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
                for k, v in made.items()}
    return make
