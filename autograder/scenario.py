"""Scenarios: the part of a hidden test that runs in the notebook kernel.

A scenario makes seeded inputs, drives an implementation (a notebook namespace: the student's globals,
or the reference's) and returns its raw outputs. The *same* scenario runs twice: on the student's code
inside the notebook kernel, and on the reference in the grader's own process. Comparing the two is the
judge's job (``autograder.judge``, with the rules of ``autograder.rules``), where student code never ran.

**What the kernel can read, and why it gives nothing away.** Under ``course grade`` the kernel runs in
the sandbox with a copy of the grader's *runtime* (``autograder.runtime.RUNTIME_FILES``), which student
code can import, read or print: this module; ``hidden`` (what hidden cells call); ``records`` (the record
file format); ``executor`` and ``frames`` (the cell runner and its pipe); ``compare`` (byte for byte the
``bp_checks.py`` that every student already has in the assignment folder); and ``checks``, one probe module
per assignment. They hold

* seeded input makers: random numbers, made-up datasets, stand-in objects with known numbers;
* drivers ``run(ns, inputs)`` that call the student's code on those inputs and return what it returned,
  unjudged (for numerical gradients: the student's own function evaluated at inputs nudged by +h and -h;
  the differences and divisions are the judge's); recording wrappers and stand-ins that note how the
  student's code uses its own components (token layers that compute nothing, a numerical_gradient that
  only evaluates ``f``, a probe network that is no network of the course, a wrapper that passes every
  call on to the student's sgd_update);
* messages that restate the notebook's contract (a name is missing, a return value has the wrong type), as
  facts: an English template marked ``N_`` and its values (names from the code, shapes, type names), which the
  judge words in the language of the grading (:class:`StudentError`). Scenario titles and the ``stage`` of a
  call are English templates marked ``N_`` too, filled with such values only (:func:`fill`); the judge translates
  them where it shows them. What a returned value is instead of numbers (``plain_array``'s problem) is recorded
  in English too. The kernel needs no catalog: its records are the same bytes in every language.

Nothing here computes a graded answer, an expected value or a verdict: no reference, no tolerance, no
known-mistake recogniser or its message, no hint. Those live in ``autograder.judge`` and
``autograder.rules``, which are never copied into the sandbox; and the judge recomputes every judged
quantity (numerical gradients, relative errors, accuracies, losses, learning rates) from the raw arrays
the kernel recorded. ``tests/autograder/test_runtime.py`` builds the runtime and proves it, also from a
sandboxed notebook that prints every file under ``/grader``.
"""

import contextlib
import copy
import io
import os
import sysconfig
import traceback
import warnings
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import compare
from .compare import plain_array

N_ = str  # marks a text for the grader's catalogs (babel.cfg); the judge translates it (autograder.i18n.translate)
NOT_IMPLEMENTED = N_("not implemented yet (the stub still raises NotImplementedError).")
UNSHOWN = N_("(its message could not be shown)")  # a student exception whose __str__ fails
FAULT = "~fault "  # outputs under this prefix describe an exception of student code (see Fault.outputs)
CONTRACT = "~contract"  # outputs under this prefix: the facts of a broken contract (see StudentError.outputs)


MADE = {}  # text -> (template, values): the titles and stages made by fill() (tests check how each is translated)


def fill(template, **values):
    """``template`` (English, marked ``N_``) filled with ``values`` (names from the code, numbers, shapes): a scenario's
    title or the ``stage`` of a call. The judge translates it where it shows it (``autograder.i18n.translate`` finds
    the template again in the text)."""
    values = {name: str(value) for name, value in values.items()}
    text = template.format(**values)
    MADE[text] = (template, values)
    return text


class StudentError(Exception):
    """The student's code does not follow the notebook's contract (a missing name, a wrong return type).

    ``template`` is an English sentence marked ``N_`` with ``{fields}``; ``values`` fill them (names from the code,
    numbers, shapes, type names: never words, so that the template alone carries the language). A value whose
    field name ends in ``problem`` is a phrase of :func:`autograder.compare.plain_array`, in English
    (:func:`english_problem`). ``str(exc)`` is the English sentence; the judge writes it in the language of the
    grading from :meth:`outputs`."""

    def __init__(self, template, **values):
        values = {name: str(value) for name, value in values.items()}
        super().__init__(template.format(**values) if values else template)
        self.template, self.values = template, values

    def outputs(self):
        """The contract's facts as raw text outputs: the template under ``~contract``, each value under
        ``~contract <field>``."""
        return {CONTRACT: self.template, **{f"{CONTRACT} {name}": value for name, value in self.values.items()}}


