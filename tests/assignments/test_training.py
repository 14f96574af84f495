"""Hidden checks of assignment 06 (sgd_update, train) judged like a submission; the reference loop on real data."""

import time
from pathlib import Path

import numpy as np
import pytest

from autograder import notebook as nbtools
from autograder.checks import scenarios_for
from autograder.checks import training as checks
from autograder.judge import judge_cell, reference_namespace
from autograder.reference import training as ref
from autograder.scenario import execute

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "source" / "06_training_mnist" / "training_mnist.ipynb"
GRADE_IDS = ["sgd_update", "train_learns", "train_history", "train_recipe"]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
FASHION = Path("/usr/share/datasets/fashion-mnist")

# What a student who follows the seed notebook types: the book's loop moved into a function, with the
# seeded generator the contract asks for, the loss computed a second time after the update, a float
# iter_per_epoch, and a print per epoch.
BOOK_STYLE = '''
import numpy as np
from tqdm import tqdm

def sgd_update(params, grads, learning_rate):
    for key in ('W1', 'b1', 'W2', 'b2'):
        params[key] -= learning_rate * grads[key]

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    rng = np.random.default_rng(seed)
    train_loss_list = []
    train_acc_list = []
    test_acc_list = []
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size / batch_size, 1)

    for i in tqdm(range(iters_num), disable=not progress):
        batch_mask = rng.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grad = network.gradient(x_batch, t_batch)
        sgd_update(network.params, grad, learning_rate)

        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(loss)

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print('train acc, test acc | ' + str(train_acc) + ', ' + str(test_acc))

    return {'train_loss_list': train_loss_list, 'train_acc_list': train_acc_list,
            'test_acc_list': test_acc_list}
'''

def namespace(source):
    ns = {}
    exec(compile(source, "<student>", "exec"), ns)
    return ns


def variant(source, old, new):
    """``source`` with one change: ``old`` (which must occur exactly once) replaced by ``new``."""
    assert source.count(old) == 1, f"the variant's anchor must occur once: {old!r}"
    return source.replace(old, new)


def grade(ns, grade_id):
    records = {sc.index: execute(sc, ns) for sc in scenarios_for(grade_id)}
    return judge_cell(grade_id, 1, records)


def scores(source):
    ns = namespace(source)
    return {gid: grade(ns, gid).score for gid in GRADE_IDS}


# The course's lean version: the loss gradient() already computed, recorded once per step.
LEAN = (BOOK_STYLE
        .replace("        loss = network.loss(x_batch, t_batch)\n        train_loss_list.append(loss)\n", "")
        .replace("        sgd_update(network.params, grad, learning_rate)\n",
                 "        train_loss_list.append(network.lastLayer.loss)\n"
                 "        sgd_update(network.params, grad, learning_rate)\n")
        .replace("max(train_size / batch_size, 1)", "max(train_size // batch_size, 1)"))

BLANK = '''
def sgd_update(params, grads, learning_rate):
    raise NotImplementedError()

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    raise NotImplementedError()
'''


FULL = {gid: 1 for gid in GRADE_IDS}


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


def test_book_style_and_lean_loops_get_full_marks():
    """Do the seed notebook's loop (loss computed again after the update) and the lean loop (the loss
    gradient() computed) both get full marks?"""
    assert scores(BOOK_STYLE) == FULL
    assert scores(LEAN) == FULL


# Accuracies measured before the step's update (at the end of the previous step), loss from gradient().
BEFORE_UPDATE = '''
import numpy as np

def sgd_update(params, grads, learning_rate):
    for key in params:
        params[key] -= learning_rate * grads[key]

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    rng = np.random.default_rng(seed)
    history = {"train_loss_list": [], "train_acc_list": [], "test_acc_list": []}
    for i in range(iters_num):
        batch = rng.integers(0, len(x_train), batch_size)
        grads = network.gradient(x_train[batch], t_train[batch])
        history["train_loss_list"].append(network.lastLayer.loss)
        if i % max(len(x_train) // batch_size, 1) == 0:
            history["train_acc_list"].append(network.accuracy(x_train, t_train))
            history["test_acc_list"].append(network.accuracy(x_test, t_test))
        for key in grads:
            network.params[key] -= learning_rate * grads[key]
    return history
'''

