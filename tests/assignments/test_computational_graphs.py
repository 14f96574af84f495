"""Assignment 01, computational graphs: do the hidden checks accept right answers and name wrong ones?"""

import importlib.util
import textwrap

import matplotlib
import nbformat
import numpy as np
import pytest

from autograder import notebook as nbtools
from autograder.checks import scenarios_for
from autograder.judge import judge_cell, reference_namespace
from autograder.scenario import execute
from course.sequence import ROOT, by_name

ASSIGNMENT = by_name("01_computational_graphs")
POINTS = dict(nbtools.graded_cells(nbformat.read(ROOT / "source" / ASSIGNMENT.name / ASSIGNMENT.notebook,
                                                 as_version=4)))


def grade(ns, grade_id):
    records = {sc.index: execute(sc, ns) for sc in scenarios_for(grade_id)}
    return judge_cell(grade_id, POINTS[grade_id], records)


def namespace(source):
    ns = {"np": np}
    exec(textwrap.dedent(source), ns)
    return ns


# The book's way (Deep Learning from Scratch, 5.4): MulLayer / AddLayer objects, backward from dprice = 1.
BOOK = """
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy


def _apple_layers(apple, apple_num, tax):
    mul_apple_layer = MulLayer()
    mul_tax_layer = MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    return mul_apple_layer, mul_tax_layer, apple_price, price


def apple_graph_forward(apple, apple_num, tax):
    _, _, apple_price, price = _apple_layers(apple, apple_num, tax)
    return {"apple_price": apple_price, "price": price}


def apple_graph_backward(apple, apple_num, tax):
    mul_apple_layer, mul_tax_layer, _, _ = _apple_layers(apple, apple_num, tax)
    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return {"dprice": dprice, "dapple_price": dapple_price, "dtax": dtax, "dapple": dapple, "dapple_num": dapple_num}


def _fruit_layers(apple, apple_num, orange, orange_num, tax):
    layers = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    mul_apple_layer, mul_orange_layer, add_apple_orange_layer, mul_tax_layer = layers
    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)
    return layers, {"apple_price": apple_price, "orange_price": orange_price, "all_price": all_price, "price": price}


def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    return _fruit_layers(apple, apple_num, orange, orange_num, tax)[1]


def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    layers, _ = _fruit_layers(apple, apple_num, orange, orange_num, tax)
    mul_apple_layer, mul_orange_layer, add_apple_orange_layer, mul_tax_layer = layers
    dprice = 1
    dall_price, dtax = mul_tax_layer.backward(dprice)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return {"dprice": dprice, "dall_price": dall_price, "dtax": dtax, "dapple_price": dapple_price,
            "dorange_price": dorange_price, "dapple": dapple, "dapple_num": dapple_num,
            "dorange": dorange, "dorange_num": dorange_num}


def _fanout_layers(apple_price, orange_price, tax):
    layers = MulLayer(), MulLayer(), AddLayer()
    apple_taxed = layers[0].forward(apple_price, tax)
    orange_taxed = layers[1].forward(orange_price, tax)
    price = layers[2].forward(apple_taxed, orange_taxed)
    return layers, {"apple_taxed": apple_taxed, "orange_taxed": orange_taxed, "price": price}


def fanout_forward(apple_price, orange_price, tax):
    return _fanout_layers(apple_price, orange_price, tax)[1]


def fanout_backward(apple_price, orange_price, tax):
    (mul_apple, mul_orange, add), _ = _fanout_layers(apple_price, orange_price, tax)
    dapple_taxed, dorange_taxed = add.backward(1)
    dapple_price, dtax_apple = mul_apple.backward(dapple_taxed)
    dorange_price, dtax_orange = mul_orange.backward(dorange_taxed)
    return {"dprice": 1, "dapple_taxed": dapple_taxed, "dorange_taxed": dorange_taxed,
            "dapple_price": dapple_price, "dorange_price": dorange_price, "dtax": dtax_apple + dtax_orange}


def xyz_forward(x, y, z):
    q = AddLayer().forward(x, y)
    return {"q": q, "f": MulLayer().forward(q, z)}


def xyz_backward(x, y, z):
    add, mul = AddLayer(), MulLayer()
    q = add.forward(x, y)
    mul.forward(q, z)
    dq, dz = mul.backward(1)
    dx, dy = add.backward(dq)
    return {"df": 1, "dq": dq, "dz": dz, "dx": dx, "dy": dy}
"""

