"""The Korean edition's hidden checks: the same verdicts and points as in English, the mistakes named in Korean.

Every catalogued mutant (one bug each, ``tests/quality/catalogue.py``) and the bundled buggy student
(``course/examples/submitted/buggy``) is run once; each graded cell's records are judged twice, in English and in
Korean. Each check must pass or fail alike and earn the same share; every mistake or hint the English message
names must be named by its Korean text in the Korean message (and its English text must be gone).
"""

import contextlib
import functools
import io
import re
import sys
import warnings

import nbformat
import numpy as np
import pytest

from autograder import rules
from autograder.checks import SCENARIOS, scenarios_for
from autograder.i18n import gettext, speaking
from autograder.judge import judge_cell, reference_namespace
from autograder.rules.core import GENERIC_HINTS, likely, output_name
from autograder.runtime import make_runtime
from autograder.scenario import execute
from course.sequence import ROOT, assignments

from .catalogue import MUTANTS
from .harness import _exec, answer_and_setup_sources, answer_cells, namespace

RELEASED = {a.name: a for a in assignments()}
MUTANTS = [m for m in MUTANTS if m.assignment in RELEASED]
BUGGY = ROOT / "course" / "examples" / "submitted" / "buggy"
HANGUL = re.compile("[\uac00-\ud7a3]")


def ko(text):
    """A text of the rules in Korean, from the ``mistakes`` catalog."""
    return gettext(text, "ko", "mistakes")


def named_texts(rule):
    """The texts the judge may show after "Likely mistake:" for this rule: its mistakes' and hints' messages."""
    return {m.message for m in rule.mistakes} | {h.message for h in rule.hints + GENERIC_HINTS
                                                 if isinstance(h.message, str)}


def judge_both(assignment, ns):
    """``[(grade_id, English CellResult, Korean CellResult)]``: each graded cell run once on ``ns``, judged twice."""
    _, graded = answer_cells(assignment)
    ref = reference_namespace()
    judged = []
    for gid, points in graded:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            records = {i: execute(sc, ns) for i, sc in enumerate(scenarios_for(gid))}
        judged.append((gid, judge_cell(gid, points, records, ref, lang="en"),
                       judge_cell(gid, points, records, ref, lang="ko")))
    return judged


def same_verdicts_and_mistakes(judged):
    """Assert the two languages agree; return how many mistakes or hints the Korean messages named."""
    with speaking("en"):
        marker_en = likely("").strip()
    with speaking("ko"):
        marker_ko = likely("").strip()
    named = 0
    for gid, en, kr in judged:
        assert (en.score, en.points) == (kr.score, kr.points), gid
        assert len(en.checks) == len(kr.checks), gid
        texts = named_texts(rules.rule_for(gid))
        for a, b in zip(en.checks, kr.checks):
            assert (a.title, a.passed, a.share) == (b.title, b.passed, b.share), (gid, a.title)
            if a.passed:
                continue
            assert b.message and b.message_en == a.message, (gid, a.title)  # the report's English copy
            assert a.message.count(marker_en) == b.message.count(marker_ko), (gid, a.message, b.message)
            for text in texts:
                if text in a.message:
                    named += 1
                    assert ko(text) != text, f"no Korean for {text!r}"
                    assert ko(text) in b.message, (gid, text, b.message)
                    assert text not in b.message, (gid, text, b.message)
            if marker_en in a.message:
                assert HANGUL.search(b.message), (gid, b.message)
    return named


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.assignment}:{m.name}")
def test_a_mutant_is_judged_alike_and_named_in_korean(mutant):
    """Same points per check in both languages; the mistake named in English is named in Korean."""
    judged = judge_both(mutant.assignment, namespace(mutant.assignment, (mutant.old, mutant.new)))
    named = same_verdicts_and_mistakes(judged)
    if mutant.diagnosis:  # a mutant the English feedback promises to name: the Korean names it too
        assert named or any(HANGUL.search(c.message) for _, _, kr in judged for c in kr.checks if not c.passed)


