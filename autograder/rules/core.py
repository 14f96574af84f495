"""The parts every assignment's rules are made of: comparisons, known mistakes, hints for exceptions.

Judge side only. Nothing under ``autograder.rules`` is ever copied into the sandbox: it holds the
tolerances, the recognisers of known mistakes and every message that names one.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..compare import describe_mismatch, name_problem, plain_array
from ..i18n import KERNEL_DOMAIN, N_, gettext, translate
from ..scenario import FAULT

LIKELY = N_("Likely mistake:")  # before the text of a recognised mistake (course/report.py finds it in English)


def likely(cause):
    """`` Likely mistake: <cause>`` in the language of the grading (``cause`` already translated)."""
    return f" {gettext(LIKELY)} {cause}"


def not_produced(key):
    """What a missing output ``key`` is: a text that follows the output's name."""
    return gettext(N_("was not produced (the check did not get as far as `{key}`)")).format(key=key)


MISTAKES = "mistakes"  # the catalog of the rules' own texts (autograder/rules/ but this module's N_ texts)


def say(text, **values):
    """``text`` (an English template of the rules, marked with ``N_``) in the language of the grading
    (``autograder.i18n.speaking``), then ``values`` formatted into it. Without values it is not formatted: then it may
    also be a text the kernel recorded for an output, a problem ``plain_array`` found (always in English, in the
    visible checks' words), which is translated from their catalog."""
    said = gettext(text, domain=MISTAKES)
    if values:
        return said.format(**values)
    return translate(text, domain=KERNEL_DOMAIN) if said == text else said


_NAMES = {}  # output key -> (template, values): the outputs whose name is made from a template


def name_output(output, template, **values):
    """Say how output ``output`` (its key) is called in messages: ``template`` (marked with ``N_``) with ``values``,
    which must give the key itself in English. Returns the key."""
    if template.format(**values) != output:
        raise ValueError(f"the name template {template!r} does not give the output key {output!r}")
    _NAMES[output] = (template, values)
    return output


def output_name(key):
    """What output ``key`` is called in a message, in the language of the grading: the translation of a key that is
    a phrase ("forward output", marked ``N_`` in the rules) or of its name template (:func:`name_output`), else the
    key itself (a name from the code, such as ``dx``)."""
    template, values = _NAMES.get(key, (key, {}))
    return say(template, **values)


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
        value = got[key] if key in got else not_produced(key)
        if isinstance(value, str):
            return name_problem(name or output_name(key), say(value))  # a text of a derive: translated here
        return describe_mismatch(name or output_name(key), value, expected[key], rtol=rtol, atol=atol)
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
                kind = "NaN" if np.isnan(value[bad]).any() else "inf"
                if value.ndim == 0:
                    msg = gettext(N_("{name} contains {kind} at {count} position(s); look for 0/0, log of 0 or "
                                     "overflow in exp."))
                else:
                    msg = gettext(N_("{name} contains {kind} at {count} position(s), first at {index}; look for "
                                     "0/0, log of 0 or overflow in exp."))
                msg = msg.format(name=name or output_name(key), kind=kind, count=int(bad.sum()),
                                 index=f"[{', '.join(str(int(k)) for k in first)}]")
                cause = hint(value, inputs) if hint else ""
                return msg + (likely(gettext(cause, domain="mistakes")) if cause else "")
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
    """The message about an exception, written by the judge from the recorded parts (in the language of the
    grading: ``autograder.i18n.speaking``)."""
    where = ""
    if fault["frame"] and fault["line"] and fault["code"]:
        where = gettext(N_(" (in {frame}, line {line}: `{code}`)"))
    elif fault["frame"] and fault["line"]:
        where = gettext(N_(" (in {frame}, line {line})"))
    elif fault["frame"] and fault["code"]:
        where = gettext(N_(" (in {frame}: `{code}`)"))
    elif fault["frame"]:
        where = gettext(N_(" (in {frame})"))
    where = where.format(frame=fault["frame"], line=fault["line"], code=fault["code"])
    text = gettext(N_("{stage} raised {type}: {message}{where}.")) if fault["stage"] else \
        gettext(N_("raised {type}: {message}{where}."))
    return text.format(stage=fault["stage"], type=fault["type"], message=fault["message"], where=where)


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
