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
