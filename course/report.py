"""``reports/index.html``: what the class got wrong, for the instructor; and ``reports/mistakes.csv``.

Built only from the stored results (``reports/results/<student>/<assignment>.json``, one per graded notebook,
see :func:`course.grading.grade_record`), so ``course report`` rebuilds it without grading again. Per
assignment: the score distribution, how many handed in (late, broken, grader errors), every graded cell
with the share of full / partial / no points (hardest first), the named mistakes ("Likely mistake: ..." in
a failed sub-check) by how many students made them, and the other failures grouped by kind; across
assignments: sharp drops and missing submissions.

The page is one file with no script and nothing to load (inline CSS, plots as ``data:`` PNGs). Student ids
and every message reach it only through :func:`html.escape`. No value the reference computed reaches the
page or the CSV: a named mistake is the grader's fixed text, and other messages lose their numbers
(:func:`redact`). The same results give the same bytes.
"""

import base64
import contextlib
import csv
import hashlib
import html
import io
import json
import re
import sqlite3
import statistics
import textwrap
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .sequence import SEQUENCE

SYNTHETIC_PREFIX = "synthetic-"  # course.synthetic's student ids (not imported: it needs the test catalogue)
DROP_POINTS = 30  # a fall of this many percentage points from one handed-in assignment to the next is "sharp"
TOP_MISTAKES_PLOTTED = 10
MAX_MISTAKES_LISTED = 25
EXAMPLES_PER_MISTAKE = 3
MAX_RESULT_BYTES = 20 * 2**20
MAX_MESSAGE_CHARS = 300

REAL = ("graded", "error", "broken")  # statuses that are grades; a "grader error" is not one
RAN = ("graded", "error")  # notebooks whose graded cells were judged

LIKELY = "Likely mistake: "  # what autograder.judge puts before the name of a recognised mistake
# where a named mistake's text ends: the next problem of the same sub-check starts (autograder.compare and the
# rules' messages: "dx is wrong", "db has shape", "loss contains NaN", "... raised ValueError", a note, ...)
_NEXT_PROBLEM = re.compile(
    r"[^.:;]{0,80}?\b(?:is wrong|has shape|has dtype|contains (?:NaN|inf)|raised [A-Z]\w*|was not produced"
    r"|is an? [\w.]+ object|is an array of dtype|could not be computed|cannot be checked|is [-+]?\d[\d.e+-]*, above)\b"
    r"|[^.;]{0,120}?\b(?:was|were) expected\b|TwoLayerNet runs on the layers you pasted")
_SENTENCE_END = re.compile(r"(?<=[.!?)])\s+")

KINDS = {  # kind of failure without a named mistake: what it means for the instructor
    "not implemented": "the answer cell still raises the stub's NotImplementedError",
    "raised an exception": "the student's code raised, and the grader names no likely cause",
    "wrong shape": "an output has another shape than the contract asks for",
    "wrong type": "an output is not a number or array, or has the wrong dtype",
    "NaN or inf": "an output holds NaN or inf where the right answer is finite",
    "wrong values": "the values are off in a way no known mistake explains",
    "time-out": "the notebook or a cell ran past its time limit",
    "sandbox limit": "the notebook hit the memory, process or output cap",
    "crashed": "the kernel died or the notebook ended the grading process",
    "did not run": "the hidden test did not finish, so this sub-check has no result",
    "no results": "nothing could be checked in the cell (cell missing, skipped, or its results unreadable)",
}


# -- reading the stored results ----------------------------------------------------------------------------------

@dataclass
class Check:
    """One sub-check of a stored result: its title, passed or not, the message, a mistake id if any."""

    title: str
    passed: bool
    message: str
    mistake: str = ""  # a structured mistake id, once the judge's checks carry one


@dataclass
class Cell:
    """One graded cell of a stored result: score, points, why nothing ran (``problem``), its sub-checks."""

    grade_id: str
    score: float
    points: float
    problem: str
    checks: list


@dataclass
class Result:
    """One stored result (a student's notebook): scores, status, reason, late or not, its cells."""

    student: str
    assignment: str
    score: float
    max_score: float
    status: str
    reason: str
    late: bool
    cells: list

    @property
    def percent(self):
        """The score in percent of the maximum (0.0 when the notebook is worth nothing)."""
        return 100 * self.score / self.max_score if self.max_score else 0.0


def _num(value, default=0.0):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _text(value):
    return value if isinstance(value, str) else ""


