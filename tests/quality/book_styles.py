"""The book's code and the seed student's code, typed into the notebooks as students type them.

README promises full marks for "the book's correct code". Here that means the layout of the book's public
repository (Deep Learning from Scratch, oreilly-japan/deep-learning-from-scratch): the layers of
``common/layers.py`` call module-level functions of ``common/functions.py`` (``Sigmoid.forward`` does
``out = sigmoid(x)``, ``SoftmaxWithLoss`` calls ``softmax`` and ``cross_entropy_error``), and
``TwoLayerNet.numerical_gradient`` calls the module-level ``numerical_gradient(f, x)`` of
``common/gradient.py`` (the ``np.nditer`` loop). A student pastes those helpers into the answer cell
that uses them, or into an extra cell above it; both are here, for every notebook. The seed student's
style (``/work/shared/seed``: two-space indents, the chapter-5 ``Affine`` as printed, one-hot-only
``SoftmaxWithLoss.backward``, ``np.random.choice`` for the mini-batches, the update written in the loop)
is here too. All of it is written for this course in those styles, not copied.

The one stated exception: the printed chapter-5 ``Affine`` does not flatten an N-D input, so it loses the
N-D cell of assignment 4 (``affine_nd_input``, whose visible check ``affine_nd_visible`` fails too), and
nothing else: that style's ``excused`` names those two cells.
"""

import ast

from .harness import Variant

A01, A02, A03 = "01_computational_graphs", "02_simple_layers", "03_activation_layers"
A04, A05, A06 = "04_affine_softmax", "05_full_backprop", "06_training_mnist"

# ---------------------------------------------------------------------------------------------------------------
# The book's repository files, in a student's paste.

# common/functions.py: the helpers the layers call
FUNCTIONS = '''
import numpy as np


def identity_function(x):
    return x


def step_function(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)   # guard against overflow
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

    # one-hot labels: turn them into the index of the right class
    if t.size == y.size:
        t = t.argmax(axis=1)

    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
'''

# common/gradient.py: the central difference over every element, with np.nditer
GRADIENT = '''
def numerical_gradient(f, x):
    h = 1e-4  # 0.0001
    grad = np.zeros_like(x)

    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)  # f(x+h)

        x[idx] = tmp_val - h
        fxh2 = f(x)  # f(x-h)
        grad[idx] = (fxh1 - fxh2) / (2*h)

        x[idx] = tmp_val  # put the value back
        it.iternext()

    return grad
'''

RELU = '''
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = relu(x)
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout

        return dx
'''

SIGMOID = '''
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out

        return dx
'''

# common/layers.py's Affine: flattens an N-D input (tensors) and gives dx back in its shape
AFFINE = '''
class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

        self.x = None
        self.original_x_shape = None
        # gradients of the weight and the bias
        self.dW = None
        self.db = None

    def forward(self, x):
        # tensors too
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x

        out = np.dot(self.x, self.W) + self.b

        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)

        dx = dx.reshape(*self.original_x_shape)  # back to the input's shape (tensors)
        return dx
'''

SOFTMAX_WITH_LOSS = '''
class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # output of softmax
        self.t = None  # labels

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)

        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # one-hot labels
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size

        return dx
'''

LAYERS = "\n".join([RELU, SIGMOID, AFFINE, SOFTMAX_WITH_LOSS])

# ch05/two_layer_net.py
TWO_LAYER_NET = '''
import numpy as np
from collections import OrderedDict


class TwoLayerNet:

    def __init__(self, input_size, hidden_size, output_size, weight_init_std = 0.01):
        # the weights
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

        # the layers
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])

        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)

        return x

    # x: input data, t: labels
    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1 : t = np.argmax(t, axis=1)

        accuracy = np.sum(y == t) / float(x.shape[0])
        return accuracy

    # x: input data, t: labels
    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)

        grads = {}
        grads['W1'] = numerical_gradient(loss_W, self.params['W1'])
        grads['b1'] = numerical_gradient(loss_W, self.params['b1'])
        grads['W2'] = numerical_gradient(loss_W, self.params['W2'])
        grads['b2'] = numerical_gradient(loss_W, self.params['b2'])

        return grads

    def gradient(self, x, t):
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.lastLayer.backward(dout)

        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        # collect the gradients
        grads = {}
        grads['W1'], grads['b1'] = self.layers['Affine1'].dW, self.layers['Affine1'].db
        grads['W2'], grads['b2'] = self.layers['Affine2'].dW, self.layers['Affine2'].db

        return grads
'''

