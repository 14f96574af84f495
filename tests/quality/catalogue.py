"""The catalogue: single-bug variants that must lose points, and correct styles that must not.

A ``Mutant`` is a text replacement in the solution cells of the source notebook (first occurrence):
one mistake a student really makes, nothing else changed. Its ``diagnosis`` is a few words the
failure message must contain (the "Likely mistake" the grader names); "" marks a mistake the
grader is not expected to name, which counts against the diagnosis rate.

A ``Variant`` redefines one or more components in another style that still respects the notebook's
contract (docstrings): extra code, each definition placed right after the answer cell that defines the
same name, or answer cells as a student types them (``book_styles.py``: the book's layout, the seed's
code). Its notebook runs in order, visible checks included: it must get full marks and pass them all.
"""

from .book_styles import STYLES
from .harness import Mutant, Variant

A01, A02, A03 = "01_computational_graphs", "02_simple_layers", "03_activation_layers"
A04, A05, A06 = "04_affine_softmax", "05_full_backprop", "06_training_mnist"

MUTANTS = [
    # --- 01 computational graphs -----------------------------------------------------------------
    Mutant(A01, "apple graph adds the tax instead of multiplying",
           "    price = apple_price * tax\n", "    price = apple_price + tax\n", "not plus tax"),
    Mutant(A01, "apple graph: dtax is the output price, not the other input",
           'dtax = dprice * values["apple_price"]', 'dtax = dprice * values["price"]', "other input"),
    Mutant(A01, "apple graph: dapple_price is the other input's value of the wrong node",
           "dapple_price = dprice * tax", 'dapple_price = dprice * values["apple_price"]', "times the other input"),
    Mutant(A01, "apple graph: dapple forgets the upstream gradient",
           "dapple = dapple_price * apple_num", "dapple = apple_num", "upstream gradient"),
    Mutant(A01, "apple graph: dapple_num does not swap the inputs",
           "dapple_num = dapple_price * apple\n", "dapple_num = dapple_price * apple_num\n", "swaps its inputs"),
    Mutant(A01, "apples and oranges: tax on the apples only",
           "    price = all_price * tax\n", "    price = apple_price * tax + orange_price\n", "sum"),
    Mutant(A01, "apples and oranges: dtax is the apple price only",
           'dtax = dprice * values["all_price"]', 'dtax = dprice * values["apple_price"]', "both fruits"),
    Mutant(A01, "apples and oranges: the addition node sends 1 instead of its upstream gradient",
           "dapple_price = dall_price * 1", "dapple_price = 1", "passes the upstream gradient"),
    Mutant(A01, "apples and oranges: dorange does not swap the inputs",
           "dorange = dorange_price * orange_num", "dorange = dorange_price * orange", "swaps its inputs"),
    Mutant(A01, "fan-out: dtax keeps only the apple path",
           "dtax = dapple_taxed * apple_price + dorange_taxed * orange_price", "dtax = dapple_taxed * apple_price",
           "only the apple path"),
    Mutant(A01, "fan-out: the orange path replaces the apple path instead of adding to it",
           "    dtax = dapple_taxed * apple_price + dorange_taxed * orange_price",
           "    dtax = dapple_taxed * apple_price\n    dtax = dorange_taxed * orange_price", "only the orange path"),
    Mutant(A01, "fan-out: the gradients of the two paths multiplied",
           "dtax = dapple_taxed * apple_price + dorange_taxed * orange_price",
           "dtax = dapple_taxed * apple_price * dorange_taxed * orange_price", "not multiplied"),
    Mutant(A01, "fan-out: dtax from the nodes' outputs, not their other inputs",
           "dtax = dapple_taxed * apple_price + dorange_taxed * orange_price",
           'dtax = dapple_taxed * values["apple_taxed"] + dorange_taxed * values["orange_taxed"]',
           "not the node's output"),
    Mutant(A01, "fan-out: dapple_price forgets the tax factor",
           "dapple_price = dapple_taxed * tax", "dapple_price = dapple_taxed", "times the other input of its node"),
    Mutant(A01, "fan-out: the apple price taxed by adding",
           "apple_taxed = apple_price * tax", "apple_taxed = apple_price + tax", "not plus tax"),
    Mutant(A01, "xyz: f computed as x + y * z (brackets lost)",
           "    f = q * z\n", "    f = x + y * z\n", "brackets"),
    Mutant(A01, "xyz: dz is the output f, not q",
           'dz = df * values["q"]', 'dz = df * values["f"]', "other input"),
    Mutant(A01, "xyz: the addition node treated like a multiplication",
           "dx = dq * 1", "dx = dq * y", "does not swap"),
    Mutant(A01, "xyz: the addition node sends 1",
           "dy = dq * 1", "dy = 1.0", "through unchanged"),

    # --- 02 simple layers ------------------------------------------------------------------------
    Mutant(A02, "MulLayer.backward does not swap the inputs",
           "dx = dout * self.y", "dx = dout * self.x", "other input"),
    Mutant(A02, "MulLayer.backward forgets dout",
           "dy = dout * self.x", "dy = self.x", "upstream gradient"),
    Mutant(A02, "MulLayer.backward returns (dy, dx)",
           "        return dx, dy", "        return dy, dx", "wrong order"),
    Mutant(A02, "AddLayer.backward returns 1 instead of dout",
           "dx = dout * 1", "dx = 1", "unchanged"),
    Mutant(A02, "MulLayer.forward does not store the inputs",
           "        self.x = x\n        self.y = y\n        return x * y", "        return x * y",
           "store it in forward"),
    Mutant(A02, "buy_apples walks the graph backward in forward order",
           "    dapple_price, dtax = mul_tax_layer.backward(dprice)\n    dapple, dapple_num = "
           "mul_apple_layer.backward(dapple_price)",
           "    dapple, dapple_num = mul_apple_layer.backward(dprice)\n    dapple_price, dtax = "
           "mul_tax_layer.backward(dprice)", "upstream gradient"),
    Mutant(A02, "buy_apples_oranges unpacks the tax node's gradients in the wrong order",
           "dall_price, dtax = mul_tax_layer.backward(dprice)", "dtax, dall_price = mul_tax_layer.backward(dprice)",
           "before tax"),

    # --- 03 activation layers --------------------------------------------------------------------
    Mutant(A03, "Relu mask x < 0 instead of x <= 0 (passes dout at exactly 0)",
           "self.mask = (x <= 0)", "self.mask = (x < 0)", "exactly 0"),
    Mutant(A03, "Relu.forward writes into its input",
           "out = x.copy()", "out = x", "changed the array"),
    Mutant(A03, "Relu.backward with the mask inverted",
           "dx[self.mask] = 0", "dx[~self.mask] = 0", "inverted"),
    Mutant(A03, "Relu.backward masks by the sign of dout",
           "dx[self.mask] = 0", "dx[dout <= 0] = 0", "sign of dout"),
    Mutant(A03, "Relu.forward returns the mask",
           "        return out\n", "        return self.mask\n", "not the mask"),
    Mutant(A03, "Sigmoid with the wrong sign in the exponent",
           "1 / (1 + np.exp(-x))", "1 / (1 + np.exp(x))", "sign in the exponent"),
    Mutant(A03, "Sigmoid.backward uses x instead of y (caches the input)",
           "self.out = out", "self.out = x", "not the input x"),
    Mutant(A03, "Sigmoid.backward without the factor (1 - y)",
           "dx = dout * (1.0 - self.out) * self.out", "dx = dout * self.out", "missing the factor (1 - y)"),
    Mutant(A03, "Sigmoid.backward forgets dout",
           "dx = dout * (1.0 - self.out) * self.out", "dx = (1.0 - self.out) * self.out", "upstream gradient"),
    Mutant(A03, "Sigmoid.forward does not remember its output",
           "        self.out = out\n", "", "store it in forward"),

    # --- 04 Affine, softmax, cross entropy, SoftmaxWithLoss --------------------------------------
    Mutant(A04, "Affine.db summed over the wrong axis",
           "self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout, axis=1)", "summed over axis 1"),
    Mutant(A04, "Affine.dW transposed (dout.T @ x)",
           "self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(dout.T, self.x)", "its transpose"),
    Mutant(A04, "Affine.backward does not restore the shape of an N-D input",
           "return dx.reshape(self.original_x_shape)", "return dx", "original_x_shape"),
    Mutant(A04, "Affine.forward does not flatten an N-D input",
           "self.x = x.reshape(x.shape[0], -1)", "self.x = x", "flattened"),
    Mutant(A04, "Affine.backward: dx without transposing W",
           "dx = np.dot(dout, self.W.T)", "dx = np.dot(dout, self.W)", "transpose W"),
    Mutant(A04, "Affine.forward forgets the bias",
           "out = np.dot(self.x, self.W) + self.b", "out = np.dot(self.x, self.W)", "add the bias"),
    Mutant(A04, "softmax without the max shift",
           "shifted = x - np.max(x, axis=-1, keepdims=True)", "shifted = x", "subtract the max"),
    Mutant(A04, "softmax shifts by the max of the whole batch",
           "shifted = x - np.max(x, axis=-1, keepdims=True)", "shifted = x - np.max(x)", "each row's own max"),
    Mutant(A04, "softmax normalises by the sum of the whole batch",
           "return e / np.sum(e, axis=-1, keepdims=True)", "return e / np.sum(e)", "each row separately"),
    Mutant(A04, "softmax normalises columns (axis=0)",
           "return e / np.sum(e, axis=-1, keepdims=True)", "return e / np.sum(e, axis=0, keepdims=True)",
           "each column"),
    Mutant(A04, "softmax subtracts the max in place (changes the caller's array)",
           "    shifted = x - np.max(x, axis=-1, keepdims=True)\n    e = np.exp(shifted)",
           "    x -= np.max(x, axis=-1, keepdims=True)\n    e = np.exp(x)", "changed its input"),
    Mutant(A04, "cross entropy not averaged over the batch",
           "return -np.sum(np.log(picked + 1e-7)) / batch_size", "return -np.sum(np.log(picked + 1e-7))",
           "divide the sum by the batch size"),
    Mutant(A04, "cross entropy without the 1e-7 in the log",
           "np.log(picked + 1e-7)", "np.log(picked)", "small constant inside the log"),
    Mutant(A04, "cross entropy without the minus sign",
           "return -np.sum(np.log(picked + 1e-7)) / batch_size", "return np.sum(np.log(picked + 1e-7)) / batch_size",
           "minus sign"),
    Mutant(A04, "cross entropy: a 1-D y is not treated as a batch of one",
           "    if y.ndim == 1:\n        y = y.reshape(1, y.size)\n        t = t.reshape(1, -1)\n", "",
           "1-D y"),
    Mutant(A04, "cross entropy written for one-hot labels only (t * log y)",
           "    if t.size == y.size:\n        t = t.argmax(axis=1)\n    t = t.reshape(-1)\n"
           "    batch_size = y.shape[0]\n    picked = y[np.arange(batch_size), t]\n"
           "    return -np.sum(np.log(picked + 1e-7)) / batch_size",
           "    batch_size = y.shape[0]\n    return -np.sum(t * np.log(y + 1e-7)) / batch_size", "class indices"),
    Mutant(A04, "SoftmaxWithLoss.backward not divided by the batch size",
           "return dout * dx / batch_size", "return dout * dx", "divide by the batch size"),
    Mutant(A04, "SoftmaxWithLoss.backward gives t - y",
           "dx = self.y - self.t", "dx = self.t - self.y", "not (t - y)"),
    Mutant(A04, "SoftmaxWithLoss.backward uses the scores instead of the softmax output",
           "        self.y = softmax(x)\n        self.loss = cross_entropy_error(self.y, self.t)",
           "        self.y = x\n        self.loss = cross_entropy_error(softmax(x), self.t)", "softmax of the scores"),

    # --- 05 numerical gradient, TwoLayerNet, gradient check --------------------------------------
    Mutant(A05, "forward difference in numerical_gradient",
           "        x[idx] = tmp_val - h\n        fxh2 = f(x)\n        x[idx] = tmp_val\n"
           "        grad[idx] = (fxh1 - fxh2) / (2 * h)",
           "        x[idx] = tmp_val\n        fxh2 = f(x)\n        grad[idx] = (fxh1 - fxh2) / h",
           "central difference"),
    Mutant(A05, "x not restored after perturbing",
           "        x[idx] = tmp_val\n        grad[idx]", "        grad[idx]", "put every element back"),
    Mutant(A05, "numerical_gradient divides by h instead of 2h",
           "grad[idx] = (fxh1 - fxh2) / (2 * h)", "grad[idx] = (fxh1 - fxh2) / h", "divide by 2 * h"),
    Mutant(A05, "numerical_gradient nudges a copy of x",
           "    grad = np.zeros_like(x)\n    it = np.nditer", "    x = x.copy()\n    grad = np.zeros_like(x)\n"
           "    it = np.nditer", "nudge the array x itself"),
    Mutant(A05, "layers walked in forward order in gradient",
           "for layer in reversed(list(self.layers.values())):", "for layer in list(self.layers.values()):",
           "reverse"),
    Mutant(A05, "gradient skips lastLayer.backward",
           "dout = self.lastLayer.backward(1)", "dout = 1", "lastLayer.backward"),
    Mutant(A05, "gradient takes W1's gradient from Affine2",
           'grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db',
           'grads["W1"], grads["b1"] = self.layers["Affine2"].dW, self.layers["Affine1"].db',
           "another layer's gradient"),
    Mutant(A05, "predict applies softmax",
           "            x = layer.forward(x)\n        return x\n",
           "            x = layer.forward(x)\n        return softmax(x)\n", "before softmax"),
    Mutant(A05, "W1 created with shape (hidden_size, input_size)",
           "np.random.randn(input_size, hidden_size)", "np.random.randn(hidden_size, input_size)", "W1 has shape"),
    Mutant(A05, "weights not scaled by weight_init_std",
           'self.params["W1"] = weight_init_std * np.random.randn', 'self.params["W1"] = np.random.randn',
           "weight_init_std"),
    Mutant(A05, "the Affine layers get copies of the params",
           'Affine(self.params["W1"], self.params["b1"])', 'Affine(self.params["W1"].copy(), self.params["b1"])',
           "same arrays"),
    Mutant(A05, "accuracy compares with one-hot t without argmax",
           "        if t.ndim != 1:\n            t = np.argmax(t, axis=1)\n", "", "t.argmax"),
    Mutant(A05, "accuracy counts instead of dividing by the batch size",
           "np.sum(predicted == t) / float(x.shape[0])", "np.sum(predicted == t)", "fraction"),
    Mutant(A05, "gradient_check without the absolute value",
           "difference = np.abs(grad_backprop[key] - grad_numerical[key])",
           "difference = grad_backprop[key] - grad_numerical[key]", "absolute value"),
    Mutant(A05, "gradient_check sums the differences",
           "diffs[key] = np.mean(difference)", "diffs[key] = np.sum(difference)", "not their sum"),
    Mutant(A05, "the pasted SoftmaxWithLoss.backward is not divided by N",
           "return dout * dx / batch_size", "return dout * dx", "divide by the batch size"),

    # --- 06 training -----------------------------------------------------------------------------
    Mutant(A06, "sgd_update climbs the gradient (+= instead of -=)",
           "        params[key] -= learning_rate * grads[key]", "        params[key] += learning_rate * grads[key]",
           "against the gradient"),
    Mutant(A06, "sgd_update puts new arrays in params (not in place)",
           "        params[key] -= learning_rate * grads[key]",
           "        params[key] = params[key] - learning_rate * grads[key]",
           "in place"),
    Mutant(A06, "sgd_update forgets the learning rate",
           "        params[key] -= learning_rate * grads[key]", "        params[key] -= grads[key]", "learning_rate"),
    Mutant(A06, "the generator is re-seeded inside the loop",
           "    for i in steps:\n        batch_mask", "    for i in steps:\n        rng = np.random.default_rng(seed)\n"
           "        batch_mask", "once, before the loop"),
    Mutant(A06, "one step too few",
           "steps = tqdm(range(iters_num)", "steps = tqdm(range(1, iters_num)", "exactly iters_num steps"),
    Mutant(A06, "the loss is recorded once per epoch",
           "        train_loss_list.append(float(network.lastLayer.loss))\n        sgd_update(network.params, grads, "
           "learning_rate)\n        if i % iter_per_epoch == 0:\n",
           "        sgd_update(network.params, grads, learning_rate)\n        if i % iter_per_epoch == 0:\n"
           "            train_loss_list.append(float(network.lastLayer.loss))\n", "once per epoch"),
    Mutant(A06, "the accuracy is measured on the mini-batch",
           "train_acc_list.append(float(network.accuracy(x_train, t_train)))",
           "train_acc_list.append(float(network.accuracy(x_train[batch_mask], t_train[batch_mask])))",
           "mini-batch"),
    Mutant(A06, "the test accuracy is measured on the training set",
           "test_acc_list.append(float(network.accuracy(x_test, t_test)))",
           "test_acc_list.append(float(network.accuracy(x_train, t_train)))", "its own set"),
    Mutant(A06, "the accuracies are recorded at the end of each epoch",
           "if i % iter_per_epoch == 0:", "if (i + 1) % iter_per_epoch == 0:", "end of each epoch"),
    Mutant(A06, "the learning rate is hard-coded",
           "sgd_update(network.params, grads, learning_rate)", "sgd_update(network.params, grads, 0.1)",
           "learning rate is fixed in the loop"),
    Mutant(A06, "the update is skipped (sgd_update never called)",
           "        sgd_update(network.params, grads, learning_rate)\n", "", "did not change"),
]