def parse_result(data):
    """A :class:`Result` from one result file's JSON (a dict written by ``grade_record``)."""
    if not isinstance(data, dict) or not _text(data.get("student")) or not _text(data.get("assignment")):
        raise ValueError("not a result record (no student or assignment)")
    late = data.get("late")
    cells = []
    for c in data.get("cells") or []:
        if not isinstance(c, dict):
            continue
        checks = [Check(_text(k.get("title")), k.get("passed") is True, _text(k.get("message_en") or k.get("message")),
                        _text(k.get("mistake_id") or k.get("mistake")))
                  for k in c.get("checks") or [] if isinstance(k, dict)]
        cells.append(Cell(_text(c.get("grade_id")), _num(c.get("score")), _num(c.get("points")),
                          _text(c.get("problem")), checks))
    return Result(data["student"], data["assignment"], _num(data.get("score")), _num(data.get("max_score")),
                  _text(data.get("status")) or "graded", _text(data.get("reason")),
                  isinstance(late, dict) and _num(late.get("seconds_late")) > 0, cells)


def load_results(course_dir):
    """Every ``reports/results/<student>/<assignment>.json``: ``(results, problems)``; unreadable files are
    named in ``problems`` and left out."""
    base = Path(course_dir) / "reports" / "results"
    results, problems = [], []
    if not base.is_dir():
        return results, problems
    for folder in sorted(base.iterdir()):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            try:
                if path.stat().st_size > MAX_RESULT_BYTES:
                    raise ValueError(f"larger than {MAX_RESULT_BYTES // 2**20} MB")
                results.append(parse_result(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError, KeyError) as exc:
                problems.append(f"{folder.name}/{path.name}: {type(exc).__name__}: {str(exc)[:200]}")
    return results, problems


def read_roster(course_dir):
    """The students on the course's gradebook roster (nbgrader's student table; the gradebook the course folder's
    ``nbgrader_config.py`` names, else its ``gradebook.db``), read only; empty when there is none to read."""
    try:
        from .gradebook import is_sqlite, resolve_db_url

        url = resolve_db_url(course_dir)
        if is_sqlite(url):
            db = Path(url[len("sqlite:///"):].partition("?")[0])
            if not db.is_file():
                return set()
            with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as con:
                rows = con.execute("SELECT id FROM student").fetchall()
        else:
            from sqlalchemy import create_engine, text

            engine = create_engine(url)
            try:
                with engine.connect() as con:
                    rows = con.execute(text("SELECT id FROM student")).fetchall()
            finally:
                engine.dispose()
    except Exception:  # no gradebook yet, another layout, a server away: the report goes on without a roster
        return set()
    return {row[0] for row in rows if isinstance(row[0], str)}


# -- named mistakes and other failures ---------------------------------------------------------------------------

def named_mistakes(message):
    """The texts after each "Likely mistake: " in a failed sub-check's message, each cut where the next
    problem of the same sub-check begins."""
    found = []
    for rest in message.split(LIKELY)[1:]:
        text = rest
        for m in _SENTENCE_END.finditer(rest):
            if _NEXT_PROBLEM.match(rest, m.end()):
                text = rest[:m.start()]
                break
        text = text.strip()
        if text and text not in found:
            found.append(text)
    return found


def mistake_id(text, check=None):
    """A stable id for a named mistake: the judge's own id when its checks carry one (``mistake_id`` in the
    result file), else a slug of the mistake's text and a short hash of it. Neither the cell nor the sub-check
    is part of it: one bug of a student shows in several sub-checks (each input shape) and often in several
    cells (the N-D cell fails with the 2-D one); it is one mistake, counted once per student, and the CSV
    names each cell and sub-check where it showed."""
    if check is not None and check.mistake:
        return check.mistake
    words = re.findall(r"[a-z0-9]+", text.lower())[:6] or ["mistake"]
    return f"{'-'.join(words)}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"


_EXPECTED_GOT = re.compile(r"expected .+? but got .+?(?=[.;,]?(?:\s|$))")
_LARGEST = re.compile(r"largest error \S+?(?=[,.;]?(?:\s|$))")
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)(?![\w.])")


def redact(message):
    """A failure message without the values the reference computed: "expected 0.19 but got 0.31" and every
    decimal number become "…"; shapes, indices and counts (whole numbers) stay."""
    text = _EXPECTED_GOT.sub("expected … but got …", message)
    text = _LARGEST.sub("largest error …", text)
    text = _FLOAT.sub("…", text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS - 1] + "…"


def notebook_kind(result):
    """Why a notebook that ran did not finish (status "error"), as a kind; None if it finished."""
    if result.status != "error":
        return None
    reason = result.reason.lower()
    if "longer than" in reason:
        return "time-out"
    if "memory limit" in reason or "processes or threads" in reason or "mb of output" in reason:
        return "sandbox limit"
    return "crashed"


def failure_kind(message, result):
    """The kind of a failed sub-check that names no mistake (a key of :data:`KINDS`)."""
    if "NotImplementedError" in message or message.startswith("not implemented"):
        return "not implemented"
    if "was not run" in message:
        return notebook_kind(result) or "did not run"
    if "raised " in message:
        return "raised an exception"
    if "contains NaN" in message or "contains inf" in message or "NaN or inf" in message:
        return "NaN or inf"
    if "shape" in message and "expected" in message:
        return "wrong shape"
    if "not a number" in message or "dtype" in message or "numbers were expected" in message:
        return "wrong type"
    return "wrong values"


