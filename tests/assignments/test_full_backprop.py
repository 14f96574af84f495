"""Hidden checks of assignment 05 (numerical_gradient, TwoLayerNet, gradient_check), judged like a submission."""

from pathlib import Path

import numpy as np
import pytest

from autograder import notebook as nbtools
from autograder.checks import full_backprop as checks
from autograder.checks import scenarios_for
from autograder.compare import rel_error
from autograder.judge import judge_cell, reference_namespace
from autograder.reference import full_backprop as ref
from autograder.rules import rule_for
from autograder.rules.full_backprop import NUMERICAL_BOUND
from autograder.scenario import execute

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "source" / "05_full_backprop" / "full_backprop.ipynb"
GRADE_IDS = ["numerical_gradient", "two_layer_net_init", "two_layer_net_predict_loss", "two_layer_net_accuracy",
             "two_layer_net_numerical_gradient", "two_layer_net_gradient", "gradient_check"]

# The layers as a student pastes them from the book (chapter 5): Relu overwrites dout in place,
# Affine keeps x as it is, SoftmaxWithLoss.backward ignores dout and only knows one-hot labels.
BOOK_LAYERS = '''
import numpy as np
from collections import OrderedDict

class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout

class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx

def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        return (np.exp(x) / np.sum(np.exp(x), axis=0)).T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))

def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size

class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) / batch_size
'''

# numerical_gradient (the nditer version), TwoLayerNet and the gradient check, book style.
BOOK_NET = '''
def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
        it.iternext()
    return grad

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)
        grads = {}
        grads['W1'] = numerical_gradient(loss_W, self.params['W1'])
        grads['b1'] = numerical_gradient(loss_W, self.params['b1'])
        grads['W2'] = numerical_gradient(loss_W, self.params['W2'])
        grads['b2'] = numerical_gradient(loss_W, self.params['b2'])
        return grads

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        grads = {}
        grads['W1'] = self.layers['Affine1'].dW
        grads['b1'] = self.layers['Affine1'].db
        grads['W2'] = self.layers['Affine2'].dW
        grads['b2'] = self.layers['Affine2'].db
        return grads

def gradient_check(network, x, t):
    grad_numerical = network.numerical_gradient(x, t)
    grad_backprop = network.gradient(x, t)
    diffs = {}
    for key in grad_numerical.keys():
        diffs[key] = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        print(key, diffs[key])
    return diffs
'''

BOOK = BOOK_LAYERS + BOOK_NET

BLANK = '''
import numpy as np

class Relu:
    def forward(self, x):
        raise NotImplementedError()
    def backward(self, dout):
        raise NotImplementedError()

class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        raise NotImplementedError()
    def backward(self, dout):
        raise NotImplementedError()

class SoftmaxWithLoss:
    def forward(self, x, t):
        raise NotImplementedError()
    def backward(self, dout=1):
        raise NotImplementedError()

def numerical_gradient(f, x):
    raise NotImplementedError()

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        raise NotImplementedError()

def gradient_check(network, x, t):
    raise NotImplementedError()
'''


def namespace(source):
    ns = {}
    exec(compile(source, "<student>", "exec"), ns)
    return ns


def variant(source, old, new):
    """``source`` with one bug: ``old`` (which must occur once) replaced by ``new``."""
    assert source.count(old) == 1, f"the variant's anchor must occur once: {old!r}"
    return source.replace(old, new)


def grade(ns, grade_id):
    records = {sc.index: execute(sc, ns) for sc in scenarios_for(grade_id)}
    return judge_cell(grade_id, 1, records)


def scores(source):
    ns = namespace(source)
    return {gid: grade(ns, gid).score for gid in GRADE_IDS}


def test_notebook_grade_cells_are_the_checked_ones():
    """Does the source notebook grade exactly the cells these tests cover, each with registered scenarios?"""
    import nbformat

    cells = nbtools.graded_cells(nbformat.read(NOTEBOOK, as_version=4))
    assert [gid for gid, _ in cells] == GRADE_IDS
    for gid in GRADE_IDS:
        assert scenarios_for(gid)


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_reference_passes_every_scenario(grade_id):
    """Does the reference pass every scenario of each graded cell?"""
    cell = grade(reference_namespace(), grade_id)
    assert cell.score == 1, cell.report()


