"""Rules of assignment 06: sgd_update and the training loop, judged from the raw record of the probe.

Everything is recomputed here from the weights before every step, the mini-batches and the calls the
kernel recorded (see ``autograder.checks.training``): the loss of each step's batch, the accuracies on
the whole sets, the learning rate of each update. What each graded cell judges:

- ``sgd_update``: exact values, and the update happens in place (the book's layers hold params' arrays).
- ``train_learns``: the weights the network ends with, by their accuracy on the judge's copy of the test
  set; if the student's own sgd_update kept them from learning but the loop called it as it should, the
  loop is judged by the weights a correct update would have given (the slip costs points in sgd_update).
- ``train_history``: the lists' lengths, and that each entry is what the network computed at that step.
- ``train_recipe``: what the recipe is for: iters_num steps, mini-batches of batch_size rows of the training
  set (with their own labels) drawn afresh at each step, each update by learning_rate times that step's
  gradient. How the rows are drawn (the seeded generator, or NumPy's global one as in the book) is free.
"""

import numpy as np

from ..checks.training import KEYS, accuracy_of, flat, loss_and_gradient
from ..compare import describe_mismatch
from ..i18n import N_
from .core import Mistake, Rule, likely, output_name, say

LEARN_MARGIN = 0.05
WEIGHTS = N_("trained weights")
SGD_OUTPUT = N_("params after sgd_update")  # the probe's name of the output: a phrase, translated in messages


# --- sgd_update ----------------------------------------------------------------------------------

def _judge_params(key, got, expected, i):
    """Name the first entry of params that is wrong (the outputs hold W1, b1, W2, b2 one after another)."""
    value, exp = got.get(key), expected[key]
    if isinstance(value, str) or value.shape != exp.shape:
        return describe_mismatch(output_name(SGD_OUTPUT), value, exp) if not isinstance(value, str) else \
            say(N_("{name} {problem}."), name=output_name(SGD_OUTPUT), problem=say(value))
    problems, start = [], 0
    for k in KEYS:
        size, shape = i["params"][k].size, i["params"][k].shape
        msg = describe_mismatch(say(N_("params[{key}] after sgd_update"), key=repr(k)),
                                value[start:start + size].reshape(shape), exp[start:start + size].reshape(shape))
        if msg:
            problems.append(msg)
        start += size
    if not problems:
        return None
    others = say(N_(" ({count} other entries of params are wrong too.)"), count=len(problems) - 1) \
        if len(problems) > 1 else ""
    return problems[0] + others


def _moved(sign, scale):
    return lambda i, e: flat({k: i["params"][k] + sign * scale(i) * i["grads"][k] for k in KEYS})


SGD_MISTAKES = (
    Mistake("params after sgd_update", "the update goes *against* the gradient: "
            "params[key] -= learning_rate * grads[key] (yours adds it).", _moved(1, lambda i: i["learning_rate"])),
    Mistake("params after sgd_update", "multiply the gradient by learning_rate before subtracting it.",
            _moved(-1, lambda i: 1.0)),
    Mistake("params after sgd_update", "params did not change: sgd_update must change the arrays in params "
            "itself (it returns nothing).", _moved(0, lambda i: 0.0)),
    Mistake("params after sgd_update", "subtract learning_rate * grads[key]: yours divides the gradient by the "
            "learning rate.", _moved(-1, lambda i: 1 / i["learning_rate"])),
)
IN_PLACE = N_("the arrays the layers hold, after sgd_update")
IN_PLACE_MISTAKES = (
    Mistake(IN_PLACE, "params[key] = params[key] - ... puts a *new* array in the dict, but the layers of TwoLayerNet "
            "still hold the old one, so the network would never change. Update the array in place: "
            "params[key] -= learning_rate * grads[key].", lambda i, e: flat(i["params"])),
)


def _judge_in_place(key, got, expected, i):
    value = got.get(key)
    if isinstance(value, str) or describe_mismatch(key, value, expected[key]) is None:
        return say(N_("{name} {problem}."), name=output_name(key), problem=say(value)) if isinstance(value, str) \
            else None
    if np.array_equal(value, flat(i["params"])):
        return say(N_("the arrays the layers hold did not change."))
    return say(N_("the arrays in params changed in place, but to wrong values (see the checks above)."))


