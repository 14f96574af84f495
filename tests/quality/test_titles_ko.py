"""The last English words of the hidden checks, in the Korean edition: scenario titles and the probes' own texts.

A scenario's title (``CELLS.add(grade_id, title, ...)``) stays English where it is data: it seeds the scenario, it is
the ``title`` of the results JSON and of the class report. The judge translates it where the student reads it
(``CellResult.report()``, the feedback notebook and page). The kernel-side probes write no sentence the student
reads: a broken contract (``StudentError``) is recorded as facts, a marked English template and its values, and the
judge writes the sentence in the language of the grading; the ``stage`` of a call that raised is a marked template
too. Every contract the probes can report is provoked here once, from a namespace of the reference with one thing
broken, and judged in English (the kernel's sentence, byte for byte) and in Korean (the catalog's, with the same
values), with the same verdict.
"""

import ast
import contextlib
import io
import os
import re
import shutil
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import compare, i18n
from autograder.checks import SCENARIOS, scenarios_for
from autograder.hidden import check
from autograder.judge import CellResult, Check, judge_cell, judge_scenario, reference_namespace
from autograder.scenario import CONTRACT, FAULT, MADE, NOT_IMPLEMENTED, UNSHOWN, execute
from course.sequence import ROOT

HANGUL = re.compile("[\uac00-\ud7a3]")
PROBES = [ROOT / "autograder" / "scenario.py", *sorted((ROOT / "autograder" / "checks").glob("*.py"))]


def ko(text):
    return i18n.gettext(text, "ko", "grader")


def quietly(fn, *args):
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return fn(*args)


@pytest.fixture(scope="module")
def probe_texts():
    """``{msgid: locations}`` of the grader's texts marked in the probes (autograder/checks/, scenario.py)."""
    probes = {p.relative_to(ROOT).as_posix() for p in PROBES}
    return {m.id: {path for path, _ in m.locations} for m in i18n.extract()["grader"]
            if m.id and any(path in probes for path, _ in m.locations)}


def expected_korean(text):
    """The Korean a title or stage should get: its template's translation with its own values, or its own entry."""
    if text in MADE:
        template, values = MADE[text]
        return ko(template).format(**values)
    return ko(text)


# -- titles -------------------------------------------------------------------------------------------------------

def test_every_title_is_marked_and_has_korean(probe_texts):
    """Is each of the 153 titles a marked text or made from one (``fill``), with Korean text of its own?"""
    titles = [sc.title for scenarios in SCENARIOS.values() for sc in scenarios]
    assert len(titles) >= 150
    for title in titles:
        template = MADE[title][0] if title in MADE else title
        assert template in probe_texts, f"title not marked for the catalog: {title!r}"
        assert HANGUL.search(ko(template)), f"no Korean for the title template {template!r}"


def test_the_judge_finds_each_title_s_own_template():
    """The judge translates a title from its English text alone (a result read back from JSON has nothing else):
    does every title get its own template's translation with its own values (no other template of the grader's
    catalog matches it better, no value is split wrongly)?"""
    for scenarios in SCENARIOS.values():
        for sc in scenarios:
            korean = i18n.translate(sc.title, "ko")
            assert korean == expected_korean(sc.title), sc.title
            assert HANGUL.search(korean) and korean != sc.title
            assert i18n.translate(sc.title, "en") == sc.title


def test_the_feedback_shows_every_title_in_korean_and_keeps_them_in_english():
    """``report()`` of every graded cell: Korean titles under lang="ko", the English ones (byte for byte) in English,
    while the results keep the English title (the class report and the JSON are keyed by it)."""
    for grade_id, scenarios in SCENARIOS.items():
        cell = CellResult(grade_id, 2.0, [Check(sc.title, i % 2 == 0, "m") for i, sc in enumerate(scenarios)])
        with i18n.speaking("ko"):
            korean = cell.report().splitlines()
        with i18n.speaking("en"):
            english = cell.report().splitlines()
        assert korean[0].startswith("숨겨진 테스트: ") and english[0].startswith("Hidden tests: ")
        for sc, k_line, e_line in zip(scenarios, korean[1:], english[1:]):
            mark = "✓" if sc.index % 2 == 0 else "✗"
            tail = "" if sc.index % 2 == 0 else ": m"
            assert k_line == f"  {mark} {expected_korean(sc.title)}{tail}"
            assert e_line == f"  {mark} {sc.title}{tail}"
        assert [c.title for c in cell.checks] == [sc.title for sc in scenarios]