# More mistakes students really make (questions about chapter 5 of the book and CS231n-style code: the step h,
# the order of operations in the central difference, the batch size vs the number of classes, a forgotten
# "- t", probabilities returned instead of the loss, stale caches of an earlier forward call, ...)
MUTANTS += [
    # --- 01 ---------------------------------------------------------------------------------------
    Mutant(A01, "apple graph: dtax is apple alone (apple_num forgotten)",
           'dtax = dprice * values["apple_price"]', "dtax = dprice * apple", "not apple alone"),
    Mutant(A01, "apple graph: dapple_price forgets the tax factor",
           "dapple_price = dprice * tax", "dapple_price = dprice", "times tax, not 1 alone"),
    Mutant(A01, "apple graph: dapple does not swap the inputs",
           "dapple = dapple_price * apple_num", "dapple = dapple_price * apple\n", "swaps its inputs"),
    Mutant(A01, "apples and oranges: dall_price is all_price",
           "dall_price = dprice * tax", 'dall_price = dprice * values["all_price"]',
           "other input of the tax node, tax"),
    Mutant(A01, "apples and oranges: all_price forgets the oranges",
           "all_price = apple_price + orange_price", "all_price = apple_price", "adds *both* fruit prices"),
    Mutant(A01, "xyz: f adds z instead of multiplying",
           "    f = q * z\n", "    f = q + z\n", "yours adds z"),
    Mutant(A01, "xyz: dz is z itself",
           'dz = df * values["q"]', "dz = df * z", "not z itself"),

    # --- 02 ---------------------------------------------------------------------------------------
    Mutant(A02, "MulLayer.forward adds", "        return x * y\n", "        return x + y\n", "not x + y"),
    Mutant(A02, "AddLayer.forward multiplies", "        return x + y\n", "        return x * y\n", "not x * y"),
    Mutant(A02, "MulLayer.backward: dx forgets dout",
           "dx = dout * self.y", "dx = self.y", "upstream gradient"),
    Mutant(A02, "buy_apples returns the price before tax",
           "    return price, dapple, dapple_num, dtax", "    return apple_price, dapple, dapple_num, dtax",
           "output of the tax node's forward"),
    Mutant(A02, "buy_apples unpacks the apple node's gradients in the wrong order",
           "    dapple, dapple_num = mul_apple_layer.backward(dapple_price)\n"
           "    return price, dapple, dapple_num, dtax",
           "    dapple_num, dapple = mul_apple_layer.backward(dapple_price)\n"
           "    return price, dapple, dapple_num, dtax",
           "unpacked in the wrong order"),
    Mutant(A02, "buy_apples_oranges unpacks the orange node's gradients in the wrong order",
           "dorange, dorange_num = mul_orange_layer.backward(dorange_price)",
           "dorange_num, dorange = mul_orange_layer.backward(dorange_price)", "orange node's gradients are unpacked"),
    Mutant(A02, "buy_apples_oranges taxes the apples only",
           "price = mul_tax_layer.forward(all_price, tax)", "price = mul_tax_layer.forward(apple_price, tax)",
           "both fruits"),

    # --- 03 ---------------------------------------------------------------------------------------
    Mutant(A03, "Relu.forward flips the sign of negative inputs (abs)",
           "out[self.mask] = 0", "out[self.mask] = -out[self.mask]", "flip their sign"),
    Mutant(A03, "Sigmoid.backward with (1 + y)",
           "dx = dout * (1.0 - self.out) * self.out", "dx = dout * (1.0 + self.out) * self.out", "with a minus"),
    Mutant(A03, "Sigmoid.backward with (1 - y) squared",
           "dx = dout * (1.0 - self.out) * self.out", "dx = dout * (1.0 - self.out) ** 2", "not (1 - y) ** 2"),
    Mutant(A03, "Sigmoid.forward with exp(-x) in the numerator",
           "out = 1 / (1 + np.exp(-x))", "out = np.exp(-x) / (1 + np.exp(-x))", "and the numerator"),
    Mutant(A03, "Relu keeps the mask of its first forward call",
           "self.mask = (x <= 0)", "self.mask = (x <= 0) if self.mask is None else self.mask", "latest forward"),
    Mutant(A03, "Sigmoid keeps the output of its first forward call",
           "        self.out = out\n", "        self.out = out if self.out is None else self.out\n", "latest forward"),

    # --- 04 ---------------------------------------------------------------------------------------
    Mutant(A04, "cross entropy with log base 10", "np.log(picked + 1e-7)", "np.log10(picked + 1e-7)", "natural log"),
    Mutant(A04, "cross entropy without the log", "return -np.sum(np.log(picked + 1e-7)) / batch_size",
           "return -np.sum(picked) / batch_size", "the log is missing"),
    Mutant(A04, "cross entropy divided by the number of classes",
           "return -np.sum(np.log(picked + 1e-7)) / batch_size", "return -np.sum(np.log(picked + 1e-7)) / y.shape[1]",
           "not by the number of classes"),
    Mutant(A04, "cross entropy returns the probabilities of the right class",
           "return -np.sum(np.log(picked + 1e-7)) / batch_size", "return picked", "not the probabilities"),
    Mutant(A04, "SoftmaxWithLoss.backward divided by the number of classes",
           "return dout * dx / batch_size", "return dout * dx / self.y.shape[1]", "not by the number of classes"),
    Mutant(A04, "SoftmaxWithLoss.backward forgets - t", "            dx = self.y - self.t\n",
           "            dx = self.y\n", 'the "- t" is missing'),
    Mutant(A04, "SoftmaxWithLoss.forward returns the probabilities instead of the loss",
           "        return self.loss\n", "        return self.y\n", "not the softmax probabilities"),
    Mutant(A04, "softmax without exp", "    e = np.exp(shifted)\n", "    e = shifted\n", "no exp"),
    Mutant(A04, "softmax divides by the row's max instead of its sum",
           "return e / np.sum(e, axis=-1, keepdims=True)", "return e / np.max(e, axis=-1, keepdims=True)",
           "not by its max"),
    Mutant(A04, "Affine.db is the mean over the batch",
           "self.db = np.sum(dout, axis=0)", "self.db = np.mean(dout, axis=0)", "not the mean"),
    Mutant(A04, "Affine keeps the input of its first forward call",
           "self.x = x.reshape(x.shape[0], -1)", "self.x = x.reshape(x.shape[0], -1) if self.x is None else self.x",
           "latest forward call"),

    # --- 05 ---------------------------------------------------------------------------------------
    Mutant(A05, "numerical_gradient divides by 2 and multiplies by h (/ 2 * h)",
           "grad[idx] = (fxh1 - fxh2) / (2 * h)", "grad[idx] = (fxh1 - fxh2) / 2 * h", "/ 2 * h"),
    Mutant(A05, "numerical_gradient with h = 1e-50 (x + h == x)", "    h = 1e-4\n", "    h = 1e-50\n", "x + h == x"),
    Mutant(A05, "numerical_gradient with h = 1e-10 (round-off dominates)", "    h = 1e-4\n", "    h = 1e-10\n",
           "round-off dominates"),
    Mutant(A05, "numerical_gradient with the backward difference",
           "grad[idx] = (fxh1 - fxh2) / (2 * h)", "grad[idx] = (f(x) - fxh2) / h", "backward difference"),
    Mutant(A05, "numerical_gradient never stores the difference",
           "        grad[idx] = (fxh1 - fxh2) / (2 * h)\n", "", "is 0 everywhere"),
    Mutant(A05, "predict stops before the last Affine layer",
           "        for layer in self.layers.values():\n            x = layer.forward(x)",
           "        for layer in list(self.layers.values())[:-1]:\n            x = layer.forward(x)",
           "stops after Relu1"),
    Mutant(A05, "b1 initialised at random", 'self.params["b1"] = np.zeros(hidden_size)',
           'self.params["b1"] = weight_init_std * np.random.randn(hidden_size)', "biases start at zero"),
    Mutant(A05, "weights drawn with np.random.rand (uniform)",
           "weight_init_std * np.random.randn(input_size, hidden_size)",
           "weight_init_std * np.random.rand(input_size, hidden_size)", "np.random.randn (normal around 0)"),
    Mutant(A05, "TwoLayerNet.numerical_gradient always nudges W1",
           "grads[key] = numerical_gradient(loss_W, self.params[key])",
           'grads[key] = numerical_gradient(loss_W, self.params["W1"])', "with respect to params['W1']"),
    Mutant(A05, "TwoLayerNet.numerical_gradient nudges a copy of the weights",
           "grads[key] = numerical_gradient(loss_W, self.params[key])",
           "grads[key] = numerical_gradient(loss_W, self.params[key].copy())", "was given a copy"),
    Mutant(A05, "gradient skips Relu1 on the way back",
           "for layer in reversed(list(self.layers.values())):",
           'for layer in [self.layers["Affine2"], self.layers["Affine1"]]:', "through Relu1.backward"),
    Mutant(A05, "gradient runs the backward pass without the forward pass",
           "        self.loss(x, t)\n\n        dout", "        dout", "forward pass"),
    Mutant(A05, "gradient_check returns the mean squared difference",
           "diffs[key] = np.mean(difference)", "diffs[key] = np.mean(difference ** 2)", "not the mean squared"),
    Mutant(A05, "gradient_check returns the largest difference",
           "diffs[key] = np.mean(difference)", "diffs[key] = np.max(difference)", "the largest one"),
    Mutant(A05, "the pasted SoftmaxWithLoss.backward forgets - t", "            dx = self.y - self.t\n",
           "            dx = self.y\n", 'the "- t" is missing'),

    # --- 06 ---------------------------------------------------------------------------------------
    Mutant(A06, "sgd_update divides the gradient by the learning rate",
           "        params[key] -= learning_rate * grads[key]", "        params[key] -= grads[key] / learning_rate",
           "divides the gradient by the"),
    Mutant(A06, "x and t of a batch drawn with different masks",
           "grads = network.gradient(x_train[batch_mask], t_train[batch_mask])",
           "grads = network.gradient(x_train[batch_mask], t_train[rng.choice(train_size, batch_size)])",
           "different masks"),
    Mutant(A06, "the batch size is hard-coded",
           "batch_mask = rng.choice(train_size, batch_size)", "batch_mask = rng.choice(train_size, 10)",
           "batch size is fixed"),
    Mutant(A06, "the accuracies are recorded at every step", "if i % iter_per_epoch == 0:", "if True:",
           "at every step"),
    Mutant(A06, "the train and test accuracy lists are swapped",
           '"train_acc_list": train_acc_list, "test_acc_list": test_acc_list}',
           '"train_acc_list": test_acc_list, "test_acc_list": train_acc_list}', "swapped"),
]