OTHER_CORRECT = [
    ("rng.integers draws the numbers of rng.choice", variant(BOOK_STYLE, "rng.choice(train_size, batch_size)",
                                                           "rng.integers(0, train_size, batch_size)")),
    ("the loss measured before the update by a second forward pass",
     variant(variant(BOOK_STYLE, "        grad = network.gradient(x_batch, t_batch)\n",
                     "        loss = network.loss(x_batch, t_batch)\n"
                     "        grad = network.gradient(x_batch, t_batch)\n"),
             "        loss = network.loss(x_batch, t_batch)\n        train_loss_list", "        train_loss_list")),
    ("accuracies before the update, the update written in the loop, numpy floats", BEFORE_UPDATE),
    ("batches from numpy's global generator, as the book draws them", variant(
        BOOK_STYLE, "batch_mask = rng.choice(train_size, batch_size)",
        "batch_mask = np.random.choice(train_size, batch_size)")),
]


@pytest.mark.parametrize("what, source", OTHER_CORRECT, ids=[c[0] for c in OTHER_CORRECT])
def test_other_correct_loops_get_full_marks(what, source):
    """Are independent correct ways to write the loop accepted?"""
    assert scores(source) == FULL, what


def test_sampling_without_replacement_follows_the_recipe():
    """Does a loop that shuffles each epoch (a sound loop: fresh batches of batch_size rows, iters_num steps,
    the given learning rate) get full marks, the recipe cell included?"""
    source = variant(BOOK_STYLE, "        batch_mask = rng.choice(train_size, batch_size)\n",
                     "        if i % (train_size // batch_size) == 0:\n"
                     "            order = rng.permutation(train_size)\n"
                     "        start = (i % (train_size // batch_size)) * batch_size\n"
                     "        batch_mask = order[start:start + batch_size]\n")
    got = scores(source)
    assert got == FULL, got


def test_blank_gets_zero():
    """Do the unfilled stubs, or no definitions at all, get zero on every cell?"""
    assert scores(BLANK) == {gid: 0 for gid in GRADE_IDS}
    assert scores("") == {gid: 0 for gid in GRADE_IDS}
    assert "not implemented yet" in grade(namespace(BLANK), "train_learns").report()


BUGS = [
    # (what, old, new, grade cell that must lose points, fragment of the message)
    ("update adds the gradient", "params[key] -= learning_rate * grads[key]",
     "params[key] += learning_rate * grads[key]", "sgd_update", "Likely mistake: the update goes *against*"),
    ("no learning rate", "params[key] -= learning_rate * grads[key]", "params[key] -= grads[key]",
     "sgd_update", "Likely mistake: multiply the gradient by learning_rate"),
    ("a new array instead of an in-place update", "params[key] -= learning_rate * grads[key]",
     "params[key] = params[key] - learning_rate * grads[key]", "sgd_update",
     "Likely mistake: params[key] = params[key] - ... puts a *new* array"),
    ("no update in the loop", "        sgd_update(network.params, grad, learning_rate)\n", "",
     "train_learns", "Likely mistake: the network's weights did not change at all"),
    ("always the first rows", "batch_mask = rng.choice(train_size, batch_size)", "batch_mask = np.arange(batch_size)",
     "train_learns", "the recipe reaches"),
    ("a new generator at every step", "        batch_mask = rng.choice(train_size, batch_size)\n",
     "        batch_mask = np.random.default_rng(seed).choice(train_size, batch_size)\n", "train_recipe",
     "Likely mistake: every step trained on the same mini-batch"),
    ("learning rate ignored", "sgd_update(network.params, grad, learning_rate)",
     "sgd_update(network.params, grad, 0.1)", "train_recipe", "every update used the learning rate 0.1"),
    ("one step short", "for i in tqdm(range(iters_num), disable=not progress):",
     "for i in tqdm(range(1, iters_num), disable=not progress):", "train_recipe",
     "Likely mistake: the loop must run exactly iters_num steps"),
    ("loss recorded once per epoch", "        train_loss_list.append(loss)\n",
     "        if i % iter_per_epoch == 0:\n            train_loss_list.append(loss)\n", "train_history",
     "(once per epoch?)"),
    ("loss of the whole training set", "loss = network.loss(x_batch, t_batch)", "loss = network.loss(x_train, t_train)",
     "train_history", "but the loss of that step's mini-batch was"),
    ("accuracy on the mini-batch", "train_acc = network.accuracy(x_train, t_train)",
     "train_acc = network.accuracy(x_batch, t_batch)", "train_history",
     "network.accuracy was called on"),
    ("test accuracy on the training set", "test_acc = network.accuracy(x_test, t_test)",
     "test_acc = network.accuracy(x_train, t_train)", "train_history", "holds the same numbers as train_acc_list"),
    ("accuracy at the end of each epoch", "if i % iter_per_epoch == 0:", "if (i + 1) % iter_per_epoch == 0:",
     "train_history", "one after each step i with i % iter_per_epoch == 0"),
    ("accuracy at the end of each epoch (recognised)", "if i % iter_per_epoch == 0:",
     "if (i + 1) % iter_per_epoch == 0:", "train_history", "was recorded at the end of each epoch"),
]