# -- stages: what a driver was calling when student code raised -------------------------------------------------

class Boom(Exception):
    pass


def _raising(*args, **kwargs):
    raise Boom("no")


class Raising:
    """Every method, the constructor included, raises."""

    def __init__(self, *args, **kwargs):
        raise Boom("no")


def _stages():
    """The stage of every scenario when all the student's names raise, and when only their constructors work."""
    found = set()
    ref = reference_namespace()
    spaces = [{k: (Raising if isinstance(v, type) else _raising) if callable(v) and not k.startswith("_") else v
               for k, v in ref.items()}]
    for name in ("Affine", "SoftmaxWithLoss", "TwoLayerNet"):  # constructed fine, then a method raises
        cls = ref[name]
        methods = {m: (lambda self, *a, **k: _raising()) for m in vars(cls) if not m.startswith("_")}
        spaces.append({**ref, name: type(name, (cls,), methods)})
    for ns in spaces:
        for scenarios in SCENARIOS.values():
            for sc in scenarios:
                outputs, error = quietly(execute, sc, dict(ns))
                if outputs.get(f"{FAULT}stage"):  # "": raised outside a driver's call (no stage is named)
                    found.add(outputs[f"{FAULT}stage"])
    return found


def test_every_stage_is_told_in_korean_or_is_a_name_from_the_code():
    """A stage that has words ("softmax on x of shape (4, 3)") gets its Korean template with its values; a stage that
    is a name from the code ("TwoLayerNet.loss", "TwoLayerNet(6, 5, 3)") stays as it is, and no template of the
    catalog mistakes it for one of its own."""
    stages = _stages()
    worded = sorted(s for s in stages if s in MADE)
    named = sorted(s for s in stages if s not in MADE)
    assert len(worded) >= 10 and len(named) >= 10, (worded, named)
    for stage in worded:
        assert i18n.translate(stage, "ko") == expected_korean(stage) != stage and HANGUL.search(expected_korean(stage))
    for stage in named:
        assert re.fullmatch(r"[\w.]+(\([\w=., ]*\))?", stage), f"a stage with words that is not marked: {stage!r}"
        assert i18n.translate(stage, "ko") == stage


def test_a_fault_names_the_stage_in_korean_and_hints_still_recognise_it():
    """An exception in a worded stage: the Korean message has the Korean stage; the English one is as before."""
    sc = scenarios_for("softmax")[1]
    ns = dict(reference_namespace(), softmax=lambda x: x.reshape(-1, 7))
    outputs, error = quietly(execute, sc, ns)
    assert outputs[f"{FAULT}stage"] == "softmax on x of shape (4, 3)" and error.startswith("softmax on x of shape")
    english = judge_scenario(sc, outputs, error, lang="en")
    korean = judge_scenario(sc, outputs, error, lang="ko")
    assert english.message.startswith("softmax on x of shape (4, 3) raised ValueError: cannot reshape")
    stage = expected_korean("softmax on x of shape (4, 3)")
    assert HANGUL.search(stage) and "(4, 3)" in stage and "softmax" in stage
    assert korean.message.startswith(ko("{stage} raised {type}: {message}{where}.").split("{message}")[0].format(
        stage=stage, type="ValueError"))
    assert korean.message_en == english.message and (korean.passed, korean.share) == (english.passed, english.share)


def test_an_exception_that_cannot_be_shown_is_said_in_korean():
    """A student exception whose ``__str__`` itself raises: the probe's placeholder text is the judge's to word."""
    class Mute(Exception):
        def __str__(self):
            raise RuntimeError

    def forward(self, x, y):
        raise Mute()

    ns = dict(reference_namespace())
    ns["MulLayer"] = type("MulLayer", (ns["MulLayer"],), {"forward": forward})
    sc = scenarios_for("mul_layer_forward")[0]
    outputs, error = quietly(execute, sc, ns)
    assert outputs[f"{FAULT}message"] == UNSHOWN
    korean = judge_scenario(sc, outputs, error, lang="ko").message
    assert ko(UNSHOWN) in korean and UNSHOWN not in korean
    assert UNSHOWN in judge_scenario(sc, outputs, error, lang="en").message


# -- broken contracts -------------------------------------------------------------------------------------------