# Derivatives written out as formulas, with extra keys in the dicts: also correct.
FORMULAS = """
def apple_graph_forward(apple, apple_num, tax):
    return {"apple": apple, "apple_price": apple * apple_num, "price": apple * apple_num * tax}


def apple_graph_backward(apple, apple_num, tax):
    return {"dprice": 1, "dapple_price": tax, "dtax": apple * apple_num, "dapple": apple_num * tax,
            "dapple_num": apple * tax}


def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    a, o = apple * apple_num, orange * orange_num
    return {"apple_price": a, "orange_price": o, "all_price": a + o, "price": (a + o) * tax}


def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    return {"dall_price": tax, "dtax": apple * apple_num + orange * orange_num, "dapple_price": tax,
            "dorange_price": tax, "dapple": tax * apple_num, "dapple_num": tax * apple,
            "dorange": tax * orange_num, "dorange_num": tax * orange}


def fanout_forward(apple_price, orange_price, tax):
    return {"apple_taxed": apple_price * tax, "orange_taxed": orange_price * tax,
            "price": (apple_price + orange_price) * tax}


def fanout_backward(apple_price, orange_price, tax):
    return {"dapple_price": tax, "dorange_price": tax, "dtax": apple_price + orange_price}


def xyz_forward(x, y, z):
    return {"q": x + y, "f": (x + y) * z}


def xyz_backward(x, y, z):
    return {"dq": z, "dz": x + y, "dx": z, "dy": z}
"""

BLANK = """
def apple_graph_forward(apple, apple_num, tax):
    raise NotImplementedError("replace this line with your code")


def apple_graph_backward(apple, apple_num, tax):
    values = apple_graph_forward(apple, apple_num, tax)
    raise NotImplementedError("replace this line with your code")


def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    raise NotImplementedError("replace this line with your code")


def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    raise NotImplementedError("replace this line with your code")


def fanout_forward(apple_price, orange_price, tax):
    raise NotImplementedError("replace this line with your code")


def fanout_backward(apple_price, orange_price, tax):
    values = fanout_forward(apple_price, orange_price, tax)
    raise NotImplementedError("replace this line with your code")


def xyz_forward(x, y, z):
    raise NotImplementedError("replace this line with your code")


def xyz_backward(x, y, z):
    raise NotImplementedError("replace this line with your code")
"""


def with_change(old, new, base=FORMULAS):
    assert old in base, old
    return namespace(base.replace(old, new))


def test_grade_ids_match_the_notebook():
    """Does every graded cell of the notebook have scenarios, and nothing else?"""
    assert set(POINTS) == {"apple_graph_forward", "apple_graph_backward", "apple_orange_graph_forward",
                           "apple_orange_graph_backward", "fanout_forward", "fanout_backward", "xyz_forward",
                           "xyz_backward"}
    for gid in POINTS:
        assert len(scenarios_for(gid)) >= 4


@pytest.mark.parametrize("gid", sorted(POINTS))
def test_reference_gets_full_marks(gid):
    """Does the reference pass every scenario of every graded cell?"""
    cell = grade(reference_namespace(), gid)
    assert cell.score == cell.points, cell.report()


@pytest.mark.parametrize("source", [BOOK, FORMULAS], ids=["book-layers", "formulas"])
@pytest.mark.parametrize("gid", sorted(POINTS))
def test_independent_correct_code_gets_full_marks(gid, source):
    """Do the book's layer-based code and a formula-only version both get full marks?"""
    cell = grade(namespace(source), gid)
    assert cell.score == cell.points, cell.report()


@pytest.mark.parametrize("gid", sorted(POINTS))
def test_blank_gets_zero(gid):
    """Does the unfilled notebook (stubs raising NotImplementedError) get 0, with a clear reason?"""
    cell = grade(namespace(BLANK), gid)
    assert cell.score == 0
    assert "not implemented yet" in cell.report()


def test_missing_function_is_named():
    """Is a function that was never defined named in the feedback?"""
    cell = grade({}, "xyz_backward")
    assert cell.score == 0
    assert "`xyz_backward` is not defined" in cell.report()


def test_tuple_instead_of_dict_is_explained():
    """Does a function that returns a tuple instead of the documented dict lose points with a reason?"""
    ns = with_change('return {"q": x + y, "f": (x + y) * z}', "return x + y, (x + y) * z")
    cell = grade(ns, "xyz_forward")
    assert cell.score == 0
    assert "must return a dict with the keys 'q', 'f'; it returned tuple" in cell.report()


def test_missing_key_is_named():
    """Does a dict without a documented key lose points, naming the key?"""
    ns = with_change('"dorange_num": tax * orange}', '"dorange_number": tax * orange}')
    cell = grade(ns, "apple_orange_graph_backward")
    assert cell.score == 0
    assert "has no key 'dorange_num'" in cell.report()


