"""The parts every assignment's rules are made of: comparisons, known mistakes, hints for exceptions.

Judge side only. Nothing under ``autograder.rules`` is ever copied into the sandbox: it holds the
tolerances, the recognisers of known mistakes and every message that names one.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..compare import describe_mismatch, plain_array
from ..scenario import FAULT


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: if output ``key`` equals ``wrong(inputs, expected)``, say ``message``.

    ``wrong`` may return None when the mistake cannot show on these inputs. A mistake that is not one
    value gives ``fits(got, inputs, expected) -> bool`` instead (``wrong`` is then unused)."""

    key: str
    message: str
    wrong: Callable = None
    fits: Callable = None


@dataclass(frozen=True)
class Hint:
    """What usually causes an exception: shown only when ``applies(fault, inputs)`` recognises it.

    ``message`` is a text, or ``fn(fault) -> text``. ``fault`` has the keys ``stage`` (what the hidden test
    was calling), ``type``, ``message``, ``frame`` (qualified name of the innermost function of student
    code), ``line`` and ``code``."""

    message: str
    applies: Callable


@dataclass(frozen=True)
class Rule:
    """How the judge compares the outputs of one graded cell's scenarios.

    * ``rtol``/``atol``: the default comparison of an output with the reference's;
    * ``compare``: ``key -> fn(key, got, expected, inputs) -> message | None`` for outputs judged another way
      (``got`` and ``expected`` are whole dicts of outputs);
    * ``derive``: ``fn(outputs, inputs) -> outputs`` turns raw recorded arrays into the judged quantities
      (applied to the student's and the reference's outputs alike; keys starting with ``~`` are never judged);
    * ``mistakes``, ``hints``: named mistakes and exception hints;
    * ``credit``: ``"scenario"`` (a scenario earns its share when every output is right) or ``"output"``
      (each output earns an equal part of the scenario's share);
    * ``note``: ``fn(got, expected, inputs) -> text`` added once to a failed scenario's message (e.g. which
      earlier component is wrong), or "".
    """

    rtol: float = 1e-7
    atol: float = 1e-10
    mistakes: tuple = ()
    compare: dict = field(default_factory=dict)
    derive: Callable = None
    hints: tuple = ()
    credit: str = "scenario"
    note: Callable = None

    def comparer(self, key):
        """The comparison for output ``key``: ``compare[key]``, else closeness within ``rtol``/``atol``."""
        return self.compare.get(key) or close(self.rtol, self.atol)


def matches(mistake, value, inputs, expected):
    """Is ``value`` (a student's output) what ``mistake`` gives on these inputs?"""
    if not isinstance(value, np.ndarray):
        return False
    if mistake.fits is not None:
        try:
            with np.errstate(all="ignore"):
                return bool(mistake.fits(value, inputs, expected))
        except Exception:
            return False
    try:
        with np.errstate(all="ignore"):
            raw = mistake.wrong(inputs, expected)
    except Exception:  # a recogniser that does not apply to these inputs
        return False
    if raw is None:
        return False
    wrong, problem = plain_array(raw)
    if problem is not None:
        return False
    got = value
    if got.size == 1 and wrong.shape != got.shape:  # e.g. a scalar returned where an array was due
        got = np.broadcast_to(got.reshape(()), wrong.shape)
    if wrong.shape != got.shape or got.dtype.kind not in "biuf":
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(got.astype(np.float64), wrong.astype(np.float64), rtol=1e-6, atol=1e-9))


def close(rtol, atol, name=None):
    """The default comparison: every element within ``atol + rtol * |expected|``."""
    def judge(key, got, expected, inputs):
        value = got.get(key, f"was not produced (the check did not get as far as `{key}`)")
        if isinstance(value, str):
            return f"{name or key} {value}."
        return describe_mismatch(name or key, value, expected[key], rtol=rtol, atol=atol)
    return judge