def contract_templates(probe_texts):
    """The sentences of a broken contract that the probes can write: their marked texts that end a sentence."""
    return {t for t in probe_texts if t.endswith(".") and t != NOT_IMPLEMENTED}


ONE_NUMBER = "    def {m}(self, *a, **k):\n        return {value}\n"
NET_INIT = ("class TwoLayerNet(TwoLayerNet):\n    def __init__(self, *a, **k):\n        super().__init__(*a, **k)\n"
            "        {change}\n")
NUMGRAD = ("class TwoLayerNet(TwoLayerNet):\n    def numerical_gradient(self, x, t):\n"
           "        return {{k: numerical_gradient(lambda W: {value}, self.params[k]) for k in self.params}}\n")
TRAIN = "def train(*a, **k):\n    return {value}\n"

# (graded cell, scenario, code run in a copy of the reference's namespace, the contract template it breaks)
CASES = [
    ("mul_layer_forward", 0, "del MulLayer",
     "`{name}` is not defined. Run the cell that defines the class `{name}` (and do not rename it)."),
    ("apple_graph_forward", 0, "del apple_graph_forward",
     "`{name}` is not defined. Run the cell that defines the function `{name}` (and do not rename it)."),
    ("mul_layer_backward", 1, "class MulLayer(MulLayer):\n" + ONE_NUMBER.format(m="backward", value="1.5"),
     "{method} must return two values, (dx, dy); it returned {type} {value}."),
    ("apple_graph_forward", 2, "def apple_graph_forward(*a):\n    return [1, 2]\n",
     "{function} must return a dict with the keys {keys}; it returned {type}."),
    ("xyz_backward", 0, "def xyz_backward(*a):\n    return {'dq': 1.0}\n",
     "the dict returned by {function} has no key {missing} (it must contain {keys})."),
    ("buy_apples", 0, "def buy_apples(*a):\n    return (1.0, 2.0)\n",
     "{function} must return {count} values, ({names}); it returned {type} of length {length}."),
    ("buy_apples_oranges", 0, "def buy_apples_oranges(*a):\n    return None\n",
     "{function} must return {count} values, ({names}); it returned {type}."),
    ("activation_gradient_check", 1, "class Relu(Relu):\n" + ONE_NUMBER.format(m="backward", value="np.ones(5)"),
     "{name}.backward returned shape {shape} for an input of shape {expected}."),
    ("activation_gradient_check", 2, "class Sigmoid(Sigmoid):\n    def forward(self, x):\n        return None\n"
     "    def backward(self, dout):\n        return dout\n",
     "{name}.forward returned something that {problem}."),
    ("affine_backward_params", 0, "class Affine(Affine):\n    def backward(self, dout):\n"
     "        dx = super().backward(dout)\n        self.dW = None\n        return dx\n",
     "Affine.backward must store the gradient in self.{name} (it is still None)."),
    ("two_layer_net_predict_loss", 0, NET_INIT.format(change="self.params = None"),
     "TwoLayerNet must keep its parameters in a dict `self.params` with the keys 'W1', 'b1', 'W2', 'b2'."),
    ("two_layer_net_predict_loss", 1, NET_INIT.format(change="del self.params['b2']"),
     "net.params has no key {key}; it needs 'W1', 'b1', 'W2' and 'b2'."),
    ("two_layer_net_accuracy", 0, NET_INIT.format(change="self.params['W2'] = self.params['W2'][:1]"),
     "net.params[{key}] should be a numpy array of shape {shape} for TwoLayerNet({sizes}); it is {got}."),
    ("two_layer_net_init", 0, NET_INIT.format(change="self.params['b1'] = [0.0]"),
     "net.params[{key}] should be a numpy array; it is {type}."),
    ("two_layer_net_init", 2, NET_INIT.format(change="self.layers = None"),
     "TwoLayerNet must keep its layers in `self.layers`, an OrderedDict."),
    ("two_layer_net_init", 2, NET_INIT.format(change="self.layers = OrderedDict(reversed(self.layers.items()))"),
     "net.layers should hold 'Affine1', 'Relu1', 'Affine2' in this order; it holds {names}."),
    ("two_layer_net_init", 2, NET_INIT.format(change="self.lastLayer = None"),
     "TwoLayerNet must keep its SoftmaxWithLoss layer in `self.lastLayer`."),
    ("two_layer_net_gradient", 0, "class TwoLayerNet(TwoLayerNet):\n" + ONE_NUMBER.format(m="gradient", value="7"),
     "{method} must return a dict with the keys 'W1', 'b1', 'W2', 'b2'; it returned {type}."),
    ("two_layer_net_gradient", 1, "class TwoLayerNet(TwoLayerNet):\n"
     + ONE_NUMBER.format(m="gradient", value="{'W1': 0}"), "{method} returned a dict without {missing}."),
    ("two_layer_net_numerical_gradient", 0, "class TwoLayerNet(TwoLayerNet):\n"
     + ONE_NUMBER.format(m="loss", value="None"), "{name} should be a number; it {problem}."),
    ("two_layer_net_numerical_gradient", 1, "class TwoLayerNet(TwoLayerNet):\n"
     + ONE_NUMBER.format(m="loss", value="np.zeros(3)"), "{name} should be a number; it has shape {shape}."),
    ("two_layer_net_numerical_gradient", 1, NUMGRAD.format(value="'loss'"),
     "the function passed to numerical_gradient should be a number; it {problem}."),
    ("two_layer_net_numerical_gradient", 1, NUMGRAD.format(value="np.ones((2, 2))"),
     "the function passed to numerical_gradient should be a number; it has shape {shape}."),
    ("gradient_check", 0, "def gradient_check(*a):\n    return [0.0]\n",
     "gradient_check must return a dict {{key: mean absolute difference}}; it returned {type}."),
    ("gradient_check", 1, "def gradient_check(*a):\n    return {'W1': 0.0, 'b1': 0.0}\n",
     "{method} returned a dict without {missing}."),
    ("sgd_update", 2, "def sgd_update(params, grads, learning_rate):\n    params['b2'] = 0\n",
     "after sgd_update, params[{key}] is {type} {shape}, not an array of shape {expected}."),
    ("train_history", 0, TRAIN.format(value="'done'"),
     "train() must return a dict with the keys 'train_loss_list', 'train_acc_list' and 'test_acc_list'; it returned "
     "{type}."),
    ("train_history", 1, TRAIN.format(value="{'train_loss_list': [], 'test_acc_list': []}"),
     "the dict train() returns has no key {key} (it has {keys})."),
    ("train_history", 0, TRAIN.format(value="{'train_loss_list': ['low'], 'train_acc_list': [], 'test_acc_list': []}"),
     "history[{key}] must be a list of numbers (floats)."),
]


