"""Feedback pages: a graded notebook rendered for its student, readable and safe to open anywhere.

A page is one self-contained HTML file (nbgrader's ``release_feedback`` hands out only that file): the score
table first, then the notebook with its markdown rendered, its code highlighted and its formulas typeset
as MathML here, on the grading machine (no MathJax, no script, no network when the student opens it).

Everything in a notebook is the student's and hostile: prose, code, outputs, metadata, ids. It reaches the
page only through :func:`clean_html` (an allow-list of elements, attributes, URLs and CSS properties; every
other byte escaped) or :func:`html.escape`. The page also forbids scripts and every load but its own
``data:`` images in its Content-Security-Policy, as a second line. Every output and the page have a size
cap, with a note where something was cut; the same notebook always gives the same bytes.
"""

import base64
import functools
import html
import re
from pathlib import Path
from urllib.parse import quote

import nbformat

from autograder.i18n import DEFAULT, N_, gettext, speaking

TEMPLATES = Path(__file__).parent / "templates"


def _(text):
    """``text`` in the language of the page being written (``autograder.i18n.speaking`` in :func:`page_html`)."""
    return gettext(text)

MAX_OUTPUT_CHARS = 200_000  # one output's text, HTML, markdown or LaTeX, before rendering
MAX_SOURCE_CHARS = 100_000  # one cell's source
MAX_IMAGE_CHARS = 1_500_000  # one image, base64 (about 1.1 MB)
MAX_PAGE_CHARS = 1_500_000  # everything the notebook puts on the page, rendered
MAX_DEPTH = 48  # elements open at once in one output; deeper tags are dropped (their text is kept)

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
       "frame-src 'none'")


# -- the sanitiser -------------------------------------------------------------------------------------------

VOID = {"br", "hr", "img", "wbr", "input", "col"}
HTML_TAGS = VOID | {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "caption", "cite", "code", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "i", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "math"}
MATH_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror",
    "mpadded", "mphantom", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mtable", "mtr", "mtd", "menclose", "semantics", "annotation"}
# elements dropped with everything inside them; the first ones hold raw text that is not markup at all
RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
DROP_CONTENT = RAW_TEXT | {"svg", "template", "object", "applet", "select", "head", "frameset", "annotation-xml",
                           "button", "datalist", "audio", "video", "canvas", "map"}

GLOBAL_ATTRS = {"title", "lang", "dir", "class", "id", "style"}
TAG_ATTRS = {
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"}, "tr": {"align", "valign"}, "ol": {"start", "type",
    "reversed"}, "li": {"value"}, "col": {"span"}, "colgroup": {"span"}, "table": {"border"}, "details": {"open"},
    "input": {"type", "checked", "disabled"}, "time": {"datetime"}, "p": {"align"}, "div": {"align"},
    "h1": {"align"}, "h2": {"align"}, "h3": {"align"}, "h4": {"align"}, "h5": {"align"}, "h6": {"align"}}
MATH_ATTRS = {
    "display", "mathvariant", "displaystyle", "scriptlevel", "lspace", "rspace", "stretchy", "symmetric",
    "maxsize", "minsize", "largeop", "movablelimits", "fence", "separator", "form", "accent", "accentunder",
    "linethickness", "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
    "framespacing", "width", "height", "depth", "voffset", "mathcolor", "mathbackground", "mathsize", "notation",
    "encoding", "dir"}

CSS_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "text-align", "text-decoration", "vertical-align",
    "white-space", "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
    "border-style", "border-width", "border-collapse", "border-spacing", "padding", "padding-top",
    "padding-right", "padding-bottom", "padding-left", "width", "min-width", "max-width", "list-style-type"}
_CSS_VALUE = re.compile(r"[#\w\s.,%()+-]{1,200}")
_CSS_FUNCTION = re.compile(r"([\w-]*)\s*\(")
_CSS_FUNCTIONS = {"rgb", "rgba", "hsl", "hsla"}