# -- aggregation -------------------------------------------------------------------------------------------------

@dataclass
class CellStat:
    """How a class did on one graded cell: students with full, partial and no marks, the share earned."""

    grade_id: str
    points: float
    order: int
    full: int = 0
    partial: int = 0
    none: int = 0
    earned: float = 0.0  # sum over students of score / points

    @property
    def count(self):
        """The students counted for this cell."""
        return self.full + self.partial + self.none

    @property
    def mean_share(self):
        """The mean share of the cell's points earned, from 0 to 1."""
        return self.earned / self.count if self.count else 0.0


@dataclass
class MistakeStat:
    """One named mistake: the students who made it, and in which cells and sub-checks."""

    id: str
    text: str
    students: set = field(default_factory=set)
    cells: dict = field(default_factory=dict)  # grade_id -> Counter of sub-check titles


@dataclass
class KindStat:
    """One kind of other failure (an exception, a time-out ...): students, sub-checks, cells, messages."""

    kind: str
    students: set = field(default_factory=set)
    sub_checks: int = 0
    cells: Counter = field(default_factory=Counter)
    messages: Counter = field(default_factory=Counter)


@dataclass
class AssignmentStat:
    """Everything the report says about one assignment: results, cells, mistakes, failure kinds."""

    name: str
    title: str
    notebook: str
    max_score: float = 0.0
    results: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    mistakes: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)

    def count(self, *statuses):
        """The results whose status is one of ``statuses``."""
        return sum(r.status in statuses for r in self.results)

    @property
    def submitted(self):
        """The results there are (notebooks handed in)."""
        return len(self.results)

    @property
    def ran(self):
        """The results of notebooks that ran (graded, or stopped with an error)."""
        return self.count(*RAN)

    @property
    def late(self):
        """The results handed in late."""
        return sum(r.late for r in self.results)

    @property
    def scores(self):
        """The scores that are grades (not of broken submissions or grader errors)."""
        return [r.score for r in self.results if r.status in REAL]

    @property
    def mean(self):
        """The mean of :attr:`scores`, or None without any."""
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def median(self):
        """The median of :attr:`scores`, or None without any."""
        return statistics.median(self.scores) if self.scores else None

    def hardest_cells(self):
        """The cells, least share earned first (ties: notebook order)."""
        return sorted(self.cells.values(), key=lambda c: (c.mean_share, c.order))

    def top_mistakes(self):
        """The named mistakes, most students first (ties: first cell, text, id)."""
        return sorted(self.mistakes.values(), key=lambda m: (-len(m.students), self.first_cell(m), m.text, m.id))

    def first_cell(self, m):
        """The notebook position of the first cell where mistake ``m`` was seen."""
        return min((self.cells[c].order for c in m.cells if c in self.cells), default=len(self.cells))

    def mistake_cells(self, m):
        """The grade ids of the cells where mistake ``m`` was seen, in notebook order."""
        return sorted(m.cells, key=lambda c: (self.cells[c].order if c in self.cells else len(self.cells), c))

    def top_kinds(self):
        """The other failure kinds, most students first."""
        return sorted(self.kinds.values(), key=lambda k: (-len(k.students), -k.sub_checks, k.kind))


@dataclass
class ClassReport:
    """The whole class report: one :class:`AssignmentStat` per assignment, students, CSV rows, drops, missing."""

    assignments: list  # [AssignmentStat], course order
    students: list  # every student: in a result or on the roster, sorted
    rows: list  # mistakes.csv rows
    drops: list  # per student, the largest: (student, from assignment, from %, to assignment, to %, drops)
    missing: list  # (student, [assignments not handed in])
    problems: list = field(default_factory=list)

    @property
    def synthetic(self):
        """How many students are of a synthetic class (their ids start with the synthetic prefix)."""
        return sum(s.startswith(SYNTHETIC_PREFIX) for s in self.students)


CSV_HEADER = ["student", "assignment", "cell", "sub_check", "mistake_id", "kind", "message"]


def _order(name):
    for i, a in enumerate(SEQUENCE):
        if a.name == name:
            return (i, name)
    return (len(SEQUENCE), name)


