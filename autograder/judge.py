"""The judge: compare what student code produced with what the reference produces.

The judge runs in the grader's own process, which never executes student code. It re-creates each
scenario's seeded inputs, runs the reference on them, turns the raw recorded arrays of both into the
judged quantities (``Rule.derive``: numerical gradients, relative errors, accuracies, learning rates are
all computed here, never taken from the kernel), compares them (``autograder.rules``) and names known
mistakes. A "Likely mistake" is only ever shown when its recogniser matched: a known wrong value, or an
exception whose type, message and place fit the hint.
"""

import math
from dataclasses import dataclass, field

from .checks import scenarios_for
from .i18n import DEFAULT, N_, gettext, language, placeholders, speaking, translate
from .rules import rule_for
from .rules.core import GENERIC_HINTS, fault_of, fault_text, likely, matches, not_produced
from .scenario import CONTRACT, UNSHOWN, execute

LIKELY = " Likely mistake: "  # in English; likely() gives it in the language of the grading


@dataclass
class Check:
    """One scenario's verdict: its title, passed or not, the message for the student, the share earned."""

    title: str
    passed: bool
    message: str = ""
    earned: float = None  # share of the scenario earned (0..1); None: all of it if passed, else nothing
    message_en: str = ""  # the message in English when the student reads another language (the class report's)

    @property
    def share(self):
        """The share of the scenario earned, from 0 to 1."""
        return (1.0 if self.passed else 0.0) if self.earned is None else self.earned


@dataclass
class CellResult:
    """A graded cell's result: one :class:`Check` per scenario, or the problem that kept them from running."""

    grade_id: str
    points: float
    checks: list = field(default_factory=list)
    problem: str = ""  # why nothing could be checked (cell skipped, records missing or tampered)

    @property
    def score(self):
        """The points earned: ``points`` times the mean share of the checks, rounded down to 0.01."""
        if not self.checks:
            return 0.0
        earned = sum(c.share for c in self.checks)
        return math.floor(self.points * earned / len(self.checks) * 100 + 1e-9) / 100

    def report(self):
        """Plain-text feedback for the student: one line per sub-check (in the language of the grading)."""
        lines = [gettext(N_("Hidden tests: {score} / {points} points")).format(score=f"{self.score:g}",
                                                                              points=f"{self.points:g}")]
        if self.problem:
            lines.append(f"  ✗ {self.problem}")
        for c in self.checks:
            title = translate(c.title)  # a title marked in autograder/checks/ (an N_ template), else as it is
            lines.append(f"  {'✓' if c.passed else '✗'} {title}" + ("" if c.passed else f": {c.message}"))
        return "\n".join(lines)


def reference_namespace():
    """The reference implementation as a namespace (``{name: object}``) to run scenarios on."""
    from . import reference

    return vars(reference)


def error_message(rule, outputs, error, inputs):
    """What to tell a student whose code raised (or broke the contract): the exception, and a hint only
    when one recognises this exception."""
    fault = fault_of(outputs)
    if fault is None:  # a contract message of the probe, or the stub's NotImplementedError
        return contract_text(outputs) or translate(error)
    # the probe's stage (a marked template of autograder/checks/) and its own words in the language of the grading;
    # the hints below recognise the fault as recorded, in English
    shown = dict(fault, stage=translate(fault["stage"]))
    if fault["message"] == UNSHOWN:
        shown["message"] = gettext(UNSHOWN)
    text = fault_text(shown)
    for hint in rule.hints + GENERIC_HINTS:
        try:
            applies = hint.applies(fault, inputs)
        except Exception:  # a recogniser that does not fit these inputs
            applies = False
        if applies:
            cause = hint.message(fault) if callable(hint.message) else hint.message
            return text + likely(gettext(cause, domain="mistakes"))
    return text


def contract_text(outputs):
    """The sentence of a contract the probe found broken (``autograder.scenario.StudentError``), written here from
    the recorded facts in the language of the grading: the template translated, then its values (a value whose
    field ends in ``problem`` is a phrase of the visible checks, translated too). None without complete facts."""
    template = outputs.get(CONTRACT)
    if not isinstance(template, str):
        return None
    values = {k[len(CONTRACT) + 1:]: v for k, v in outputs.items()
              if k.startswith(CONTRACT + " ") and isinstance(v, str)}
    fields = placeholders(template)
    if fields is None or any(conv or spec or not name.isidentifier() or name not in values
                             for name, conv, spec in fields):
        return None  # not a template the probes write (a tampered record): the recorded sentence, as it is
    values = {k: translate(v, domain="bp_checks") if k.endswith("problem") else v for k, v in values.items()}
    try:
        return gettext(template).format(**values)
    except (KeyError, IndexError, ValueError):
        return None


