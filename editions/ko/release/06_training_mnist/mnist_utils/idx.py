"""Strict reader for the idx format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).

An idx file is a big-endian header, then raw bytes:

    magic (4 bytes)   0x00 0x00 <type: 0x08 = uint8> <ndim>
    ndim sizes        4 bytes each, big-endian
    data              exactly prod(sizes) bytes

Images use magic 0x00000803 (N, rows, cols); labels use 0x00000801 (N,).
Files may be gzip-compressed (recognised by their content, not their name).
"""

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from .errors import MnistError

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
_KINDS = {IMAGES_MAGIC: "an images file (idx3, uint8)", LABELS_MAGIC: "a labels file (idx1, uint8)"}
_REFETCH = "Delete it and download it again (load_mnist does this for files in its data folder)."


def read_idx(path, magic=None):
    """Read a whole uint8 idx file, gzip-compressed or raw.

    Inputs:
    - path: str or Path of the file.
    - magic: expected magic number (IMAGES_MAGIC, LABELS_MAGIC), or None to accept any uint8 idx file.

    Returns:
    - a new, writable uint8 array whose shape is the header's sizes, e.g. (N, 28, 28) or (N,).

    Raises MnistError naming the file when it is unreadable, not gzip/idx, of the wrong kind,
    truncated, or followed by trailing bytes.
    """
    path = Path(path)
    return parse_idx(_read_bytes(path), magic=magic, source=path)


def read_images(path):
    """Read an idx3 images file. Returns uint8 images of shape (N, rows, cols)."""
    return read_idx(path, IMAGES_MAGIC)


def read_labels(path):
    """Read an idx1 labels file. Returns uint8 labels of shape (N,)."""
    return read_idx(path, LABELS_MAGIC)


def read_pair(images_path, labels_path, image_shape=(28, 28), num_classes=10):
    """Read an images file and its labels file and check that they belong together.

    Returns:
    - x: uint8 images, shape (N, 28, 28)
    - t: uint8 labels in [0, num_classes), shape (N,)
    """
    images_path, labels_path = Path(images_path), Path(labels_path)
    x = read_images(images_path)
    t = read_labels(labels_path)
    if x.shape[1:] != tuple(image_shape):
        raise MnistError(
            f"{images_path} holds images of {x.shape[1]}x{x.shape[2]} pixels, expected "
            f"{image_shape[0]}x{image_shape[1]}: it is not an MNIST-style images file. {_REFETCH}"
        )
    if len(x) != len(t):
        raise MnistError(
            f"{images_path} has {len(x)} images but {labels_path} has {len(t)} labels: "
            f"the two files do not belong together. Delete both and download them again."
        )
    if t.size and int(t.max()) >= num_classes:
        raise MnistError(
            f"{labels_path} has label {int(t.max())}, but labels must lie in 0..{num_classes - 1}: "
            f"it is not an MNIST-style labels file. {_REFETCH}"
        )
    return x, t


def parse_idx(data, magic=None, source="<bytes>"):
    """Parse the bytes of an uncompressed idx file (see read_idx); source names it in errors."""
    if len(data) < 4:
        raise MnistError(f"{source} is only {len(data)} bytes long, too short for an idx header. {_REFETCH}")
    found = int.from_bytes(data[:4], "big")
    if magic is not None and found != magic:
        what = f" ({_KINDS[found]})" if found in _KINDS else ""
        raise MnistError(
            f"{source} has magic number 0x{found:08X}{what}, expected 0x{magic:08X} ({_KINDS[magic]}): "
            f"it is the wrong file or not an idx file at all. Check the file name, or {_REFETCH.lower()}"
        )
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise MnistError(
            f"{source} has magic number 0x{found:08X}, which is not a uint8 idx file "
            f"(expected 0x000008NN). {_REFETCH}"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistError(
            f"{source} is truncated inside its header: {ndim} sizes need {header} bytes, "
            f"the file has {len(data)}. {_REFETCH}"
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = math.prod(shape)
    got = len(data) - header
    if got < expected:
        raise MnistError(
            f"{source} is truncated: its header promises shape {shape}, that is {expected} bytes of data, "
            f"but only {got} follow ({expected - got} missing). {_REFETCH}"
        )
    if got > expected:
        raise MnistError(
            f"{source} has {got - expected} unexpected trailing bytes after the {expected} bytes "
            f"its header promises (shape {shape}). {_REFETCH}"
        )
    # frombuffer shares the (read-only) bytes; copy so callers get an ordinary array
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(shape).copy()


def _read_bytes(path):
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise MnistError(f"Cannot read {path}: {e}") from e
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise MnistError(
            f"{path} is not a valid gzip file ({e}): it is truncated or corrupt. {_REFETCH}"
        ) from e
