"""Draw a small computational graph with its forward values and gradients (assignment 01).

Every edge carries two numbers: above it, in black, the value that flows forward along it; below
it, in red, the gradient of the graph's output with respect to that value (what flows backward).
The numbers come from *your* functions, so a wrong gradient shows up in the picture.

The words it draws (the legend, the titles) speak the language of ``bp_checks`` beside it (its catalog in
``bp_checks_locale/``, or ``BACKPROP_LANG``); without ``bp_checks``, English.

    inputs = {"apple": 100, "apple_num": 2, "tax": 1.1}
    fig = draw_apple_graph(inputs, apple_graph_forward(**inputs), apple_graph_backward(**inputs))
"""

import matplotlib.pyplot as plt
import numpy as np

try:
    from bp_checks import say  # translated with the checks' catalog, then formatted
except ImportError:  # drawn alone, without the course's checks: English
    def say(text, **values):
        return text.format(**values)

FORWARD_COLOR = "black"
BACKWARD_COLOR = "tab:red"
NODE_RADIUS = 0.32


def _fmt(value):
    """A short text for a number or a small array; '?' when the value is missing."""
    if value is None:
        return "?"
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return "?"
    if arr.ndim == 0:
        return f"{float(arr):.4g}"
    if arr.size > 4:
        return say("array {shape}", shape=arr.shape)
    return "[" + " ".join(f"{v:.4g}" for v in arr.ravel()) + "]"


def _get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


def draw_graph(nodes, edges, title="", ax=None):
    """Draw a graph.

    nodes: {name: (x, y, text, kind)}; kind is "input" (a name at the left end of an edge),
           "op" (a circle with the operation, e.g. "×") or "output" (a name at the right end).
    edges: [(source, target, forward_value, backward_value)], drawn as arrows source -> target.
    Returns the matplotlib Figure.
    """
    if ax is None:
        width = max(x for x, _, _, _ in nodes.values()) + 1.5
        height = max(y for _, y, _, _ in nodes.values()) + 1.6
        fig, ax = plt.subplots(figsize=(1.6 * width, 1.3 * height))
    else:
        fig = ax.figure
    for x, y, text, kind in nodes.values():
        if kind == "op":
            ax.add_patch(plt.Circle((x, y), NODE_RADIUS, facecolor="white", edgecolor="black", lw=1.5, zorder=3))
            ax.text(x, y, text, ha="center", va="center", fontsize=16, zorder=4)
        else:
            ax.text(x, y, text, ha="right" if kind == "input" else "left", va="center", fontsize=12,
                    fontweight="bold")
    for source, target, forward, backward in edges:
        (x0, y0, _, kind0), (x1, y1, _, kind1) = nodes[source], nodes[target]
        start, end = np.array([x0, y0], float), np.array([x1, y1], float)
        direction = (end - start) / np.linalg.norm(end - start)
        start = start + direction * (NODE_RADIUS if kind0 == "op" else 0.1)
        end = end - direction * (NODE_RADIUS if kind1 == "op" else 0.1)
        ax.annotate("", xy=end, xytext=start,
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.4, shrinkA=0, shrinkB=0))
        # labels sit on either side of the edge, a little before its middle, where edges that meet
        # at one node are still apart
        middle = start + 0.42 * (end - start)
        normal = np.array([-direction[1], direction[0]])
        if normal[1] < 0:
            normal = -normal
        angle = np.degrees(np.arctan2(direction[1], direction[0]))
        ax.text(*(middle + 0.17 * normal), _fmt(forward), color=FORWARD_COLOR, ha="center", va="center",
                rotation=angle, rotation_mode="anchor", fontsize=11)
        ax.text(*(middle - 0.17 * normal), _fmt(backward), color=BACKWARD_COLOR, ha="center", va="center",
                rotation=angle, rotation_mode="anchor", fontsize=11)
    xs = [x for x, _, _, _ in nodes.values()]
    ys = [y for _, y, _, _ in nodes.values()]
    ax.set_xlim(min(xs) - 1.4, max(xs) + 1.3)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title + ("\n" if title else "") + say("black: forward value    red: gradient of the output"),
                 fontsize=11)
    fig.tight_layout()
    return fig


def draw_apple_graph(inputs, values, grads, ax=None):
    """price = apple * apple_num * tax, with the dicts of apple_graph_forward / apple_graph_backward."""
    nodes = {"apple": (0, 3, "apple", "input"), "apple_num": (0, 1.6, "apple_num", "input"),
             "tax": (0, 0, "tax", "input"), "mul1": (2.5, 2.3, "×", "op"), "mul2": (5, 1.1, "×", "op"),
             "price": (7, 1.1, "price", "output")}
    edges = [("apple", "mul1", _get(inputs, "apple"), _get(grads, "dapple")),
             ("apple_num", "mul1", _get(inputs, "apple_num"), _get(grads, "dapple_num")),
             ("mul1", "mul2", _get(values, "apple_price"), _get(grads, "dapple_price")),
             ("tax", "mul2", _get(inputs, "tax"), _get(grads, "dtax")),
             ("mul2", "price", _get(values, "price"), _get(grads, "dprice"))]
    return draw_graph(nodes, edges, say("Buying apples"), ax)