# ch05/gradient_check.py, written as the function the notebook asks for
GRADIENT_CHECK = '''
def gradient_check(network, x, t):
    grad_numerical = network.numerical_gradient(x, t)
    grad_backprop = network.gradient(x, t)

    # mean of the absolute differences, parameter by parameter
    diffs = {}
    for key in grad_numerical.keys():
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        print(key + ":" + str(diff), rel_error(grad_backprop[key], grad_numerical[key]))
        diffs[key] = diff
    return diffs
'''

# ch05/layer_naive.py
LAYER_NAIVE = '''
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
        dx = dout * self.y  # the inputs swap places
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
'''

# ch05/buy_apple.py and buy_apple_orange.py, inside the functions of the notebooks
BUY_APPLES = '''
def buy_apples(apple, apple_num, tax):
    mul_apple_layer = MulLayer()
    mul_tax_layer = MulLayer()

    # forward
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)

    # backward
    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return price, dapple, dapple_num, dtax
'''

BUY_APPLES_ORANGES = '''
def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
    mul_apple_layer = MulLayer()
    mul_orange_layer = MulLayer()
    add_apple_orange_layer = AddLayer()
    mul_tax_layer = MulLayer()

    # forward
    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)

    # backward
    dprice = 1
    dall_price, dtax = mul_tax_layer.backward(dprice)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return price, dapple, dapple_num, dorange, dorange_num, dtax
'''

# assignment 1 with the book's layers (an extra cell above), as buy_apple.py walks them
GRAPHS_WITH_LAYERS = {
    "apple_graph_forward_solution": '''
def apple_graph_forward(apple, apple_num, tax):
    mul_apple_layer = MulLayer()
    mul_tax_layer = MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    return {"apple_price": apple_price, "price": price}
''',
    "apple_graph_backward_solution": '''
def apple_graph_backward(apple, apple_num, tax):
    mul_apple_layer = MulLayer()
    mul_tax_layer = MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    mul_tax_layer.forward(apple_price, tax)

    dprice = 1
    dapple_price, dtax = mul_tax_layer.backward(dprice)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return {"dprice": dprice, "dapple_price": dapple_price, "dtax": dtax,
            "dapple": dapple, "dapple_num": dapple_num}
''',
    "apple_orange_graph_forward_solution": '''
def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    mul_apple_layer = MulLayer()
    mul_orange_layer = MulLayer()
    add_apple_orange_layer = AddLayer()
    mul_tax_layer = MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)
    return {"apple_price": apple_price, "orange_price": orange_price, "all_price": all_price, "price": price}
''',
    "apple_orange_graph_backward_solution": '''
def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    mul_apple_layer = MulLayer()
    mul_orange_layer = MulLayer()
    add_apple_orange_layer = AddLayer()
    mul_tax_layer = MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    mul_tax_layer.forward(all_price, tax)

    dprice = 1
    dall_price, dtax = mul_tax_layer.backward(dprice)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return {"dprice": dprice, "dall_price": dall_price, "dtax": dtax,
            "dapple_price": dapple_price, "dorange_price": dorange_price,
            "dapple": dapple, "dapple_num": dapple_num, "dorange": dorange, "dorange_num": dorange_num}
''',
    "fanout_solution": '''
def fanout_forward(apple_price, orange_price, tax):
    mul_apple_tax_layer = MulLayer()
    mul_orange_tax_layer = MulLayer()
    add_layer = AddLayer()
    apple_taxed = mul_apple_tax_layer.forward(apple_price, tax)
    orange_taxed = mul_orange_tax_layer.forward(orange_price, tax)
    price = add_layer.forward(apple_taxed, orange_taxed)
    return {"apple_taxed": apple_taxed, "orange_taxed": orange_taxed, "price": price}


def fanout_backward(apple_price, orange_price, tax):
    mul_apple_tax_layer = MulLayer()
    mul_orange_tax_layer = MulLayer()
    add_layer = AddLayer()
    apple_taxed = mul_apple_tax_layer.forward(apple_price, tax)
    orange_taxed = mul_orange_tax_layer.forward(orange_price, tax)
    add_layer.forward(apple_taxed, orange_taxed)

    dprice = 1
    dapple_taxed, dorange_taxed = add_layer.backward(dprice)
    dapple_price, dtax1 = mul_apple_tax_layer.backward(dapple_taxed)
    dorange_price, dtax2 = mul_orange_tax_layer.backward(dorange_taxed)
    dtax = dtax1 + dtax2  # tax goes into two nodes: add what comes back from both
    return {"dprice": dprice, "dapple_taxed": dapple_taxed, "dorange_taxed": dorange_taxed,
            "dapple_price": dapple_price, "dorange_price": dorange_price, "dtax": dtax}
''',
    "xyz_solution": '''
def xyz_forward(x, y, z):
    add_layer = AddLayer()
    mul_layer = MulLayer()
    q = add_layer.forward(x, y)
    f = mul_layer.forward(q, z)
    return {"q": q, "f": f}


def xyz_backward(x, y, z):
    add_layer = AddLayer()
    mul_layer = MulLayer()
    q = add_layer.forward(x, y)
    mul_layer.forward(q, z)

    df = 1
    dq, dz = mul_layer.backward(df)
    dx, dy = add_layer.backward(dq)
    return {"df": df, "dq": dq, "dz": dz, "dx": dx, "dy": dy}
''',
}

