"""The catalogue: single-bug variants that must lose points, and correct styles that must not.

Mutations are text replacements in the solution cells of the source notebook (first occurrence).
"""

from .harness import Mutant, Variant

MUTANTS = [
    # 02 simple layers
    Mutant("02_simple_layers", "MulLayer.backward does not swap the inputs",
           "dx = dout * self.y", "dx = dout * self.x", "other* input"),
    Mutant("02_simple_layers", "MulLayer.backward forgets dout",
           "dy = dout * self.x", "dy = self.x", "upstream gradient"),
    Mutant("02_simple_layers", "MulLayer.backward returns (dy, dx)",
           "        return dx, dy", "        return dy, dx", ""),
    Mutant("02_simple_layers", "AddLayer.backward returns 1 instead of dout",
           "dx = dout * 1", "dx = 1", "unchanged"),
    Mutant("02_simple_layers", "MulLayer.forward does not store the inputs",
           "        self.x = x\n        self.y = y\n        return x * y", "        return x * y", ""),
    Mutant("02_simple_layers", "buy_apples walks the graph backward in forward order",
           "    dapple_price, dtax = mul_tax_layer.backward(dprice)\n    dapple, dapple_num = "
           "mul_apple_layer.backward(dapple_price)",
           "    dapple, dapple_num = mul_apple_layer.backward(dprice)\n    dapple_price, dtax = "
           "mul_tax_layer.backward(dprice)", "upstream gradient"),
]

VARIANTS = [
    Variant("02_simple_layers", "MulLayer caching a tuple, returning a list", '''
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
    Variant("02_simple_layers", "MulLayer with np.multiply", '''
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
    Variant("02_simple_layers", "AddLayer returning copies of dout", '''
import copy
class AddLayer:
    def forward(self, x, y):
        return x + y
    def backward(self, dout):
        return copy.copy(dout), copy.copy(dout)
'''),
    Variant("02_simple_layers", "float32 inputs kept as float32 (MulLayer casting)", '''
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
]