def aggregate(results, roster=(), problems=()):
    """Count everything the page shows from a list of :class:`Result` (and the roster's student ids)."""
    by_name = {}
    rows = []
    for r in sorted(results, key=lambda r: (_order(r.assignment), r.student)):
        a = by_name.get(r.assignment)
        if a is None:
            known = next((s for s in SEQUENCE if s.name == r.assignment), None)
            a = by_name[r.assignment] = AssignmentStat(r.assignment, known.title if known else r.assignment,
                                                       known.notebook if known else "")
        a.results.append(r)
        a.max_score = max(a.max_score, r.max_score)
        for c in r.cells:
            if c.grade_id not in a.cells:
                a.cells[c.grade_id] = CellStat(c.grade_id, c.points, len(a.cells))
        if r.status == "broken":
            rows.append([r.student, r.assignment, "", "", "broken", "broken submission", redact(r.reason)])
        if r.status not in RAN:
            continue
        whole = notebook_kind(r)
        if whole:
            _kind(a, whole, r, "", redact(r.reason))
            rows.append([r.student, r.assignment, "", "", _slug(whole), whole, redact(r.reason)])
        for c in r.cells:
            stat = a.cells[c.grade_id]
            share = c.score / c.points if c.points else 0.0
            stat.earned += share
            if c.points and c.score >= c.points - 1e-9:
                stat.full += 1
            elif c.score > 0:
                stat.partial += 1
            else:
                stat.none += 1
            if c.problem and not c.checks:
                kind = whole or "no results"
                if not whole:
                    _kind(a, kind, r, c.grade_id, redact(c.problem))
                rows.append([r.student, r.assignment, c.grade_id, "", _slug(kind), kind, redact(c.problem)])
            for k in c.checks:
                if k.passed:
                    continue
                texts = named_mistakes(k.message)
                for text in texts:
                    mid = mistake_id(text, k)
                    m = a.mistakes.setdefault(mid, MistakeStat(mid, text))
                    m.students.add(r.student)
                    m.cells.setdefault(c.grade_id, Counter())[k.title] += 1
                    rows.append([r.student, r.assignment, c.grade_id, k.title, mid, "named mistake", text])
                if not texts:
                    kind = failure_kind(k.message, r)
                    _kind(a, kind, r, c.grade_id, redact(k.message), whole_notebook=kind == whole)
                    rows.append([r.student, r.assignment, c.grade_id, k.title, _slug(kind), kind,
                                 redact(k.message)])
    stats = [by_name[n] for n in sorted(by_name, key=_order)]
    handed_in = {(r.student, r.assignment) for r in results}
    students = sorted({r.student for r in results} | set(roster))
    missing = []
    for s in students:
        gone = [a.name for a in stats if (s, a.name) not in handed_in]
        if gone:
            missing.append((s, gone))
        for a in stats:
            if a.name in gone:
                a.missing.append(s)
    drops, graded = [], {}
    for a in stats:  # in course order
        for r in a.results:
            if r.status in REAL:
                graded.setdefault(r.student, []).append((a.name, r.percent))
    for s, seq in graded.items():
        sharp = [(prev, p, cur, q) for (prev, p), (cur, q) in zip(seq, seq[1:]) if p - q >= DROP_POINTS]
        if sharp:
            prev, p, cur, q = max(sharp, key=lambda d: d[1] - d[3])  # the first of equal drops
            drops.append((s, prev, p, cur, q, len(sharp)))
    drops.sort(key=lambda d: (-(d[2] - d[4]), d[0], _order(d[1])))
    return ClassReport(stats, students, rows, drops, missing, list(problems))


def _kind(a, kind, result, cell, message, whole_notebook=False):
    stat = a.kinds.setdefault(kind, KindStat(kind))
    stat.students.add(result.student)
    if whole_notebook:  # a sub-check that did not run because the notebook stopped: counted with the notebook
        return
    if cell:
        stat.sub_checks += 1
        stat.cells[cell] += 1
    stat.messages[message] += 1


def _slug(kind):
    return "other/" + re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


# -- plots -------------------------------------------------------------------------------------------------------