@pytest.mark.parametrize("what, old, new, grade_id, message", BUGS, ids=[b[0] for b in BUGS])
def test_single_bug_loses_points_with_the_right_message(what, old, new, grade_id, message):
    """Does each single-bug variant of the book-style loop lose points in its cell, with a message that says why?"""
    cell = grade(namespace(variant(BOOK_STYLE, old, new)), grade_id)
    assert cell.score < 1, f"{what}: {cell.report()}"
    assert message in cell.report(), f"{what}: {cell.report()}"


def test_history_of_the_wrong_type_is_explained():
    """Does a train() that returns a tuple of lists hear what to return instead?"""
    source = variant(BOOK_STYLE, "    return {'train_loss_list': train_loss_list, 'train_acc_list': train_acc_list,\n"
                     "            'test_acc_list': test_acc_list}",
                     "    return train_loss_list, train_acc_list, test_acc_list")
    cell = grade(namespace(source), "train_history")
    assert cell.score == 0 and "must return a dict" in cell.report()
    assert grade(namespace(source), "train_learns").score == 1


def test_faked_accuracy_earns_nothing():
    """Does a train() that skips training and reports perfect accuracies get no learning or history points?"""
    source = '''
def sgd_update(params, grads, learning_rate):
    for key in params:
        params[key] -= learning_rate * grads[key]

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    epochs = -(-iters_num // max(len(x_train) // batch_size, 1))
    return {"train_loss_list": [0.01] * iters_num, "train_acc_list": [0.99] * epochs,
            "test_acc_list": [0.99] * epochs}
'''
    got = scores(source)
    assert got == {"sgd_update": 1, "train_learns": 0, "train_history": 0, "train_recipe": 0}, got


def test_graded_training_is_fast():
    """Does grading a correct loop (student side and judge side) take well under the per-notebook budget?"""
    ns = namespace(BOOK_STYLE)
    start = time.perf_counter()
    for gid in GRADE_IDS:
        grade(ns, gid)
    assert time.perf_counter() - start < 3.0


def test_checks_module_never_imports_the_reference():
    """Is the kernel-side checks module free of any reference import?"""
    text = Path(checks.__file__).read_text()
    assert "import reference" not in text and ".reference" not in text


# --- the reference: its lean network, its loop, and real data ------------------------------------------------

