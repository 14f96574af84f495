"""Do the friendly comparisons accept right answers and explain wrong ones?"""

import re

import numpy as np
import pytest

from autograder.compare import assert_close, check_gradient, describe_mismatch, numerical_gradient_of, plain_array


def test_equal_arrays_match():
    """Is an identical array accepted, including NaN where NaN is expected?"""
    x = np.array([1.0, np.nan, 3.0])
    assert describe_mismatch("x", x.copy(), x) is None


def test_wrong_element_is_located():
    """Does the message give the largest error, its index, the expected and the got value?"""
    exp = np.zeros((2, 3))
    got = exp.copy()
    got[1, 2] = 0.5
    msg = describe_mismatch("dW", got, exp)
    assert "dW" in msg and "[1, 2]" in msg and "0.5" in msg and "1 of 6" in msg


def test_shape_mismatch_hints_at_transpose():
    """Does a transposed result get a shape message that suggests a transpose?"""
    msg = describe_mismatch("dW", np.zeros((3, 2)), np.zeros((2, 3)))
    assert "shape (3, 2)" in msg and "(2, 3)" in msg and "transposed" in msg


def test_sum_over_wrong_axis_hint():
    """Does a result with one dimension too few suggest an extra sum?"""
    assert "sum" in describe_mismatch("db", np.zeros(3), np.zeros((2, 3)))


def test_float32_gets_a_float32_tolerance():
    """Is a correct float32 result accepted against a float64 reference?"""
    exp = np.random.default_rng(0).standard_normal(50)
    assert describe_mismatch("y", exp.astype(np.float32), exp) is None


def test_nan_and_inf_are_named():
    """Do NaN and inf in a result get their own explanation?"""
    assert "NaN" in describe_mismatch("y", np.array([np.nan]), np.array([1.0]))
    assert "inf" in describe_mismatch("y", np.array([np.inf]), np.array([1.0]))


class Liar(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize("value, words", [
    (None, "None"), (Liar(1.0), "Liar"), (np.ma.array([1.0]), "subclass"), ("1.0", "str"),
    (np.array(["a"]), "dtype"),
])
def test_non_numbers_are_refused(value, words):
    """Are objects that are not plain numbers or arrays refused with a reason (and never compared)?"""
    arr, problem = plain_array(value)
    assert arr is None and words in problem


def test_lists_and_numpy_scalars_are_numbers():
    """Are lists of numbers and numpy scalars accepted as values?"""
    assert plain_array([1, 2])[0].tolist() == [1.0, 2.0]
    assert plain_array(np.float32(2))[0] == 2


def test_assert_close_raises_with_message():
    """Does assert_close raise AssertionError carrying the message?"""
    with pytest.raises(AssertionError, match="expected 1 but got 2"):
        assert_close("z", 2.0, 1.0)


def test_numerical_gradient_and_check():
    """Does the numerical gradient of sum(x**2) equal 2x, restore x, and pass check_gradient?"""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    num = numerical_gradient_of(lambda v: np.sum(v ** 2), x)
    assert np.array_equal(x, before)
    assert check_gradient("grad", 2 * x, num, 1e-7) < 1e-7
    with pytest.raises(AssertionError, match="relative error"):
        check_gradient("grad", 3 * x, num, 1e-7)


def test_nan_position_in_a_matrix():
    """Is a NaN in a 2-D result located by its row and column (not a crash)?"""
    got = np.zeros((2, 3))
    got[1, 0] = np.nan
    assert "[1, 0]" in describe_mismatch("y", got, np.zeros((2, 3)))


@pytest.mark.parametrize("expected, got", [
    (0.6487280001, 0.6487281), (0.648728, 0.648728 * (1 + 3e-16)), (1e-9, 1.0000001e-9), (-2.5, -2.5000000001),
    (123456789.0, 123456789.5), (0.0, -0.0 + 1e-300),
])
def test_a_mismatch_never_shows_two_equal_numbers(expected, got):
    """When values differ beyond 6 significant digits, does the message print enough digits to show it?"""
    msg = describe_mismatch("y", np.array([got]), np.array([expected]), rtol=0, atol=0)
    shown = re.search(r"expected (\S+) but got (\S+)\.$", msg)
    assert shown and shown.group(1) != shown.group(2), msg
    assert float(shown.group(1)) == pytest.approx(expected, rel=1e-6, abs=1e-300)
    assert float(shown.group(2)) == pytest.approx(got, rel=1e-6, abs=1e-300)


def test_short_numbers_stay_short():
    """Are numbers that already differ in 6 significant digits printed with no more than that?"""
    assert describe_mismatch("z", 2.0, 1.0).endswith("expected 1 but got 2.")
    msg = describe_mismatch("p", 0.6487, 0.5)
    assert "expected 0.5 but got 0.6487." in msg