_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
_ATTR_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r /=>]*")
_SKIP_SPACE = re.compile(r"[\t\n\f\r /]*")
_SPACES = re.compile(r"[\t\n\f\r ]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
_CLASS = re.compile(r"[A-Za-z_][\w-]{0,39}")
_ID = re.compile(r"\S{1,100}")
_NUMBER = re.compile(r"\d{1,4}")
_SIZE = re.compile(r"\d{1,4}(\.\d{1,3})?%?")
_MATH_VALUE = re.compile(r"[\w\s.#%+-]{0,64}")
_URL = re.compile(r"(?:https?://|mailto:|#)[^\s\x00-\x1f\x7f]*", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"data:(image/(?:png|jpeg|gif|webp|svg\+xml));base64,([A-Za-z0-9+/]*={0,2})")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _text(raw):
    """Markup-free text from raw HTML text: entities decoded, NUL and other controls replaced."""
    return _CONTROL.sub("\ufffd", html.unescape(raw)) if ("&" in raw or _CONTROL.search(raw)) else raw


def _clean_style(value):
    kept = []
    for declaration in value.split(";"):
        name, colon, val = declaration.partition(":")
        name, val = name.strip().lower(), " ".join(val.split())
        if not colon or name not in CSS_PROPERTIES or not _CSS_VALUE.fullmatch(val):
            continue
        if all(f.lower() in _CSS_FUNCTIONS for f in _CSS_FUNCTION.findall(val)):
            kept.append(f"{name}: {val}")
    return "; ".join(kept) or None


def data_image(value):
    """``value`` as a ``data:image/...;base64,...`` URL if it is one, well formed and within the cap, else None."""
    value = "".join(value.split())
    m = _DATA_IMAGE.fullmatch(value)
    if not m or len(value) > MAX_IMAGE_CHARS or len(m[2]) % 4:
        return None
    return value


def _clean_attr(tag, name, value, in_math):
    """The attribute's value as it may reach the page, or None to drop it."""
    if in_math:
        if name not in MATH_ATTRS or not _MATH_VALUE.fullmatch(value):
            return None
        return value
    if name not in GLOBAL_ATTRS and name not in TAG_ATTRS.get(tag, ()):
        return None
    if name == "href":
        return value.strip() if _URL.fullmatch(value.strip()) else None
    if name == "src":
        return data_image(value)
    if name == "style":
        return _clean_style(value)
    if name == "class":
        words = [w for w in value.split() if _CLASS.fullmatch(w) and not w.lower().startswith("bfs")][:8]
        return " ".join(words) or None
    if name == "id":
        return value if _ID.fullmatch(value) and not value.lower().startswith("bfs") else None
    if name in ("width", "height"):
        return value.strip() if _SIZE.fullmatch(value.strip()) else None
    if name in ("colspan", "rowspan", "span", "start", "value", "border"):
        return value.strip() if _NUMBER.fullmatch(value.strip()) else None
    if name in ("checked", "disabled", "open", "reversed"):
        return ""
    if name == "type":
        allowed = {"input": ("checkbox",), "ol": ("1", "a", "A", "i", "I")}[tag]
        return value.strip() if value.strip() in allowed else None
    if name in ("align", "valign", "dir", "scope"):
        v = value.strip().lower()
        return v if v in ("left", "right", "center", "justify", "top", "middle", "bottom", "baseline", "ltr",
                          "rtl", "auto", "row", "col", "rowgroup", "colgroup") else None
    if name == "lang":
        return value.strip() if re.fullmatch(r"[A-Za-z-]{1,20}", value.strip()) else None
    return value[:1000]  # title, alt, datetime: text, escaped on the way out


class _Tag:
    __slots__ = ("name", "raw_name", "end", "self_closing", "attrs")


def _tokens(s):
    """Tokens of an HTML fragment, in one pass: ('text', str), ('tag', _Tag). Comments, doctypes, processing
    instructions and CDATA are skipped; the content of raw-text elements (script, style, ...) is skipped whole."""
    low = None
    i, n = 0, len(s)
    while i < n:
        lt = s.find("<", i)
        if lt < 0:
            yield "text", s[i:]
            return
        if lt > i:
            yield "text", s[i:lt]
        i = lt
        nxt = s[i + 1:i + 2]
        if nxt == "!" or nxt == "?":
            if s.startswith("<!--", i):
                if s.startswith("<!-->", i) or s.startswith("<!--->", i):  # closed at once, as browsers do
                    i = s.find(">", i + 4) + 1
                    continue
                end = s.find("-->", i + 4)
                bang = s.find("--!>", i + 4)
                if bang >= 0 and (end < 0 or bang < end):
                    i = bang + 4
                    continue
                i = n if end < 0 else end + 3
            else:
                end = s.find(">", i + 2)
                i = n if end < 0 else end + 1
            continue
        is_end = nxt == "/"
        start = i + 2 if is_end else i + 1
        if not s[start:start + 1].isascii() or not s[start:start + 1].isalpha():
            if is_end and s[start:start + 1] == ">":  # "</>" is dropped
                i = start + 1
                continue
            if is_end:  # "</ x>" is a bogus comment
                end = s.find(">", start)
                i = n if end < 0 else end + 1
                continue
            yield "text", "<"
            i += 1
            continue
        m = _TAG_NAME.match(s, start)
        tag = _Tag()
        tag.raw_name, tag.end, tag.self_closing, tag.attrs = m[0], is_end, False, []
        tag.name = m[0].lower()
        i = m.end()
        while True:  # attributes, until '>' (a tag cut by the end of the input is dropped, as browsers do)
            i = _SKIP_SPACE.match(s, i).end()
            if i >= n:
                return
            if s[i] == ">":
                tag.self_closing = s[i - 1] == "/"
                i += 1
                break
            m = _ATTR_NAME.match(s, i)
            name, i = m[0].lower(), m.end()
            value = ""
            j = _SPACES.match(s, i).end()
            if s[j:j + 1] == "=":
                j = _SPACES.match(s, j + 1).end()
                quote = s[j:j + 1]
                if quote in ("'", '"'):
                    end = s.find(quote, j + 1)
                    if end < 0:
                        return
                    value, i = s[j + 1:end], end + 1
                else:
                    m = _UNQUOTED.match(s, j)
                    value, i = m[0], m.end()
            tag.attrs.append((name, value))
        yield "tag", tag
        if tag.name in RAW_TEXT and not tag.end:
            if low is None:
                low = s.lower()
            end = -1 if tag.name == "plaintext" else low.find("</" + tag.name, i)
            i = n if end < 0 else end


# a start tag of the key closes an open element of the value's names, unless one of the boundary elements is
# nearer (what a browser's parser does, so the page's structure is the one the browser builds)
_BLOCKS = {"blockquote", "details", "div", "dl", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
           "ol", "p", "pre", "summary", "table", "ul"}
_IMPLIED = {"li": ({"li"}, {"ul", "ol", "table", "td", "th", "math"}),
            "dt": ({"dt", "dd"}, {"dl", "table", "td", "th", "math"}),
            "dd": ({"dt", "dd"}, {"dl", "table", "td", "th", "math"}),
            "td": ({"td", "th"}, {"tr", "table"}), "th": ({"td", "th"}, {"tr", "table"}),
            "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"}),
            "thead": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
            "tbody": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
            "tfoot": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"})}
