"""Toy digits: small, MNIST-shaped images made on the spot, for quick experiments without a download.

    from toy_digits import load_toy_digits
    (x_train, t_train), (x_test, t_test) = load_toy_digits(n_train=2000, n_test=500, seed=0, one_hot_label=True)

Each image is a 5x7 pixel-font digit, enlarged to 28x28 and then randomly rotated, stretched, slanted,
shifted, thickened and dimmed, with a little noise. The arrays look like ``load_mnist``'s: float32 pixels
in [0, 1] of shape (N, 784) (or (N, 1, 28, 28) with ``flatten=False``), labels uint8 of shape (N,), or
float32 one-hot rows of shape (N, 10) with ``one_hot_label=True``.
They are much easier than real handwriting: use them to try things out, and MNIST for real results.
"""

import numpy as np

FONT = {
    0: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    1: ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    2: [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    3: ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    4: ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    5: ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    6: ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    7: ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    8: [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    9: [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
}
SIZE = 28


def _templates():
    """The ten digits as 28x28 float images: each font pixel becomes a 3x3 block, centred."""
    out = np.zeros((10, SIZE, SIZE))
    for digit, rows in FONT.items():
        bitmap = np.array([[c == "#" for c in row] for row in rows], dtype=float)
        big = np.kron(bitmap, np.ones((3, 3)))  # 21 x 15
        top, left = (SIZE - big.shape[0]) // 2, (SIZE - big.shape[1]) // 2
        out[digit, top:top + big.shape[0], left:left + big.shape[1]] = big
    return out


def _render(labels, rng):
    """One randomly distorted image per label, shape (N, 28, 28), float32 in [0, 1]."""
    n = len(labels)
    angle = rng.uniform(-0.25, 0.25, n)
    scale_x, scale_y = rng.uniform(0.8, 1.15, n), rng.uniform(0.85, 1.15, n)
    shear = rng.uniform(-0.3, 0.3, n)
    shift = rng.uniform(-2.5, 2.5, (n, 2))
    # where each output pixel comes from in the template: the inverse of rotate(stretch(slant(template)))
    cos, sin = np.cos(angle), np.sin(angle)
    a11, a12 = cos / scale_x, sin / scale_x
    a21, a22 = -sin / scale_y, cos / scale_y
    a12 = a12 + shear * a11
    a22 = a22 + shear * a21
    c = (SIZE - 1) / 2
    yy, xx = (np.mgrid[0:SIZE, 0:SIZE].reshape(2, 1, -1) - c).astype(np.float32)
    xx = xx - shift[:, :1].astype(np.float32)
    yy = yy - shift[:, 1:].astype(np.float32)
    a11, a12, a21, a22 = (a.astype(np.float32)[:, None] for a in (a11, a12, a21, a22))
    src_x = a11 * xx + a12 * yy + np.float32(c)
    src_y = a21 * xx + a22 * yy + np.float32(c)
    # bilinear interpolation; the template is padded with zeros, and coordinates beyond the padding are
    # clamped into it, so pixels from outside the template are 0
    pad = 2
    side = SIZE + 2 * pad
    flat = np.pad(_templates(), ((0, 0), (pad, pad), (pad, pad))).astype(np.float32).ravel()
    left, up = (np.clip(np.floor(v), -pad, SIZE) for v in (src_x, src_y))
    fx, fy = np.clip(src_x - left, 0.0, 1.0), np.clip(src_y - up, 0.0, 1.0)
    x0, y0 = left.astype(np.int32) + pad, up.astype(np.int32) + pad
    base = labels.astype(np.int32)[:, None] * (side * side) + y0 * side + x0
    top = flat.take(base) + fx * (flat.take(base + 1) - flat.take(base))
    bottom = flat.take(base + side) + fx * (flat.take(base + side + 1) - flat.take(base + side))
    img = top + fy * (bottom - top)
    img = img.reshape(n, SIZE, SIZE)
    # thicker or thinner strokes: blend with a 3x3 blur of the image
    padded = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    blur = sum(padded[:, dy:dy + SIZE, dx:dx + SIZE] for dy in range(3) for dx in range(3)) / np.float32(4.0)
    thick = rng.uniform(0.0, 1.0, (n, 1, 1)).astype(np.float32)
    img += thick * (np.minimum(blur, 1.0) - img)
    img *= rng.uniform(0.7, 1.0, (n, 1, 1)).astype(np.float32)
    img += rng.normal(0.0, 0.04, img.shape).astype(np.float32)
    return np.clip(img, 0.0, 1.0, out=img)


def load_toy_digits(n_train=2000, n_test=500, seed=0, normalize=True, flatten=True, one_hot_label=False):
    """Make ``(x_train, t_train), (x_test, t_test)`` of toy digits, balanced over the ten classes.

    Same seed, same images. The flags mean what they mean for ``load_mnist``: ``normalize=False`` gives
    uint8 pixels in [0, 255], ``flatten=False`` images of shape (N, 1, 28, 28), ``one_hot_label=True``
    labels as float32 one-hot rows (N, 10).
    """
    rng = np.random.default_rng(seed)
    out = []
    for n in (n_train, n_test):
        t = rng.permutation(np.arange(n) % 10).astype(np.uint8)
        x = _render(t.astype(int), rng)
        x = x if normalize else np.round(x * 255).astype(np.uint8)
        x = x.reshape(n, -1) if flatten else x.reshape(n, 1, SIZE, SIZE)
        out.append((x, np.eye(10, dtype=np.float32)[t] if one_hot_label else t))
    return tuple(out)
