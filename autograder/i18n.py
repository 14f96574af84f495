"""Languages of the course: English in the code, every other language in gettext message catalogs.

A text a student reads is written in English where it is used and marked for extraction; its translations
live in ``autograder/locale/<lang>/LC_MESSAGES/<domain>.po`` (Babel's ``pybabel extract`` finds the marked
texts, see ``babel.cfg``; ``tests/quality/test_catalogs.py`` fails when a Korean entry is missing or stale).
English is the fallback: a text without a translation is shown in English, never lost.

Domains, one catalog each (which text goes where: :func:`domain_of`):

* ``grader``: what the judge, the feedback page and the ``course`` command say to a student;
* ``mistakes``: the hidden checks' mistake messages and hints (``autograder/rules/``);
* ``bp_checks``: the visible checks (``autograder/compare.py``, the students' ``bp_checks.py``), which run in the
  student's kernel without this module (stdlib ``gettext`` and a compiled catalog beside them, written by
  :func:`write_kernel_catalog`); with them, what the notebooks' check cells and the other student helpers
  (``course/student_files/``) say through ``bp_checks.say("text", **values)`` (the notebooks' code cells are
  read by :func:`extract_notebook`).

Marking: ``N_("text")`` marks a text that is translated later (a constant); ``gettext(text, lang)`` translates
now. Translate the template, then format: ``gettext("{name} has shape {shape}", lang).format(...)``.

The language of one grading: code deep in the judge or the feedback page (a rule's comparison, a page's note)
has no ``lang`` argument. Within ``with speaking(lang):`` every :func:`gettext` without ``lang`` and every check
of ``autograder.compare`` speaks ``lang``; the block's language belongs to the current thread (a context
variable), so two gradings in two languages at the same time never see each other's. Outside such a block the
language is English.

Maintenance: :func:`update_catalogs` extracts afresh and merges into a language's catalogs (new texts empty,
changed ones fuzzy, vanished ones dropped); :func:`catalog_problems` lists what a catalog lacks.
"""

import contextlib
import contextvars
import datetime
import functools
import string
from pathlib import Path

LANGUAGES = ("en", "ko")
DEFAULT = "en"
PACKAGE = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE / "locale"
ROOT = PACKAGE.parent  # the repository (babel.cfg, course/): extraction runs in a checkout only
DOMAINS = ("grader", "mistakes", "bp_checks")
KERNEL_DOMAIN = "bp_checks"
KERNEL_LOCALE = "bp_checks_locale"  # beside bp_checks.py (autograder/compare.py): <lang>/LC_MESSAGES/bp_checks.mo
MISTAKE_KEYWORDS = {"Mistake": (2,), "Hint": (1,)}  # their texts are in "mistakes", wherever they are
PROJECT = "backprop-from-scratch"
CATALOG_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)  # fixed: the same texts, the same bytes

_SPEAKING = contextvars.ContextVar("backprop_language", default=None)


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


def language():
    """The language of the current :func:`speaking` block in this thread (English outside any)."""
    return _SPEAKING.get() or DEFAULT


@contextlib.contextmanager
def speaking(lang):
    """Within the block, :func:`gettext` without ``lang`` and the checks of ``autograder.compare`` speak ``lang``
    (in this thread only; the language before the block comes back after it)."""
    from . import compare

    lang = check_language(lang)
    token = _SPEAKING.set(lang)
    try:
        with compare.speaking(lang, catalog(lang, KERNEL_DOMAIN) if lang != DEFAULT else None):
            yield lang
    finally:
        _SPEAKING.reset(token)