def _numerical(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f()
        x[idx] = old - h
        minus = f()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def test_lean_net_gradient_matches_numerical_gradient():
    """Do the lean net's analytic gradients (float64 here) agree with central differences of its loss?"""
    rng = np.random.default_rng(0)
    net = ref.LeanTwoLayerNet(6, 5, 3, weight_init_std=0.5, seed=1, dtype=np.float64)
    x, t = rng.standard_normal((7, 6)), rng.integers(0, 3, 7)
    grads = net.gradient(x, t)
    for key, value in net.params.items():
        num = _numerical(lambda: net.loss(x, t), value)
        np.testing.assert_allclose(grads[key], num, rtol=1e-5, atol=1e-8, err_msg=key)


def test_probe_net_gradient_matches_numerical_gradient():
    """Is the probe network's gradient (tanh, squared error: no network of the course) the gradient of its
    loss, with index or one-hot labels?"""
    rng = np.random.default_rng(3)
    w = {"W1": rng.standard_normal((4, 6)), "b1": rng.standard_normal(6), "W2": rng.standard_normal((6, 3)),
         "b2": rng.standard_normal(3)}
    x, t = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    for labels in (t, np.eye(3)[t]):
        _, grads = checks.loss_and_gradient(w, x, labels)
        for key, value in w.items():
            num = _numerical(lambda labels=labels: checks.loss_and_gradient(w, x, labels)[0], value)
            np.testing.assert_allclose(grads[key], num, rtol=1e-5, atol=1e-8, err_msg=key)


def test_reference_train_draws_the_documented_batches():
    """Does the reference loop use exactly rng.choice(train_size, batch_size) of default_rng(seed), step by step?"""
    seen = []

    class Spy(ref.LeanTwoLayerNet):
        def gradient(self, x, t):
            seen.append(x[:, 0].copy())
            return super().gradient(x, t)

    x = np.arange(50, dtype=np.float32).reshape(50, 1) * np.ones((1, 3), np.float32)
    t = np.arange(50) % 2
    ref.train(Spy(3, 4, 2), x, t, x, t, iters_num=7, batch_size=6, learning_rate=0.1, seed=11, progress=False)
    rng = np.random.default_rng(11)
    for batch in seen:
        np.testing.assert_array_equal(batch, rng.choice(50, 6).astype(np.float32))


def test_reference_train_history_shape():
    """Does the reference record one loss per step and one accuracy per epoch, after that step's update?"""
    rng = np.random.default_rng(5)
    x, t = rng.standard_normal((40, 3)).astype(np.float32), rng.integers(0, 2, 40)
    net = ref.LeanTwoLayerNet(3, 4, 2, seed=0)
    h = ref.train(net, x, t, x[:10], t[:10], iters_num=25, batch_size=10, learning_rate=0.1, progress=False)
    assert len(h["train_loss_list"]) == 25
    assert len(h["train_acc_list"]) == len(h["test_acc_list"]) == 7  # steps 0, 4, 8, ..., 24
    assert h["train_acc_list"][-1] == net.accuracy(x, t)  # step 24 was the last: measured after its update
    assert all(isinstance(v, float) for v in h["train_loss_list"])


# The real-data runs happen in a child process with one BLAS thread, as in grading: with several threads on a
# busy machine, numpy's small matrix products can get many times slower.
TRAIN_SCRIPT = """
import json, sys
import numpy as np
from autograder.reference.training import LeanTwoLayerNet, train
from mnist_utils import load_mnist, read_pair

which, iters, data_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if which == "mnist-split":  # the real MNIST test set: first 8,000 images to train on, last 2,000 to test
    x, t = read_pair(data_dir + "/t10k-images-idx3-ubyte.gz", data_dir + "/t10k-labels-idx1-ubyte.gz")
    x = x.reshape(len(x), -1).astype(np.float32) / np.float32(255.0)
    (x_train, t_train), (x_test, t_test) = (x[:8000], t[:8000]), (x[8000:], t[8000:])
else:
    (x_train, t_train), (x_test, t_test) = load_mnist(dataset="fashion", data_dir=data_dir, download=False,
                                                      progress=False)
net = LeanTwoLayerNet(784, 50, 10, seed=0)
h = train(net, x_train, t_train, x_test, t_test, iters_num=iters, batch_size=100, learning_rate=0.1, seed=0,
          progress=False)
print(json.dumps(h))
"""


def _train_real(which, iters, data_dir):
    import json
    import os
    import subprocess
    import sys

    from autograder.runner import SINGLE_THREAD_ENV

    env = {**os.environ, **SINGLE_THREAD_ENV, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, which, str(iters), str(data_dir)], env=env,
                         capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="the real MNIST test set is not here (../shared/data/mnist; CI has it)")
def test_reference_learns_real_mnist():
    """Does the reference loop reach over 90% on real MNIST digits in 10 epochs (train on the first 8,000
    images of the MNIST test set, test on the last 2,000)?"""
    h = _train_real("mnist-split", 801, SHARED_MNIST)
    assert len(h["test_acc_list"]) == 11
    assert h["test_acc_list"][-1] > 0.90, h["test_acc_list"]
    assert h["train_acc_list"][-1] > 0.90, h["train_acc_list"]
    assert np.mean(h["train_loss_list"][-100:]) < np.mean(h["train_loss_list"][:100]) / 4


@pytest.mark.skipif(not (FASHION / "train-images-idx3-ubyte.gz").exists(),
                    reason="Fashion-MNIST is not installed (Debian package dataset-fashion-mnist; CI installs it)")
def test_reference_learns_fashion_mnist(tmp_path):
    """Does the reference loop reach over 80% on Fashion-MNIST in two epochs (about 86% after 10,000 steps)?"""
    h = _train_real("fashion", 1201, tmp_path)
    assert h["test_acc_list"][-1] > 0.80, h["test_acc_list"]