# ---------------------------------------------------------------------------------------------------------------
# The seed student's style: two-space indents, a space before the colon, the code of the printed chapter 5.

SEED_LAYER_NAIVE = '''
# multiplication layer
class MulLayer :
  def __init__ (self) :
    # the inputs of forward, kept for backward
    self.x = None
    self.y = None

  def forward(self, x, y) :
    self.x = x
    self.y = y
    out = x * y

    return out

  def backward(self, dout) :
    dx = dout * self.y # swap x and y
    dy = dout * self.x

    return dx, dy
'''

SEED_ADD_LAYER = '''
# addition layer
class AddLayer :
  def __init__(self) :
    pass

  def forward(self, x, y) :
    out = x+y
    return out

  def backward(self, dout) :
    dx = dout * 1
    dy = dout * 1
    return dx, dy
'''

SEED_RELU = '''
## the ReLU layer
class Relu :
  def __init__(self) :
    self.mask = None

  def forward(self, x) :
    self.mask = ( x <= 0)
    out = x.copy()
    out[self.mask] = 0
    return out

  def backward(self, dout) :
    dout[self.mask] = 0
    dx = dout
    return dx
'''

SEED_SIGMOID = '''
class Sigmoid :
  def __init__(self) :
    self.out = None

  def forward(self, x ) :
    out = 1 / (1+np.exp(-x))
    self.out = out # keep the output: backward needs it
    return out

  def backward(self, dout) :
    dx = dout * (1.0 - self.out) * self.out
    return dx
'''

# the Affine of the printed chapter 5: 2-D input only
SEED_AFFINE = '''
class Affine :
  def __init__(self, W, b) :
    self.W = W
    self.b = b
    self.x = None
    self.dW = None
    self.db = None

  def forward(self, x) :
    self.x = x
    # print(x)
    out = np.dot(x, self.W) + self.b

    return out

  def backward(self, dout) :
    # print(dout)
    dx = np.dot(dout, self.W.T)
    self.dW = np.dot(self.x.T, dout)
    self.db = np.sum(dout, axis = 0)

    return dx
'''

SEED_SOFTMAX = '''
def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T

    x = x - np.max(x) # against overflow
    return np.exp(x) / np.sum(np.exp(x))
'''