def broken(code):
    """The reference's names with ``code`` run among them (``OrderedDict`` at hand, as in the notebooks)."""
    ns = dict(reference_namespace())
    exec("from collections import OrderedDict\n" + code, ns)
    return ns


@pytest.fixture(scope="module")
def contracts():
    """``[(case, scenario, outputs, error)]``: each case run once, as the kernel runs it, its visible checks speaking
    Korean (BACKPROP_LANG=ko): the facts it records are English all the same."""
    found = []
    with compare.speaking("ko", i18n.catalog("ko", "bp_checks")):
        for case in CASES:
            grade_id, index, code, _ = case
            sc = scenarios_for(grade_id)[index]
            outputs, error = quietly(execute, sc, broken(code))
            found.append((case, sc, outputs, error))
    return found


def test_every_contract_of_the_probes_is_provoked(probe_texts, contracts):
    """Does each case break the contract it names, and is every contract sentence of the probes among them?"""
    for (grade_id, index, _, template), _sc, outputs, error in contracts:
        assert outputs.get(CONTRACT) == template, (grade_id, index, error)
    assert contract_templates(probe_texts) == {case[3] for case in CASES}


def test_a_broken_contract_is_told_in_korean_and_in_the_same_english(contracts):
    """In English the judge writes the kernel's own sentence byte for byte; in Korean the catalog's sentence with
    the same values (a plain_array problem among them in Korean too); the same verdict and share in both."""
    for (grade_id, index, _, template), sc, outputs, error in contracts:
        values = {k[len(CONTRACT) + 1:]: v for k, v in outputs.items() if k.startswith(CONTRACT + " ")}
        assert error == template.format(**values)
        assert not any(HANGUL.search(v) for v in values.values()), values  # facts, in the kernel's English
        english = judge_scenario(sc, outputs, error, lang="en")
        korean = judge_scenario(sc, outputs, error, lang="ko")
        assert english.message == error, (grade_id, index)
        shown = {k: i18n.translate(v, "ko", "bp_checks") if k.endswith("problem") else v for k, v in values.items()}
        assert korean.message == ko(template).format(**shown), (grade_id, index)
        assert HANGUL.search(korean.message) and korean.message_en == error
        for name, value in shown.items():
            assert value in korean.message
            if name.endswith("problem"):
                assert HANGUL.search(value) and values[name] not in korean.message
        assert (english.passed, english.share) == (korean.passed, korean.share) == (False, 0.0)