def test_reference_gradient_matches_an_independent_numerical_gradient():
    """Is the reference's backprop gradient within 1e-5 (relative) of central differences of the loss,
    and its numerical_gradient within 1e-9 of one computed with a smaller step, on a net away from kinks?"""
    inputs = checks._net_inputs(6, 5, 3, 4)(np.random.default_rng(7))
    net = ref.TwoLayerNet(6, 5, 3, rng=0)
    for key, value in inputs["params"].items():
        net.params[key][...] = value
    x, t = inputs["x"], inputs["t"]
    analytic = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    for key in checks.KEYS:
        fine = ref.numerical_gradient(lambda _: net.loss(x, t), net.params[key], h=1e-6)
        assert rel_error(analytic[key], numerical[key]) < 1e-5
        np.testing.assert_allclose(numerical[key], fine, rtol=1e-5, atol=1e-9)


def test_reference_numerical_gradient_restores_x_and_handles_any_shape():
    """Does the reference numerical_gradient leave x as it was, for 0-D to 3-D arrays?"""
    rng = np.random.default_rng(3)
    for shape in [(), (4,), (2, 3), (2, 2, 2)]:
        x = rng.standard_normal(shape)
        before = x.copy()
        grad = ref.numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
        np.testing.assert_array_equal(x, before)
        np.testing.assert_allclose(grad, 2 * before, rtol=1e-7, atol=1e-9)


def test_reference_layers_share_the_params_arrays():
    """Do the reference network's Affine layers hold the params arrays themselves?"""
    net = ref.TwoLayerNet(3, 4, 2)
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["Affine2"].b is net.params["b2"]


def test_reference_relu_comes_from_assignment_3():
    """Does the reference network use the Relu of the activation_layers reference (no private copy)?"""
    from autograder.reference import activation_layers

    assert type(ref.TwoLayerNet(2, 2, 2).layers["Relu1"]) is activation_layers.Relu


def test_book_style_gets_full_marks():
    """Does the seed notebook's (book chapter 5) code, with its layers pasted, get full marks everywhere?"""
    assert scores(BOOK) == {gid: 1 for gid in GRADE_IDS}


def test_blank_gets_zero():
    """Do the unfilled stubs, or no definitions at all, get zero on every cell?"""
    assert scores(BLANK) == {gid: 0 for gid in GRADE_IDS}
    assert scores("") == {gid: 0 for gid in GRADE_IDS}


def test_a_network_that_copies_its_params_loses_only_the_sharing_check():
    """Is a network whose layers copy W and b judged right on its gradients and its numerical gradient (one
    slip, one penalty), and told about the sharing contract in the structure cell?"""
    source = variant(BOOK, "Affine(self.params['W1'], self.params['b1'])",
                     "Affine(self.params['W1'].copy(), self.params['b1'].copy())")
    got = scores(source)
    assert got["two_layer_net_gradient"] == 1 and got["two_layer_net_predict_loss"] == 1
    assert got["two_layer_net_accuracy"] == 1 and got["two_layer_net_numerical_gradient"] == 1
    cell = grade(namespace(source), "two_layer_net_init")
    assert cell.score < 1 and "is a copy, not the array net.params['W1'] itself" in cell.report()