def draw_apple_orange_graph(inputs, values, grads, ax=None):
    """price = (apple * apple_num + orange * orange_num) * tax, with the dicts of your two functions."""
    nodes = {"apple": (0, 5, "apple", "input"), "apple_num": (0, 3.8, "apple_num", "input"),
             "orange": (0, 2.6, "orange", "input"), "orange_num": (0, 1.4, "orange_num", "input"),
             "tax": (0, 0, "tax", "input"), "mul_apple": (2.5, 4.4, "×", "op"),
             "mul_orange": (2.5, 2.0, "×", "op"), "add": (5, 3.2, "+", "op"), "mul_tax": (7.5, 1.6, "×", "op"),
             "price": (9.5, 1.6, "price", "output")}
    edges = [("apple", "mul_apple", _get(inputs, "apple"), _get(grads, "dapple")),
             ("apple_num", "mul_apple", _get(inputs, "apple_num"), _get(grads, "dapple_num")),
             ("orange", "mul_orange", _get(inputs, "orange"), _get(grads, "dorange")),
             ("orange_num", "mul_orange", _get(inputs, "orange_num"), _get(grads, "dorange_num")),
             ("mul_apple", "add", _get(values, "apple_price"), _get(grads, "dapple_price")),
             ("mul_orange", "add", _get(values, "orange_price"), _get(grads, "dorange_price")),
             ("add", "mul_tax", _get(values, "all_price"), _get(grads, "dall_price")),
             ("tax", "mul_tax", _get(inputs, "tax"), _get(grads, "dtax")),
             ("mul_tax", "price", _get(values, "price"), _get(grads, "dprice"))]
    return draw_graph(nodes, edges, say("Buying apples and oranges"), ax)


def draw_fanout_graph(inputs, values, grads, ax=None):
    """price = apple_price * tax + orange_price * tax, with the dicts of fanout_forward / fanout_backward.

    tax has two edges, one to each multiplication node; each is labelled with the gradient that flows back along
    it (the upstream gradient of its node times the node's other input). dtax, the sum of the two, is in the title.
    """
    tax = _get(inputs, "tax")
    nodes = {"apple_price": (0, 3.6, "apple_price", "input"), "tax": (0, 1.8, "tax", "input"),
             "orange_price": (0, 0, "orange_price", "input"), "mul_apple": (2.8, 3.0, "×", "op"),
             "mul_orange": (2.8, 0.6, "×", "op"), "add": (5.3, 1.8, "+", "op"),
             "price": (7.3, 1.8, "price", "output")}
    # along the edge tax -> apple node flows dapple_taxed * apple_price; along tax -> orange node,
    # dorange_taxed * orange_price
    to_apple = _product(_get(grads, "dapple_taxed"), _get(inputs, "apple_price"))
    to_orange = _product(_get(grads, "dorange_taxed"), _get(inputs, "orange_price"))
    edges = [("apple_price", "mul_apple", _get(inputs, "apple_price"), _get(grads, "dapple_price")),
             ("tax", "mul_apple", tax, to_apple),
             ("tax", "mul_orange", tax, to_orange),
             ("orange_price", "mul_orange", _get(inputs, "orange_price"), _get(grads, "dorange_price")),
             ("mul_apple", "add", _get(values, "apple_taxed"), _get(grads, "dapple_taxed")),
             ("mul_orange", "add", _get(values, "orange_taxed"), _get(grads, "dorange_taxed")),
             ("add", "price", _get(values, "price"), _get(grads, "dprice"))]
    title = say("One value, two nodes: tax fans out")
    if _get(grads, "dtax") is not None:
        title += "\n" + say("your dtax = {dtax}: it should be the sum of the red numbers on the two edges of tax",
                            dtax=_fmt(_get(grads, "dtax")))
    return draw_graph(nodes, edges, title, ax)


def _product(a, b):
    """a * b for the picture, or None when either is missing or not a number."""
    if a is None or b is None:
        return None
    try:
        return np.asarray(a, dtype=float) * np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return None


def draw_xyz_graph(inputs, values, grads, ax=None):
    """f = (x + y) * z, with the dicts of xyz_forward / xyz_backward."""
    nodes = {"x": (0, 2.6, "x", "input"), "y": (0, 1.2, "y", "input"), "z": (0, 0, "z", "input"),
             "add": (2.5, 1.9, "+", "op"), "mul": (5, 0.9, "×", "op"), "f": (7, 0.9, "f", "output")}
    edges = [("x", "add", _get(inputs, "x"), _get(grads, "dx")),
             ("y", "add", _get(inputs, "y"), _get(grads, "dy")),
             ("add", "mul", _get(values, "q"), _get(grads, "dq")),
             ("z", "mul", _get(inputs, "z"), _get(grads, "dz")),
             ("mul", "f", _get(values, "f"), _get(grads, "df"))]
    return draw_graph(nodes, edges, "f = (x + y) · z", ax)
