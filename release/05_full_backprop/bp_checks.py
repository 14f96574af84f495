"""Friendly comparisons of numbers and arrays, with messages written for students.

This module is the one piece of the grader that students also receive: ``course release`` copies
it into every assignment folder as ``bp_checks.py`` so that visible tests can use it. It therefore
holds no answers, imports nothing but numpy and the standard library, and never needs the instructor's packages.

Every check returns ``None`` when the value is right, or a sentence that says what is wrong:
the name of the value, the shape or dtype that was expected, and the largest error and where.

Languages: the sentences are English here and translated with the standard library's ``gettext`` from a
compiled catalog beside this file, ``bp_checks_locale/<lang>/LC_MESSAGES/bp_checks.mo``. The language is the
environment variable ``BACKPROP_LANG`` if set, else the one language found in ``bp_checks_locale/``, else
English (also for a language without a catalog). The grader, which imports this module too, names the language
of each grading with :func:`speaking` (a block of one thread, never a setting of the process). The notebooks' check
cells and the other student helpers (``graph_drawing.py``) say their own sentences through :func:`say`, with the
same catalog and the same language.
"""

import contextlib
import contextvars
import gettext as _gettext
import os

import numpy as np

__all__ = [
    "describe_mismatch",
    "assert_close",
    "assert_shape",
    "rel_error",
    "numerical_gradient_of",
    "check_gradient",
    "plain_array",
    "say",
]

LOCALE_FOLDER = "bp_checks_locale"
DOMAIN = "bp_checks"
LANGUAGE_ENV = "BACKPROP_LANG"
_SPEAKING = contextvars.ContextVar("bp_checks_language", default=None)  # (lang, {msgid: text} or None)


def _locale_dir():
    here = globals().get("__file__")
    return os.path.join(os.path.dirname(os.path.abspath(here)), LOCALE_FOLDER) if here else None


def _languages_beside():
    """The languages of the compiled catalogs in ``bp_checks_locale/`` beside this file (sorted)."""
    folder = _locale_dir()
    try:
        names = sorted(os.listdir(folder)) if folder else []
    except OSError:
        return []
    return [n for n in names if os.path.isfile(os.path.join(folder, n, "LC_MESSAGES", DOMAIN + ".mo"))]


def language():
    """The language the checks speak: :func:`speaking`'s, else ``BACKPROP_LANG``, else the one catalog beside
    this file, else English."""
    state = _SPEAKING.get()
    if state is not None:
        return state[0]
    chosen = os.environ.get(LANGUAGE_ENV, "").strip()
    if chosen:
        return chosen
    found = _languages_beside()
    return found[0] if len(found) == 1 else "en"


_LOADED = {}


def _translations(lang):
    if lang not in _LOADED:
        folder = _locale_dir()
        _LOADED[lang] = (_gettext.translation(DOMAIN, folder, languages=[lang], fallback=True) if folder
                         else _gettext.NullTranslations())
    return _LOADED[lang]


def _(text):
    """``text`` in the language of the checks (itself when there is no translation)."""
    state = _SPEAKING.get()
    if state is not None:
        lang, messages = state
        if messages is not None:
            return messages.get(text) or text
    else:
        lang = language()
    if lang == "en":
        return text
    return _translations(lang).gettext(text)


@contextlib.contextmanager
def speaking(lang, messages=None):
    """Within the block, this thread's checks speak ``lang``: with ``messages`` (``{English: translation}``) if
    given, else with the catalog beside this file. The grader's judge uses it (``autograder.i18n.speaking``)."""
    token = _SPEAKING.set((lang or "en", messages))
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def say(text, **values):
    """``text`` in the language of the checks, then ``values`` formatted into it (``str.format``): what a check
    cell prints, or the name it gives a value, e.g. ``print(say("{layer} works on this example.", layer="Relu"))``
    or ``assert_close(say("dx from backward(2.0)"), ...)``. The English text is the catalog's key, so English (or a
    text the catalog lacks) comes out exactly as ``text.format(**values)``; a translation whose ``{fields}`` do
    not fit the values falls back to that English rather than failing the student's check."""
    translated = _(text)
    if translated != text:
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            pass
    return text.format(**values)


def name_problem(name, problem):
    """One sentence: the value called ``name`` has the ``problem`` :func:`plain_array` found."""
    return _("{name} {problem}.").format(name=name, problem=problem)


_PLAIN_SCALARS = (bool, int, float, np.bool_, np.integer, np.floating)