def catalog_path(lang, domain):
    """The ``.po`` file of one domain in one language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _read_po(path, lang, domain):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        return read_po(f, locale=lang, domain=domain)


@functools.lru_cache(maxsize=None)
def catalog(lang, domain):
    """``{msgid: translation}`` of one domain in one language (empty for English and for a missing catalog).

    Entries that are fuzzy or untranslated are left out, so they fall back to English."""
    if check_language(lang) == DEFAULT:
        return {}
    path = catalog_path(lang, domain)
    if not path.is_file():
        return {}
    cat = _read_po(path, lang, domain)
    return {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def gettext(text, lang=None, domain="grader"):
    """``text`` in ``lang`` (``None``: the language of the current :func:`speaking` block; English when there is
    no translation)."""
    lang = lang or _SPEAKING.get() or DEFAULT
    if not text or lang == DEFAULT:
        return text
    return catalog(check_language(lang), domain).get(text, text)


@functools.lru_cache(maxsize=None)
def _templates(lang, domain):
    """``[(pattern, translation)]`` of the catalog's texts with ``{fields}``, the most literal text first."""
    import re

    found = []
    for msgid, text in catalog(lang, domain).items():
        if "{" not in msgid:
            continue
        regex, names, literal = "", [], 0
        try:
            parts = list(string.Formatter().parse(msgid))
        except ValueError:
            continue
        for text_part, name, spec, conv in parts:
            regex += re.escape(text_part)
            literal += len(text_part)
            if name is None:
                continue
            if spec or conv or not name.isidentifier():
                break
            regex += f"(?P={name})" if name in names else f"(?P<{name}>.*?)"
            names.append(name)
        else:
            found.append((literal, re.compile(regex, re.DOTALL), text))
    return [(pattern, text) for _, pattern, text in sorted(found, key=lambda f: -f[0])]


def translate(text, lang=None, domain="grader"):
    """A text made in English where the language was not known (a note of the runner, an exception message of a
    probe): its translation if it is a marked text, or a marked ``{template}`` filled in with the same values;
    else ``text`` itself. ``lang``: as for :func:`gettext`."""
    lang = lang or _SPEAKING.get() or DEFAULT
    if not text or lang == DEFAULT or not isinstance(text, str):
        return text
    lang = check_language(lang)
    exact = catalog(lang, domain).get(text)
    if exact:
        return exact
    for pattern, translation in _templates(lang, domain):
        m = pattern.fullmatch(text)
        if m:
            return translation.format(**m.groupdict())
    return text


def write_kernel_catalog(lang, folder):
    """Compile the visible checks' catalog in ``lang`` beside a ``bp_checks.py`` (or ``compare.py``) in ``folder``:
    ``folder/bp_checks_locale/<lang>/LC_MESSAGES/bp_checks.mo`` (Babel's ``write_mo``; fuzzy entries left out).
    Returns its path, or None for English (which needs no catalog). The same ``.po`` gives the same bytes."""
    from babel.messages.mofile import write_mo

    lang = check_language(lang)
    if lang == DEFAULT:
        return None
    path = catalog_path(lang, KERNEL_DOMAIN)
    if not path.is_file():
        raise FileNotFoundError(f"no catalog of the visible checks in {lang!r}: {path}")
    cat = _read_po(path, lang, KERNEL_DOMAIN)
    target = Path(folder) / KERNEL_LOCALE / lang / "LC_MESSAGES" / f"{KERNEL_DOMAIN}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    with open(tmp, "wb") as f:
        write_mo(f, cat, use_fuzzy=False)
    tmp.replace(target)
    return target


# -- extraction and the catalogs' upkeep (a checkout: babel.cfg and the sources) --------------------------------

def domain_of(path, funcname_is_mistake):
    """The domain of a text marked in ``path`` (relative to the repository, with ``/``): see ``babel.cfg``."""
    if funcname_is_mistake:
        return "mistakes"
    if path == "autograder/compare.py" or path.startswith(("source/", "course/student_files/")):
        return "bp_checks"  # bp_checks.py itself, the notebooks' check cells, the other student helpers
    if path.startswith("autograder/rules/") and path != "autograder/rules/core.py":
        return "mistakes"
    return "grader"


def _mapping(root):
    from babel.messages.frontend import parse_mapping_cfg

    with open(Path(root) / "babel.cfg", encoding="utf-8") as f:
        return parse_mapping_cfg(f, filename=str(Path(root) / "babel.cfg"))