VARIANTS = [
    # --- 01 computational graphs -----------------------------------------------------------------
    Variant(A01, "closed-form gradients, no forward call", '''
def apple_graph_forward(apple, apple_num, tax):
    return {"apple_price": apple * apple_num, "price": apple * apple_num * tax}

def apple_graph_backward(apple, apple_num, tax):
    return {"dprice": 1, "dapple_price": tax, "dtax": apple * apple_num,
            "dapple": tax * apple_num, "dapple_num": tax * apple}

def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    a, o = apple * apple_num, orange * orange_num
    return dict(apple_price=a, orange_price=o, all_price=a + o, price=(a + o) * tax)

def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    return dict(dprice=1, dall_price=tax, dtax=apple * apple_num + orange * orange_num,
                dapple_price=tax, dorange_price=tax, dapple=tax * apple_num, dapple_num=tax * apple,
                dorange=tax * orange_num, dorange_num=tax * orange)

def fanout_forward(apple_price, orange_price, tax):
    return {"apple_taxed": apple_price * tax, "orange_taxed": orange_price * tax,
            "price": (apple_price + orange_price) * tax}

def fanout_backward(apple_price, orange_price, tax):
    return {"dprice": 1, "dapple_taxed": 1, "dorange_taxed": 1, "dapple_price": tax, "dorange_price": tax,
            "dtax": apple_price + orange_price}

def xyz_forward(x, y, z):
    return {"q": x + y, "f": (x + y) * z}

def xyz_backward(x, y, z):
    return {"df": 1, "dq": z, "dz": x + y, "dx": z, "dy": z}
'''),
    Variant(A01, "tiny node objects of my own, walked in reverse", '''
class _Mul:
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b
    def backward(self, g):
        return g * self.b, g * self.a

class _Add:
    def forward(self, a, b):
        return a + b
    def backward(self, g):
        return g, g

def apple_graph_forward(apple, apple_num, tax):
    m1, m2 = _Mul(), _Mul()
    ap = m1.forward(apple, apple_num)
    return {"apple_price": ap, "price": m2.forward(ap, tax)}

def apple_graph_backward(apple, apple_num, tax):
    m1, m2 = _Mul(), _Mul()
    m2.forward(m1.forward(apple, apple_num), tax)
    d_ap, d_tax = m2.backward(1.0)
    d_a, d_n = m1.backward(d_ap)
    return {"dprice": 1.0, "dapple_price": d_ap, "dtax": d_tax, "dapple": d_a, "dapple_num": d_n}

def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    ap, op = _Mul().forward(apple, apple_num), _Mul().forward(orange, orange_num)
    total = _Add().forward(ap, op)
    return {"apple_price": ap, "orange_price": op, "all_price": total, "price": _Mul().forward(total, tax)}

def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    ma, mo, add, mt = _Mul(), _Mul(), _Add(), _Mul()
    mt.forward(add.forward(ma.forward(apple, apple_num), mo.forward(orange, orange_num)), tax)
    grads = {"dprice": 1.0}
    grads["dall_price"], grads["dtax"] = mt.backward(grads["dprice"])
    grads["dapple_price"], grads["dorange_price"] = add.backward(grads["dall_price"])
    grads["dorange"], grads["dorange_num"] = mo.backward(grads["dorange_price"])
    grads["dapple"], grads["dapple_num"] = ma.backward(grads["dapple_price"])
    return grads

def fanout_forward(apple_price, orange_price, tax):
    a, o = _Mul().forward(apple_price, tax), _Mul().forward(orange_price, tax)
    return {"apple_taxed": a, "orange_taxed": o, "price": _Add().forward(a, o)}

def fanout_backward(apple_price, orange_price, tax):
    ma, mo, add = _Mul(), _Mul(), _Add()
    add.forward(ma.forward(apple_price, tax), mo.forward(orange_price, tax))
    grads = {"dprice": 1.0, "dtax": 0.0}
    grads["dapple_taxed"], grads["dorange_taxed"] = add.backward(grads["dprice"])
    for node, fruit in ((ma, "apple"), (mo, "orange")):  # accumulate, as micrograd's += does
        grads[f"d{fruit}_price"], d_tax = node.backward(grads[f"d{fruit}_taxed"])
        grads["dtax"] = grads["dtax"] + d_tax
    return grads

def xyz_forward(x, y, z):
    q = _Add().forward(x, y)
    return {"q": q, "f": _Mul().forward(q, z)}

def xyz_backward(x, y, z):
    add, mul = _Add(), _Mul()
    mul.forward(add.forward(x, y), z)
    dq, dz = mul.backward(1.0)
    dx, dy = add.backward(dq)
    return {"df": 1.0, "dq": dq, "dz": dz, "dx": dx, "dy": dy}
'''),
    Variant(A01, "numpy arrays everywhere (np.multiply, np.add, ones_like)", '''
import numpy as np

def apple_graph_forward(apple, apple_num, tax):
    apple_price = np.multiply(apple, apple_num)
    return {"apple_price": apple_price, "price": np.multiply(apple_price, tax)}

def apple_graph_backward(apple, apple_num, tax):
    apple_price = np.multiply(apple, apple_num)
    dprice = np.ones_like(np.asarray(apple_price, dtype=float))
    dapple_price = np.multiply(dprice, tax)
    return {"dprice": dprice, "dapple_price": dapple_price, "dtax": np.multiply(dprice, apple_price),
            "dapple": np.multiply(dapple_price, apple_num), "dapple_num": np.multiply(dapple_price, apple)}

def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    a, o = np.multiply(apple, apple_num), np.multiply(orange, orange_num)
    s = np.add(a, o)
    return {"apple_price": a, "orange_price": o, "all_price": s, "price": np.multiply(s, tax)}

def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    v = apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax)
    one = np.ones_like(np.asarray(v["price"], dtype=float))
    d_all = one * tax
    out = {"dprice": one, "dall_price": d_all, "dtax": one * v["all_price"]}
    out["dapple_price"] = out["dorange_price"] = d_all
    out.update(dapple=d_all * apple_num, dapple_num=d_all * apple, dorange=d_all * orange_num,
               dorange_num=d_all * orange)
    return out

def xyz_forward(x, y, z):
    q = np.add(x, y)
    return {"q": q, "f": np.multiply(q, z)}

def xyz_backward(x, y, z):
    q = np.add(x, y)
    df = np.ones_like(np.asarray(q, dtype=float))
    dq = df * z
    return {"df": df, "dq": dq, "dz": df * q, "dx": dq.copy(), "dy": dq.copy()}
'''),
    Variant(A01, "local derivatives written out, then the chain rule; extra keys in the dicts", '''
def apple_graph_forward(apple, apple_num, tax):
    apple_price = apple * apple_num
    price = tax * apple_price
    return {"apple": apple, "apple_num": apple_num, "tax": tax, "apple_price": apple_price, "price": price}

def apple_graph_backward(apple, apple_num, tax):
    v = apple_graph_forward(apple, apple_num, tax)
    local = {"price/apple_price": tax, "price/tax": v["apple_price"],
             "apple_price/apple": apple_num, "apple_price/apple_num": apple}
    g = {"dprice": 1.0}
    g["dapple_price"] = g["dprice"] * local["price/apple_price"]
    g["dtax"] = g["dprice"] * local["price/tax"]
    g["dapple"] = g["dapple_price"] * local["apple_price/apple"]
    g["dapple_num"] = g["dapple_price"] * local["apple_price/apple_num"]
    g["note"] = "chain rule"
    return g

def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    orange_price = orange_num * orange
    apple_price = apple_num * apple
    all_price = orange_price + apple_price
    return {"orange_price": orange_price, "apple_price": apple_price, "all_price": all_price,
            "price": tax * all_price, "dummy": 0}

def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    v = apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax)
    g = {"dprice": 1.0}
    g["dtax"] = g["dprice"] * v["all_price"]
    g["dall_price"] = g["dprice"] * tax
    for fruit in ("apple", "orange"):
        g[f"d{fruit}_price"] = g["dall_price"]
    g["dorange_num"] = g["dorange_price"] * orange
    g["dorange"] = g["dorange_price"] * orange_num
    g["dapple_num"] = g["dapple_price"] * apple
    g["dapple"] = g["dapple_price"] * apple_num
    return g

def xyz_forward(x, y, z):
    return {"f": z * (x + y), "q": y + x}

def xyz_backward(x, y, z):
    q = xyz_forward(x, y, z)["q"]
    df = 1
    dq, dz = df * z, df * q
    return {"dx": dq, "dy": dq, "dz": dz, "dq": dq, "df": df}
'''),

    # --- 02 simple layers ------------------------------------------------------------------------
    Variant(A02, "MulLayer caching a tuple, returning a list", '''
class MulLayer:
    def __init__(self):
        self.cache = None
    def forward(self, x, y):
        self.cache = (x, y)
        return x * y
    def backward(self, dout):
        x, y = self.cache
        return [dout * y, dout * x]
'''),
    Variant(A02, "MulLayer with np.multiply", '''
import numpy as np
class MulLayer:
    def __init__(self):
        self.x = self.y = None
    def forward(self, x, y):
        self.x, self.y = x, y
        return np.multiply(x, y)
    def backward(self, dout):
        return np.multiply(dout, self.y), np.multiply(dout, self.x)
'''),
    Variant(A02, "AddLayer returning copies of dout", '''
import copy
class AddLayer:
    def forward(self, x, y):
        return x + y
    def backward(self, dout):
        return copy.copy(dout), copy.copy(dout)
'''),
    Variant(A02, "float32 inputs kept as float32 (MulLayer casting)", '''
import numpy as np
class MulLayer:
    def __init__(self):
        self.x = self.y = None
    def forward(self, x, y):
        self.x, self.y = np.float32(x) if np.ndim(x) == 0 and not isinstance(x, int) else x, y
        return self.x * y
    def backward(self, dout):
        return dout * self.y, dout * self.x
'''),
    Variant(A02, "AddLayer with np.add and ones_like, storing the shapes", '''
import numpy as np
class AddLayer:
    def __init__(self):
        self.shape = None
    def forward(self, x, y):
        self.shape = np.shape(x)
        return np.add(x, y)
    def backward(self, dout):
        one = np.ones_like(dout)
        return dout * one, one * dout
'''),
    Variant(A02, "AddLayer returning a list [dout, dout]", '''
class AddLayer:
    def forward(self, x, y):
        self.out = x + y
        return self.out
    def backward(self, dout):
        return [dout, dout]
'''),
    Variant(A02, "shopping graphs with the layers in a list, walked with reversed()", '''
def buy_apples(apple, apple_num, tax):
    layers = [MulLayer(), MulLayer()]
    price = layers[0].forward(apple, apple_num)
    price = layers[1].forward(price, tax)
    grads = []
    d = 1.0
    for layer in reversed(layers):
        d, other = layer.backward(d)
        grads.append(other)
    dtax, dapple_num = grads
    return price, d, dapple_num, dtax

def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
    layers = {"apple": MulLayer(), "orange": MulLayer(), "add": AddLayer(), "tax": MulLayer()}
    a = layers["apple"].forward(apple, apple_num)
    o = layers["orange"].forward(orange, orange_num)
    price = layers["tax"].forward(layers["add"].forward(a, o), tax)
    d_all, dtax = layers["tax"].backward(1)
    d_a, d_o = layers["add"].backward(d_all)
    dapple, dapple_num = layers["apple"].backward(d_a)
    dorange, dorange_num = layers["orange"].backward(d_o)
    return price, dapple, dapple_num, dorange, dorange_num, dtax
'''),
    Variant(A02, "shopping graphs by the chain rule without layers, returning a list", '''
def buy_apples(apple, apple_num, tax):
    return [apple * apple_num * tax, tax * apple_num, tax * apple, apple * apple_num]

def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
    before_tax = apple * apple_num + orange * orange_num
    return [before_tax * tax, tax * apple_num, tax * apple, tax * orange_num, tax * orange, before_tax]
'''),
    Variant(A02, "shopping graphs returning numpy float64 values", '''
import numpy as np

def buy_apples(apple, apple_num, tax):
    m1, m2 = MulLayer(), MulLayer()
    price = m2.forward(m1.forward(np.float64(apple), np.float64(apple_num)), np.float64(tax))
    d_ap, dtax = m2.backward(np.float64(1))
    dapple, dapple_num = m1.backward(d_ap)
    return price, dapple, dapple_num, dtax

def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
    x = np.array([apple, orange], dtype=np.float64)
    n = np.array([apple_num, orange_num], dtype=np.float64)
    before_tax = np.sum(x * n)
    d_fruit = np.float64(tax) * np.ones(2)
    dx, dn = d_fruit * n, d_fruit * x
    return before_tax * tax, dx[0], dn[0], dx[1], dn[1], before_tax
'''),

    # --- 03 activation layers --------------------------------------------------------------------
    Variant(A03, "the book's Relu: backward writes into dout", '''
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
        dx = dout
        return dx
'''),
    Variant(A03, "Relu with np.maximum and a multiplicative mask", '''
import numpy as np
class Relu:
    def __init__(self):
        self.mask = None
    def forward(self, x):
        self.mask = (x > 0)
        return np.maximum(0, x)
    def backward(self, dout):
        return dout * self.mask
'''),
    Variant(A03, "Relu with np.where, caching x instead of a mask", '''
import numpy as np
class Relu:
    def __init__(self):
        self.x = None
    def forward(self, x):
        self.x = x.copy()
        return np.where(x > 0, x, 0.0)
    def backward(self, dout):
        return np.where(self.x > 0, dout, 0.0)
'''),
    Variant(A03, "Relu with a float mask, x * (x > 0)", '''
class Relu:
    def __init__(self):
        self.gate = None
    def forward(self, x):
        self.gate = (x > 0).astype(float)
        return x * self.gate
    def backward(self, dout):
        return dout * self.gate
'''),
    Variant(A03, "Relu with np.clip and np.heaviside", '''
import numpy as np
class Relu:
    def forward(self, x):
        self.step = np.heaviside(x, 0.0)
        return np.clip(x, 0, None)
    def backward(self, dout):
        return self.step * dout
'''),
    Variant(A03, "the book's Sigmoid with np.exp (warns on overflow, still right)", '''
import numpy as np
class Sigmoid:
    def __init__(self):
        self.out = None
    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out
    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx
'''),
    Variant(A03, "Sigmoid caching x and recomputing in backward", '''
import numpy as np
class Sigmoid:
    def __init__(self):
        self.x = None
    @staticmethod
    def _s(x):
        return 1.0 / (1.0 + np.exp(-x))
    def forward(self, x):
        self.x = x.copy()
        return self._s(x)
    def backward(self, dout):
        s = self._s(self.x)
        return dout * s * (1 - s)
'''),
    Variant(A03, "Sigmoid via tanh, backward as dout*y - dout*y**2", '''
import numpy as np
class Sigmoid:
    def forward(self, x):
        self.y = 0.5 * (1.0 + np.tanh(0.5 * x))
        return self.y
    def backward(self, dout):
        return dout * self.y - dout * self.y ** 2
'''),
    Variant(A03, "overflow-free Sigmoid with np.where on the sign of x", '''
import numpy as np
class Sigmoid:
    def __init__(self):
        self.out = None
    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self.out
    def backward(self, dout):
        y = self.out
        return dout * y * (1.0 - y)
'''),
    Variant(A03, "Sigmoid with np.reciprocal and out= buffers", '''
import numpy as np
class Sigmoid:
    def forward(self, x):
        buf = np.negative(x)
        np.exp(buf, out=buf)
        buf += 1.0
        self.out = np.reciprocal(buf)
        return self.out
    def backward(self, dout):
        return np.multiply(dout, self.out * (1.0 - self.out))
'''),
]

