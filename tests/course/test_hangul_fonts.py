"""Hangul in plots: the course's matplotlibrc (course/student_files/matplotlibrc), in a notebook's folder, lets
matplotlib draw Korean text with a Korean font, with English text unchanged and no warning without one.

Each plot is drawn by a fresh Python in a folder holding only what a released folder holds (the matplotlibrc,
graph_drawing.py), with a fresh matplotlib font cache (so fonts installed after this machine's cache was built
count), warnings turned into errors and matplotlib's own log warnings ("findfont: ...") too. The pictures go to
``build/screenshots/fonts/`` (or ``$BROWSER_SCREENSHOTS/fonts/``): look at them; no box in place of a letter.

Needs a Korean font of the matplotlibrc's list (Debian: ``apt-get install fonts-noto-cjk``; ``.ci/run`` installs
it); skips saying so otherwise. The check that nothing changes without one runs everywhere.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import student_env
from course.sequence import ROOT

SHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "build" / "screenshots") / "fonts"
GRAPH_DRAWING = ROOT / "course" / "student_files" / "graph_drawing.py"
TRAINING = ROOT / "source" / "06_training_mnist" / "training_mnist.ipynb"

# run in the plot's folder: draws one figure into argv[1] with warnings as errors; prints what it used as JSON
DRAW = r'''
import json, logging, sys, warnings
warnings.simplefilter("error")


class Fail(logging.Handler):
    def emit(self, record):
        raise AssertionError("matplotlib logged: " + record.getMessage())


logging.getLogger("matplotlib").addHandler(Fail(logging.WARNING))
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager
import matplotlib.pyplot as plt
import numpy as np

out, case, without = sys.argv[1], sys.argv[2], sys.argv[3:]
if without:  # a computer without these fonts: matplotlib's font list without them
    font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist
                                        if not any(w in f.name for w in without)]
    font_manager.fontManager._findfont_cached.cache_clear()
spec = json.loads(open("case.json", encoding="utf-8").read())
if case == "plot":
    fig, ax = plt.subplots()
    x = np.arange(50)
    ax.plot(x, 2.3 * np.exp(-x / 12) + 0.1, label=spec["label"])
    plt.title(spec["title"])
    plt.xlabel(spec["xlabel"])
    plt.ylabel(spec["ylabel"])
    plt.legend()
    fig.savefig(out, dpi=80)
elif case == "history":  # the notebook's own plot_history, called as a student calls it
    namespace = {"np": np, "plt": plt}
    exec(spec["code"], namespace)
    plt.show = lambda: plt.gcf().savefig(out, dpi=80)
    rng = np.random.default_rng(0)
    loss = list(2.3 * np.exp(-np.arange(200) / 60) + 0.1 * rng.random(200))
    history = {"train_loss_list": loss, "train_acc_list": [0.1, 0.6, 0.8, 0.86, 0.9],
               "test_acc_list": [0.1, 0.55, 0.75, 0.8, 0.83]}
    namespace["plot_history"](history, title=spec["title"], held_out=spec["held_out"])
elif case == "graph":  # assignment 01's drawing, with the student's own node names
    import graph_drawing
    nodes = {k: tuple(v) for k, v in spec["nodes"].items()}
    fig = graph_drawing.draw_graph(nodes, [tuple(e) for e in spec["edges"]], spec["title"])
    fig.savefig(out, dpi=80)
text = "".join(spec.get(k, "") for k in ("title", "xlabel", "ylabel", "label", "held_out"))
used = []
for weight in ("normal", "bold"):
    prop = font_manager.FontProperties(weight=weight)
    used.append([str(getattr(p, "path", p)) for p in font_manager.fontManager._find_fonts_by_props(prop)])
print(json.dumps({"rc": matplotlib.matplotlib_fname(), "family": matplotlib.rcParams["font.family"],
                  "fonts": used}))
'''

KOREAN_PLOT = {"title": "손실 함수", "xlabel": "반복 횟수", "ylabel": "손실 (교차 엔트로피 오차)",
               "label": "훈련 데이터"}
ENGLISH_PLOT = {"title": "Loss function −0.5", "xlabel": "iterations", "ylabel": "loss (cross-entropy error)",
                "label": "training data"}
# the seed's shopping graph, drawn with the student's Korean names: 사과 100원 2개, 소비세 10%
KOREAN_GRAPH = {
    "title": "사과 쇼핑의 계산 그래프",
    "nodes": {"apple": [0, 3, "사과", "input"], "num": [0, 1.6, "사과 개수", "input"],
              "tax": [0, 0, "소비세", "input"], "mul1": [2.5, 2.3, "×", "op"], "mul2": [5, 1.1, "×", "op"],
              "price": [7, 1.1, "지불 금액", "output"]},
    "edges": [["apple", "mul1", 100, 2.2], ["num", "mul1", 2, 110], ["mul1", "mul2", 200, 1.1],
              ["tax", "mul2", 1.1, 200], ["mul2", "price", 220, 1]],
}


def korean_families():
    """The Korean fonts the matplotlibrc asks for, in its order (DejaVu Sans, its last resort, left out)."""
    for line in student_env.MATPLOTLIBRC.read_text(encoding="utf-8").splitlines():
        if line.startswith("font.fantasy:"):
            return [f.strip() for f in line.partition(":")[2].split(",") if f.strip() != "DejaVu Sans"]
    raise AssertionError("the matplotlibrc has no font.fantasy line")


def draw(tmp_path, name, case, spec, rc=True, without=(), cache=None):
    """Draw ``case`` in a folder like a released one; returns (png path, what the drawing process reported)."""
    folder = tmp_path / name
    folder.mkdir()
    if rc:
        student_env.write_matplotlibrc(folder)
    (folder / "graph_drawing.py").write_bytes(GRAPH_DRAWING.read_bytes())
    (folder / "case.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    out = folder / f"{name}.png"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "MATPLOTLIB", "PYTHON"))}
    env.update(MPLCONFIGDIR=str(cache or tmp_path / "mplconfig"), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-c", DRAW, str(out), case, *without], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise AssertionError(f"drawing {name} failed:\n{done.stderr[-3000:]}")
    return out, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def korean_font(tmp_path_factory):
    """The first Korean font of the matplotlibrc's list that matplotlib finds here, with a fresh font cache."""
    cache = tmp_path_factory.mktemp("mplconfig")
    probe = subprocess.run([sys.executable, "-c", "import json; from matplotlib import font_manager as fm; "
                            "print(json.dumps(sorted({f.name for f in fm.fontManager.ttflist})))"],
                           env=dict(os.environ, MPLCONFIGDIR=str(cache)), capture_output=True, text=True,
                           timeout=300, check=True)
    installed = set(json.loads(probe.stdout.strip().splitlines()[-1]))
    found = [f for f in korean_families() if f in installed]
    if not found:
        pytest.skip(f"no Korean font of course/student_files/matplotlibrc ({', '.join(korean_families())}) is "
                    "installed: apt-get install fonts-noto-cjk (CI installs it)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return found[0], cache


def _uses(report):
    """For the regular and the bold font: is a Korean font among those matplotlib falls back to?"""
    return [any(Path(p).name.lower().startswith(("notosanscjk", "nanum", "malgun", "applesdgothic", "applegothic",
                                                 "notosanskr")) for p in paths) for paths in report["fonts"]]


def test_a_students_plot_with_a_korean_title_and_labels(korean_font, tmp_path):
    """plt.title("손실 함수"), Korean axis labels and legend: drawn without a missing-glyph warning, the Korean font
    behind DejaVu Sans (regular and bold)."""
    font, cache = korean_font
    png, report = draw(tmp_path, "korean_plot", "plot", KOREAN_PLOT, cache=cache)
    assert report["rc"] == "matplotlibrc", report  # read from the working folder, as in a notebook's kernel
    assert report["family"] == ["sans-serif", "fantasy"], report
    assert all(Path(paths[0]).name == "DejaVuSans.ttf" or "DejaVuSans-Bold" in paths[0]
               for paths in report["fonts"]), report
    assert _uses(report) == [True, True], report
    (SHOTS / "korean_plot.png").write_bytes(png.read_bytes())


def test_the_learning_curves_of_06_with_a_korean_title(korean_font, tmp_path):
    """Assignment 06's own plot_history (its cell in source/), with a Korean title and held-out name."""
    cell = next(c for c in nbformat.read(TRAINING, as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "plot_history")
    spec = {"code": cell.source, "title": "학습 곡선: 손실과 정확도", "held_out": "검증 데이터"}
    png, report = draw(tmp_path, "learning_curves", "history", spec, cache=korean_font[1])
    assert _uses(report) == [True, True], report
    (SHOTS / "learning_curves_06.png").write_bytes(png.read_bytes())


def test_a_graph_drawing_of_01_with_korean_node_names(korean_font, tmp_path):
    """graph_drawing.draw_graph (assignment 01) with nodes named 사과, 사과 개수, 소비세 (bold labels)."""
    png, report = draw(tmp_path, "graph", "graph", KOREAN_GRAPH, cache=korean_font[1])
    assert _uses(report) == [True, True], report
    (SHOTS / "graph_drawing_01.png").write_bytes(png.read_bytes())


def test_without_the_file_hangul_is_missing(korean_font, tmp_path):
    """The check can fail: without the matplotlibrc, the same plot warns that DejaVu Sans lacks the glyphs."""
    with pytest.raises(AssertionError, match=r"Glyph \d+ .* missing from font"):
        draw(tmp_path, "no_rc", "plot", KOREAN_PLOT, rc=False, cache=korean_font[1])


@pytest.mark.parametrize("absent", [False, True], ids=["korean-font-installed", "no-korean-font"])
def test_english_text_looks_the_same_and_nothing_warns(tmp_path, absent):
    """An English plot and graph drawing are the same pixels with the matplotlibrc as without it, with or without a
    Korean font installed, and nothing warns (the English course on a computer without Korean fonts)."""
    without = tuple(korean_families()) + ("CJK",) if absent else ()
    english_graph = dict(KOREAN_GRAPH, title="Buying apples", nodes={
        k: [x, y, {"사과": "apple", "사과 개수": "apple_num", "소비세": "tax", "지불 금액": "price"}.get(t, t), kind]
        for k, (x, y, t, kind) in KOREAN_GRAPH["nodes"].items()})
    for case, spec in (("plot", ENGLISH_PLOT), ("graph", english_graph)):
        with_rc, report = draw(tmp_path, f"{case}_rc", case, spec, without=without)
        plain, _ = draw(tmp_path, f"{case}_plain", case, spec, rc=False, without=without)
        assert report["family"] == ["sans-serif", "fantasy"]
        assert with_rc.read_bytes() == plain.read_bytes(), f"{case}: English text changed with the matplotlibrc"
        if absent:
            assert _uses(report) == [False, False], report