def _walk(root, keywords, keep_file_keywords):
    """``([(relative path, line, msgid)], [(relative path, line)])``: the marked texts under ``root``, as
    ``pybabel extract -F babel.cfg`` finds them (only autograder/, course/ and source/ are walked), and the marked
    f-strings Babel had to skip (a text with values in it cannot be translated: mark the template, then format)."""
    import io
    import os
    import re

    from babel.messages.extract import extract_from_dir

    method_map, options_map = _mapping(root)
    if not keep_file_keywords:
        options_map = {k: {o: v for o, v in opts.items() if o != "keywords"} for k, opts in options_map.items()}
    root = os.path.abspath(root)

    def only_ours(dirpath):
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        name = os.path.basename(dirpath)
        if name.startswith((".", "_")) or any(m == "ignore" and _match(p, rel) for p, m in method_map):
            return False
        return rel.split("/")[0] in ("autograder", "course", "source")

    found, said = [], io.StringIO()
    with contextlib.redirect_stderr(said):  # Babel writes its warnings (skipped f-strings) there
        for filename, lineno, message, _comments, _context in extract_from_dir(
                root, method_map, options_map, keywords=keywords, directory_filter=only_ours):
            if isinstance(message, (tuple, list)):  # plural forms: none in this course; the singular is the msgid
                message = message[0]
            if message:
                found.append((filename.replace(os.sep, "/"), lineno, message))
    skipped = []
    for m in re.finditer(r"^(.+?):(\d+): warning: Skipping f-string", said.getvalue(), re.MULTILINE):
        path = Path(m[1])
        rel = (path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path).as_posix()
        skipped.append((rel, int(m[2])))
    return found, sorted(set(skipped))