_IMPLIED.update({b: ({"p"}, {"table", "td", "th", "caption", "math", "li", "dd", "dt", "div", "blockquote"})
                 for b in _BLOCKS})


def _close_implied(name, stack, out):
    if name not in _IMPLIED:
        return
    closes, boundary = _IMPLIED[name]
    lowest = None
    for depth in range(len(stack) - 1, -1, -1):  # at most MAX_DEPTH steps
        if stack[depth] in boundary:
            break
        if stack[depth] in closes:
            lowest = depth
    while lowest is not None and len(stack) > lowest:
        out.append(f"</{stack.pop()}>")


def clean_html(fragment, *, math=True):
    """Safe HTML for ``fragment``: allowed elements and attributes only (MathML inside ``<math>`` when
    ``math``), every text and attribute value escaped, well nested, each element it opens closed at the end.
    Linear in the length of the fragment: at most :data:`MAX_DEPTH` elements open at once."""
    out, stack = [], []  # stack: names of the elements this fragment opened and has not closed
    math_depth = 0
    skip, skip_depth = None, 0  # inside an element dropped with its content
    for kind, tok in _tokens(fragment):
        if kind == "text":
            if skip is None:
                out.append(html.escape(_text(tok), quote=False))
            continue
        name = tok.name
        if skip is not None:
            if name == skip and not tok.self_closing:
                skip_depth += -1 if tok.end else 1
                if skip_depth == 0:
                    skip = None
            continue
        if name in DROP_CONTENT:
            if not tok.end and not tok.self_closing and name not in RAW_TEXT:
                skip, skip_depth = name, 1
            continue
        if tok.end:
            if name in stack:
                while stack:
                    closed = stack.pop()
                    out.append(f"</{closed}>")
                    if closed == "math":
                        math_depth -= 1
                    if closed == name:
                        break
            continue
        in_math = math_depth > 0
        if in_math and name not in MATH_TAGS or not in_math and (name not in HTML_TAGS or name == "math" and not math):
            continue
        void = name in VOID and not in_math
        if not in_math:
            _close_implied(name, stack, out)
        if not void and len(stack) >= MAX_DEPTH:
            continue
        attrs = []
        seen = set()
        for key, value in tok.attrs:
            if key in seen:  # browsers keep the first of duplicated attributes
                continue
            seen.add(key)
            clean = _clean_attr(name, key, _text(value), in_math or name == "math")
            if clean is not None:
                attrs.append(f' {key}="{html.escape(clean, quote=True)}"' if clean or key not in (
                    "checked", "disabled", "open", "reversed") else f" {key}")
        if name == "img" and not any(a.startswith(' src="') for a in attrs):
            alt = next((v for k, v in tok.attrs if k == "alt"), "")
            shown = _("[image: {alt}]").format(alt=_text(alt)) if alt.strip() else _("[image]")
            out.append(html.escape(shown, quote=False))
            continue
        if name == "input":
            if ' type="checkbox"' not in attrs:
                continue
            if " disabled" not in attrs:
                attrs.append(" disabled")
        if name == "a" and any(a.startswith(' href="http') for a in attrs):
            attrs.append(' rel="noopener noreferrer nofollow"')
        out.append(f"<{name}{''.join(attrs)}>")
        if void:
            continue
        if tok.self_closing and in_math:
            out.append(f"</{name}>")
            continue
        stack.append(name)
        if name == "math":
            math_depth += 1
    while stack:
        out.append(f"</{stack.pop()}>")
    return "".join(out)


# -- rendering a notebook ----------------------------------------------------------------------------------------

