"""Reference for assignment 01 (computational graphs): forward and backward passes by hand.

Plain functions, no layer classes (those come in assignment 02). Every input may be a number or a
numpy array; arrays have the same shape and the graph is applied element by element.
"""


def apple_graph_forward(apple, apple_num, tax):
    """Node values of price = (apple * apple_num) * tax: {'apple_price', 'price'}."""
    apple_price = apple * apple_num
    price = apple_price * tax
    return {"apple_price": apple_price, "price": price}


def apple_graph_backward(apple, apple_num, tax):
    """Gradients of price w.r.t. every edge: {'dprice', 'dapple_price', 'dtax', 'dapple', 'dapple_num'}."""
    values = apple_graph_forward(apple, apple_num, tax)
    dprice = 1.0
    # a multiplication node sends upstream * (the other input) to each input
    dapple_price = dprice * tax
    dtax = dprice * values["apple_price"]
    dapple = dapple_price * apple_num
    dapple_num = dapple_price * apple
    return {"dprice": dprice, "dapple_price": dapple_price, "dtax": dtax, "dapple": dapple,
            "dapple_num": dapple_num}


def apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax):
    """Node values of price = (apple * apple_num + orange * orange_num) * tax.

    Returns {'apple_price', 'orange_price', 'all_price', 'price'}.
    """
    apple_price = apple * apple_num
    orange_price = orange * orange_num
    all_price = apple_price + orange_price
    price = all_price * tax
    return {"apple_price": apple_price, "orange_price": orange_price, "all_price": all_price, "price": price}


def apple_orange_graph_backward(apple, apple_num, orange, orange_num, tax):
    """Gradients of price w.r.t. every edge of the apples-and-oranges graph.

    Returns {'dprice', 'dall_price', 'dtax', 'dapple_price', 'dorange_price', 'dapple', 'dapple_num',
    'dorange', 'dorange_num'}.
    """
    values = apple_orange_graph_forward(apple, apple_num, orange, orange_num, tax)
    dprice = 1.0
    dall_price = dprice * tax
    dtax = dprice * values["all_price"]
    # an addition node passes the upstream gradient through unchanged
    dapple_price = dall_price * 1
    dorange_price = dall_price * 1
    dapple = dapple_price * apple_num
    dapple_num = dapple_price * apple
    dorange = dorange_price * orange_num
    dorange_num = dorange_price * orange
    return {"dprice": dprice, "dall_price": dall_price, "dtax": dtax, "dapple_price": dapple_price,
            "dorange_price": dorange_price, "dapple": dapple, "dapple_num": dapple_num, "dorange": dorange,
            "dorange_num": dorange_num}


def fanout_forward(apple_price, orange_price, tax):
    """Node values of price = apple_price * tax + orange_price * tax: {'apple_taxed', 'orange_taxed', 'price'}."""
    apple_taxed = apple_price * tax
    orange_taxed = orange_price * tax
    return {"apple_taxed": apple_taxed, "orange_taxed": orange_taxed, "price": apple_taxed + orange_taxed}


def fanout_backward(apple_price, orange_price, tax):
    """Gradients of price = apple_price * tax + orange_price * tax, where tax goes into two nodes.

    Returns {'dprice', 'dapple_taxed', 'dorange_taxed', 'dapple_price', 'dorange_price', 'dtax'}.
    """
    dprice = 1.0
    # the addition node passes the upstream gradient to both taxed prices
    dapple_taxed = dprice * 1
    dorange_taxed = dprice * 1
    dapple_price = dapple_taxed * tax
    dorange_price = dorange_taxed * tax
    # tax fans out to two nodes: the gradients coming back along its two edges add up
    dtax = dapple_taxed * apple_price + dorange_taxed * orange_price
    return {"dprice": dprice, "dapple_taxed": dapple_taxed, "dorange_taxed": dorange_taxed,
            "dapple_price": dapple_price, "dorange_price": dorange_price, "dtax": dtax}


def xyz_forward(x, y, z):
    """Node values of f = (x + y) * z: {'q', 'f'} with q = x + y."""
    q = x + y
    return {"q": q, "f": q * z}


def xyz_backward(x, y, z):
    """Gradients of f = (x + y) * z: {'df', 'dq', 'dz', 'dx', 'dy'}."""
    values = xyz_forward(x, y, z)
    df = 1.0
    dq = df * z
    dz = df * values["q"]
    dx = dq * 1
    dy = dq * 1
    return {"df": df, "dq": dq, "dz": dz, "dx": dx, "dy": dy}