def extract_notebook(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for a notebook (``babel.cfg``: ``source/**.ipynb``): the marked texts of its code
    cells (the check cells' ``say("...")``), each cell read by Babel's own Python extractor. Line numbers count the
    lines of the notebook's code cells one after another (the first cell's first line is 1)."""
    import io
    import json

    from babel.messages.extract import extract_python

    notebook = json.loads(fileobj.read().decode("utf-8"))
    offset = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        code = io.BytesIO(("\n" * offset + source).encode("utf-8"))
        code.name = getattr(fileobj, "name", None) or "(notebook)"  # Babel's warnings name the notebook
        yield from extract_python(code, keywords, comment_tags, options)
        offset += source.count("\n") + 1


def _notebook_code(path):
    """The code cells of a notebook as one text, in the line numbering of :func:`extract_notebook`."""
    import json

    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    return "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")


def _match(pattern, path):
    from babel.util import pathmatch

    return bool(pathmatch(pattern, path))


def extract(root=ROOT):
    """Extract the marked texts afresh with Babel: ``{domain: babel Catalog}`` (the templates: empty msgstr). Each
    template's ``skipped`` lists the ``(path, line)`` of marked f-strings, which cannot be translated."""
    from babel.messages.catalog import Catalog

    everything, skipped = _walk(root, {}, keep_file_keywords=True)
    mistakes, mistakes_skipped = _walk(root, MISTAKE_KEYWORDS, keep_file_keywords=False)
    mistakes = set(mistakes)
    templates = {d: Catalog(project=PROJECT, domain=d, creation_date=CATALOG_DATE, revision_date=CATALOG_DATE,
                            fuzzy=False) for d in DOMAINS}
    for path, line, msgid in everything:
        domain = domain_of(path, (path, line, msgid) in mistakes)
        templates[domain].add(msgid, locations=[(path, line)])
    for template in templates.values():
        template.skipped = []
    for path, line in skipped:
        templates[domain_of(path, (path, line) in mistakes_skipped)].skipped.append((path, line))
    return templates


def hidden_in_fstrings(root=ROOT):
    """``[(relative path, line)]`` of marked texts inside an f-string's ``{...}`` (``f"{_('text')}"``): Babel on
    Python before 3.12 never sees them, so they would never be translated. Move the call out of the f-string."""
    import ast

    keywords = {"N_", "_", "gettext", "say"}
    found = []
    for top in ("autograder", "course", "source"):
        for path in sorted((Path(root) / top).rglob("*.ipynb" if top == "source" else "*.py")):
            rel = path.relative_to(root).as_posix()
            if rel.startswith(("course/examples/", "course/templates/", "course/hub_files/")) or \
                    "/." in rel:
                continue
            code = _notebook_code(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(code)):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for inner in ast.walk(node):
                    name = getattr(getattr(inner, "func", None), "id", None) or getattr(
                        getattr(inner, "func", None), "attr", None)
                    if isinstance(inner, ast.Call) and name in keywords and inner.args and \
                            isinstance(inner.args[0], ast.Constant) and isinstance(inner.args[0].value, str):
                        found.append((rel, inner.lineno))
    return sorted(set(found))


def placeholders(text):
    """The ``{fields}`` of a format string, sorted (with their conversion and format spec), or None if it is not one."""
    try:
        return sorted((name, conv or "", spec or "") for _, name, spec, conv in string.Formatter().parse(text)
                      if name is not None)
    except ValueError:
        return None


def catalog_problems(lang, domain, templates=None, path=None):
    """What the ``lang`` catalog of ``domain`` (``path``: its ``.po``, by default the package's) lacks against a
    fresh extraction (``templates``: :func:`extract`'s): one line per problem (missing, empty, fuzzy, obsolete or
    stale entries, placeholders that differ from the msgid's, marked f-strings). ``[]``: complete."""
    template = (templates or extract())[domain]
    wanted = {m.id for m in template if m.id}
    untranslatable = [f"{domain}: {path}:{line} marks an f-string, which cannot be translated (mark the template, "
                      "then format it)" for path, line in getattr(template, "skipped", [])]
    path = Path(path) if path else catalog_path(lang, domain)
    if not path.is_file():
        return untranslatable + ([f"{domain}: no catalog {path}"] if wanted else [])
    cat = _read_po(path, lang, domain)
    problems = untranslatable + [f"{domain}: obsolete entry {m.id!r}" for m in cat.obsolete.values()]
    have = {}
    for m in cat:
        if not m.id:
            continue
        have[m.id] = m
        if m.id not in wanted:
            problems.append(f"{domain}: stale entry (no longer in the code) {m.id!r}")
        elif not m.string:
            problems.append(f"{domain}: empty translation of {m.id!r}")
        elif m.fuzzy:
            problems.append(f"{domain}: fuzzy translation of {m.id!r}")
        elif placeholders(m.string) != placeholders(m.id):
            problems.append(f"{domain}: placeholders of {m.id!r} are {placeholders(m.id)}, the translation has "
                            f"{placeholders(m.string)}")
    problems += [f"{domain}: missing entry {msgid!r}" for msgid in sorted(wanted - set(have))]
    return problems


def _write_po(path, cat):
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as f:
        write_po(f, cat, width=0, include_lineno=False, include_previous=True)
    tmp.replace(path)
    catalog.cache_clear()
    _templates.cache_clear()


def set_translations(lang, domain, translations):
    """Write ``{English msgid: translation}`` into the ``lang`` catalog of ``domain`` (each entry no longer fuzzy):
    for translators, who never hand-edit the ``.po`` escapes. Raises ``KeyError`` for a msgid not in the catalog
    (run :func:`update_catalogs` first). Returns the catalog's path."""
    path = catalog_path(check_language(lang), domain)
    cat = _read_po(path, lang, domain)
    for msgid, text in translations.items():
        message = cat.get(msgid)
        if message is None:
            raise KeyError(f"{msgid!r} is not in {path}")
        message.string = text
        message.flags.discard("fuzzy")
        message.previous_id = []
    _write_po(path, cat)
    return path


def update_catalogs(lang, domains=DOMAINS, root=ROOT):
    """Bring the ``lang`` catalogs of ``domains`` up to date with the code: new texts added (empty), changed ones
    kept as fuzzy with the English they were made from, vanished ones dropped. Returns the paths written."""
    from babel.messages.catalog import Catalog

    lang = check_language(lang)
    templates = extract(root)
    written = []
    for domain in domains:
        path = catalog_path(lang, domain)
        if path.is_file():
            cat = _read_po(path, lang, domain)
        else:
            cat = Catalog(locale=lang, domain=domain, project=PROJECT, creation_date=CATALOG_DATE,
                          revision_date=CATALOG_DATE, fuzzy=False)
        cat.update(templates[domain], update_creation_date=False)
        cat.obsolete.clear()
        cat.revision_date = CATALOG_DATE
        cat.fuzzy = False
        _write_po(path, cat)
        written.append(path)
    return written