def _note(text):
    return f'<p class="bfs-note">{html.escape(text, quote=False)}</p>'


CUT_OUTPUT = N_("This output was cut: showing the first {limit} of {total} characters.")
CUT_ERROR = N_("This error was cut: showing the first {limit} of {total} characters.")
CUT_CELL = N_("This cell was cut: showing the first {limit} of {total} characters.")
CUT_COMMENT = N_("This comment was cut: showing the first {limit} of {total} characters.")


def _capped(text, limit, what):
    """``text`` cut at ``limit`` characters, and the note that says so (or ""); ``what``: one of the ``CUT_``
    sentences."""
    if len(text) <= limit:
        return text, ""
    return text[:limit], _note(_(what).format(limit=f"{limit:,}", total=f"{len(text):,}"))


def _as_text(value):
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else str(value)


def latex_to_mathml(latex, display):
    """MathML for a LaTeX formula (rendered here, so the page needs no script), or None if it cannot be read."""
    try:
        from latex2mathml.converter import convert

        return convert(latex, display="block" if display else "inline")
    except Exception:  # a student's LaTeX may be anything; it is then shown as it was written
        return None


MAX_FORMULAS = 1_000  # typeset per markdown text; more are shown as written
MAX_FORMULA_CHARS = 5_000

# what can open or close a formula, or stop looking for its end, in one left-to-right pass (linear time:
# nbconvert's math regexes rescan to the end of the text for every opener that is never closed, which took
# a minute for 100 kB of "\\[")
_MATH_TOKEN = re.compile(r"(`+)|\\\\([\[\]()])|\\\$|(\$\$?)|\\(begin|end)\{([A-Za-z]*\*?)\}|(\n[ \t]*\n)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_SLOT = re.compile("\ue000(\\d+)\ue001")
_QUOTED_SLOT = re.compile(r"%EE%80%80(\d+)%EE%80%81")  # a slot in a heading's id, which nbconvert quotes
_OPENERS = {"$$": ("$$", True), "$": ("$", False), "[": ("]", True), "(": (")", False)}


def _math_spans(text, base, spans):
    """Append ``(start, end, latex, display)`` of every formula in ``text`` (no fenced code in it) to spans."""
    state = None  # (start, closer, display, environment name, nesting)
    code = None  # length of the open backtick run
    for m in _MATH_TOKEN.finditer(text):
        ticks, bracket, dollars, env_kind, env_name, blank = m.groups()
        if blank:  # formulas and code spans end with their paragraph
            state = code = None
            continue
        if code is not None:
            code = None if ticks and len(ticks) == code else code
            continue
        if state is None:
            if ticks:
                code = len(ticks)
            elif dollars or bracket in ("[", "("):
                closer, display = _OPENERS[dollars or bracket]
                state = (m.end(), closer, display, None, 0)
            elif env_kind == "begin":
                state = (m.start(), None, True, env_name, 1)
            continue
        start, closer, display, env, depth = state
        if env is not None:
            if env_name == env:
                depth += 1 if env_kind == "begin" else -1
                state = (start, None, True, env, depth) if depth else None
                if not depth:
                    spans.append((base + start, base + m.end(), text[start:m.end()], True))
        elif (dollars or bracket) == closer or closer == "$" and dollars == "$$":
            spans.append((base + start - len(closer) - (2 if closer in "])" else 0), base + m.start() + len(closer)
                          + (2 if closer in "])" else 0), text[start:m.start()], display))
            state = None
            if closer == "$" and dollars == "$$":  # "$a$$b$": the second dollar opens the next formula
                state = (m.end(), "$", False, None, 0)


def extract_math(source):
    """``source`` with each formula replaced by a numbered slot, and the formulas: ``[(latex, display)]``.
    Formulas in fenced code blocks and code spans are left alone."""
    source = source.replace("\ue000", "\ufffd").replace("\ue001", "\ufffd")  # slots are ours alone
    spans, pos, fence = [], 0, None
    for m in _FENCE.finditer(source):
        if fence is None:
            _math_spans(source[pos:m.start()], pos, spans)
            fence = m.group(1)
        elif m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
            fence, pos = None, m.end()
    if fence is None:
        _math_spans(source[pos:], pos, spans)
    parts, formulas, pos = [], [], 0
    for start, end, latex, display in spans:
        parts.append(source[pos:start])
        parts.append(f"\ue000{len(formulas)}\ue001")
        formulas.append((source[start:end], latex, display))
        pos = end
    parts.append(source[pos:])
    return "".join(parts), formulas


def _formula_html(written, latex, display, number):
    mathml = latex_to_mathml(latex, display) if number < MAX_FORMULAS and len(latex) <= MAX_FORMULA_CHARS else None
    if mathml is None:
        return f'<code class="math-source">{html.escape(written, quote=False)}</code>'
    return clean_html(mathml)


def _put_math_back(cleaned, formulas):
    """Replace each slot in sanitised HTML by its formula: MathML in text, the formula as written in code and
    in attribute values (a heading's id)."""
    if not formulas:
        return cleaned

    def slot(m, render):  # a slot forged with character references in the student's HTML names no formula
        number = int(m[1])
        return render(*formulas[number], number) if number < len(formulas) else "\ufffd"

    out, in_code = [], 0
    for piece in re.split(r"(<[^>]*>)", cleaned):  # sanitised HTML: every '>' in an attribute is escaped
        if piece.startswith("<"):
            name = piece[1:].split(" ", 1)[0].rstrip(">").lower()
            if name in ("pre", "code"):
                in_code += 1
            elif name in ("/pre", "/code"):
                in_code = max(0, in_code - 1)
            piece = _QUOTED_SLOT.sub(lambda m: slot(m, lambda written, *_: quote(written)), piece)
            out.append(_SLOT.sub(lambda m: slot(m, lambda written, *_: html.escape(written, quote=True)), piece))
        elif in_code:
            out.append(_SLOT.sub(lambda m: slot(m, lambda written, *_: html.escape(written, quote=False)), piece))
        else:
            out.append(_SLOT.sub(lambda m: slot(m, _formula_html), piece))
    return "".join(out)


@functools.cache
def _markdown_parts():
    import mistune
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class Renderer(IPythonRenderer):
        """nbconvert's markdown renderer (heading anchors, highlighted code blocks), with attachments that
        never raise and mermaid diagrams shown as code."""

        def block_mermaidjs(self, code):
            return super().block_code(code, info=None)

        def image(self, text, url, title=None):
            if url.startswith("attachment:"):
                bundle = self.attachments.get(url[len("attachment:"):])
                url = ""
                if isinstance(bundle, dict):
                    for mime in ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"):
                        if isinstance(bundle.get(mime), str):
                            url = f"data:{mime};base64,{bundle[mime]}"
                            break
            return super(IPythonRenderer, self).image(text, url, title)

    plugins = [mistune.plugins.import_plugin(name) for name in MarkdownWithMath.DEFAULT_PLUGINS]
    return Renderer, mistune.Markdown, plugins


def markdown_html(source, attachments=None):
    """Markdown (with ``$...$``, ``$$...$$``, ``\\[...\\]``, ``\\begin{...}`` formulas and raw HTML) as
    safe HTML; formulas become MathML."""
    renderer_class, markdown_class, plugins = _markdown_parts()
    renderer = renderer_class(escape=False, attachments=attachments if isinstance(attachments, dict) else {})
    text, formulas = extract_math(source)
    try:
        rendered = markdown_class(renderer=renderer, plugins=plugins)(text)
    except Exception:  # never lose the page over a markdown corner case: show the text as it was written
        rendered = f"<pre>{html.escape(text, quote=False)}</pre>"
    return _put_math_back(clean_html(rendered), formulas)


def _pre(text, css):
    """Text with ANSI colours (tracebacks, coloured prints) as a <pre> block."""
    from nbconvert.filters.ansi import ansi2html

    try:
        coloured = ansi2html(text)
    except Exception:
        coloured = html.escape(text, quote=False)
    return f'<pre class="{css}">{clean_html(coloured, math=False)}</pre>'


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _image_size(output, mime):
    meta = _dict(output.get("metadata"))
    own = _dict(meta.get(mime))
    attrs = ""
    for key in ("width", "height"):
        value = own.get(key, meta.get(key))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 10_000:
            attrs += f' {key}="{int(value)}"'
    return attrs


DATA_ORDER = ("text/html", "text/markdown", "image/svg+xml", "text/latex", "image/png", "image/jpeg", "image/gif",
              "image/webp", "text/plain")
SCRIPTED = {"application/javascript": N_("This output also had JavaScript, which a feedback page never runs."),
            "text/javascript": N_("This output also had JavaScript, which a feedback page never runs."),
            "application/vnd.jupyter.widget-view+json": N_("This output also had an interactive widget, which a "
                                                           "feedback page never runs.")}


def _latex_output(text):
    body = text.strip()
    for start, end, display in (("$$", "$$", True), ("\\[", "\\]", True), ("$", "$", False)):
        if len(body) > len(start) + len(end) and body.startswith(start) and body.endswith(end):
            mathml = latex_to_mathml(body[len(start):-len(end)], display)
            if mathml is not None:
                return f'<div class="bfs-latex">{clean_html(mathml)}</div>'
            break
    if body.startswith("\\begin{"):
        mathml = latex_to_mathml(body, True)
        if mathml is not None:
            return f'<div class="bfs-latex">{clean_html(mathml)}</div>'
    return _pre(text, "bfs-text")


def _data_html(output):
    data = _dict(output.get("data"))
    notes = [_(SCRIPTED[m]) for m in SCRIPTED if m in data]
    for mime in DATA_ORDER:
        if mime not in data:
            continue
        if mime.startswith("image/") and mime != "image/svg+xml":
            url = data_image(f"data:{mime};base64,{_as_text(data[mime])}")
            if url is None:
                notes.append(_("An image ({mime}) was not shown: it was not valid or larger than {size} MB.").format(
                    mime=mime, size=MAX_IMAGE_CHARS // 1_000_000))
                continue
            alt = _e(_("output image"))
            body = f'<img src="{url}" alt="{alt}"{_image_size(output, mime)}>'
            return body + "".join(_note(n) for n in notes)
        text = _as_text(data[mime])
        if mime == "image/svg+xml":
            url = data_image("data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode())
            if url is None:
                notes.append(_("An SVG image was not shown: larger than {size} MB.").format(
                    size=MAX_IMAGE_CHARS // 1_000_000))
                continue
            alt = _e(_("output image"))
            return f'<img src="{url}" alt="{alt}"{_image_size(output, mime)}>' + "".join(
                _note(n) for n in notes)
        text, cut = _capped(text, MAX_OUTPUT_CHARS, CUT_OUTPUT)
        if mime == "text/html":
            body = f'<div class="bfs-html">{clean_html(text)}</div>'
        elif mime == "text/markdown":
            body = f'<div class="bfs-md">{markdown_html(text)}</div>'
        elif mime == "text/latex":
            body = _latex_output(text)
        else:
            body = _pre(text, "bfs-text")
        return body + cut + "".join(_note(n) for n in notes)
    shown = ", ".join(sorted(m for m in data if m not in SCRIPTED)[:5])
    notes.append(_("An output of type {types} is not shown on this page.").format(types=shown) if shown
                 else _("An empty output."))
    return "".join(_note(n) for n in notes)


def render_output(output):
    """One output as safe HTML, whatever its type."""
    kind = output.get("output_type")
    if kind == "stream":
        text, cut = _capped(_as_text(output.get("text", "")), MAX_OUTPUT_CHARS, CUT_OUTPUT)
        css = "bfs-stderr" if output.get("name") == "stderr" else "bfs-text"
        return _pre(text, css) + cut
    if kind in ("display_data", "execute_result"):
        return _data_html(output)
    if kind == "error":
        lines = output.get("traceback") or [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        text, cut = _capped("\n".join(_as_text(t) for t in lines), MAX_OUTPUT_CHARS, CUT_ERROR)
        return _pre(text, "bfs-stderr") + cut
    return _note(_("An output of kind {kind} is not shown on this page.").format(kind=repr(_as_text(kind)[:40])))


@functools.cache
def _lexer():
    from pygments.lexers import get_lexer_by_name

    try:
        return get_lexer_by_name("ipython3")
    except Exception:
        return get_lexer_by_name("python3")


def code_html(source):
    """Python source, highlighted (pygments escapes every character it is given)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter

    return f'<pre class="highlight bfs-source">{highlight(source, _lexer(), HtmlFormatter(nowrap=True))}</pre>'


class _Budget:
    """What is left of the page's size cap; once spent, every further piece becomes a short note."""

    def __init__(self, chars):
        self.left = chars
        self.spent = False

    def render(self, function, *args):
        return self.take(function(*args)) if not self.spent else ""

    def take(self, piece):
        if not self.spent and len(piece) <= self.left:
            self.left -= len(piece)
            return piece
        if self.spent:
            return ""
        self.spent = True
        return _note(_("The rest of this notebook is not shown: a feedback page holds at most {size} MB of it.").format(
            size=f"{MAX_PAGE_CHARS // 1_000_000:g}.{MAX_PAGE_CHARS // 100_000 % 10}"))


def _markdown_cell(source, attachments, cut):
    return f'<div class="bfs-md">{markdown_html(source, attachments)}</div>{cut}'


def _output(output):
    return f'<div class="bfs-output">{render_output(output)}</div>'


def _written_state(answer, manual):
    """``(css state, text)`` of a written answer for the score table: graded by a person, not yet, or empty."""
    given = (manual or {}).get("score")
    if isinstance(given, (int, float)):
        state = "full" if given >= answer["points"] else ("none" if given <= 0 else "part")
        return state, f"{given:g}"
    if not answer.get("answered"):
        return "none", _("0 (no answer)")
    return "wait", _("not graded yet")


def _written_box(answer, manual):
    """The heading and the grader's comment around a written answer on the page (comment: markdown, sanitised)."""
    state = _written_state(answer, manual)[1]
    head = '<p class="bfs-written-head">' + _e(_("Your written answer ({cell}, {points} points): {state}")).format(
        cell=f'<code>{_e(answer["grade_id"])}</code>', points=f'{answer["points"]:g}', state=_e(state)) + '</p>'
    comment = (manual or {}).get("comment")
    tail = ""
    if isinstance(comment, str) and comment.strip():
        text, cut = _capped(comment, MAX_SOURCE_CHARS, CUT_COMMENT)
        said = _e(_("Comment from the grader:"))
        tail = (f'<div class="bfs-grader-comment"><p class="bfs-written-head">{said}</p>'
                f'<div class="bfs-md">{markdown_html(text)}</div>{cut}</div>')
    return head, tail


def cells_html(nb, written=None):
    """The notebook's cells as safe HTML, within the page's size cap. ``written``: ``{grade_id: (answer,
    manual)}`` of the written answers, which get a heading with their state and the grader's comment."""
    budget = _Budget(MAX_PAGE_CHARS)
    parts = []
    written = written or {}
    for index, cell in enumerate(_list(nb.get("cells"))):
        cell = _dict(cell)
        kind = cell.get("cell_type")
        source, cut = _capped(_as_text(cell.get("source", "")), MAX_SOURCE_CHARS, CUT_CELL)
        gid = _dict(_dict(cell.get("metadata")).get("nbgrader")).get("grade_id")
        if kind == "markdown" and isinstance(gid, str) and gid in written:
            head, tail = _written_box(*written[gid])
            body = budget.render(_markdown_cell, source, cell.get("attachments"), cut)
            parts.append(f'<section class="bfs-cell bfs-markdown bfs-written" id="bfs-cell-{index}">'
                         f'{head}{body}{budget.take(tail) if tail else ""}</section>')
        elif kind == "markdown":
            body = budget.render(_markdown_cell, source, cell.get("attachments"), cut)
            parts.append(f'<section class="bfs-cell bfs-markdown" id="bfs-cell-{index}">{body}</section>')
        elif kind == "code":
            body = budget.render(code_html, source) + cut
            outputs = [budget.render(_output, o) for o in _list(cell.get("outputs")) if isinstance(o, dict)]
            outs = f'<div class="bfs-outputs">{"".join(outputs)}</div>' if any(outputs) else ""
            parts.append(f'<section class="bfs-cell bfs-code" id="bfs-cell-{index}">{body}{outs}</section>')
        elif kind == "raw":
            body = budget.render(_pre, source, "bfs-raw") + cut
            parts.append(f'<section class="bfs-cell bfs-raw" id="bfs-cell-{index}">{body}</section>')
    return "\n".join(parts)


# -- the page ----------------------------------------------------------------------------------------------------

@functools.cache
def stylesheet():
    """The feedback page's CSS: the course's stylesheet and the code highlighting's."""
    from pygments.formatters import HtmlFormatter

    return (TEMPLATES / "feedback" / "feedback.css").read_text() + HtmlFormatter(style="default").get_style_defs(
        ".highlight")


def _e(value):
    return html.escape(_as_text(value), quote=True)


def summary_html(grade, cell_index):
    """The score table: who, how much, each graded cell (linked to it in the notebook), notes from grading."""
    rows = []
    for c in grade.cells:
        name = _e(c.grade_id)
        if c.grade_id in cell_index:
            name = f'<a href="#bfs-cell-{cell_index[c.grade_id]}">{name}</a>'
        state = "full" if c.score >= c.points else ("none" if c.score <= 0 else "part")
        rows.append(f'<tr class="bfs-{state}"><td><code>{name}</code></td><td>{c.score:g}</td>'
                    f'<td>{c.points:g}</td></tr>')
    written, manual = _list(getattr(grade, "written", None)), _dict(getattr(grade, "manual", None))
    for answer in written:  # graded by a person in the formgrader: their score once given
        name = _e(answer["grade_id"])
        if answer["grade_id"] in cell_index:
            name = f'<a href="#bfs-cell-{cell_index[answer["grade_id"]]}">{name}</a>'
        state, shown = _written_state(answer, manual.get(answer["grade_id"]))
        kind = _e(_("(written answer)"))
        rows.append(f'<tr class="bfs-{state}"><td><code>{name}</code> {kind}</td>'
                    f'<td>{_e(shown)}</td><td>{answer["points"]:g}</td></tr>')
    names = " ".join(_as_text(getattr(grade, a, "") or "") for a in ("first_name", "last_name")).strip()
    # <bdi>: right-to-left marks in an id cannot reorder the text around it
    who = f"<code><bdi>{_e(grade.student)}</bdi></code>" + (f" (<bdi>{_e(names)}</bdi>)" if names else "")
    reason = f'<p class="bfs-reason">{_e(grade.reason)}</p>' if grade.reason else ""
    penalty = getattr(getattr(grade, "late", None), "penalty", 0) or 0
    late = ""
    if isinstance(penalty, (int, float)) and penalty > 0:
        final = getattr(grade, "final_score", max(0.0, grade.score - penalty))
        late = ' <span class="bfs-late">' + _e(_("late penalty: −{penalty}; final score {final}")).format(
            penalty=f"{penalty:g}", final=f"<strong>{final:g} / {grade.max_score:g}</strong>") + "</span>"
    notes = "".join(f"<li>{_e(n)}</li>" for n in grade.notes) or "<li>" + _e(_("none")) + "</li>"
    if written:
        late += _written_line(grade, written, manual)
    heading = _e(_("Feedback: {assignment}")).format(assignment=_e(grade.assignment))
    student = _e(_("Student: {student}")).format(student=who)
    score = _e(_("Score: {score}")).format(score=f"<strong>{grade.score:g} / {grade.max_score:g}</strong>")
    head = "".join(f"<th>{_e(_(h))}</th>" for h in (N_("graded cell"), N_("points"), N_("out of")))
    notes_heading = _e(_("Notes from grading"))
    return (f'<header class="bfs-summary" id="bfs-summary">\n<h1>{heading}</h1>\n'
            f'<p class="bfs-student">{student}</p>\n'
            f'<p class="bfs-score">{score}{late}</p>\n{reason}\n'
            f'<table class="bfs-scores"><thead><tr>{head}</tr></thead>'
            f'\n<tbody>\n' + "\n".join(rows) + f'\n</tbody></table>\n'
            f'<h2>{notes_heading}</h2>\n<ul class="bfs-notes">{notes}</ul>\n</header>')


def _written_line(grade, written, manual):
    """The score of the written answers under the automatic score, and the total once all are graded."""
    points = sum(a["points"] for a in written)
    given = [_dict(manual.get(a["grade_id"])).get("score") for a in written if a.get("answered")]
    given = [s for s in given if isinstance(s, (int, float))]
    missing = sum(1 for a in written if a.get("answered")) - len(given)
    if missing:
        return '</p>\n<p class="bfs-written-score">' + _e(_(
            "Written answers ({points} points): {missing} of {count} not graded yet. The score above is the automatic "
            "part.")).format(points=f"{points:g}", missing=missing, count=len(written))
    total = round(getattr(grade, "final_score", grade.score) + sum(given), 2)
    return '</p>\n<p class="bfs-written-score">' + _e(_("Written answers: {written}. Total: {total}")).format(
        written=f"<strong>{sum(given):g} / {points:g}</strong>", total=f"<strong>{total:g} / "
                                                                       f"{grade.max_score + points:g}</strong>")


def page_html(grade):
    """The whole feedback page for one graded notebook, as a string, in the language it was graded in
    (``grade.lang``, English if it has none)."""
    lang = getattr(grade, "lang", None) or DEFAULT
    with speaking(lang):
        return _page_html(grade, lang)


def _page_html(grade, lang):
    nb = nbformat.from_dict(dict(grade.feedback)) if grade.feedback else nbformat.v4.new_notebook()
    cell_index = {}
    for i, cell in enumerate(_list(nb.get("cells"))):
        gid = _dict(_dict(_dict(cell).get("metadata")).get("nbgrader")).get("grade_id")
        if isinstance(gid, str):
            cell_index.setdefault(gid, i)
    title = _e(_("Feedback: {assignment} — {student}").format(assignment=grade.assignment, student=grade.student))
    manual = _dict(getattr(grade, "manual", None))
    written = {a["grade_id"]: (a, manual.get(a["grade_id"])) for a in _list(getattr(grade, "written", None))}
    cells = (cells_html(nb, written) if written else cells_html(nb)) if grade.feedback else ""
    return (f'<!DOCTYPE html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="referrer" content="no-referrer">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title}</title>\n<style>\n{stylesheet()}</style>\n</head>\n<body>\n<main class="bfs-page">\n'
            f'{summary_html(grade, cell_index)}\n<article class="bfs-notebook">\n{cells}\n</article>\n'
            f'</main>\n</body>\n</html>\n')


def write_feedback_html(grade, path):
    """Render a graded notebook for its student: results first, then their notebook without hidden tests."""
    text = page_html(grade)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _feedback_page(job):
    grade, path = job
    try:
        write_feedback_html(grade, path)
        return None
    except Exception as exc:  # one notebook's page must not cost the class its pages: a page with the scores
        reason = f"{type(exc).__name__}: {exc}"[:300]
        fallback = type("Fallback", (), {})()
        fallback.__dict__.update({k: getattr(grade, k, None) for k in (
            "student", "assignment", "score", "max_score", "cells", "reason", "late", "final_score", "written",
            "manual", "lang")})
        with speaking(getattr(grade, "lang", None) or DEFAULT):
            fallback.notes = list(grade.notes) + [_("The notebook itself could not be shown on this page.")]
        fallback.feedback = None
        write_feedback_html(fallback, path)
        return f"{grade.student}/{grade.assignment}: {reason}"


def write_feedback_pages(jobs, workers=None):
    """Render ``[(grade, path)]`` in parallel processes (a page costs tenths of a second of CPU). Returns the
    pages that could only be written as a score table, with why (normally none)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    jobs = list(jobs)
    _markdown_parts(), stylesheet(), _lexer()  # built once here, inherited by the forked workers
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers < 2 or len(jobs) < 8 or "fork" not in multiprocessing.get_all_start_methods():
        problems = [_feedback_page(job) for job in jobs]
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            problems = list(pool.map(_feedback_page, jobs, chunksize=4))
    return [p for p in problems if p]