SEED_CROSS_ENTROPY = '''
def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

    # one-hot training labels: use the index of the right class
    if t.size == y.size:
        t = t.argmax(axis=1)

    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
'''

# backward for one-hot labels only (the notebook grades only that; index labels are an extension)
SEED_SOFTMAX_WITH_LOSS = '''
class SoftmaxWithLoss :
  def __init__(self):
    self.loss = None # the loss
    self.y = None # output of softmax
    self.t = None # labels (one-hot)

  def forward(self, x, t) :
    self.t = t
    self.y = softmax(x)
    self.loss = cross_entropy_error(self.y, self.t)
    return self.loss

  def backward(self, dout = 1):
    batch_size = self.t.shape[0]
    dx = (self.y - self.t) / batch_size # divided by the batch size: the error of one example
    return dx
'''

SEED_NUMERICAL_GRADIENT = '''
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4 # 0.0001
    grad = np.zeros_like(x)

    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x) # f(x+h)

        x[idx] = tmp_val - h
        fxh2 = f(x) # f(x-h)
        grad[idx] = (fxh1 - fxh2) / (2*h)

        x[idx] = tmp_val # restore it
        it.iternext()

    return grad
'''

SEED_TWO_LAYER_NET = '''
import numpy as np
from collections import OrderedDict # a dict that keeps the order

class TwoLayerNet :
  def __init__(self, input_size, hidden_size, output_size,
               weight_init_std = 0.01) :
    # the weights
    self.params = {}
    self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
    self.params['b1'] = np.zeros(hidden_size)
    self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
    self.params['b2'] = np.zeros(output_size)

    # the layers
    self.layers = OrderedDict()
    self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
    self.layers['Relu1'] = Relu()
    self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])

    self.lastLayer = SoftmaxWithLoss()

  def predict(self, x) :
    for layer in self.layers.values() :
      # print(layer)
      x = layer.forward(x)

    return x

  def loss(self, x, t) :
    y = self.predict(x)
    return self.lastLayer.forward(y, t)

  def accuracy(self, x, t) :
    y = self.predict(x)
    y = np.argmax(y, axis=1)
    if t.ndim != 1 : t = np.argmax(t, axis=1)

    accuracy = np.sum(y==t) / float(x.shape[0])
    return accuracy

  def numerical_gradient(self, x, t) :
    loss_W = lambda W : self.loss(x,t)

    grads = {}
    grads['W1'] = numerical_gradient(loss_W , self.params['W1'])
    grads['b1'] = numerical_gradient(loss_W , self.params['b1'])
    grads['W2'] = numerical_gradient(loss_W , self.params['W2'])
    grads['b2'] = numerical_gradient(loss_W , self.params['b2'])

    return grads

  def gradient(self, x, t) :
    # forward
    self.loss(x, t)

    # backward
    dout = 1
    dout = self.lastLayer.backward(dout)

    layers = list(self.layers.values()) # an OrderedDict: reversed, it is the order of the backward pass
    layers.reverse()
    for layer in layers :
      dout = layer.backward(dout)

    # the results
    grads = {}
    grads['W1'] = self.layers['Affine1'].dW
    grads['b1'] = self.layers['Affine1'].db
    grads['W2'] = self.layers['Affine2'].dW
    grads['b2'] = self.layers['Affine2'].db

    return grads
'''

SEED_GRADIENT_CHECK = '''
def gradient_check(network, x, t) :
  grad_numerical = network.numerical_gradient(x, t)
  grad_backprop = network.gradient(x, t)

  # the mean of the absolute differences of each weight
  result = {}
  for key in grad_numerical.keys() :
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
    result[key] = diff
  return result
'''

# the training loop of the book and the seed: batches from numpy's global generator, the update written
# out over the four keys, the loss after the update, the accuracies printed once per epoch
BOOK_SGD_UPDATE = '''
def sgd_update(params, grads, learning_rate):
    for key in ('W1', 'b1', 'W2', 'b2'):
        params[key] -= learning_rate * grads[key]
'''