def finite_first(rtol, atol, hint=None, name=None):
    """Compare like :func:`close`, but explain NaN/inf first (and name a likely cause via ``hint``)."""
    plain = close(rtol, atol, name)

    def judge(key, got, expected, inputs):
        value, exp = got.get(key), expected[key]
        if isinstance(value, np.ndarray) and value.shape == np.shape(exp) and value.dtype.kind == "f":
            bad = ~np.isfinite(value) & np.isfinite(exp)
            if bad.any():
                first = np.argwhere(bad)[0]
                at = "" if value.ndim == 0 else f", first at [{', '.join(str(int(k)) for k in first)}]"
                kind = "NaN" if np.isnan(value[bad]).any() else "inf"
                msg = (f"{name or key} contains {kind} at {int(bad.sum())} position(s){at}; "
                       "look for 0/0, log of 0 or overflow in exp.")
                cause = hint(value, inputs) if hint else ""
                return msg + (f" Likely mistake: {cause}" if cause else "")
        return plain(key, got, expected, inputs)
    return judge


def fault_of(outputs):
    """The exception a scenario recorded (see ``autograder.scenario.Fault``), as a dict of texts, or None."""
    fault = {k[len(FAULT):]: v for k, v in outputs.items() if k.startswith(FAULT) and isinstance(v, str)}
    if not fault:
        return None
    for k in ("stage", "type", "message", "frame", "line", "code"):
        fault.setdefault(k, "")
    return fault


def fault_text(fault):
    """The message about an exception, written by the judge from the recorded parts."""
    where = ""
    if fault["frame"]:
        where = f" (in {fault['frame']}" + (f", line {fault['line']}" if fault["line"] else "")
        where += f": `{fault['code']}`)" if fault["code"] else ")"
    stage = f"{fault['stage']} " if fault["stage"] else ""
    return f"{stage}raised {fault['type']}: {fault['message']}{where}."


def raised(*types, words=(), frame=None, stage=None):
    """A recogniser for :class:`Hint`: the exception type is one of ``types`` (any if empty), its message
    contains one of ``words`` (any if empty), it happened in a student function whose name ends with
    ``frame`` (a string or tuple), and the hidden test was calling something starting with ``stage``."""
    frames = (frame,) if isinstance(frame, str) else frame

    def applies(fault, inputs):
        if types and fault["type"] not in types:
            return False
        if words and not any(w in fault["message"] for w in words):
            return False
        if frames is not None and not any(fault["frame"] == f or fault["frame"].endswith("." + f) for f in frames):
            return False
        return stage is None or fault["stage"].startswith(stage)
    return applies


def both(*tests):
    """A hint's ``applies`` that holds when every one of ``tests`` (each ``(fault, inputs) -> bool``) holds."""
    def applies(fault, inputs):
        return all(t(fault, inputs) for t in tests)
    return applies


def when(predicate):
    """A recogniser that looks at the scenario's inputs only."""
    return lambda fault, inputs: bool(predicate(inputs))


MATMUL = ("not aligned", "matmul", "mismatch in its core dimension")
BROADCAST = ("could not be broadcast", "operands could not be broadcast")

# what usually causes common exceptions, wherever they happen
GENERIC_HINTS = (
    Hint("a value that forward should have stored for backward (such as self.x, self.mask or self.out) is still "
         "None: store it in forward.", raised("TypeError", "AttributeError", words=("NoneType",),
                                              frame="backward")),
    Hint("return exactly the values the docstring lists, in that order.",
         lambda fault, inputs: not fault["frame"] and "values to unpack" in fault["message"]),
    Hint("the shapes in a matrix product do not fit: check the order of the factors and the transposes.",
         raised("ValueError", words=MATMUL)),
    Hint("two arrays of different shapes were combined: check each one's shape.",
         raised("ValueError", words=BROADCAST)),
    Hint("run every cell above, and keep the names the notebook asks for.", raised("NameError")),
)