BUGS = [
    # (what, old, new, grade cell that must lose points, fragment of the message)
    ("forward difference", "        fxh2 = f(x)\n", "        fxh2 = f(x) if False else None\n",
     "numerical_gradient", None),
    ("x not restored", "        x[idx] = tmp_val\n        it.iternext()", "        it.iternext()",
     "numerical_gradient", "Likely mistake: put every element back after nudging it"),
    ("layers walked in forward order", "        layers.reverse()\n", "",
     "two_layer_net_gradient", "Likely mistake: backward walked the layers in forward order"),
    ("lastLayer.backward forgotten", "        dout = self.lastLayer.backward(dout)\n", "",
     "two_layer_net_gradient", "Likely mistake: an Affine layer received the number 1 as dout"),
    ("grads from the wrong layer", "grads['W1'] = self.layers['Affine1'].dW", "grads['W1'] = self.layers['Affine2'].dW",
     "two_layer_net_gradient", "Likely mistake: grads['W1'] must come from layers['Affine1'].dW"),
    ("one-hot labels not argmaxed", "        if t.ndim != 1:\n            t = np.argmax(t, axis=1)\n", "",
     "two_layer_net_accuracy", "Likely mistake: with one-hot labels t (shape (N, C)), compare"),
    ("accuracy as a count", "return np.sum(y == t) / float(x.shape[0])", "return np.sum(y == t)",
     "two_layer_net_accuracy", "Likely mistake: accuracy is a fraction"),
    ("predict applies softmax", "            x = layer.forward(x)\n        return x",
     "            x = layer.forward(x)\n        return softmax(x)",
     "two_layer_net_predict_loss", "Likely mistake: predict returns the scores of the last Affine layer"),
    ("weights not scaled", "self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)",
     "self.params['W1'] = np.random.randn(input_size, hidden_size)",
     "two_layer_net_init", "Likely mistake: multiply the random weights by weight_init_std"),
    ("W1 transposed", "self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)",
     "self.params['W1'] = weight_init_std * np.random.randn(hidden_size, input_size)",
     "two_layer_net_init", "Likely mistake: W1 has shape (input_size, hidden_size)"),
    ("gradient_check without abs", "np.average(np.abs(grad_backprop[key] - grad_numerical[key]))",
     "np.average(grad_backprop[key] - grad_numerical[key])",
     "gradient_check", "Likely mistake: take the absolute value before averaging"),
    ("pasted Affine with db over axis 1", "self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=1)",
     "two_layer_net_gradient", "layers you pasted at the top"),
]


@pytest.mark.parametrize("what, old, new, grade_id, message", BUGS, ids=[b[0] for b in BUGS])
def test_single_bug_loses_points_with_the_right_message(what, old, new, grade_id, message):
    """Does each classic single-bug variant lose points in its cell, with the matching 'Likely mistake'?"""
    if what == "forward difference":
        old, new = "        grad[idx] = (fxh1 - fxh2) / (2 * h)\n", "        grad[idx] = (fxh1 - f0) / h\n"
        source = variant(BOOK, "    grad = np.zeros_like(x)\n", "    grad = np.zeros_like(x)\n    f0 = f(x)\n")
        source = variant(source, old, new)
        message = "Likely mistake: use the central difference"
    else:
        source = variant(BOOK, old, new)
    cell = grade(namespace(source), grade_id)
    assert cell.score < 1, f"{what}: {cell.report()}"
    assert message in cell.report(), f"{what}: {cell.report()}"


def test_net_failures_point_at_the_pasted_layers():
    """Does every TwoLayerNet mismatch remind the student that the network runs on the pasted layers?"""
    source = variant(BOOK, "return np.exp(x) / np.sum(np.exp(x))\n", "return np.exp(x) / np.sum(np.exp(x)) * 1.01\n")
    source = variant(source, "        return (np.exp(x) / np.sum(np.exp(x), axis=0)).T",
                     "        return (np.exp(x) / np.sum(np.exp(x), axis=0)).T * 1.01")
    cell = grade(namespace(source), "two_layer_net_predict_loss")
    failed = [c for c in cell.checks if not c.passed]
    assert failed and all("layers you pasted at the top" in c.message for c in failed)


def test_numerical_bound_is_loose_but_catches_wrong_gradients():
    """Does the numerical-gradient comparison accept the reference (errors far below the bound) and
    reject a gradient that is off by a factor?"""
    sc = [s for s in scenarios_for("two_layer_net_gradient") if "numerical gradient" in s.title][0]
    outputs, error = execute(sc, reference_namespace())
    assert error is None
    outputs = rule_for("two_layer_net_gradient").derive(outputs, sc.make_inputs())  # computed by the judge
    errors = [float(v) for k, v in outputs.items() if k.startswith("relative error")]
    assert len(errors) == 4 and max(errors) < NUMERICAL_BOUND / 10
    source = variant(BOOK, "        return (self.y - self.t) / batch_size", "        return (self.y - self.t) / 2")
    check = grade(namespace(source), "two_layer_net_gradient").checks[sc.index]
    assert not check.passed and "above the bound" in check.message


def test_checks_module_never_imports_the_reference():
    """Is the kernel-side checks module free of any reference import?"""
    text = Path(checks.__file__).read_text()
    assert "import reference" not in text and ".reference" not in text
