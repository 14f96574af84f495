"""The feedback page's template: JupyterLab's page minus one redundant sanitizing pass."""

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from autograder.pipeline import NotebookGrade
from course.grading import TEMPLATES, write_feedback_html

HOSTILE_CODE = '</div><script>alert("code")</script>\nx = "<img src=x onerror=alert(1)>"  # <b>bold</b> & more'
HOSTILE_MARKDOWN = 'Hello <script>alert("markdown")</script> <img src=x onerror="alert(2)">'


def notebook():
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(HOSTILE_MARKDOWN, id="md"),
        nbformat.v4.new_code_cell(HOSTILE_CODE, id="code", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": '<script>alert("out")</script><b>ok</b>'}),
            nbformat.v4.new_output("stream", name="stdout", text="<script>alert('stream')</script>\n")]),
    ])


def test_the_feedback_template_renders_exactly_like_jupyterlabs():
    nb = notebook()
    lab, _ = HTMLExporter(template_name="lab", sanitize_html=True).from_notebook_node(nb)
    ours, _ = HTMLExporter(template_name="feedback", extra_template_basedirs=[str(TEMPLATES)],
                           sanitize_html=True).from_notebook_node(nb)
    assert ours == lab


def test_student_html_never_runs_on_the_feedback_page(tmp_path):
    grade = NotebookGrade("alice", "02_simple_layers", "02_simple_layers.ipynb", 6)
    grade.feedback = notebook()
    write_feedback_html(grade, tmp_path / "page.html")
    soup = BeautifulSoup((tmp_path / "page.html").read_text(), features="html.parser")
    assert not [s for s in soup.find_all("script") if "alert" in s.get_text()]
    assert not [t.name for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]
    assert "alert(&quot;code&quot;)" in str(soup) or 'alert("code")' in soup.get_text()  # shown as text