def submitted_namespace(assignment, notebook):
    """The names a submitted notebook's answer cells (and setup cells) define, run in order as the kernel does."""
    cells = answer_and_setup_sources(nbformat.read(notebook, as_version=4))
    folder = str(ROOT / "source" / assignment)
    sys.path.insert(0, folder)
    try:
        return _exec("\n\n".join(["import numpy as np", "from collections import OrderedDict", *cells]), assignment,
                     {"__name__": "__main__"})
    finally:
        sys.path.remove(folder)


@functools.lru_cache(maxsize=None)
def buggy_judged(assignment):
    notebook = BUGGY / assignment / RELEASED[assignment].notebook
    return judge_both(assignment, submitted_namespace(assignment, notebook))


@pytest.mark.parametrize("assignment", sorted(RELEASED))
def test_the_buggy_example_student_gets_the_same_points_in_korean(assignment):
    """The bundled buggy student loses the same points in both editions, and reads Korean where it lost them."""
    judged = buggy_judged(assignment)
    same_verdicts_and_mistakes(judged)
    failed = [c for _, _, kr in judged for c in kr.checks if not c.passed]
    assert failed, f"the buggy example of {assignment} loses no point: the test would show nothing"
    assert all(HANGUL.search(c.message) for c in failed), [c.message for c in failed if not HANGUL.search(c.message)]


def test_the_buggy_class_hears_of_named_mistakes_in_korean():
    """Across the buggy student's six notebooks, known mistakes are named, and named in Korean."""
    assert sum(same_verdicts_and_mistakes(buggy_judged(a)) for a in sorted(RELEASED)) >= 3


def test_every_mistake_and_hint_has_its_korean_text():
    """No mistake message or hint of the rules falls back to English in the Korean edition."""
    texts = set(h.message for h in GENERIC_HINTS)
    for rule in rules.RULES.values():
        texts |= named_texts(rule)
    untranslated = sorted(t for t in texts if ko(t) == t or not HANGUL.search(ko(t)))
    assert len(texts) > 150 and not untranslated, untranslated


def test_the_outputs_named_by_a_phrase_have_korean_names():
    """An output whose name is a phrase ("forward output", "the shape of params['W1']") is named in Korean; a name
    from the code (dx, price, diffs['W1']) stays as it is."""
    keys = set()
    for grade_id, scenarios in SCENARIOS.items():
        rule = rules.rule_for(grade_id)
        for sc in scenarios:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                outputs, error = execute(sc, reference_namespace())
            assert error is None, sc.title
            keys.update(k for k in (rule.derive(dict(outputs), sc.make_inputs()) if rule.derive else outputs)
                        if not k.startswith("~"))
    with speaking("ko"):
        names = {k: output_name(k) for k in keys}
    with speaking("en"):
        assert all(output_name(k) == k for k in keys)  # English: the key itself, byte for byte
    phrases = [k for k in keys if " " in k]
    assert len(phrases) >= 20, phrases
    assert not [k for k in phrases if not HANGUL.search(names[k])], names
    assert names["dx"] == "dx" and names["diffs['W1']"] == "diffs['W1']"


def test_the_korean_mistake_texts_never_reach_the_kernel(tmp_path):
    """The kernel side (what student code can read) holds no mistake message in any language."""
    from babel.messages.pofile import read_po

    from autograder.i18n import catalog_path

    with open(catalog_path("ko", "mistakes"), "rb") as f:
        secrets = {m.string.encode() for m in read_po(f) if m.id and m.string and len(m.string) >= 20}
    assert len(secrets) > 150
    make_runtime(tmp_path)
    found = [(path.name, secret.decode()[:40]) for path in tmp_path.rglob("*") if path.is_file()
             for secret in secrets if secret in path.read_bytes()]
    assert not found, found
    assert np.all([p.is_file() for p in tmp_path.rglob("*.py")])  # the runtime was written (the search had files)