BUGS = [
    ("apple_graph_forward", '"price": apple * apple_num * tax}', '"price": apple * apple_num + tax}',
     "not plus tax"),
    ("apple_graph_backward", '"dtax": apple * apple_num,', '"dtax": apple * apple_num * tax,',
     "not the node's output price"),
    ("apple_graph_backward", '"dapple": apple_num * tax,', '"dapple": apple_num,',
     "dapple must include the upstream gradient"),
    ("apple_graph_backward", '"dapple_num": apple * tax}', '"dapple_num": apple_num * tax}',
     "a multiplication node swaps its inputs"),
    ("apple_orange_graph_forward", '"price": (a + o) * tax}', '"price": a * tax + o}',
     "tax multiplies the *sum*"),
    ("apple_orange_graph_backward", '"dtax": apple * apple_num + orange * orange_num,',
     '"dtax": apple * apple_num,', "all_price, the price of *both* fruits"),
    ("apple_orange_graph_backward", '"dapple_price": tax,', '"dapple_price": 1 + 0 * tax,',
     "an addition node passes the upstream gradient"),
    ("apple_orange_graph_backward", '"dorange": tax * orange_num,', '"dorange": tax * orange,',
     "dorange is upstream times orange_num"),
    ("fanout_backward", '"dtax": apple_price + orange_price}', '"dtax": orange_price}',
     "yours keeps only the orange path"),
    ("fanout_backward", '"dtax": apple_price + orange_price}', '"dtax": apple_price * orange_price}',
     "added, not multiplied"),
    ("fanout_backward", '"dapple_price": tax,', '"dapple_price": 1 + 0 * tax,',
     "times the other input of its node, tax"),
    ("fanout_forward", '"apple_taxed": apple_price * tax,', '"apple_taxed": apple_price + tax,', "not plus tax"),
    ("xyz_backward", '"dz": x + y,', '"dz": (x + y) * z,', "dz is the *other* input"),
    ("xyz_backward", '"dx": z,', '"dx": 1 + 0 * z,', "passes its upstream gradient dq (= z) through unchanged"),
]


@pytest.mark.parametrize("gid, old, new, hint", BUGS, ids=[b[3][:30] for b in BUGS])
def test_single_bug_loses_points_with_named_mistake(gid, old, new, hint):
    """Does one wrong line lose points in its own cell, with the right 'Likely mistake' message?"""
    cell = grade(with_change(old, new), gid)
    assert cell.score < cell.points
    assert "Likely mistake" in cell.report() and hint in cell.report(), cell.report()


def test_a_bug_in_one_cell_leaves_the_others_alone():
    """Does a wrong dtax cost points only in apple_graph_backward?"""
    ns = with_change('"dtax": apple * apple_num,', '"dtax": apple * apple_num * tax,')
    for gid in POINTS:
        cell = grade(ns, gid)
        assert (cell.score < cell.points) == (gid == "apple_graph_backward"), gid


def _graph_drawing():
    matplotlib.use("Agg")
    spec = importlib.util.spec_from_file_location("graph_drawing",
                                                  ROOT / "course" / "student_files" / "graph_drawing.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_drawing_shows_the_students_numbers(tmp_path):
    """Does the graph drawing put forward values and gradients from the student's dicts on the edges?"""
    import matplotlib.pyplot as plt

    drawing = _graph_drawing()
    ref = reference_namespace()
    inputs = {"apple": 100, "apple_num": 2, "orange": 150, "orange_num": 3, "tax": 1.1}
    fig = drawing.draw_apple_orange_graph(inputs, ref["apple_orange_graph_forward"](**inputs),
                                          ref["apple_orange_graph_backward"](**inputs))
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"715", "650", "3.3", "165", "2.2", "110", "1.1"} <= texts
    fig.savefig(tmp_path / "graph.png")
    plt.close(fig)


def test_drawing_copes_with_missing_values_and_arrays():
    """Does the drawing show '?' for a missing gradient and short text for arrays, instead of failing?"""
    import matplotlib.pyplot as plt

    drawing = _graph_drawing()
    inputs = {"x": np.array([1.0, 2.0]), "y": np.array([3.0, 4.0]), "z": np.array([5.0, 6.0])}
    fig = drawing.draw_xyz_graph(inputs, {"q": inputs["x"] + inputs["y"]}, None)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "?" in texts and "[4 6]" in texts
    plt.close(fig)
    assert drawing._fmt(np.zeros((3, 4))) == "array (3, 4)"
