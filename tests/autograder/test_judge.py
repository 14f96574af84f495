"""Does the judge score what the records say, and refuse records it cannot trust?"""

import json

import numpy as np

from autograder import reference
from autograder.checks import scenarios_for
from autograder.judge import judge_cell
from autograder.records import load_records, save_records
from autograder.scenario import execute


def _records(ns, grade_id):
    return {i: execute(sc, ns) for i, sc in enumerate(scenarios_for(grade_id))}


def test_reference_gets_full_marks():
    """Does the reference earn every point of a cell?"""
    cell = judge_cell("mul_layer_backward", 2, _records(vars(reference), "mul_layer_backward"))
    assert cell.score == 2 and all(c.passed for c in cell.checks)


def test_partial_credit_counts_scenarios():
    """Does a layer right on scalars only earn the scalar scenarios' share?"""
    class ScalarOnly(reference.MulLayer):
        def forward(self, x, y):
            self.x, self.y = x, y
            return x * y if np.ndim(x) == 0 else np.zeros_like(x)

    ns = dict(vars(reference), MulLayer=ScalarOnly)
    cell = judge_cell("mul_layer_forward", 1, _records(ns, "mul_layer_forward"))
    passed = sum(c.passed for c in cell.checks)
    assert 0 < passed < len(cell.checks)
    assert cell.score == np.floor(passed / len(cell.checks) * 100) / 100


def test_records_round_trip(tmp_path):
    """Are records written in the kernel read back identically by the judge?"""
    results = list(_records(vars(reference), "add_layer").values())
    save_records(tmp_path, "add_layer", results)
    back = load_records(tmp_path, "add_layer")
    assert judge_cell("add_layer", 1, back).score == 1


def test_records_keep_shapes_and_dtypes(tmp_path):
    """Does a record give back exactly the arrays written: 0-d stays 0-d, dtypes and values unchanged?"""
    from autograder.records import decode, encode

    outputs = {"scalar": np.array(3.5), "ints": np.arange(6, dtype=np.int32).reshape(2, 3), "empty": np.zeros((0, 4)),
               "f32": np.float32([1.5, -2]), "bool": np.array([True, False]), "big-endian": np.arange(3, dtype=">f8"),
               "why": "is None (did you forget a `return`?)"}
    back, error = decode(encode([(outputs, None)]))[0]
    assert error is None and back["why"] == outputs["why"]
    for key, value in outputs.items():
        if key != "why":
            assert back[key].shape == value.shape and back[key].dtype == value.dtype.newbyteorder("="), key
            assert np.array_equal(back[key], value), key


def test_missing_records_score_zero_with_reason(tmp_path):
    """Does a cell whose hidden tests never ran score 0 and say so?"""
    cell = judge_cell("add_layer", 1, load_records(tmp_path, "add_layer"))
    assert cell.score == 0 and "did not run" in cell.problem


def test_tampered_records_score_zero(tmp_path):
    """Do records with object arrays, bad JSON, bombs or links score 0 instead of being trusted?"""
    from autograder.records import MAGIC, encode, record_path

    results = list(_records(vars(reference), "add_layer").values())
    path = record_path(tmp_path, "add_layer")

    def header(entries, tail=b""):
        head = json.dumps(entries).encode()
        return MAGIC + f"{len(head):08d}\n".encode() + head + tail

    good = encode(results)
    bad = {
        "object dtype": header([{"index": 0, "error": None, "problems": {},
                                 "arrays": [{"key": "forward output", "dtype": "|O", "shape": [1]}]}], b"x" * 8),
        "error not text": header([{"index": 0, "error": 5, "problems": {}, "arrays": []}]),
        "huge shape, no data": header([{"index": 0, "error": None, "problems": {},
                                        "arrays": [{"key": "k", "dtype": "<f8", "shape": [10**6, 10**6]}]}]),
        "negative shape": header([{"index": 0, "error": None, "problems": {},
                                   "arrays": [{"key": "k", "dtype": "<f8", "shape": [-1]}]}]),
        "extra field": header([{"index": 0, "error": None, "problems": {}, "arrays": [], "x": 1}]),
        "trailing bytes": good + b"\0",
        "truncated": good[:-3],
        "pickle": b"\x80\x04\x95" + good,
        "deep JSON": MAGIC + b"00200000\n" + b"[" * 100_000 + b"]" * 100_000,
        "too large": good + b"\0" * (33 * 2**20),
    }
    for name, data in bad.items():
        path.write_bytes(data)
        cell = judge_cell("add_layer", 1, load_records(tmp_path, "add_layer"))
        assert cell.score == 0 and "unreadable" in cell.problem, name
    path.unlink()
    (tmp_path / "elsewhere.rec").write_bytes(good)
    path.symlink_to(tmp_path / "elsewhere.rec")
    assert "unreadable" in judge_cell("add_layer", 1, load_records(tmp_path, "add_layer")).problem
    path.unlink()
    path.write_bytes(good)
    assert judge_cell("add_layer", 1, load_records(tmp_path, "add_layer")).score == 1



def test_checks_never_import_the_reference():
    """Do the kernel-side checks avoid importing the reference (which the sandbox does not contain)?"""
    import pathlib

    for path in pathlib.Path(reference.__file__).parent.parent.joinpath("checks").glob("*.py"):
        for line in path.read_text().splitlines():
            assert not ("import" in line and "reference" in line), f"{path.name}: {line}"


def test_every_graded_cell_has_a_rule_and_no_rule_is_orphaned():
    """Is every cell with scenarios judged by an explicit rule, and every rule about a cell with scenarios?"""
    from autograder.checks import SCENARIOS
    from autograder.rules import RULES

    assert set(SCENARIOS) == set(RULES)