VARIANTS += [
    # --- 04 Affine, softmax, cross entropy, SoftmaxWithLoss --------------------------------------
    Variant(A04, "Affine with einsum; softmax via log-sum-exp; cross entropy with take_along_axis", '''
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.shape = self.dW = self.db = None
    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(len(x), -1)
        return np.einsum("nd,dm->nm", self.x, self.W) + self.b
    def backward(self, dout):
        self.dW = np.einsum("nd,nm->dm", self.x, dout)
        self.db = np.einsum("nm->m", dout)
        return np.einsum("nm,dm->nd", dout, self.W).reshape(self.shape)

def softmax(x):
    m = x.max(axis=-1, keepdims=True)
    log_z = m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
    return np.exp(x - log_z)

def cross_entropy_error(y, t):
    y2 = np.atleast_2d(y)
    t2 = np.asarray(t)
    if t2.size == y2.size:
        idx = t2.reshape(y2.shape).argmax(axis=1)
    else:
        idx = t2.reshape(-1).astype(np.intp)
    p = np.take_along_axis(y2, idx[:, None], axis=1)
    return float(-np.mean(np.log(p + 1e-7)))
'''),
    Variant(A04, "Affine with tensordot over the trailing axes (keeps x as it came)", '''
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
    def forward(self, x):
        self.x = x  # unflattened; the trailing axes together are D
        axes = tuple(range(1, x.ndim))
        self.Wr = self.W.reshape(*x.shape[1:], -1)
        return np.tensordot(x, self.Wr, axes=(axes, tuple(range(len(axes))))) + self.b
    def backward(self, dout):
        self.dW = np.tensordot(self.x, dout, axes=([0], [0])).reshape(self.W.shape)
        self.db = dout.sum(0)
        return np.tensordot(dout, self.Wr, axes=([1], [self.Wr.ndim - 1]))
'''),
    Variant(A04, "the book's style: Affine keeps x.shape, softmax transposes, one-hot-only backward", '''
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None
    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out
    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        dx = dx.reshape(*self.original_x_shape)
        return dx

def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
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
        dx = (self.y - self.t) / batch_size
        return dx
'''),
    Variant(A04, "matmul operator; softmax with a 1-D branch; labels made one-hot with np.eye", '''
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        self.in_shape = x.shape
        self.x = x.reshape(x.shape[0], np.prod(x.shape[1:], dtype=int))
        return self.x @ self.W + self.b
    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.in_shape)

def softmax(x):
    if x.ndim == 1:
        z = np.exp(x - x.max())
        return z / z.sum()
    z = np.exp(x - x.max(axis=1)[:, np.newaxis])
    return z / z.sum(axis=1)[:, np.newaxis]

def _as_one_hot(t, shape):
    t = np.asarray(t)
    if t.size == int(np.prod(shape)):
        return t.reshape(shape).astype(float)
    return np.eye(shape[-1])[t.reshape(-1).astype(int)]

def cross_entropy_error(y, t):
    y2 = y.reshape(1, -1) if y.ndim == 1 else y
    t2 = _as_one_hot(t, y2.shape)
    return -np.sum(t2 * np.log(y2 + 1e-7)) / y2.shape[0]

class SoftmaxWithLoss:
    def forward(self, x, t):
        self.y = softmax(x)
        self.t = _as_one_hot(t, self.y.shape)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss
    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.y.shape[0]
'''),
    Variant(A04, "float32 in, float64 out: inputs upcast with np.asarray; divide by len(x)", '''
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W, self.b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.shape = x.shape
        self.x = np.reshape(x, (x.shape[0], -1))
        return np.matmul(self.x, self.W) + self.b[np.newaxis, :]
    def backward(self, dout):
        dout = np.asarray(dout, dtype=np.float64)
        self.dW = np.matmul(self.x.T, dout)
        self.db = np.ones(len(dout)) @ dout
        return np.reshape(np.matmul(dout, self.W.T), self.shape)

def softmax(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.amax(x, axis=x.ndim - 1, keepdims=True))
    return e / e.sum(axis=x.ndim - 1, keepdims=True)

def cross_entropy_error(y, t):
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[np.newaxis]
        t = np.reshape(t, (1, -1))
    labels = np.argmax(t, axis=1) if np.ndim(t) == 2 else np.asarray(t, dtype=np.int64)
    rows = range(len(y))
    return -sum(np.log(y[r, labels[r]] + 1e-7) for r in rows) / len(y)

class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = None
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x)
        return cross_entropy_error(self.y, self.t)
    def backward(self, dout=1):
        n = len(self.y)
        grad = self.y.copy()
        if self.t.ndim == 1:
            grad[np.arange(n), self.t.astype(np.int64)] -= 1.0
        else:
            grad -= self.t
        return grad * (dout / n)
'''),

    # --- 05 numerical gradient, TwoLayerNet, gradient check --------------------------------------
    Variant(A05, "numerical_gradient with np.ndindex and try/finally; TwoLayerNet walking a reversed list", '''
import numpy as np
from collections import OrderedDict

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        keep = float(x[idx])
        try:
            x[idx] = keep + h
            up = f(x)
            x[idx] = keep - h
            down = f(x)
        finally:
            x[idx] = keep
        grad[idx] = (up - down) / (2 * h)
    return grad

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for name in self.layers:
            x = self.layers[name].forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = self.predict(x).argmax(axis=1)
        labels = t if t.ndim == 1 else t.argmax(axis=1)
        return float(np.mean(y == labels))

    def numerical_gradient(self, x, t):
        def loss_W(_):
            return self.loss(x, t)
        return {k: numerical_gradient(loss_W, self.params[k]) for k in ("W1", "b1", "W2", "b2")}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward()
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        a1, a2 = self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}
'''),
    Variant(A05, "numerical_gradient over a flat view; plain dict of layers; reversed(dict values)", '''
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    flat = x.reshape(-1)  # a view of the (contiguous) parameter: writing into it nudges x itself
    grad = np.empty(flat.shape, dtype=float)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        f_plus = f(x)
        flat[k] = old - h
        f_minus = f(x)
        flat[k] = old
        grad[k] = (f_plus - f_minus) / (h + h)
    return grad.reshape(x.shape)

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        p = self.params = {}
        p["W1"] = np.random.normal(0.0, weight_init_std, (input_size, hidden_size))
        p["b1"] = np.zeros(hidden_size)
        p["W2"] = np.random.normal(0.0, weight_init_std, (hidden_size, output_size))
        p["b2"] = np.zeros(output_size)
        self.layers = {"Affine1": Affine(p["W1"], p["b1"]), "Relu1": Relu(), "Affine2": Affine(p["W2"], p["b2"])}
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        out = x
        for layer in self.layers.values():
            out = layer.forward(out)
        return out

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        if t.ndim == 2:
            t = t.argmax(1)
        hits = np.count_nonzero(self.predict(x).argmax(1) == t)
        return hits / len(x)

    def numerical_gradient(self, x, t):
        grads = {}
        for key, value in self.params.items():
            grads[key] = numerical_gradient(lambda _w: self.loss(x, t), value)
        return grads

    def gradient(self, x, t):
        self.loss(x, t)
        g = self.lastLayer.backward(1)
        for layer in reversed(self.layers.values()):
            g = layer.backward(g)
        grads = {}
        for n, (w, b) in ((1, ("W1", "b1")), (2, ("W2", "b2"))):
            layer = self.layers[f"Affine{n}"]
            grads[w], grads[b] = layer.dW, layer.db
        return grads
'''),
    Variant(A05, "numerical_gradient with unravel_index; TwoLayerNet with its own (sharing) layer list", '''
import numpy as np
from collections import OrderedDict

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros(x.shape)
    for i in range(x.size):
        idx = np.unravel_index(i, x.shape)
        saved = x[idx].copy()
        x[idx] = saved + h
        a = f(x)
        x[idx] = saved - h
        b = f(x)
        x[idx] = saved
        grad[idx] = (a - b) / (2.0 * h)
    return grad

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        rng = np.random
        self.params = dict(W1=rng.randn(input_size, hidden_size) * weight_init_std, b1=np.zeros(hidden_size),
                           W2=rng.randn(hidden_size, output_size) * weight_init_std, b2=np.zeros(output_size))
        self.layers = OrderedDict([("Affine1", Affine(self.params["W1"], self.params["b1"])),
                                   ("Relu1", Relu()),
                                   ("Affine2", Affine(self.params["W2"], self.params["b2"]))])
        self.lastLayer = SoftmaxWithLoss()
        self._backward_order = [self.layers[k] for k in ("Affine2", "Relu1", "Affine1")]

    def predict(self, x):
        h = self.layers["Relu1"].forward(self.layers["Affine1"].forward(x))
        return self.layers["Affine2"].forward(h)

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        pred = np.argmax(self.predict(x), axis=-1)
        truth = np.argmax(t, axis=-1) if np.ndim(t) > 1 else t
        return np.sum(pred == truth) / pred.shape[0]

    def numerical_gradient(self, x, t):
        f = lambda W: self.loss(x, t)  # noqa: E731
        return {key: numerical_gradient(f, self.params[key]) for key in ["W1", "b1", "W2", "b2"]}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(dout=1)
        for layer in self._backward_order:
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW.copy(), "b1": self.layers["Affine1"].db.copy(),
                "W2": self.layers["Affine2"].dW.copy(), "b2": self.layers["Affine2"].db.copy()}
'''),
    Variant(A05, "gradient_check styles: np.average of np.abs, rel_error from bp_checks", '''
import numpy as np
from bp_checks import rel_error

def gradient_check(network, x, t):
    numerical = network.numerical_gradient(x, t)
    backprop = network.gradient(x, t)
    result = {}
    for key in ("W1", "b1", "W2", "b2"):
        result[key] = np.average(np.abs(backprop[key] - numerical[key]))
        print(key, "mean abs difference:", result[key], "relative error:", rel_error(backprop[key], numerical[key]))
    return result
'''),
    Variant(A05, "gradient_check computing the mean by hand, backprop first", '''
import numpy as np

def gradient_check(network, x, t):
    grad_backprop = network.gradient(x, t)
    grad_numerical = network.numerical_gradient(x, t)
    diffs = {}
    for key, analytic in grad_backprop.items():
        gap = np.abs(analytic - grad_numerical[key])
        diffs[key] = float(gap.sum() / gap.size)
        print(f"{key}: {diffs[key]:.3e}")
    return diffs
'''),
    Variant(A05, "gradient_check as a dict comprehension, no printing of the relative error", '''
import numpy as np

def gradient_check(network, x, t):
    num = network.numerical_gradient(x, t)
    bp = network.gradient(x, t)
    diffs = {k: np.mean(np.abs(bp[k] - num[k])) for k in num}
    for k, v in diffs.items():
        print(k + ":", v)
    return diffs
'''),
    Variant(A04, "SoftmaxWithLoss keeping class indices; gradient with put_along_axis", '''
import numpy as np

class SoftmaxWithLoss:
    def __init__(self):
        self.loss = self.y = self.labels = None

    def forward(self, x, t):
        self.y = softmax(x)
        self.labels = t.argmax(axis=1) if t.ndim == 2 else t.astype(np.intp)
        n = self.y.shape[0]
        self.loss = -np.log(self.y[np.arange(n), self.labels] + 1e-7).sum() / n
        return self.loss

    def backward(self, dout=1):
        grad = self.y.copy()
        picked = np.take_along_axis(grad, self.labels[:, None], axis=1)
        np.put_along_axis(grad, self.labels[:, None], picked - 1, axis=1)
        return dout * grad / grad.shape[0]
'''),
    Variant(A05, "numerical_gradient through x.flat; TwoLayerNet built in a loop", '''
import numpy as np
from collections import OrderedDict

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        v = x.flat[i]
        x.flat[i] = v + h
        right = f(x)
        x.flat[i] = v - h
        left = f(x)
        x.flat[i] = v
        grad.flat[i] = (right - left) / (2 * h)
    return grad

class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        sizes = [input_size, hidden_size, output_size]
        self.params = {}
        self.layers = OrderedDict()
        for n in (1, 2):
            self.params[f"W{n}"] = weight_init_std * np.random.randn(sizes[n - 1], sizes[n])
            self.params[f"b{n}"] = np.zeros(sizes[n])
            self.layers[f"Affine{n}"] = Affine(self.params[f"W{n}"], self.params[f"b{n}"])
            if n == 1:
                self.layers["Relu1"] = Relu()
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        guess = self.predict(x).argmax(axis=1)
        if t.ndim > 1:
            t = t.argmax(axis=1)
        return (guess == t).mean()

    def numerical_gradient(self, x, t):
        return {k: numerical_gradient(lambda p: self.loss(x, t), v) for k, v in self.params.items()}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1.0)
        for name in reversed(list(self.layers)):
            dout = self.layers[name].backward(dout)
        return {f"{p}{n}": getattr(self.layers[f"Affine{n}"], f"d{p}") for n in (1, 2) for p in ("W", "b")}
'''),

    # --- 06 training -----------------------------------------------------------------------------
    Variant(A06, "sgd_update with np.subtract(out=); the book's loop computing the loss after the update", '''
import numpy as np

def sgd_update(params, grads, learning_rate):
    for key, grad in grads.items():
        np.subtract(params[key], learning_rate * grad, out=params[key])

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    rng = np.random.default_rng(seed)
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size // batch_size, 1)
    train_loss_list = []
    train_acc_list = []
    test_acc_list = []
    for i in range(iters_num):
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
            if progress:
                print("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))
    return {"train_loss_list": train_loss_list, "train_acc_list": train_acc_list, "test_acc_list": test_acc_list}
'''),
    Variant(A06, "sgd_update writing through [...]; a while loop with rng.integers and a tqdm bar", '''
import numpy as np
from tqdm import tqdm

def sgd_update(params, grads, learning_rate):
    for key in list(params.keys()):
        params[key][...] = params[key] - learning_rate * grads[key]

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    rng = np.random.default_rng(seed)
    n = len(x_train)
    per_epoch = max(n // batch_size, 1)
    history = {"train_loss_list": [], "train_acc_list": [], "test_acc_list": []}
    bar = tqdm(total=iters_num, disable=not progress)
    step = 0
    while step < iters_num:
        rows = rng.integers(0, n, batch_size)  # what rng.choice(n, batch_size) draws
        grads = network.gradient(x_train[rows], t_train[rows])
        history["train_loss_list"].append(network.lastLayer.loss)
        sgd_update(network.params, grads, learning_rate)
        if step % per_epoch == 0:
            history["train_acc_list"].append(network.accuracy(x_train, t_train))
            history["test_acc_list"].append(network.accuracy(x_test, t_test))
        step += 1
        bar.update(1)
    bar.close()
    return history
'''),
    Variant(A06, "sgd_update on each array object; epochs counted with divmod", '''
import numpy as np

def sgd_update(params, grads, learning_rate):
    for key, array in params.items():
        step = learning_rate * grads[key]
        array -= step

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    generator = np.random.default_rng(seed)
    iter_per_epoch = max(x_train.shape[0] // batch_size, 1)
    losses, train_acc, test_acc = [], [], []
    for i in range(iters_num):
        idx = generator.choice(x_train.shape[0], batch_size)
        xb, tb = x_train[idx], t_train[idx]
        g = network.gradient(xb, tb)
        losses.append(float(network.lastLayer.loss))
        sgd_update(network.params, g, learning_rate)
        _, rest = divmod(i, iter_per_epoch)
        if rest == 0:
            train_acc.append(float(network.accuracy(x_train, t_train)))
            test_acc.append(float(network.accuracy(x_test, t_test)))
    return dict(train_loss_list=losses, train_acc_list=train_acc, test_acc_list=test_acc)
'''),
    Variant(A06, "sgd_update adding minus the step, cast to the parameter dtype; continue on off-epoch steps", '''
import numpy as np

def sgd_update(params, grads, learning_rate):
    for key in grads:
        p = params[key]
        p += -learning_rate * np.asarray(grads[key], dtype=p.dtype)

def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    rng = np.random.default_rng(seed)
    train_size = len(x_train)
    iter_per_epoch = max(train_size // batch_size, 1)
    out = {name: [] for name in ("train_loss_list", "train_acc_list", "test_acc_list")}
    for i in range(iters_num):
        batch = rng.choice(train_size, batch_size)
        grads = network.gradient(x_train[batch], t_train[batch])
        out["train_loss_list"].append(network.lastLayer.loss)
        sgd_update(network.params, grads, learning_rate)
        if i % iter_per_epoch:
            continue
        for name, x, t in (("train_acc_list", x_train, t_train), ("test_acc_list", x_test, t_test)):
            out[name].append(network.accuracy(x, t))
    return out
'''),

    # --- more styles for 02 and 05 ---------------------------------------------------------------
    Variant(A02, "layers caching in a dict; a generic graph walk for both shopping functions", '''
import operator

class MulLayer:
    def __init__(self):
        self.cache = {}
    def forward(self, x, y):
        self.cache = {"x": x, "y": y}
        return operator.mul(x, y)
    def backward(self, dout):
        return tuple((operator.mul(dout, self.cache["y"]), operator.mul(dout, self.cache["x"])))

class AddLayer:
    def forward(self, x, y):
        return operator.add(x, y)
    def backward(self, dout):
        return tuple([dout] * 2)

def _run(nodes, values, output):
    # nodes: (layer, input names, output name) in forward order
    for layer, (a, b), out in nodes:
        values[out] = layer.forward(values[a], values[b])
    grads = {output: 1.0}
    for layer, (a, b), out in reversed(nodes):
        da, db = layer.backward(grads[out])
        grads[a], grads[b] = da, db
    return values[output], grads

def buy_apples(apple, apple_num, tax):
    nodes = [(MulLayer(), ("apple", "apple_num"), "apple_price"), (MulLayer(), ("apple_price", "tax"), "price")]
    price, g = _run(nodes, {"apple": apple, "apple_num": apple_num, "tax": tax}, "price")
    return price, g["apple"], g["apple_num"], g["tax"]

def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
    nodes = [(MulLayer(), ("apple", "apple_num"), "apple_price"),
             (MulLayer(), ("orange", "orange_num"), "orange_price"),
             (AddLayer(), ("apple_price", "orange_price"), "all_price"),
             (MulLayer(), ("all_price", "tax"), "price")]
    values = {"apple": apple, "apple_num": apple_num, "orange": orange, "orange_num": orange_num, "tax": tax}
    price, g = _run(nodes, values, "price")
    return price, g["apple"], g["apple_num"], g["orange"], g["orange_num"], g["tax"]
'''),
    Variant(A05, "gradient_check over network.params with .mean() on the absolute differences", '''
import numpy as np

def gradient_check(network, x, t):
    numerical = network.numerical_gradient(x, t)
    analytic = network.gradient(x, t)
    report = {}
    for key in network.params:
        diff = np.abs(analytic[key] - numerical[key])
        report[key] = diff.mean()
        scale = np.maximum(1e-8, np.abs(analytic[key]) + np.abs(numerical[key]))
        print(key, f"{report[key]:.2e}", f"{(diff / scale).max():.2e}")
    return report
'''),
]

# the book's repository layout (its layers calling module-level helpers) and the seed student's code,
# typed into the answer cells as students type them, in every notebook (book_styles.py)
VARIANTS += STYLES