FULL, PARTIAL, NONE = "#0072b2", "#e69f00", "#d55e00"  # Okabe-Ito: told apart with any colour vision


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _png(fig):
    """A figure as a ``data:`` URI of PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})  # no version or time: same bytes
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*<>]{0,80}?)\*(?![\w*])")  # *other*, not the * of x * y


def _plain(text):
    """Text for a matplotlib label: no mathtext (a ``$`` would start it), no emphasis stars."""
    return _EMPHASIS.sub(r"\1", text).replace("$", r"\$")


def plot_distribution(a):
    """Histogram of one assignment's scores (10-point bins of percent), integer counts, mean and median."""
    from matplotlib.ticker import MaxNLocator, MultipleLocator

    fig = _figure(6.4, 2.8)
    ax = fig.add_subplot()
    pct = [100 * s / a.max_score if a.max_score else 0.0 for s in a.scores]
    ax.hist(pct, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color=FULL, edgecolor="white")
    if pct:
        mean, median = statistics.fmean(pct), statistics.median(pct)
        ax.axvline(mean, color="#222222", linestyle="--", linewidth=1.2, label=f"mean {mean:.0f}%")
        ax.axvline(median, color=PARTIAL, linestyle=":", linewidth=2, label=f"median {median:.0f}%")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_locator(MultipleLocator(10))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(1, ax.get_ylim()[1]))
    ax.set_xlabel(f"score (% of {a.max_score:g} points)")
    ax.set_ylabel("students")
    ax.set_title(f"{a.name}: {len(pct)} graded", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_cells(a):
    """Stacked horizontal bars: share of full / partial / no points per cell, hardest cell on top."""
    from matplotlib.ticker import MultipleLocator

    cells = a.hardest_cells()
    fig = _figure(7.2, 0.34 * len(cells) + 1.4)
    ax = fig.add_subplot()
    labels = [f"{c.grade_id} ({c.points:g} pt)" for c in cells]
    y = list(range(len(cells)))[::-1]  # the hardest on top
    left = [0.0] * len(cells)
    for name, colour, attr in (("full points", FULL, "full"), ("partial", PARTIAL, "partial"),
                               ("no points", NONE, "none")):
        widths = [100 * getattr(c, attr) / c.count if c.count else 0 for c in cells]
        ax.barh(y, widths, left=left, color=colour, label=name, height=0.72)
        for yi, l, w in zip(y, left, widths):
            if w >= 9:
                ax.text(l + w / 2, yi, f"{w:.0f}%", ha="center", va="center", fontsize=7,
                        color="white" if colour != PARTIAL else "black")
        left = [l + w for l, w in zip(left, widths)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_locator(MultipleLocator(10))
    ax.set_xlabel(f"% of the {a.ran} students whose notebook ran")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_mistakes(a):
    """Horizontal bars: the most common named mistakes, by share of students, most common on top."""
    from matplotlib.ticker import MultipleLocator

    top = a.top_mistakes()[:TOP_MISTAKES_PLOTTED]
    fig = _figure(7.6, 0.62 * len(top) + 1.1)
    ax = fig.add_subplot()
    y = list(range(len(top)))[::-1]
    shares = [100 * len(m.students) / a.ran if a.ran else 0 for m in top]
    labels = []
    for m in top:
        text = textwrap.fill(textwrap.shorten(_plain(m.text), 96, placeholder=" …"), 50)
        cells = ", ".join(a.mistake_cells(m)[:2]) + (", …" if len(m.cells) > 2 else "")
        labels.append(f"{text}\n[{cells}]")
    ax.barh(y, shares, color=NONE, height=0.6)
    for yi, m, s in zip(y, top, shares):
        ax.text(s + 0.8, yi, f"{len(m.students)} ({s:.0f}%)", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7)
    top_share = max(shares, default=0)
    ax.set_xlim(0, min(100, max(10, 10 * (int(top_share * 1.25) // 10 + 1))))
    ax.xaxis.set_major_locator(MultipleLocator(10 if top_share > 20 else 5))
    ax.set_xlabel(f"% of the {a.ran} students whose notebook ran")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# -- the page ----------------------------------------------------------------------------------------------------

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1f;margin:0;
background:#fafafa}
main{max-width:1120px;margin:0 auto;padding:1.2em 1.5em 4em;background:#fff}
h1{font-size:1.7em;margin:.2em 0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.6em}
.synthetic{background:#fff4d6;border:2px solid #e69f00;padding:.6em .9em;border-radius:6px;font-weight:600}
.stats{display:flex;flex-wrap:wrap;gap:.5em;padding:0;list-style:none}
.stats li{background:#f0f3f7;border-radius:6px;padding:.35em .7em}.stats b{font-size:1.1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.93em}
th,td{border-bottom:1px solid #e3e3e3;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f0f3f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
#overview td.mistake{min-width:20em}
tbody tr:nth-child(even){background:#fafbfc}
figure{margin:.8em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.88em;color:#555}code{font-size:.92em;background:#f3f3f3;padding:0 .2em;border-radius:3px}
.mistake{max-width:34em}.muted{color:#666;font-size:.9em}nav a{margin-right:.8em}
.links a{display:block;white-space:nowrap}
.bar{display:inline-block;height:.7em;background:#d55e00;vertical-align:middle;margin-right:.3em}
"""


def _e(text):
    return html.escape(str(text), quote=True)


def _who(student):
    return f"<code><bdi>{_e(student)}</bdi></code>"


def _rich(text):
    """A grader's message as HTML: escaped, then ``*word*`` in italics and ```code``` as code."""
    out = _e(text)
    out = re.sub(r"`([^`<>]{1,200})`", r"<code>\1</code>", out)
    return _EMPHASIS.sub(r"<em>\1</em>", out)


def _pct(n, d):
    return f"{round(100 * n / d)}%" if d else "–"


def _percent(value, max_score):
    return f"{100 * value / max_score:.0f}%" if value is not None and max_score else "–"


def _points(value, max_score):
    if value is None:
        return "–"
    pct = f" ({100 * value / max_score:.0f}%)" if max_score else ""
    return f"{value:.2f}".rstrip("0").rstrip(".") + f" / {max_score:g}{pct}"


def feedback_link(course_dir, student, a):
    """The relative link from ``reports/index.html`` to a student's feedback page, or None if it is missing."""
    if not a.notebook:
        return None
    stem = Path(a.notebook).stem
    if not (Path(course_dir) / "feedback" / student / a.name / f"{stem}.html").is_file():
        return None
    quote = lambda s: urllib.parse.quote(s, safe="")  # noqa: E731
    return f"../feedback/{quote(student)}/{quote(a.name)}/{quote(stem)}.html"


def _examples(course_dir, a, m):
    # a fixed pseudo-random choice (not the first names in the alphabet), the same every time
    ranked = sorted(m.students, key=lambda s: hashlib.sha256(f"{m.id}\0{s}".encode()).hexdigest())
    links = []
    for s in ranked:
        href = feedback_link(course_dir, s, a)
        if href:
            links.append(f'<a href="{_e(href)}">example {len(links) + 1}</a>')
        if len(links) == EXAMPLES_PER_MISTAKE:
            break
    return " ".join(links) or '<span class="muted">no page</span>'


def _where(a, m):
    """The cells where a mistake showed, each with (up to two of) its sub-checks."""
    out = []
    for cell in a.mistake_cells(m):
        counter = m.cells[cell]
        titles = sorted(counter, key=lambda t: (-counter[t], t))
        more = f' <span class="muted">+{len(titles) - 2} more</span>' if len(titles) > 2 else ""
        out.append(f'<div><code>{_e(cell)}</code>: {"; ".join(_e(t) for t in titles[:2])}{more}</div>')
    return "".join(out)


def render(report, course_dir):
    """The whole page as text."""
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Class report: what the class got wrong</title>", f"<style>{STYLE}</style></head>",
             "<body><main>", "<h1>What the class got wrong</h1>"]
    n_students = len(report.students)
    if report.synthetic:
        who = "all" if report.synthetic == n_students else f"{report.synthetic} of the {n_students}"
        parts.append(f'<p class="synthetic" id="synthetic">Synthetic class: {who} students '
                     f"(ids starting with <code>{SYNTHETIC_PREFIX}</code>) were generated by <code>course demo "
                     "--class-size</code> from the catalogue of known mistakes. They are not real students.</p>")
    total = sum(a.submitted for a in report.assignments)
    n = len(report.assignments)
    parts.append(f"<p>{n_students} students, {n} assignment{'s' if n != 1 else ''}, {total} graded notebooks "
                 "(from <code>reports/results/</code>). Shares of students are of those whose notebook ran "
                 "(a broken submission or a grader error has no cell results). Every failure with its student is "
                 'in <a href="mistakes.csv">mistakes.csv</a>.</p>')
    if report.problems:
        parts.append('<p class="muted">Result files that could not be read (left out): '
                     + "; ".join(_e(p) for p in report.problems) + "</p>")
    if report.assignments:
        parts.append("<nav>" + "".join(f'<a href="#{_e(_anchor(a.name))}">{_e(a.name)}</a>'
                                       for a in report.assignments) + '<a href="#across">across assignments</a>'
                     + '<a href="#reading">how to read</a></nav>')
    parts += _overview(report)
    for a in report.assignments:
        parts += _assignment(a, course_dir)
    parts += _across(report)
    parts += _reading()
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _anchor(name):
    return "a-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)


def _overview(report):
    out = ['<section id="overview"><h2>Overview</h2><table><thead><tr><th>assignment</th>'
           '<th class="n">submitted</th><th class="n">not submitted</th><th class="n">late</th>'
           '<th class="n">broken</th><th class="n">run errors</th><th class="n">grader errors</th>'
           '<th class="n">mean</th><th class="n">median</th><th>most common mistake</th></tr></thead><tbody>']
    for a in report.assignments:
        top = a.top_mistakes()
        short = textwrap.shorten(top[0].text, 110, placeholder=" …") if top else ""
        first = (f'{_rich(short)} <span class="muted">({_pct(len(top[0].students), a.ran)})</span>'
                 if top else '<span class="muted">none named</span>')
        out.append(f'<tr><td><a href="#{_e(_anchor(a.name))}">{_e(a.name)}</a></td><td class="n">{a.submitted}</td>'
                   f'<td class="n">{len(a.missing)}</td><td class="n">{a.late}</td>'
                   f'<td class="n">{a.count("broken")}</td><td class="n">{a.count("error")}</td>'
                   f'<td class="n">{a.count("grader error")}</td><td class="n">{_percent(a.mean, a.max_score)}</td>'
                   f'<td class="n">{_percent(a.median, a.max_score)}</td><td class="mistake">{first}</td></tr>')
    out.append("</tbody></table></section>")
    return out


def _assignment(a, course_dir):
    out = [f'<section class="assignment" id="{_e(_anchor(a.name))}"><h2>{_e(a.name)}: {_e(a.title)}</h2>',
           '<ul class="stats">',
           f"<li><b>{a.submitted}</b> submitted</li>", f"<li><b>{len(a.missing)}</b> not submitted</li>",
           f"<li><b>{a.late}</b> late</li>", f"<li><b>{a.count('broken')}</b> broken</li>",
           f"<li><b>{a.count('error')}</b> stopped by an error</li>",
           f"<li><b>{a.count('grader error')}</b> grader errors</li>",
           f"<li>mean <b>{_points(a.mean, a.max_score)}</b></li>",
           f"<li>median <b>{_points(a.median, a.max_score)}</b></li>", "</ul>"]
    if a.count("grader error"):
        out.append('<p class="muted">A grader error is not a grade: those notebooks are left out of the scores; '
                   "grade them again (<code>course grade</code> names them).</p>")
    if a.scores:
        out.append(f'<figure><img src="{_png(plot_distribution(a))}" alt="Histogram of the scores of {_e(a.name)}">'
                   f"<figcaption>Scores of the {len(a.scores)} graded submissions, in 10% bins (a score of "
                   "100% is in the last bin).</figcaption></figure>")
    if a.cells and a.ran:
        out.append("<h3>Cells, hardest first</h3>")
        out.append(f'<figure><img src="{_png(plot_cells(a))}" alt="Full, partial and no points per cell of '
                   f'{_e(a.name)}"></figure>')
        out.append('<table class="cells"><thead><tr><th>cell</th><th class="n">points</th><th class="n">full</th>'
                   '<th class="n">partial</th><th class="n">none</th><th class="n">mean</th></tr></thead><tbody>')
        for c in a.hardest_cells():
            out.append(f"<tr><td><code>{_e(c.grade_id)}</code></td><td class=\"n\">{c.points:g}</td>"
                       f'<td class="n">{_pct(c.full, c.count)}</td><td class="n">{_pct(c.partial, c.count)}</td>'
                       f'<td class="n">{_pct(c.none, c.count)}</td><td class="n">{100 * c.mean_share:.0f}%</td></tr>')
        out.append("</tbody></table>")
    out.append("<h3>Most common mistakes</h3>")
    top = a.top_mistakes()
    if not top:
        out.append('<p class="muted">No failure in this assignment named a known mistake.</p>')
    else:
        out.append(f'<figure><img src="{_png(plot_mistakes(a))}" alt="The most common mistakes of '
                   f'{_e(a.name)}"></figure>')
        out.append('<table class="mistakes"><thead><tr><th class="n">#</th><th>mistake</th>'
                   '<th>cell: sub-checks where it showed</th><th class="n">students</th><th class="n">share</th>'
                   "<th>feedback pages</th></tr></thead><tbody>")
        for i, m in enumerate(top[:MAX_MISTAKES_LISTED], 1):
            share = _pct(len(m.students), a.ran)
            bar = round(100 * len(m.students) / a.ran) if a.ran else 0
            out.append(f'<tr><td class="n">{i}</td><td class="mistake">{_rich(m.text)}'
                       f'<br><span class="muted">id <code>{_e(m.id)}</code></span></td>'
                       f'<td class="where">{_where(a, m)}</td>'
                       f'<td class="n">{len(m.students)}</td><td class="n"><span class="bar" style="width:'
                       f'{bar * 0.6:.0f}px"></span>{share}</td>'
                       f'<td class="links">{_examples(course_dir, a, m)}</td></tr>')
        out.append("</tbody></table>")
        if len(top) > MAX_MISTAKES_LISTED:
            out.append(f'<p class="muted">{len(top) - MAX_MISTAKES_LISTED} rarer mistakes are in mistakes.csv.</p>')
    out.append("<h3>Other failures, by kind</h3>")
    kinds = a.top_kinds()
    if not kinds:
        out.append('<p class="muted">Every failure named a known mistake.</p>')
    else:
        out.append('<table class="kinds"><thead><tr><th>kind</th><th class="n">students</th><th class="n">share</th>'
                   '<th class="n">sub-checks</th><th>cells most affected</th><th>typical message (numbers removed)'
                   "</th></tr></thead><tbody>")
        for k in kinds:
            cells = ", ".join(f"<code>{_e(c)}</code> ({n})" for c, n in sorted(k.cells.items(),
                                                                              key=lambda x: (-x[1], x[0]))[:3])
            message = min(k.messages, key=lambda m: (-k.messages[m], m)) if k.messages else ""
            out.append(f'<tr><td><b>{_e(k.kind)}</b><br><span class="muted">{_e(KINDS.get(k.kind, ""))}</span></td>'
                       f'<td class="n">{len(k.students)}</td><td class="n">{_pct(len(k.students), a.ran)}</td>'
                       f'<td class="n">{k.sub_checks}</td><td>{cells or "whole notebook"}</td>'
                       f"<td>{_e(message)}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return out


def _across(report):
    out = ['<section id="across"><h2>Across assignments</h2>',
           f"<h3>Sharp drops (by {DROP_POINTS} percentage points or more)</h3>"]
    if not report.drops:
        out.append('<p class="muted">No student\'s score fell that much from one handed-in assignment to the '
                   "next.</p>")
    else:
        out.append(f"<p>{len(report.drops)} of {len(report.students)} students; each with their largest drop.</p>")
        out.append('<table class="drops"><thead><tr><th>student</th><th>from</th><th>to</th>'
                   '<th class="n">drop</th><th class="n">sharp drops</th></tr></thead><tbody>')
        for s, prev, p, cur, q, n in report.drops:
            out.append(f"<tr><td>{_who(s)}</td><td>{_e(prev)}: {p:.0f}%</td><td>{_e(cur)}: {q:.0f}%</td>"
                       f'<td class="n">{p - q:.0f} points</td><td class="n">{n}</td></tr>')
        out.append("</tbody></table>")
    out.append("<h3>Not submitted</h3>")
    if not report.missing:
        out.append('<p class="muted">Every student handed in every assignment graded so far.</p>')
    else:
        total = len(report.assignments)
        out.append('<table class="missing"><thead><tr><th>student</th><th class="n">missing</th>'
                   "<th>assignments not handed in</th></tr></thead><tbody>")
        for s, gone in sorted(report.missing, key=lambda x: (-len(x[1]), x[0])):
            what = "none handed in" if len(gone) == total else ", ".join(_e(g) for g in gone)
            out.append(f'<tr><td>{_who(s)}</td><td class="n">{len(gone)} of {total}</td><td>{what}</td></tr>')
        out.append("</tbody></table>")
    out.append("</section>")
    return out


def _reading():
    kinds = "".join(f"<li><b>{_e(k)}</b>: {_e(v)}.</li>" for k, v in KINDS.items())
    return ['<section id="reading"><h2>How to read this page</h2><ul>',
            "<li><b>Score distribution</b>: how many students scored in each 10% band; the dashed line is the mean, "
            "the dotted one the median. Broken submissions count as 0; grader errors are left out.</li>",
            "<li><b>Cells, hardest first</b>: for each graded cell, the share of students whose notebook ran that "
            "got full, partial or no points; sorted by the mean share of the cell's points.</li>",
            "<li><b>Most common mistakes</b>: the mistakes the grader recognised and named to the student "
            "(\"Likely mistake: …\" in their feedback), counted once per student even when several sub-checks of "
            "the cell show it. A student can make several. The example links open that student's feedback page; "
            "the link text does not name the student, but the page's address and the page itself do (the pages "
            "are the students' own, linked rather than copied so that they stay the graded ones): share the "
            "screen with care.</li>",
            "<li><b>Other failures, by kind</b>: failed sub-checks that named no mistake, grouped:<ul>"
            f"{kinds}</ul></li>",
            "<li><b>Across assignments</b>: students whose score fell sharply between two assignments they handed "
            "in, and students with assignments missing (students are those with any result, and those on the "
            "gradebook's roster).</li>",
            "<li><b>mistakes.csv</b>: one row per failed sub-check and student: student, assignment, cell, "
            "sub_check, mistake_id, kind, message. Messages carry no value the reference computed.</li>",
            "</ul></section>"]


# -- writing -----------------------------------------------------------------------------------------------------

def write_mistakes_csv(report, path):
    """Write ``report``'s mistake rows to ``path`` as CSV (cells neutralised for spreadsheets)."""
    from .spreadsheet import SPREADSHEET_ENCODING, csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in report.rows:
        writer.writerow([csv_cell(v) for v in row])
    _atomic(path, buf.getvalue().encode(SPREADSHEET_ENCODING))  # UTF-8 with a BOM, for Excel (spreadsheet.py)


def _atomic(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


def build(course_dir):
    """The :class:`ClassReport` of a course folder's stored results."""
    results, problems = load_results(course_dir)
    return aggregate(results, read_roster(course_dir), problems)


def write_report(course_dir):
    """Write ``reports/index.html`` and ``reports/mistakes.csv`` from the stored results; returns the page."""
    course_dir = Path(course_dir)
    report = build(course_dir)
    reports = course_dir / "reports"
    write_mistakes_csv(report, reports / "mistakes.csv")
    page = reports / "index.html"
    _atomic(page, render(report, course_dir).encode("utf-8"))
    return page