class Fault(Exception):
    """Student code raised: what the driver was calling (``stage``), the exception, and where it happened."""

    def __init__(self, stage, exc):
        super().__init__(stage)
        self.stage, self.exc = stage, exc

    def outputs(self):
        """The fault as raw text outputs, for the judge (which words the message and any hint)."""
        frame, line, code = student_frame(self.exc)
        return {f"{FAULT}stage": self.stage, f"{FAULT}type": type(self.exc).__name__,
                f"{FAULT}message": _text(self.exc, 600), f"{FAULT}frame": frame, f"{FAULT}line": str(line or ""),
                f"{FAULT}code": code}

    def text(self):
        """One sentence for the student: what was called, the exception, and where in their code."""
        frame, line, code = student_frame(self.exc)
        where = f" (in {frame}, line {line}" + (f": `{code}`)" if code else ")") if frame else ""
        stage = f"{self.stage} " if self.stage else ""
        return f"{stage}raised {type(self.exc).__name__}: {_text(self.exc, 600)}{where}."


def _text(exc, limit):
    try:
        text = str(exc)
    except Exception:  # a student's exception class may break in __str__
        text = UNSHOWN
    return text if len(text) <= limit else text[:limit - 3] + "..."


# code that is not the student's: the grader's own package, the standard library, installed packages
_NOT_STUDENT = tuple(sorted({os.path.dirname(os.path.abspath(__file__)) + os.sep,
                             *(os.path.abspath(sysconfig.get_paths()[k]) + os.sep
                               for k in ("stdlib", "platstdlib", "purelib", "platlib"))}))


def student_frame(exc):
    """``(qualified name, line, code)`` of the innermost frame of notebook code (not grader, not a library)."""
    tb = exc.__traceback__
    found = ("", 0, "")
    summary = traceback.extract_tb(tb)
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame, entry in zip(frames, summary):
        name = os.path.abspath(entry.filename) if os.path.isabs(entry.filename) else entry.filename
        if name.startswith(_NOT_STUDENT) or "site-packages" in name:
            continue
        code = frame.f_code
        qualname = getattr(code, "co_qualname", None)
        if qualname is None:  # Python 3.10: name the class from `self`
            owner = frame.f_locals.get("self")
            qualname = f"{type(owner).__name__}.{code.co_name}" if owner is not None else code.co_name
        found = (qualname, entry.lineno, (entry.line or "").strip()[:200])
    return found


@dataclass(frozen=True)
class Scenario:
    """One sub-check of a graded cell: ``inputs(rng) -> dict`` makes its seeded inputs, ``run(ns, inputs)``
    drives an implementation (the student's globals or the reference) and returns its raw outputs."""

    grade_id: str
    title: str
    inputs: Callable  # (rng) -> dict of inputs
    run: Callable  # (ns, inputs) -> dict of raw outputs
    index: int = 0

    @property
    def seed(self):
        """The scenario's seed, from its cell, position and title (the same on every run)."""
        return zlib.crc32(f"{self.grade_id}/{self.index}/{self.title}".encode())

    def make_inputs(self):
        """The scenario's inputs, made from its seed."""
        return self.inputs(np.random.default_rng(self.seed))


class Cells(dict):
    """The scenarios of one assignment: ``{grade_id: [Scenario, ...]}`` in the order they were added."""

    def add(self, grade_id, title, inputs, run):
        """Add a scenario to the graded cell ``grade_id``: ``inputs(rng) -> dict``, ``run(ns, inputs) -> dict``."""
        scenarios = self.setdefault(grade_id, [])
        sc = Scenario(grade_id, title, inputs, run, index=len(scenarios))
        scenarios.append(sc)
        return sc


