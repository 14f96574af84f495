"""Reference for assignment 02 (simple layers): MulLayer, AddLayer and the shopping graphs."""



class MulLayer:
    """z = x * y. forward(x, y) -> z; backward(dz) -> (dx, dy)."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        # each input's local derivative is the *other* input
        return dout * self.y, dout * self.x


class AddLayer:
    """z = x + y. forward(x, y) -> z; backward(dz) -> (dx, dy)."""

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        # both local derivatives are 1: the gradient passes through unchanged
        return dout * 1, dout * 1


def buy_apples(apple, apple_num, tax):
    """price = apple * apple_num * tax and its gradients (dapple, dapple_num, dtax)."""
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(apple, apple_num), tax)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    return price, dapple, dapple_num, dtax


def buy_apples_oranges(apple, apple_num, orange, orange_num, tax):
    """price = (apple * apple_num + orange * orange_num) * tax and its five gradients."""
    mul_apple, mul_orange, add_fruit, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    orange_price = mul_orange.forward(orange, orange_num)
    price = mul_tax.forward(add_fruit.forward(apple_price, orange_price), tax)
    dall, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add_fruit.backward(dall)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    return price, dapple, dapple_num, dorange, dorange_num, dtax