TRAIN_HEAD = '''
def train(network, x_train, t_train, x_test, t_test, iters_num=10000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    rng = np.random.default_rng(seed)  # once, before the loop
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size // batch_size, 1)
    train_loss_list, train_acc_list, test_acc_list = [], [], []
    steps = tqdm(range(iters_num), desc="training", disable=not progress)
'''

TRAIN_TAIL = '''
    return {"train_loss_list": train_loss_list, "train_acc_list": train_acc_list, "test_acc_list": test_acc_list}
'''

BOOK_LOOP = '''
    for i in steps:
        # the mini-batch
        batch_mask = DRAW
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        # the gradient, by backpropagation
        grad = network.gradient(x_batch, t_batch)

        # the update
        for key in ('W1', 'b1', 'W2', 'b2'):
            network.params[key] -= learning_rate * grad[key]

        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(loss)

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print(train_acc, test_acc)
'''

SEED_LOOP = '''
    train_size = x_train.shape[0]
    iter_per_epoch = max(train_size/batch_size, 1) # steps per epoch

    for i in tqdm(range(iters_num)) :
      # the mini-batch
      batch_mask = np.random.choice(train_size, batch_size)
      x_batch = x_train[batch_mask]
      t_batch = t_train[batch_mask]

      # the gradient
      # grad = network.numerical_gradient(x_batch, t_batch)
      grad = network.gradient(x_batch, t_batch ) # backprop: much faster

      # the update
      for key in ('W1', 'b1', 'W2', 'b2') :
        network.params[key] -= learning_rate * grad[key]

      # what happened
      loss = network.loss(x_batch, t_batch)
      train_loss_list.append(loss)

      # accuracy once per epoch
      if i % iter_per_epoch == 0 :
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        train_acc_list.append(train_acc)
        test_acc_list.append(test_acc)
        print('train acc, test acc | '+str(train_acc)+","+str(test_acc))
'''

SEED_SGD_UPDATE = '''
def sgd_update(params, grads, learning_rate) :
  for key in ('W1', 'b1', 'W2', 'b2') :
    params[key] -= learning_rate * grads[key]
'''


def _function(source, name):
    """The definition of ``name`` in ``source``, as a student copies one function out of a file."""
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return "import numpy as np\n\n\n" + ast.get_source_segment(source, node) + "\n"


def _train(loop):
    return TRAIN_HEAD + loop + TRAIN_TAIL


BOOK_HELPERS = "\n".join([FUNCTIONS, GRADIENT])

# the timing exercise of assignment 5 (not graded), as a student writes it: time.time() around the calls
TIME_GRADIENTS = '''
def time_gradients(network, x, t):
    n_weights = sum(p.size for p in network.params.values())
    loss_W = lambda W: network.loss(x, t)
    start = time.time()
    for i in range(10):
        network.gradient(x, t)
    backprop = (time.time() - start) / 10
    start = time.time()
    numerical_gradient(loss_W, network.params['b1'])
    numerical_per_weight = (time.time() - start) / len(network.params['b1'])
    return {"backprop": backprop, "numerical_per_weight": numerical_per_weight,
            "numerical_all": numerical_per_weight * n_weights}
'''
SEED_TIME_GRADIENTS = '''
import time

def time_gradients(network, x, t) :
  n_weights = sum(p.size for p in network.params.values())
  loss_W = lambda W : network.loss(x, t)
  t0 = time.perf_counter()
  grad = network.gradient(x, t)
  backprop = time.perf_counter() - t0
  t0 = time.perf_counter()
  numerical_gradient(loss_W, network.params['b1'])
  per_weight = (time.perf_counter() - t0) / network.params['b1'].size
  return {'backprop' : backprop, 'numerical_per_weight' : per_weight, 'numerical_all' : per_weight * n_weights}
'''

# the cells the printed chapter-5 Affine loses, and nothing else: README states this exception
PRINTED_AFFINE_LOSES = frozenset({"affine_nd_input", "affine_nd_visible"})

