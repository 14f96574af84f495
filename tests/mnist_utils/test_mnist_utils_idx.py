"""Strict idx parsing: tiny files written byte by byte with struct, gzipped or raw."""

import gzip
import socket
import struct

import numpy as np
import pytest

from mnist_utils import MnistError, read_idx, read_images, read_labels, read_pair
from mnist_utils.idx import IMAGES_MAGIC, LABELS_MAGIC


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def idx_bytes(magic, shape, data):
    """An idx file by hand: big-endian magic, sizes, then the raw bytes (an oracle independent of idx.py)."""
    return struct.pack(f">I{len(shape)}I", magic, *shape) + bytes(data)


def write(path, raw, gz=True):
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def images(n=3, rows=28, cols=28):
    return [(7 * i) % 256 for i in range(n * rows * cols)]


def test_gz_and_raw_give_the_same_array(tmp_path):
    """Do a gzipped and a raw idx file parse to the same uint8 array, in row-major order?"""
    raw = idx_bytes(IMAGES_MAGIC, (3, 28, 28), images())
    a = read_images(write(tmp_path / "a-images-idx3-ubyte.gz", raw))
    b = read_images(write(tmp_path / "a-images-idx3-ubyte", raw, gz=False))
    expected = np.array(images(), dtype=np.uint8).reshape(3, 28, 28)
    assert a.dtype == np.uint8 and a.shape == (3, 28, 28)
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(b, expected)


def test_parsed_arrays_are_writable(tmp_path):
    """Can a student write into the array read_idx returns, as into any numpy array?"""
    x = read_labels(write(tmp_path / "l.gz", idx_bytes(LABELS_MAGIC, (4,), [1, 2, 3, 4])))
    x[0] = 9
    assert x.tolist() == [9, 2, 3, 4]


def test_any_magic_is_accepted_when_none_is_asked(tmp_path):
    """Does read_idx(magic=None) read a uint8 idx file of any rank?"""
    x = read_idx(write(tmp_path / "m.gz", idx_bytes(0x00000802, (2, 3), range(6))))
    np.testing.assert_array_equal(x, [[0, 1, 2], [3, 4, 5]])


def test_labels_file_given_as_images_names_file_and_magics(tmp_path):
    """Does a labels file passed as images raise MnistError naming the file and both magic numbers?"""
    path = write(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(LABELS_MAGIC, (3,), [0, 1, 2]))
    with pytest.raises(MnistError) as e:
        read_images(path)
    msg = str(e.value)
    assert str(path) in msg and "0x00000801" in msg and "0x00000803" in msg and "wrong file" in msg


def test_garbage_magic_is_rejected(tmp_path):
    """Does a file that is not idx at all (an HTML error page) raise MnistError with its magic?"""
    path = write(tmp_path / "t10k-labels-idx1-ubyte.gz", b"<html>403 Forbidden</html>")
    with pytest.raises(MnistError, match="magic number 0x3C68746D"):
        read_labels(path)


def test_non_uint8_idx_is_rejected(tmp_path):
    """Is an idx file of another element type (0x0D, float) refused rather than misread?"""
    path = write(tmp_path / "f.gz", idx_bytes(0x00000D01, (1,), b"\0\0\0\0"))
    with pytest.raises(MnistError, match="not a uint8 idx file"):
        read_idx(path)


def test_truncated_data_raises_naming_file_and_missing_bytes(tmp_path):
    """Does a truncated image file raise MnistError naming the file and how many bytes are missing?"""
    raw = idx_bytes(IMAGES_MAGIC, (3, 28, 28), images())[:-5]
    path = write(tmp_path / "train-images-idx3-ubyte.gz", raw)
    with pytest.raises(MnistError) as e:
        read_images(path)
    msg = str(e.value)
    assert str(path) in msg and "truncated" in msg and "5 missing" in msg and "download it again" in msg


def test_truncated_header_raises(tmp_path):
    """Does a file cut inside its header raise MnistError instead of a struct error?"""
    path = write(tmp_path / "x.gz", idx_bytes(IMAGES_MAGIC, (3, 28, 28), [])[:9])
    with pytest.raises(MnistError, match="truncated inside its header"):
        read_images(path)


def test_empty_file_raises(tmp_path):
    """Does an empty file raise MnistError naming it?"""
    path = write(tmp_path / "empty", b"", gz=False)
    with pytest.raises(MnistError, match="too short"):
        read_labels(path)


def test_trailing_bytes_raise(tmp_path):
    """Do bytes after the data the header promises raise MnistError counting them?"""
    raw = idx_bytes(LABELS_MAGIC, (3,), [0, 1, 2]) + b"\0\0"
    path = write(tmp_path / "t10k-labels-idx1-ubyte.gz", raw)
    with pytest.raises(MnistError) as e:
        read_labels(path)
    assert str(path) in str(e.value) and "2 unexpected trailing bytes" in str(e.value)


def test_truncated_gzip_stream_raises(tmp_path):
    """Does a download cut short (an incomplete gzip stream) raise MnistError naming the file?"""
    gz = gzip.compress(idx_bytes(IMAGES_MAGIC, (3, 28, 28), images()))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gz[: len(gz) // 2])
    with pytest.raises(MnistError) as e:
        read_images(path)
    assert str(path) in str(e.value) and "gzip" in str(e.value)


def test_missing_file_raises_mnist_error(tmp_path):
    """Is a file that does not exist reported as MnistError with its path?"""
    with pytest.raises(MnistError, match="nope.gz"):
        read_images(tmp_path / "nope.gz")


def test_image_and_label_counts_must_agree(tmp_path):
    """Does read_pair refuse 3 images with 2 labels, naming both files?"""
    xi = write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(IMAGES_MAGIC, (3, 28, 28), images()))
    ti = write(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(LABELS_MAGIC, (2,), [0, 1]))
    with pytest.raises(MnistError) as e:
        read_pair(xi, ti)
    msg = str(e.value)
    assert str(xi) in msg and str(ti) in msg and "3 images" in msg and "2 labels" in msg


def test_pair_checks_image_size_and_label_range(tmp_path):
    """Does read_pair refuse 27x28 images and a label of 10?"""
    small = write(tmp_path / "s.gz", idx_bytes(IMAGES_MAGIC, (3, 27, 28), images(3, 27, 28)))
    good = write(tmp_path / "g.gz", idx_bytes(IMAGES_MAGIC, (3, 28, 28), images()))
    labels = write(tmp_path / "l.gz", idx_bytes(LABELS_MAGIC, (3,), [0, 1, 2]))
    bad_labels = write(tmp_path / "b.gz", idx_bytes(LABELS_MAGIC, (3,), [0, 10, 2]))
    with pytest.raises(MnistError, match="27x28"):
        read_pair(small, labels)
    with pytest.raises(MnistError, match="label 10"):
        read_pair(good, bad_labels)
    x, t = read_pair(good, labels)
    assert x.shape == (3, 28, 28) and t.tolist() == [0, 1, 2]


def test_mnist_error_is_a_runtime_error():
    """Can callers catch MnistError as a RuntimeError?"""
    assert issubclass(MnistError, RuntimeError)