def test_the_scenario_module_imports_no_checks_or_rules():
    """Is registration one-way (checks import scenario, rules import checks), with no import cycle?"""
    import ast
    import pathlib

    package = pathlib.Path(reference.__file__).parent.parent
    for name, forbidden in (("scenario.py", ("checks", "rules", "judge", "reference")),
                            ("compare.py", ("checks", "rules", "judge", "reference", "scenario"))):
        for node in ast.walk(ast.parse((package / name).read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not any(f in (node.module or "") for f in forbidden), f"{name} imports {node.module}"
    for path in (package / "checks").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not any(f in (node.module or "") for f in ("rules", "judge", "reference")), path.name


XYZ = """
def xyz_backward(x, y, z):
    return {"dq": z, "dz": x + y, "dx": z, "dy": z}
"""


def test_each_output_earns_its_share():
    """Does one wrong gradient out of four in xyz_backward cost a quarter of the cell, not all of it?"""
    ns = {}
    exec(XYZ.replace('"dy": z', '"dy": 1.0 + 0 * z'), ns)
    cell = judge_cell("xyz_backward", 2, _records(ns, "xyz_backward"))
    assert cell.score == 1.5, cell.report()
    assert not any(c.passed for c in cell.checks) and "Likely mistake" in cell.report()
    exec(XYZ, ns)
    assert judge_cell("xyz_backward", 2, _records(ns, "xyz_backward")).score == 2


def _net_namespace(relu_forward):
    ns = dict(vars(reference))
    ns = {k: v for k, v in ns.items() if not k.startswith("__")}
    exec("import numpy as np\nfrom collections import OrderedDict\n"
         "from autograder.reference.full_backprop import TwoLayerNet as _Ref\n"
         "class Relu:\n"
         "    def forward(self, x):\n"
         f"        {relu_forward}\n"
         "    def backward(self, dout):\n"
         "        return dout * self.mask\n"
         "class TwoLayerNet(_Ref):\n"
         "    def __init__(self, *a, **k):\n"
         "        super().__init__(*a, **k)\n"
         "        self.layers['Relu1'] = Relu()\n", ns)
    return ns


def test_an_exception_gets_a_hint_only_when_one_fits():
    """A TypeError inside the pasted Relu, met in accuracy with class-index labels: is the message about that
    exception and where it happened, without the hint about label formats?"""
    ns = _net_namespace("out = relu(x)  # a name that is not a function")
    ns["relu"] = object()
    cell = judge_cell("two_layer_net_accuracy", 1, _records(ns, "two_layer_net_accuracy"))
    report = cell.report()
    assert cell.score == 0 and "TwoLayerNet.accuracy raised TypeError" in report and "in Relu.forward" in report
    for check in cell.checks:
        assert "argmax" not in check.message and "label" not in check.message, check.message
        assert "inside your pasted Relu.forward" in check.message


def test_a_label_hint_when_the_exception_fits_it():
    """An accuracy that takes the argmax of class-index labels: is the label hint given there?"""
    class Net(reference.TwoLayerNet):
        def accuracy(self, x, t):
            return float(np.mean(np.argmax(self.predict(x), axis=1) == np.argmax(t, axis=1)))

    cell = judge_cell("two_layer_net_accuracy", 1, _records(dict(vars(reference), TwoLayerNet=Net),
                                                            "two_layer_net_accuracy"))
    failed = [c for c in cell.checks if not c.passed]
    assert len(failed) == 1 and "class-index labels" in failed[0].title
    assert "Likely mistake: with class-index labels t (shape (N,)) there is nothing to argmax" in failed[0].message


def test_derived_quantities_are_never_taken_from_the_record():
    """Do forged judged values in a record (a perfect gradient check of 03, a perfect weight scale of 05) earn
    nothing: the judge recomputes them from the raw arrays, which the forger left out?"""
    from autograder.checks import scenarios_for
    from autograder.rules import rule_for
    from autograder.scenario import execute as run

    for grade_id in ("activation_gradient_check", "two_layer_net_init"):
        forged = {}
        for sc in scenarios_for(grade_id):
            outputs, error = run(sc, vars(reference))
            derived = rule_for(grade_id).derive(outputs, sc.make_inputs())
            forged[sc.index] = ({k: v for k, v in derived.items() if not k.startswith("~")}, None)
        cell = judge_cell(grade_id, 1, forged)
        if grade_id == "two_layer_net_init":  # its third scenario judges a raw output (predict), not a derived one
            assert not cell.checks[0].passed and not cell.checks[1].passed and cell.checks[2].passed
        else:
            assert cell.score == 0, cell.report()


def test_a_record_in_a_form_no_comparer_expects_scores_zero_without_crashing():
    """Do values of unexpected shapes or types in a (tampered) record cost the scenario, never crash the judge?"""
    from autograder.checks import scenarios_for

    keys = ("W1", "relative error of W1 vs a numerical gradient of your loss", "~loss +h W1")
    odd = {"two_layer_net_gradient": {k: np.zeros((3, 3, 3)) for k in keys},
           "train_recipe": {"~weights": np.zeros((2, 2)), "~batch rows": np.array([7]), "~sgd calls": np.zeros(3)},
           "buy_apples": {"~trace": np.zeros((2, 7)), "~traced price": np.zeros(4), "price": np.zeros((2, 2))}}
    for grade_id, outputs in odd.items():
        records = {sc.index: (dict(outputs), None) for sc in scenarios_for(grade_id)}
        cell = judge_cell(grade_id, 1, records)
        assert cell.score == 0, cell.report()