def test_cells_with_a_broken_contract_score_the_same_in_both_languages(contracts):
    """Whole cells judged in each language: the same points, every failed check in Korean under lang="ko"."""
    for (grade_id, _index, code, _), _sc, _outputs, _error in contracts[::3]:
        records = {sc.index: quietly(execute, sc, broken(code)) for sc in scenarios_for(grade_id)}
        english = judge_cell(grade_id, 3, records, lang="en")
        korean = judge_cell(grade_id, 3, records, lang="ko")
        assert english.score == korean.score < 3
        assert [(c.title, c.passed, c.share) for c in english.checks] == \
            [(c.title, c.passed, c.share) for c in korean.checks]
        assert all(HANGUL.search(c.message) for c in korean.checks if not c.passed)


def test_a_forged_contract_is_never_formatted():
    """Facts a hostile kernel made up (a template reaching into its values' attributes, a missing value): the judge
    shows the recorded sentence rather than formatting them."""
    sc = scenarios_for("mul_layer_forward")[0]
    for outputs in ({CONTRACT: "{x.__class__.__mro__}", f"{CONTRACT} x": "a"}, {CONTRACT: "{x!r} and {y}"},
                    {CONTRACT: "{0}", f"{CONTRACT} 0": "a"}, {CONTRACT: "`{name}` is {what}", f"{CONTRACT} name": "n"}):
        for lang in ("en", "ko"):
            assert judge_scenario(sc, outputs, "the recorded sentence", lang=lang).message == "the recorded sentence"


def test_every_contract_sentence_lives_in_the_probes():
    """No f-string sentence is left in the probes: every ``StudentError`` gets a marked template (a constant or a
    name bound to marked constants), so that the judge can word it."""
    for path in PROBES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "StudentError":
                first = node.args[0]
                assert not isinstance(first, ast.JoinedStr), f"{path.name}:{node.lineno}: an f-string"
                if isinstance(first, ast.Call):
                    assert getattr(first.func, "id", "") == "N_", f"{path.name}:{node.lineno}"


def test_what_a_value_is_instead_of_numbers_is_recorded_in_english_and_told_in_korean():
    """A returned value that is no number: the kernel records plain_array's problem in English whatever its visible
    checks speak (the records are the same bytes in both editions); the judge says it in the grading's language."""
    from autograder.records import encode

    ns = broken("class MulLayer(MulLayer):\n" + ONE_NUMBER.format(m="forward", value="None"))
    scenarios = scenarios_for("mul_layer_forward")
    runs = {}
    for lang in ("en", "ko"):
        with compare.speaking(lang, i18n.catalog(lang, "bp_checks") if lang != "en" else None):
            runs[lang] = [quietly(execute, sc, ns) for sc in scenarios]
    assert encode(runs["ko"]) == encode(runs["en"])
    problem = "is None (did you forget a `return`?)"
    assert all(outputs == {"forward output": problem} for outputs, _ in runs["ko"])
    records = dict(enumerate(runs["ko"]))
    korean = judge_cell("mul_layer_forward", 2, records, lang="ko")
    english = judge_cell("mul_layer_forward", 2, records, lang="en")
    assert korean.score == english.score == 0
    said = i18n.translate(problem, "ko", "bp_checks")
    assert HANGUL.search(said)
    for k, e in zip(korean.checks, english.checks):
        assert said in k.message and problem not in k.message and problem in e.message == k.message_en


# -- inline mode: a hidden cell judged in the kernel itself ---------------------------------------------------------