def plain_array(value):
    """Turn a student's value into a plain ndarray, or explain why it is not a number/array.

    Returns ``(array, None)`` or ``(None, problem)``. Only exact numpy arrays, Python numbers and
    numpy scalars, and lists/tuples of numbers are accepted: objects that merely claim to be equal
    to everything are not numbers.
    """
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf":
            return None, _("is an array of dtype {dtype}, but numbers were expected").format(dtype=value.dtype)
        return np.array(value, copy=True), None
    if isinstance(value, np.ndarray):
        return None, _("is a {type} (a subclass of numpy.ndarray); return a plain numpy array").format(
            type=type(value).__name__)
    if type(value) in (bool, int, float) or (isinstance(value, _PLAIN_SCALARS)
                                             and type(value).__module__ == "numpy"):
        return np.array(value), None
    if type(value) in (list, tuple):
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            return None, _("is a {type} that is not a list of numbers").format(type=type(value).__name__)
        return arr, None
    if value is None:
        return None, _("is None (did you forget a `return`?)")
    return None, _("is a {type} object, not a number or numpy array").format(
        type=f"{type(value).__module__}.{type(value).__name__}")


def _fmt_index(idx):
    return "[" + ", ".join(str(int(i)) for i in idx) + "]" if len(idx) else _("(the only element)")


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
        return name_problem(name, problem)
    if arr.shape != exp.shape:
        message = _("{name} has shape {shape}, but shape {expected} was expected.").format(
            name=name, shape=arr.shape, expected=exp.shape)
        if arr.size == exp.size:
            message += " " + _("The number of elements is right: is it transposed, or reshaped?")
        elif arr.ndim == exp.ndim - 1 and arr.ndim >= 1:
            message += " " + _("Did you sum over an axis that should have stayed?")
        return message
    if exp.dtype.kind == "f" and arr.dtype.kind == "b":
        return _("{name} has dtype bool, but numbers (dtype {dtype}) were expected.").format(name=name,
                                                                                            dtype=exp.dtype)
    if arr.dtype == np.float32 or exp.dtype == np.float32:
        rtol, atol = max(rtol, 1e-5), max(atol, 1e-6)
    arr = arr.astype(np.float64)
    exp = exp.astype(np.float64)
    bad_nan = np.isnan(arr) & ~np.isnan(exp)
    if bad_nan.any():
        where = np.argwhere(bad_nan)
        return _("{name} contains NaN at {count} position(s), first at {index}; look for 0/0, log of 0 or overflow "
                 "in exp.").format(name=name, count=len(where), index=_fmt_index(where[0]))
    bad_inf = np.isinf(arr) & ~np.isinf(exp)
    if bad_inf.any():
        where = np.argwhere(bad_inf)
        return _("{name} contains inf at {count} position(s), first at {index}; look for overflow (exp of a large "
                 "number) or division by 0.").format(name=name, count=len(where), index=_fmt_index(where[0]))
    with np.errstate(invalid="ignore"):
        err = np.abs(arr - exp)
    err = np.where(np.isnan(arr) & np.isnan(exp), 0.0, err)
    err = np.where(np.isinf(exp) & (arr == exp), 0.0, err)
    allowed = atol + rtol * np.abs(exp)
    wrong = err > allowed
    if not wrong.any():
        return None
    worst = np.unravel_index(np.argmax(np.where(wrong, err, -1.0)), err.shape) if err.ndim else ()
    shown_exp, shown_got = format_pair(exp[worst], arr[worst])
    if arr.ndim == 0:
        return _("{name} is wrong: largest error {error}, expected {expected} but got {got}.").format(
            name=name, error=_fmt(err[worst]), expected=shown_exp, got=shown_got)
    return _("{name} is wrong ({count} of {size} elements are off): largest error {error} at index {index}, "
             "expected {expected} but got {got}.").format(name=name, count=int(wrong.sum()), size=arr.size,
                                                          error=_fmt(err[worst]), index=_fmt_index(worst),
                                                          expected=shown_exp, got=shown_got)


def assert_close(name, got, expected, rtol=1e-7, atol=1e-10):
    """Raise ``AssertionError`` with a friendly message unless ``got`` matches ``expected``."""
    message = describe_mismatch(name, got, expected, rtol=rtol, atol=atol)
    if message:
        raise AssertionError(message)


def assert_shape(name, got, shape):
    """Raise ``AssertionError`` unless ``got`` is an array of the given shape."""
    arr, problem = plain_array(got)
    if problem:
        raise AssertionError(name_problem(name, problem))
    if arr.shape != tuple(shape):
        raise AssertionError(_("{name} has shape {shape}, but shape {expected} was expected.").format(
            name=name, shape=arr.shape, expected=tuple(shape)))


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
        raise AssertionError(name_problem(name, problem))
    num = np.asarray(numerical, dtype=np.float64)
    if arr.shape != num.shape:
        raise AssertionError(_("{name} has shape {shape}, but the numerical gradient has shape {expected}.").format(
            name=name, shape=arr.shape, expected=num.shape))
    err = rel_error(arr, num)
    if not err <= tol:
        raise AssertionError(_("{name} disagrees with the numerical gradient: relative error {error} (a correct "
                               "backward pass stays below {tolerance}).").format(
            name=name, error=f"{err:.2e}", tolerance=f"{tol:.0e}"))
    return err
