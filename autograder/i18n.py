"""Languages of the course: English in the code, every other language in gettext message catalogs.

A text a student reads is written in English where it is used and marked for extraction; its translations
live in ``autograder/locale/<lang>/LC_MESSAGES/<domain>.po`` (Babel's ``pybabel extract`` finds the marked
texts, see ``babel.cfg``; ``tests/quality/test_catalogs.py`` fails when a Korean entry is missing or stale).
English is the fallback: a text without a translation is shown in English, never lost.

Domains, one catalog each:

* ``grader``: what the judge, the feedback page and the ``course`` command say to a student;
* ``mistakes``: the hidden checks' mistake messages and hints (``autograder/rules/``);
* ``bp_checks``: the visible checks (``autograder/compare.py``, the students' ``bp_checks.py``), which run in the
  student's kernel without this module (stdlib ``gettext`` and a compiled catalog beside them).

Marking: ``N_("text")`` marks a text that is translated later (a constant); ``gettext(text, lang)`` translates
now. Translate the template, then format: ``gettext("{name} has shape {shape}", lang).format(...)``.
"""

import functools
from pathlib import Path

LANGUAGES = ("en", "ko")
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("grader", "mistakes", "bp_checks")


class UnknownLanguage(ValueError):
    """A language the course has no edition in."""


def check_language(lang):
    """``lang`` if the course speaks it (``None`` means English), else :class:`UnknownLanguage` naming the choices."""
    lang = lang or DEFAULT
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"no edition in language {lang!r}; the course speaks {', '.join(LANGUAGES)}")
    return lang


def N_(text):
    """Mark ``text`` for extraction; it is translated where it is shown (``gettext(text, lang)``)."""
    return text


@functools.lru_cache(maxsize=None)
def catalog(lang, domain):
    """``{msgid: translation}`` of one domain in one language (empty for English and for a missing catalog).

    Entries that are fuzzy or untranslated are left out, so they fall back to English."""
    if check_language(lang) == DEFAULT:
        return {}
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        cat = read_po(f, locale=lang, domain=domain)
    return {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def gettext(text, lang=None, domain="grader"):
    """``text`` in ``lang`` (English when there is no translation)."""
    if not text or (lang or DEFAULT) == DEFAULT:
        return text
    return catalog(check_language(lang), domain).get(text, text)