def test_inline_hidden_tests_speak_the_kernel_s_language(monkeypatch, capsys):
    """Plain ``nbgrader autograde`` judges in the kernel: under BACKPROP_LANG=ko its summary is Korean, the same
    points as in English; an unknown language falls back to English."""
    monkeypatch.delenv("BFS_RECORD_DIR", raising=False)
    ns = broken("class MulLayer(MulLayer):\n" + ONE_NUMBER.format(m="backward", value="1.5"))
    outcomes = {}
    for lang in ("ko", "en", "xx"):
        monkeypatch.setenv("BACKPROP_LANG", lang)
        with pytest.raises(AssertionError) as failed:
            quietly(check, "mul_layer_backward", ns, 2)
        outcomes[lang] = str(failed.value)
    assert "숨겨진 테스트: 0 / 2점" in outcomes["ko"] and ko("MulLayer.backward uses the inputs of the latest forward "
                                                            "call") in outcomes["ko"]
    assert "Hidden tests: 0 / 2 points" in outcomes["en"] and outcomes["xx"] == outcomes["en"]
    assert not HANGUL.search(outcomes["en"])
    monkeypatch.setenv("BACKPROP_LANG", "ko")
    assert quietly(check, "mul_layer_backward", reference_namespace(), 2) is None
    assert np.all([HANGUL.search(line) for line in capsys.readouterr().out.splitlines()[1:] if line.strip()])


# -- a Korean student's notebook graded in the sandbox, its feedback page in Chromium --------------------------------

def test_a_sandboxed_korean_grading_shows_korean_titles_and_contracts_in_chromium(tmp_path, sandbox):
    """02 with ``MulLayer.backward`` returning one value, graded for the Korean course (the kernel under
    BACKPROP_LANG=ko, in the sandbox when this machine has one) and for the English one: the same points; the
    Korean page shows every hidden check's title and the broken contract in Korean, visibly, in Chromium."""
    import debian_chromium

    from autograder import pipeline
    from autograder.course_files import course_files
    from autograder.runtime import make_runtime
    from course.feedback import write_feedback_html
    from course.sequence import by_name

    assignment = "02_simple_layers"
    a = by_name(assignment)
    student = tmp_path / "submitted" / assignment
    shutil.copytree(ROOT / "course" / "examples" / "submitted" / "perfect" / assignment, student)
    path = student / a.notebook
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "class MulLayer" in c.source)
    assert "return dx, dy" in cell.source
    cell.source = cell.source.replace("return dx, dy", "return dx")
    nbformat.write(nb, path)
    release = tmp_path / "release"
    shutil.copytree(ROOT / "release" / assignment, release / assignment)
    i18n.write_kernel_catalog("ko", release / assignment)
    files = course_files(a, ROOT / "source", release)
    runtime = make_runtime(tmp_path / "runtime")
    limits = pipeline.Limits(cell_timeout=60, notebook_timeout=240)
    grades = {lang: pipeline.grade_notebook(files, "민수", student, tmp_path / f"work-{lang}", runtime, limits=limits,
                                            sandbox=sandbox, lang=lang) for lang in ("ko", "en")}
    ko_grade, en_grade = grades["ko"], grades["en"]
    assert ko_grade.status == en_grade.status == "graded"
    assert [c.score for c in ko_grade.cells] == [c.score for c in en_grade.cells]
    assert ko_grade.score == en_grade.score < ko_grade.max_score
    backward = next(c for c in ko_grade.cells if c.grade_id == "mul_layer_backward")
    assert backward.score == 0 and all(CONTRACT not in k.message for k in backward.checks)
    contract = ko("{method} must return two values, (dx, dy); it returned {type} {value}.").split("{method}")[1]
    contract = contract.split("{type}")[0]  # the Korean words between the values
    assert contract.strip() and all(contract in k.message for k in backward.checks if not k.passed)
    assert all("must return two values" in k.message_en for k in backward.checks if not k.passed)

    page_file = tmp_path / "page.html"
    write_feedback_html(ko_grade, page_file)
    shots = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots") / "titles_ko"
    shots.mkdir(parents=True, exist_ok=True)
    sync_api = debian_chromium.sync_api(module_level=False)
    with sync_api.sync_playwright() as p:
        browser = debian_chromium.launch(p)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_file.as_uri())
            text = page.locator("body").inner_text()
            for c in ko_grade.cells:
                for k in c.checks:
                    assert expected_korean(k.title) in text and k.title not in text, k.title
            first = page.get_by_text(expected_korean(backward.checks[0].title)).first
            first.scroll_into_view_if_needed()
            assert first.is_visible()
            page.screenshot(path=str(shots / "korean-titles-and-contract.png"))
        finally:
            browser.close()
