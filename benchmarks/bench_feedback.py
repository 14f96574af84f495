"""Feedback pages: time to render a page holding one large HTML output, before and after course/feedback.py.

Before: nbconvert's JupyterLab page with ``sanitize_html=True`` (bleach on html5lib), what ``course grade`` used
until the feedback page had its own renderer. After: :func:`course.feedback.page_html`. Both render the same
notebook (one code cell whose output is the HTML); the numbers that matter are ratios measured in this run:
how the time grows when the output doubles (2x = linear, 4x = quadratic) and after / before at 150 kB; and
markdown whose formula openers are never closed (nbconvert's math regexes rescan the rest of the text for each).

    .venv/bin/python benchmarks/bench_feedback.py            # about two minutes (the old renderer is slow)
    .venv/bin/python benchmarks/bench_feedback.py --quick    # the new renderer only
"""

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course.feedback import clean_html, markdown_html, page_html  # noqa: E402


def nested(kb):  # unclosed elements: what made the old sanitiser quadratic
    return "<div>" * (kb * 1000 // 5)


def formatting(kb):  # unclosed formatting elements, which browsers reopen in every block
    return "<b><i>x" * (kb * 1000 // 7)


def table(kb):  # what pandas prints: a big, well-formed table
    rows = "".join(f"<tr><th>{i}</th><td>{i * 0.5:.3f}</td><td>a &amp; b</td></tr>" for i in range(kb * 1000 // 48))
    return f'<table class="dataframe"><thead><tr><th></th><th>x</th><th>y</th></tr></thead>{rows}</table>'


def text(kb):  # escaped text in a <pre>
    return "<pre>" + "x &lt; y &amp;&amp; z\n" * (kb * 1000 // 20) + "</pre>"


SHAPES = {"nested <div>": nested, "nested <b><i>": formatting, "table": table, "text": text}


def grade_with(html):
    """What a page needs of a grade (autograder.pipeline.NotebookGrade's fields), with one HTML output."""
    grade = SimpleNamespace(student="student", assignment="02_simple_layers", score=0, max_score=6, cells=[],
                            notes=[], reason="")
    grade.feedback = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show()", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"})])])
    return grade


def before(grade):
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", sanitize_html=True).from_notebook_node(grade.feedback)[0]


def old_markdown(source):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    from nbconvert.filters.strings import clean_html as bleach_clean

    return bleach_clean(markdown2html_mistune(source))


def after(grade):
    return page_html(grade)


def seconds(function, *args, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the old renderer")
    args = parser.parse_args()
    sizes = [25, 50, 100, 150, 200, 400]
    print("sanitiser alone (course.feedback.clean_html), median of 5, seconds by output size in kB")
    print(f"{'shape':<16}" + "".join(f"{s:>9}" for s in sizes) + "   growth per doubling (100 -> 400 kB)")
    for name, make in SHAPES.items():
        row = [seconds(clean_html, make(s), repeat=5) for s in sizes]
        print(f"{name:<16}" + "".join(f"{t:9.4f}" for t in row) + f"   {(row[5] / row[2]) ** 0.5:.2f}x")
    print("\nwhole page with one 150 kB HTML output, seconds (median of 3; the old renderer: once)")
    print(f"{'shape':<16}{'before':>10}{'after':>10}{'after/before':>14}{'page kB before':>16}{'after':>8}")
    for name, make in SHAPES.items():
        grade = grade_with(make(150))
        new = seconds(after, grade)
        size_new = len(after(grade).encode()) / 1000
        if args.quick:
            print(f"{name:<16}{'-':>10}{new:10.3f}{'-':>14}{'-':>16}{size_new:8.0f}")
            continue
        start = time.perf_counter()
        old_page = before(grade)
        old = time.perf_counter() - start
        print(f"{name:<16}{old:10.3f}{new:10.3f}{new / old:14.4f}{len(old_page.encode()) / 1000:16.0f}"
              f"{size_new:8.0f}")
    print("\nmarkdown, 100 kB of formula openers never closed, seconds (median of 3; the old renderer: once)")
    print(f"{'text':<16}{'before':>10}{'after':>10}{'after/before':>14}")
    for name, unit in (("\\\\[ ...", "\\\\["), ("\\begin{a} ...", "\\begin{a}"), ("$$x ...", "$$x ")):
        source = unit * (100_000 // len(unit))
        new = seconds(markdown_html, source)
        if args.quick:
            print(f"{name:<16}{'-':>10}{new:10.3f}")
            continue
        start = time.perf_counter()
        old_markdown(source)
        old = time.perf_counter() - start
        print(f"{name:<16}{old:10.3f}{new:10.3f}{new / old:14.4f}")
    if not args.quick:
        print("\nthe old renderer's growth on nested <div> (one run each), seconds by kB")
        row = [(s, seconds(before, grade_with(nested(s)), repeat=1)) for s in (19, 38, 75)]
        print("  " + "   ".join(f"{s} kB: {t:.2f}" for s, t in row)
              + f"   growth per doubling: {row[1][1] / row[0][1]:.1f}x, {row[2][1] / row[1][1]:.1f}x")


if __name__ == "__main__":
    main()