# --- the record of a training run ----------------------------------------------------------------

class Run:
    """A training run as the kernel recorded it, checked for shape; everything else is computed here."""

    def __init__(self, outputs, inputs):
        self.i = inputs
        self.shapes = [(k, inputs["params"][k].shape) for k in KEYS]
        size = sum(int(np.prod(s)) for _, s in self.shapes)
        weights, rows = outputs.get("~weights"), outputs.get("~batch rows")
        bx, labels = outputs.get("~batch x"), outputs.get("~batch labels")
        calls, grads, acc = (outputs.get(k) for k in ("~sgd calls", "~sgd grads", "~accuracy calls"))
        arrays = (weights, rows, bx, labels, calls, grads, acc)
        if not all(isinstance(a, np.ndarray) for a in arrays):
            raise ValueError("a part of the record is missing")
        d = inputs["x_train"].shape[1]
        if (weights.ndim != 2 or weights.shape[1] != size or rows.ndim != 1 or len(weights) != len(rows) + 1
                or bx.shape != (int(rows.sum()), d) or labels.shape != (int(rows.sum()),) or rows.min(initial=0) < 0
                or calls.ndim != 2 or calls.shape[1] != 3 or grads.shape != (len(calls), size)
                or acc.ndim != 2 or acc.shape[1] != 3):
            raise ValueError("the record has the wrong shape")
        self.weights, self.rows, self.calls, self.passed, self.acc_calls = weights, rows, calls, grads, acc
        bounds = np.cumsum(np.concatenate([[0], rows]))
        self.batches = [(bx[a:b], labels[a:b].astype(np.int64)) for a, b in zip(bounds[:-1], bounds[1:])]
        self.steps = len(rows)

    def w(self, vector):
        """The weights ``{key: array}`` of a flat weight vector, in the shapes of this run."""
        out, start = {}, 0
        for k, shape in self.shapes:
            n = int(np.prod(shape))
            out[k] = vector[start:start + n].reshape(shape)
            start += n
        return out

    def loss(self, k, after=False):
        """The loss on batch ``k`` with the weights before step ``k`` (after it, with ``after``)."""
        x, t = self.batches[k]
        with np.errstate(all="ignore"):
            return loss_and_gradient(self.w(self.weights[k + after]), x, t)[0] if len(x) else np.nan

    def gradient(self, k, weights=None):
        """The gradient on batch ``k`` (as one vector), at the weights before step ``k`` or at ``weights``."""
        x, t = self.batches[k]
        with np.errstate(all="ignore"):
            return flat(loss_and_gradient(self.w(self.weights[k] if weights is None else weights), x, t)[1])

    def accuracy(self, vector, which):
        """The accuracy of weight vector ``vector`` on the data set ``which`` ('train', 'test', ...)."""
        with np.errstate(all="ignore"):
            return accuracy_of(self.w(vector), self.i[f"x_{which}"], self.i[f"t_{which}"])

    def rows_in_training_set(self):
        """For every batch: 1 if all its rows are rows of x_train with their own labels, 0.5 if the rows are but
        some labels are not, 0 if some row is not."""
        index = {row.tobytes(): k for k, row in enumerate(np.ascontiguousarray(self.i["x_train"], dtype=np.float64))}
        labels = np.asarray(self.i["t_train"])
        labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
        ok = []
        for x, t in self.batches:
            found = [index.get(row.tobytes(), -1) for row in np.ascontiguousarray(x)]
            if not found or any(f < 0 for f in found):
                ok.append(0.0)
            else:
                ok.append(1.0 if np.array_equal(labels[found], t) else 0.5)
        return np.array(ok)

    def sgd_calls_fit(self):
        """Did the loop call sgd_update once per step, after that step's gradient, with network.params and
        that step's gradients? Returns the learning rates it passed, or None."""
        if len(self.calls) != self.steps or self.steps == 0:
            return None
        for k, (step, own_params, _) in enumerate(self.calls):
            if step != k + 1 or own_params != 1 or not np.allclose(self.passed[k], self.gradient(k), rtol=1e-9,
                                                                     atol=1e-12, equal_nan=True):
                return None
        return self.calls[:, 2]

    def inline_rates(self):
        """The learning rate of each step's change of the weights, if it is a step along that step's gradient."""
        rates = np.full(self.steps, np.nan)
        for k in range(self.steps):
            g, change = self.gradient(k), self.weights[k + 1] - self.weights[k]
            gg = float(g @ g)
            if gg == 0 or not np.all(np.isfinite(change)):
                continue
            rate = -float(change @ g) / gg
            if np.allclose(change, -rate * g, rtol=1e-6, atol=1e-9 * max(1.0, np.abs(change).max())):
                rates[k] = rate
        return rates

    def simulated(self, rates):
        """The final weights a correct update with these learning rates gives, on the loop's own batches."""
        w = self.weights[0].copy()
        for k, rate in enumerate(rates):
            w = w - rate * self.gradient(k, w)
        return w


