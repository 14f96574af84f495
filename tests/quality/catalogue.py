"""The catalogue: single-bug variants that must lose points, and correct styles that must not.

A ``Mutant`` is a text replacement in the solution cells of the source notebook (first occurrence):
one mistake a student really makes, nothing else changed. Its ``diagnosis`` is a few words the
failure message must contain (the "Likely mistake" the grader names).

A ``Variant`` is extra code run after the solution cells that redefines one or more components in
another style that still respects the notebook's contract (docstrings). It must get full marks.
"""

from .harness import Mutant, Variant

A01, A02, A03 = "01_computational_graphs", "02_simple_layers", "03_activation_layers"

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