STYLES = [
    # --- 01: the book's layers walk the shopping graphs (buy_apple.py, buy_apple_orange.py) ------------------
    Variant(A01, "book: layer_naive.py's layers in a cell above, the graphs walked with them",
            cells=(("above:apple_graph_forward_solution", LAYER_NAIVE),
                   *GRAPHS_WITH_LAYERS.items())),
    Variant(A01, "seed: its two-space layers in a cell above, the graphs walked with them",
            cells=(("above:apple_graph_forward_solution", SEED_LAYER_NAIVE + SEED_ADD_LAYER),
                   *GRAPHS_WITH_LAYERS.items())),
    # --- 02 -------------------------------------------------------------------------------------------------
    Variant(A02, "book: layer_naive.py's layers, buy_apple.py and buy_apple_orange.py", cells=(
        ("mul_layer", LAYER_NAIVE.split("\n\nclass AddLayer")[0]),
        ("add_layer_solution", "class AddLayer" + LAYER_NAIVE.split("\n\nclass AddLayer")[1]),
        ("buy_apples_solution", BUY_APPLES),
        ("buy_apples_oranges_solution", BUY_APPLES_ORANGES))),
    Variant(A02, "seed: two-space layers, its shopping code inside the functions", cells=(
        ("mul_layer", SEED_LAYER_NAIVE), ("add_layer_solution", SEED_ADD_LAYER),
        ("buy_apples_solution", '''
def buy_apples(apple, apple_num, tax):
  # the layers
  mul_apple_layer = MulLayer()
  mul_tax_layer = MulLayer()

  # forward
  apple_price = mul_apple_layer.forward(apple, apple_num)
  price = mul_tax_layer.forward(apple_price, tax)

  # backward: the derivative of the price with respect to each input
  dprice = 1
  dapple_price, dtax = mul_tax_layer.backward(dprice)
  dapple, dapple_num = mul_apple_layer.backward(dapple_price)

  return price, dapple, dapple_num, dtax
'''),
        ("buy_apples_oranges_solution", '''
def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
  # the layers
  mul_apple_layer = MulLayer()
  mul_orange_layer = MulLayer()
  add_apple_orange_layer = AddLayer()
  mul_tax_layer = MulLayer()

  # forward
  apple_price = mul_apple_layer.forward(apple, apple_num)
  orange_price = mul_orange_layer.forward(orange, orange_num)
  all_price = add_apple_orange_layer.forward(apple_price, orange_price)
  price = mul_tax_layer.forward(all_price, tax)

  # backward
  dprice  = 1
  dall_price, dtax = mul_tax_layer.backward(dprice)
  dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
  dorange, dorange_num = mul_orange_layer.backward(dorange_price)
  dapple, dapple_num = mul_apple_layer.backward(dapple_price)

  return price, dapple, dapple_num, dorange, dorange_num, dtax
'''))),
    # --- 03: Relu and Sigmoid call relu and sigmoid --------------------------------------------------------
    Variant(A03, "book: Relu and Sigmoid call relu() and sigmoid() defined in the same cell", cells=(
        ("relu_solution", "import numpy as np\n\n\ndef relu(x):\n    return np.maximum(0, x)\n" + RELU),
        ("sigmoid_solution", "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n" + SIGMOID))),
    Variant(A03, "book: common/functions.py pasted in a cell above; layers.py's Relu and Sigmoid", cells=(
        ("above:relu_solution", FUNCTIONS), ("relu_solution", RELU), ("sigmoid_solution", SIGMOID))),
    Variant(A03, "seed: its Relu (backward writes into dout) and Sigmoid, two-space indents", cells=(
        ("relu_solution", SEED_RELU), ("sigmoid_solution", SEED_SIGMOID))),
    # --- 04: SoftmaxWithLoss calls softmax and cross_entropy_error ------------------------------------------
    Variant(A04, "book: functions.py up to softmax in its cell; layers.py's Affine and SoftmaxWithLoss",
            cells=(("affine", AFFINE),
                   ("softmax_solution", FUNCTIONS.split("\n\ndef cross_entropy_error")[0]),
                   ("cross_entropy_solution", _function(FUNCTIONS, "cross_entropy_error")),
                   ("softmax_with_loss", SOFTMAX_WITH_LOSS))),
    Variant(A04, "book: common/functions.py pasted in a cell above the first answer", cells=(
        ("above:affine", FUNCTIONS), ("affine", AFFINE),
        ("softmax_solution", _function(FUNCTIONS, "softmax")),
        ("cross_entropy_solution", _function(FUNCTIONS, "cross_entropy_error")),
        ("softmax_with_loss", SOFTMAX_WITH_LOSS))),
    Variant(A04, "seed: the printed chapter-5 Affine (2-D only), softmax by transposing, one-hot backward",
            cells=(("affine", SEED_AFFINE), ("softmax_solution", SEED_SOFTMAX),
                   ("cross_entropy_solution", SEED_CROSS_ENTROPY), ("softmax_with_loss", SEED_SOFTMAX_WITH_LOSS)),
            excused=PRINTED_AFFINE_LOSES),
    # --- 05: the layers call the helpers, TwoLayerNet calls numerical_gradient(f, x) ------------------------
    Variant(A05, "book: functions.py and layers.py in the layers cell, gradient.py, two_layer_net.py", cells=(
        ("pasted_layers", FUNCTIONS + LAYERS), ("numerical_gradient_solution", GRADIENT),
        ("two_layer_net", TWO_LAYER_NET), ("gradient_check_solution", GRADIENT_CHECK),
        ("time_gradients", TIME_GRADIENTS))),
    Variant(A05, "book: functions.py and gradient.py pasted in a cell above the layers", cells=(
        ("above:pasted_layers", BOOK_HELPERS), ("pasted_layers", LAYERS),
        ("numerical_gradient_solution", GRADIENT), ("two_layer_net", TWO_LAYER_NET),
        ("gradient_check_solution", GRADIENT_CHECK), ("time_gradients", TIME_GRADIENTS))),
    Variant(A05, "seed: its layers (the printed Affine), numerical_gradient and TwoLayerNet", cells=(
        ("pasted_layers", "\n".join([SEED_RELU, SEED_AFFINE, SEED_SOFTMAX, SEED_CROSS_ENTROPY,
                                     SEED_SOFTMAX_WITH_LOSS])),
        ("numerical_gradient_solution", SEED_NUMERICAL_GRADIENT), ("two_layer_net", SEED_TWO_LAYER_NET),
        ("gradient_check_solution", SEED_GRADIENT_CHECK), ("time_gradients", SEED_TIME_GRADIENTS))),
    # --- 06: the pasted network, the update over the four keys, the book's loop ------------------------------
    Variant(A06, "book: the repository's network pasted; np.random.choice batches, the update in the loop",
            cells=(("two_layer_net", "\n".join([BOOK_HELPERS, LAYERS, TWO_LAYER_NET])),
                   ("sgd_update_solution", BOOK_SGD_UPDATE),
                   ("train_solution", _train(BOOK_LOOP.replace("DRAW", "np.random.choice(train_size, batch_size)"))))),
    Variant(A06, "book: helpers in a cell above the pasted network; batches drawn from the seeded rng",
            cells=(("above:two_layer_net", BOOK_HELPERS), ("two_layer_net", "\n".join([LAYERS, TWO_LAYER_NET])),
                   ("sgd_update_solution", BOOK_SGD_UPDATE),
                   ("train_solution", _train(BOOK_LOOP.replace("DRAW", "rng.choice(train_size, batch_size)"))))),
    Variant(A06, "seed: its network pasted, the update over the four keys, its loop with a tqdm bar", cells=(
        ("two_layer_net", "\n".join([SEED_RELU, SEED_AFFINE, SEED_SOFTMAX, SEED_CROSS_ENTROPY,
                                     SEED_SOFTMAX_WITH_LOSS, SEED_NUMERICAL_GRADIENT, SEED_TWO_LAYER_NET])),
        ("sgd_update_solution", SEED_SGD_UPDATE),
        ("train_solution", TRAIN_HEAD + SEED_LOOP + TRAIN_TAIL))),
]