UNDEFINED = {
    "class": N_("`{name}` is not defined. Run the cell that defines the class `{name}` (and do not rename it)."),
    "function": N_("`{name}` is not defined. Run the cell that defines the function `{name}` (and do not rename "
                   "it)."),
}


def need(ns, name, what="class"):
    """Look up ``name`` in a notebook namespace, with a student-friendly error if it is missing (``what``:
    ``"class"`` or ``"function"``)."""
    try:
        return ns[name]
    except KeyError:
        raise StudentError(UNDEFINED[what], name=name) from None


def pair(value, method):
    """Unpack the two gradients a backward method returns, or explain what came back instead."""
    if type(value) not in (tuple, list) or len(value) != 2:
        raise StudentError(N_("{method} must return two values, (dx, dy); it returned {type} {value}."),
                           method=method, type=type(value).__name__, value=_short(value))
    return value


def english_problem(value):
    """:func:`autograder.compare.plain_array` of ``value`` with its problem in English, whatever language the kernel's
    visible checks speak: a recorded fact (an output's problem, a contract's value), which the judge says in the
    language of the grading. Records are the same bytes in every edition."""
    with compare.speaking("en"):
        return plain_array(value)


def _short(value):
    try:
        text = repr(value)
    except Exception:
        text = "?"
    return text if len(text) <= 60 else text[:57] + "..."


@contextlib.contextmanager
def quiet(output=False):
    """No numpy warning (and with ``output``, no print or progress bar) of student code reaches the cell."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        stack.enter_context(np.errstate(all="ignore"))
        warnings.simplefilter("ignore")
        if output:
            stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
            stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        yield


def call(fn, *args, stage=""):
    """Call student code quietly; an exception becomes a :class:`Fault` that says what was called."""
    try:
        with quiet():
            return fn(*args)
    except (NotImplementedError, StudentError, Fault):
        raise
    except Exception as exc:  # student code may raise anything
        raise Fault(stage or getattr(fn, "__qualname__", ""), exc) from None


@contextlib.contextmanager
def replaced(fn, ns, names):
    """Bind ``names`` (a dict) in ``fn``'s globals while the block runs, if those globals are ``ns`` itself.

    Hidden tests use it to hand a student function recording stand-ins for the components it calls. Only
    the namespace the scenario was given is touched (never a module of the grader), and every name is put
    back afterwards. Yields whether the names were bound."""
    target = getattr(getattr(fn, "__func__", fn), "__globals__", None)
    if target is not ns:
        yield False
        return
    missing = object()
    saved = {name: ns.get(name, missing) for name in names}
    ns.update(names)
    try:
        yield True
    finally:
        for name, value in saved.items():
            if value is missing:
                ns.pop(name, None)
            else:
                ns[name] = value


def execute(sc, ns):
    """Run scenario ``sc`` on namespace ``ns``.

    Returns ``(outputs, error)``: outputs maps names to plain arrays, or to a string saying why the value
    is not a number/array; ``error`` is a message when the code raised (the outputs then describe the
    exception, under the prefix ``~fault``).
    """
    inputs = sc.make_inputs()
    try:
        raw = sc.run(ns, copy.deepcopy(inputs))
    except StudentError as exc:
        return exc.outputs(), str(exc)
    except NotImplementedError:
        return {}, NOT_IMPLEMENTED
    except Fault as fault:
        if isinstance(fault.exc, NotImplementedError):
            return {}, NOT_IMPLEMENTED
        return fault.outputs(), fault.text()
    except Exception as exc:  # student code may raise anything
        fault = Fault("", exc)
        return fault.outputs(), fault.text()
    outputs = {}
    for key, value in raw.items():
        if isinstance(value, str) and key.startswith("~"):  # a note of the driver (text), kept as it is
            outputs[key] = value
            continue
        arr, problem = english_problem(value)  # a fact in English: the judge says it in the grading's language
        outputs[key] = problem if problem else arr
    return outputs, None


def as_float32(inputs):
    """Wrap an ``inputs(rng)`` function so that its float arrays come as float32 (a fairness check)."""

    def make(rng):
        made = inputs(rng)
        return {k: v.astype(np.float32) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
                for k, v in made.items()}
    return make