def _run(outputs, inputs):
    try:
        return Run(outputs, inputs)
    except (ValueError, TypeError, KeyError):
        return None


# --- train_learns --------------------------------------------------------------------------------

def _learns_derive(outputs, inputs):
    out = dict(outputs)
    run = _run(outputs, inputs)
    out[WEIGHTS] = run.weights[-1] if run else N_("were not recorded in the form the hidden test writes")
    return out


NOT_UPDATED = N_("the network's weights did not change at all. Update network.params in place "
                 "(sgd_update(network.params, grads, learning_rate)): the layers hold those arrays, so "
                 "params[key] = ... (a new array) changes nothing they compute.")


def _judge_learning(key, got, expected, i):
    value = got.get(key)
    if isinstance(value, str):
        return say(N_("the trained weights {problem}."), problem=say(value))
    ref = Run(expected, i)
    ref_acc = ref.accuracy(ref.weights[-1], "test")
    if value.shape != ref.weights[-1].shape:
        return say(N_("the network's weights have {count} numbers after training instead of {expected}."),
                   count=value.size, expected=ref.weights[-1].size)
    run = _run(got, i)
    if not np.all(np.isfinite(value)):
        acc = 0.0
    else:
        acc = run.accuracy(value, "test")
    if acc >= ref_acc - LEARN_MARGIN:
        return None
    rates = run.sgd_calls_fit()
    if rates is not None and np.all(np.isfinite(rates)):
        # the loop is right; the student's own sgd_update is what kept the weights from learning
        if run.accuracy(run.simulated(rates), "test") >= ref_acc - LEARN_MARGIN:
            return None
    msg = say(N_("after train() the network classifies {accuracy} of the test set correctly; the recipe reaches "
                 "{reached} on the same data (at least {needed} needed)."), accuracy=f"{acc:.0%}",
              reached=f"{ref_acc:.0%}", needed=f"{ref_acc - LEARN_MARGIN:.0%}")
    if not np.all(np.isfinite(value)):
        msg = say(N_("the weights became NaN or inf during training (is the learning rate used as given?)."))
    if np.array_equal(run.weights[0], run.weights[-1]):
        return msg + likely(say(NOT_UPDATED))
    if run.steps > 1 and all(np.array_equal(run.batches[0][0], b[0]) for b in run.batches):
        return msg + likely(say(N_("every step trained on the same mini-batch: draw a new batch_mask at each step.")))
    return msg


# --- train_history -------------------------------------------------------------------------------