def _both(lang, say):
    """``(say() in lang, say() in English or "" when lang is English)``: the student's text and the class report's."""
    with speaking(lang):
        text = say()
    if lang == DEFAULT or not text:
        return text, ""
    with speaking(DEFAULT):
        return text, say()


def _derived(rule, outputs, inputs, side):
    if rule.derive is None:
        return dict(outputs)
    try:
        return rule.derive(dict(outputs), inputs)
    except Exception as exc:
        if side == "reference":
            raise RuntimeError(f"deriving the reference's outputs failed: {exc!r}") from exc
        return None


def judge_scenario(sc, recorded, error, ref_ns=None, lang=None):
    """Return a :class:`Check` for one scenario given the student's recorded outputs or error. Its message is in
    ``lang`` (``None``: the current ``autograder.i18n.speaking`` block's), and also in English when that differs."""
    lang = lang or language()
    rule = rule_for(sc.grade_id)
    inputs = sc.make_inputs()
    if error:
        message, message_en = _both(lang, lambda: error_message(rule, recorded, error, inputs))
        return Check(sc.title, False, message, message_en=message_en)
    expected, ref_error = execute(sc, ref_ns if ref_ns is not None else reference_namespace())
    if ref_error:
        raise RuntimeError(f"the reference failed scenario {sc.grade_id}/{sc.title}: {ref_error}")
    exp = _derived(rule, expected, inputs, "reference")
    # a judged quantity that the judge derives is never taken from the record, only recomputed from it
    derived_only = set(exp) - set(expected)
    recorded = {k: v for k, v in recorded.items() if isinstance(v, str) or k not in derived_only}
    got = _derived(rule, recorded, inputs, "student")
    keys = [k for k in exp if not k.startswith("~")]
    if got is None:
        message, message_en = _both(lang, lambda: gettext(N_(
            "the recorded outputs are not in the form the hidden test writes.")))
        return Check(sc.title, False, message, message_en=message_en)
    missing = [key for key in keys if key not in got or got[key] is None]

    def verdict():  # the problems in the current language, and how many outputs are right
        shown = dict(got)
        for key in missing:  # every comparer gets a value or a text saying why there is none
            shown[key] = not_produced(key)
        problems, right = [], 0
        for key in keys:
            try:
                msg = rule.comparer(key)(key, shown, exp, inputs)
            except Exception:  # a recorded value in a form no comparer expects (a tampered record): no points
                msg = gettext(N_("{key} is not in the form the hidden test expects.")).format(key=key)
            if not msg:
                right += 1
                continue
            hint = "" if likely("").strip() in msg else diagnose(rule, key, shown, exp, inputs)
            problems.append(msg + (likely(hint) if hint else ""))
        if problems and rule.note:
            try:
                note = rule.note(shown, exp, inputs)
            except Exception:
                note = ""
            if note:
                problems.append(gettext(note, domain="mistakes"))
        return problems, right

    with speaking(lang):
        problems, right = verdict()
    message_en = ""
    if problems and lang != DEFAULT:
        with speaking(DEFAULT):
            message_en = " ".join(verdict()[0])
    earned = (right / len(keys) if keys else 1.0) if rule.credit == "output" else float(not problems)
    return Check(sc.title, not problems, " ".join(problems), earned, message_en)


def diagnose(rule, key, got, expected, inputs):
    """Name the known mistake that explains output ``key``, if one does."""
    value = got.get(key)
    for mistake in rule.mistakes:
        if mistake.key == key and matches(mistake, value, inputs, expected):
            return gettext(mistake.message, domain="mistakes")
    return ""


def judge_cell(grade_id, points, records, ref_ns=None, lang=None):
    """Judge every scenario of a graded cell. ``records`` is what :func:`autograder.records.load_records` returned.
    Messages are in ``lang`` (``None``: the current ``autograder.i18n.speaking`` block's, English outside one)."""
    lang = lang or language()
    result = CellResult(grade_id, float(points))
    if isinstance(records, str):
        result.problem = translate(records, lang)
        return result
    for sc in scenarios_for(grade_id):
        entry = records.get(sc.index)
        if entry is None:
            message, message_en = _both(lang, lambda: gettext(N_("was not run (the hidden test did not finish).")))
            result.checks.append(Check(sc.title, False, message, message_en=message_en))
            continue
        outputs, error = entry
        result.checks.append(judge_scenario(sc, outputs, error, ref_ns, lang))
    return result
