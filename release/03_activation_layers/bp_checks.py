"""Friendly comparisons of numbers and arrays, with messages written for students.

This module is the one piece of the grader that students also receive: ``course release`` copies
it into every assignment folder as ``bp_checks.py`` so that visible tests can use it. It therefore
holds no answers, imports nothing but numpy, and never needs the instructor's packages.

Every check returns ``None`` when the value is right, or a sentence that says what is wrong:
the name of the value, the shape or dtype that was expected, and the largest error and where.
"""

import numpy as np

__all__ = [
    "describe_mismatch",
    "assert_close",
    "assert_shape",
    "rel_error",
    "numerical_gradient_of",
    "check_gradient",
    "plain_array",
]

_PLAIN_SCALARS = (bool, int, float, np.bool_, np.integer, np.floating)


def plain_array(value):
    """Turn a student's value into a plain ndarray, or explain why it is not a number/array.

    Returns ``(array, None)`` or ``(None, problem)``. Only exact numpy arrays, Python numbers and
    numpy scalars, and lists/tuples of numbers are accepted: objects that merely claim to be equal
    to everything are not numbers.
    """
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf":
            return None, f"is an array of dtype {value.dtype}, but numbers were expected"
        return np.array(value, copy=True), None
    if isinstance(value, np.ndarray):
        return None, (f"is a {type(value).__name__} (a subclass of numpy.ndarray); "
                      "return a plain numpy array")
    if type(value) in (bool, int, float) or (isinstance(value, _PLAIN_SCALARS)
                                             and type(value).__module__ == "numpy"):
        return np.array(value), None
    if type(value) in (list, tuple):
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            return None, f"is a {type(value).__name__} that is not a list of numbers"
        return arr, None
    if value is None:
        return None, "is None (did you forget a `return`?)"
    return None, f"is a {type(value).__module__}.{type(value).__name__} object, not a number or numpy array"


def _fmt_index(idx):
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if len(idx) else "(the only element)"


def _fmt(x):
    return f"{float(x):.6g}"


def format_pair(expected, got, digits=6):
    """``expected`` and ``got`` as text, with the fewest significant digits (at least ``digits``) that
    tell them apart, so that a mismatch never reads "expected 0.648728 but got 0.648728"."""
    a, b = float(expected), float(got)
    for d in range(digits, 18):
        text_a, text_b = f"{a:.{d}g}", f"{b:.{d}g}"
        if text_a != text_b or a == b:
            return text_a, text_b
    return repr(a), repr(b)


def describe_mismatch(name, got, expected, rtol=1e-7, atol=1e-10):
    """Return ``None`` if ``got`` matches ``expected``, else a message that explains the difference.

    ``name`` names the value in the message, e.g. ``"dx from MulLayer.backward"``.
    Values match when ``|got - expected| <= atol + rtol * |expected|`` element-wise.
    """
    exp, problem = plain_array(expected)
    if problem:
        raise TypeError(f"expected value {problem}")
    arr, problem = plain_array(got)
    if problem:
        return f"{name} {problem}."
    if arr.shape != exp.shape:
        hint = ""
        if arr.size == exp.size:
            hint = " The number of elements is right: is it transposed, or reshaped?"
        elif arr.ndim == exp.ndim - 1 and arr.ndim >= 1:
            hint = " Did you sum over an axis that should have stayed?"
        return f"{name} has shape {arr.shape}, but shape {exp.shape} was expected.{hint}"
    if exp.dtype.kind == "f" and arr.dtype.kind == "b":
        return f"{name} has dtype bool, but numbers (dtype {exp.dtype}) were expected."
    if arr.dtype == np.float32 or exp.dtype == np.float32:
        rtol, atol = max(rtol, 1e-5), max(atol, 1e-6)
    arr = arr.astype(np.float64)
    exp = exp.astype(np.float64)
    bad_nan = np.isnan(arr) & ~np.isnan(exp)
    if bad_nan.any():
        where = np.argwhere(bad_nan)
        return (f"{name} contains NaN at {len(where)} position(s), first at {_fmt_index(where[0])}; "
                "look for 0/0, log of 0 or overflow in exp.")
    bad_inf = np.isinf(arr) & ~np.isinf(exp)
    if bad_inf.any():
        where = np.argwhere(bad_inf)
        return (f"{name} contains inf at {len(where)} position(s), first at {_fmt_index(where[0])}; "
                "look for overflow (exp of a large number) or division by 0.")
    with np.errstate(invalid="ignore"):
        err = np.abs(arr - exp)
    err = np.where(np.isnan(arr) & np.isnan(exp), 0.0, err)
    err = np.where(np.isinf(exp) & (arr == exp), 0.0, err)
    allowed = atol + rtol * np.abs(exp)
    wrong = err > allowed
    if not wrong.any():
        return None
    worst = np.unravel_index(np.argmax(np.where(wrong, err, -1.0)), err.shape) if err.ndim else ()
    count = int(wrong.sum())
    where = "" if arr.ndim == 0 else f" at index {_fmt_index(worst)}"
    of = "" if arr.ndim == 0 else f" ({count} of {arr.size} elements are off)"
    shown_exp, shown_got = format_pair(exp[worst], arr[worst])
    return (f"{name} is wrong{of}: largest error {_fmt(err[worst])}{where}, "
            f"expected {shown_exp} but got {shown_got}.")


def assert_close(name, got, expected, rtol=1e-7, atol=1e-10):
    """Raise ``AssertionError`` with a friendly message unless ``got`` matches ``expected``."""
    message = describe_mismatch(name, got, expected, rtol=rtol, atol=atol)
    if message:
        raise AssertionError(message)


def assert_shape(name, got, shape):
    """Raise ``AssertionError`` unless ``got`` is an array of the given shape."""
    arr, problem = plain_array(got)
    if problem:
        raise AssertionError(f"{name} {problem}.")
    if arr.shape != tuple(shape):
        raise AssertionError(f"{name} has shape {arr.shape}, but shape {tuple(shape)} was expected.")


def rel_error(a, b):
    """Largest relative error between two arrays: max |a - b| / max(1e-8, |a| + |b|)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient_of(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f`` at ``x`` (float64, x restored)."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = float(f(x))
        x[idx] = old - h
        minus = float(f(x))
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def check_gradient(name, analytic, numerical, tol):
    """Raise ``AssertionError`` unless the relative error of two gradients is below ``tol``."""
    arr, problem = plain_array(analytic)
    if problem:
        raise AssertionError(f"{name} {problem}.")
    num = np.asarray(numerical, dtype=np.float64)
    if arr.shape != num.shape:
        raise AssertionError(f"{name} has shape {arr.shape}, but the numerical gradient has shape {num.shape}.")
    err = rel_error(arr, num)
    if not err <= tol:
        raise AssertionError(
            f"{name} disagrees with the numerical gradient: relative error {err:.2e} "
            f"(a correct backward pass stays below {tol:.0e}).")
    return err