def _epoch_steps(i):
    """The steps after whose update the accuracies are recorded."""
    return list(range(0, i["iters_num"], max(len(i["x_train"]) // i["batch_size"], 1)))


UNREADABLE = N_("could not be checked: the record of the run is not in the form the hidden test writes")


def _history_derive(outputs, inputs):
    out = {k: outputs[f"~returned {k}"] for k in ("train_loss_list", "train_acc_list", "test_acc_list")
           if f"~returned {k}" in outputs}
    run = _run(outputs, inputs)
    if run is None:
        return {k: UNREADABLE for k in ("train_loss_list", "train_acc_list", "test_acc_list")}
    out["~pre"] = np.array([run.loss(k) for k in range(run.steps)])
    out["~post"] = np.array([run.loss(k, after=True) for k in range(run.steps)])
    for which in ("train", "test"):
        at = {k: run.accuracy(run.weights[k], which) for k in
              {s for s in _epoch_steps(inputs)} | {s + 1 for s in _epoch_steps(inputs)} if k <= run.steps}
        out[f"~after {which}"] = np.array([at.get(s + 1, np.nan) for s in _epoch_steps(inputs)])
        out[f"~before {which}"] = np.array([at.get(s, np.nan) for s in _epoch_steps(inputs)])
        ends = [k for k in range(run.steps + 1) if k % max(len(inputs["x_train"]) // inputs["batch_size"], 1) == 0]
        out[f"~end {which}"] = np.array([run.accuracy(run.weights[k], which) for k in ends[1:]] + [np.nan])
    out["~accuracy rows"] = run.acc_calls[:, 1].astype(np.float64)
    return out


def _close(a, b):
    return len(a) == len(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True))


def _judge_loss_list(key, got, expected, i):
    returned = got.get(key)
    if isinstance(returned, str):
        return say(N_("train_loss_list {problem}."), problem=say(returned))
    pre, post = got["~pre"], got["~post"]
    n, epochs = i["iters_num"], len(_epoch_steps(i))
    if len(returned) != n:
        if len(returned) == epochs:
            return say(N_("train_loss_list has {count} entries (once per epoch?); it needs one per step, iters_num = "
                          "{steps}: append the mini-batch loss inside the loop, at every step."),
                       count=len(returned), steps=n) + likely(say(N_(
                "the loss was recorded once per epoch, in the block that records the accuracies.")))
        return say(N_("train_loss_list has {count} entries; it needs one per step, iters_num = {steps}: append the "
                      "mini-batch loss inside the loop, at every step."), count=len(returned), steps=n)
    if len(pre) != n:
        return say(N_("train() called network.gradient {calls} times, but the losses must come from the {steps} "
                      "training steps (one gradient per step)."), calls=len(pre), steps=n)
    if _close(returned, pre) or _close(returned, post):
        return None
    if not np.all(np.isfinite(returned)):
        return say(N_("train_loss_list contains NaN or inf."))
    k = int(np.argmax(~(np.isclose(returned, pre, rtol=1e-6) | np.isclose(returned, post, rtol=1e-6))))
    return say(N_("train_loss_list[{step}] is {value}, but the loss of that step's mini-batch was {before} (computed "
                  "by network.gradient, before the update) or {after} (after it). Record network.lastLayer.loss "
                  "right after network.gradient(x_batch, t_batch)."), step=k, value=f"{returned[k]:.6g}",
               before=f"{pre[k]:.6g}", after=f"{post[k]:.6g}")


# the sentences that name a data set, one set of them per set (the set's name is not a value: "훈련 데이터")
SET_NAMES = {
    "train": (
        N_("{name} is not the accuracy on the whole train set."),
        N_("both were measured on the train set; measure each list on its own set."),
        N_("{name} holds the accuracies on the train set."),
        N_("{name}[{index}] is {value}, but the network's accuracy on the whole train set after step {step} was "
           "{after} ({before} before that step's update)."),
    ),
    "test": (
        N_("{name} is not the accuracy on the whole test set."),
        N_("both were measured on the test set; measure each list on its own set."),
        N_("{name} holds the accuracies on the test set."),
        N_("{name}[{index}] is {value}, but the network's accuracy on the whole test set after step {step} was "
           "{after} ({before} before that step's update)."),
    ),
}


def _judge_accuracy_list(which, other):
    name, other_name = f"{which}_acc_list", f"{other}_acc_list"

    def judge(key, got, expected, i):
        returned = got.get(key)
        if isinstance(returned, str):
            return say(N_("{name} {problem}."), name=name, problem=say(returned))
        after, before, rows = got[f"~after {which}"], got[f"~before {which}"], got["~accuracy rows"]
        steps = _epoch_steps(i)
        ipe = max(len(i["x_train"]) // i["batch_size"], 1)
        if len(returned) != len(steps):
            shown = ", ".join(map(str, steps[:3])) + ", ..."
            every = likely(say(N_("the accuracies were recorded at every step; record them once per epoch, when "
                                  "i % iter_per_epoch == 0."))) if len(returned) == i["iters_num"] else ""
            return say(N_("{name} has {count} entries, but {expected} were expected: one after each step i with "
                          "i % iter_per_epoch == 0 (i = {steps}; iter_per_epoch = {rows} // {batch_size} = "
                          "{per_epoch})."), name=name, count=len(returned), expected=len(steps), steps=shown,
                       rows=len(i["x_train"]), batch_size=i["batch_size"], per_epoch=ipe) + every
        if _close(returned, after) or _close(returned, before):
            return None
        size = len(i[f"x_{which}"])
        if rows.size and i["batch_size"] in rows and size not in rows:
            return say(SET_NAMES[which][0], name=name) + likely(say(N_(
                "network.accuracy was called on {batch_size} rows (a mini-batch) instead of all {size}."),
                batch_size=int(i["batch_size"]), size=size))
        at_end = got[f"~end {which}"]
        if len(returned) > 1 and _close(returned[:-1], at_end[:len(returned) - 1]):
            return say(N_("{name} does not follow the recipe's schedule."), name=name) + likely(say(N_(
                "it was recorded at the end of each epoch ((i + 1) % iter_per_epoch == 0), but the recipe records "
                "after the update of the steps with i % iter_per_epoch == 0, starting with step 0.")))
        other_list = got.get(other_name)
        if isinstance(other_list, np.ndarray) and _close(returned, other_list) and \
                (_close(returned, got[f"~after {other}"]) or _close(returned, got[f"~before {other}"])):
            return say(N_("{name} holds the same numbers as {other_name}."), name=name, other_name=other_name) + \
                likely(say(SET_NAMES[other][1]))
        if _close(returned, got[f"~after {other}"]) or _close(returned, got[f"~before {other}"]):
            if not _close(returned, after):
                return say(SET_NAMES[other][2], name=name) + likely(say(N_(
                    "train_acc_list and test_acc_list are swapped (in the dict train() returns, or in the appends).")))
        k = int(np.argmax(~(np.isclose(returned, after) | np.isclose(returned, before))))
        return say(SET_NAMES[which][3], name=name, index=k, value=f"{returned[k]:.6g}", step=steps[k],
                   after=f"{after[k]:.6g}", before=f"{before[k]:.6g}")
    return judge


# --- train_recipe --------------------------------------------------------------------------------

STEPS, ROWS = N_("network.gradient() calls"), N_("rows in each mini-batch (smallest, largest)")
BATCHES, RATES = N_("the mini-batches"), N_("the learning rate of each update")


def _recipe_derive(outputs, inputs):
    run = _run(outputs, inputs)
    if run is None:
        return {k: UNREADABLE for k in (STEPS, ROWS, BATCHES, RATES)}
    rows = run.rows if run.steps else np.zeros(1)
    same = [np.array_equal(run.batches[k][0], run.batches[k - 1][0]) for k in range(1, run.steps)]
    out = {STEPS: np.array(run.steps), ROWS: np.array([rows.min(), rows.max()]),
           BATCHES: np.array([float(run.rows_in_training_set().min(initial=1.0)),
                              float(np.mean(same)) if same else 0.0])}
    rates = run.sgd_calls_fit()
    if rates is None and len(run.calls) and run.steps:  # sgd_update was called, but not as the recipe says
        out[RATES] = N_("sgd_update was not called as the recipe says")
        out["~sgd problem"] = _sgd_problem(run)
    else:
        out[RATES] = rates if rates is not None else run.inline_rates()
    return out


def _sgd_problem(run):
    """What is wrong with the calls of sgd_update: ``(template, values)`` (a derived output holds no translated
    text: it is translated where the message is written, in the language of each grading), or None."""
    if len(run.calls) != run.steps:
        return (N_("sgd_update was called {calls} times in {steps} steps: call it once per step"),
                {"calls": len(run.calls), "steps": run.steps})
    for k, (step, own_params, _) in enumerate(run.calls):
        if step != k + 1:
            return N_("sgd_update must be called after that step's network.gradient"), {}
        if own_params != 1:
            return (N_("sgd_update was given another dict than network.params: pass network.params itself, "
                       "whose arrays the layers hold"), {})
        if not np.allclose(run.passed[k], run.gradient(k), rtol=1e-9, atol=1e-12, equal_nan=True):
            return N_("sgd_update was given other gradients than the ones network.gradient returned at that step"), {}
    return None


def _judge_batches(key, got, expected, i):
    value = got.get(key)
    if isinstance(value, str):
        return say(N_("{name} {problem}."), name=output_name(key), problem=say(value))
    from_training_set, repeated = float(value[0]), float(value[1])
    if from_training_set == 0.5:
        return say(N_("the labels of some mini-batch are not the labels of its rows.")) + likely(say(N_(
            "x and t were indexed with different masks: take x_train[batch_mask] and t_train[batch_mask] with the "
            "same batch_mask.")))
    if not from_training_set:
        return say(N_("some mini-batch holds rows that are not rows of x_train: take x_train[batch_mask]."))
    if repeated > 0.5:
        return say(N_("the mini-batches repeat from step to step.")) + likely(say(N_(
            "every step trained on the same mini-batch: make the generator rng = np.random.default_rng(seed) once, "
            "before the loop, not inside it, and draw a new batch_mask at every step.")))
    return None


def _judge_rates(key, got, expected, i):
    value = got.get(key)
    if isinstance(value, str):
        problem = got.get("~sgd problem")
        return say(N_("{name}: {problem}."), name=output_name(key),
                   problem=say(problem[0], **problem[1]) if problem else say(value))
    lr = i["learning_rate"]
    if value.size == 0:
        return None  # no steps: judged by the number of gradient() calls
    if np.all(np.isnan(value)):
        weights = got.get("~weights")
        if isinstance(weights, np.ndarray) and len(weights) and np.all(weights == weights[0]):
            return say(N_("the weights never changed.")) + likely(say(NOT_UPDATED))
        return say(N_("no step changed the weights by learning_rate times that step's gradient."))
    if np.allclose(value, lr, rtol=1e-6):
        return None
    bad = int(np.argmax(~np.isclose(value, lr, rtol=1e-6) | np.isnan(value)))
    if np.isnan(value[bad]):
        return say(N_("the weights did not change by learning_rate * gradient at step {step} (the update must be "
                      "params[key] -= learning_rate * grads[key], once per step)."), step=bad)
    if np.allclose(value, value[0], rtol=1e-6):
        return say(N_("every update used the learning rate {used}, not learning_rate = {rate}."),
                   used=f"{value[0]:.6g}", rate=f"{lr:g}") + likely(say(N_(
                       "the learning rate is fixed in the loop: pass train()'s learning_rate to sgd_update.")))
    return say(N_("the update of step {step} used the learning rate {used}, not learning_rate = {rate}."), step=bad,
               used=f"{value[bad]:.6g}", rate=f"{lr:g}")


def _steps_rule(key, got, expected, i):
    value = got.get(key)
    if isinstance(value, str):
        return say(N_("{name} {problem}."), name=output_name(key), problem=say(value))
    n = int(value)
    if n == i["iters_num"]:
        return None
    msg = say(N_("train() called network.gradient {calls} times; the recipe takes iters_num = {steps} steps."),
              calls=n, steps=i["iters_num"])
    if abs(n - i["iters_num"]) == 1:
        msg += likely(say(N_("the loop must run exactly iters_num steps (for i in range(iters_num)).")))
    return msg


def _rows_rule(key, got, expected, i):
    value = got.get(key)
    if isinstance(value, str):
        return say(N_("{name} {problem}."), name=output_name(key), problem=say(value))
    low, high = (int(v) for v in value)
    if low == high == i["batch_size"]:
        return None
    msg = say(N_("the mini-batches had between {low} and {high} rows; each must have batch_size = {batch_size} "
                 "(batch_mask = rng.choice(train_size, batch_size))."), low=low, high=high,
              batch_size=i["batch_size"])
    if low == high:
        msg += likely(say(N_("the batch size is fixed in the loop: use train()'s batch_size.")))
    return msg


RULES = {
    "sgd_update": Rule(mistakes=SGD_MISTAKES + IN_PLACE_MISTAKES,
                       compare={"params after sgd_update": _judge_params, IN_PLACE: _judge_in_place}),
    "train_learns": Rule(derive=_learns_derive, compare={WEIGHTS: _judge_learning}),
    "train_history": Rule(derive=_history_derive, credit="output", compare={
        "train_loss_list": _judge_loss_list, "train_acc_list": _judge_accuracy_list("train", "test"),
        "test_acc_list": _judge_accuracy_list("test", "train")}),
    "train_recipe": Rule(derive=_recipe_derive, compare={STEPS: _steps_rule, ROWS: _rows_rule,
                                                         BATCHES: _judge_batches, RATES: _judge_rates}),
}
