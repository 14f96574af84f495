"""The loader on real bytes: MNIST's test set from ../shared, Fashion-MNIST from Debian's package."""

import hashlib
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

import mnist_utils
from mnist_utils import MnistError, load_mnist, read_pair

REPO = Path(__file__).resolve().parents[2]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")

# published facts about the MNIST test set, independent of any file here
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TEST_PIXEL_MEAN = 0.13251460584233699  # the mean often quoted for normalising the test set

needs_shared = pytest.mark.skipif(
    not SHARED_MNIST.is_dir(), reason="../shared/data/mnist not found: this check runs in CI only"
)
needs_debian = pytest.mark.skipif(
    not DEBIAN_FASHION.is_dir(),
    reason="/usr/share/datasets/fashion-mnist not found: install Debian's package dataset-fashion-mnist",
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def readme_sha256():
    """{file name: SHA-256} from the tables of ../shared/data/mnist/README.md."""
    text = (SHARED_MNIST / "README.md").read_text()
    return dict(re.findall(r"^\|\s*(\S+\.gz)\s*\|[^|]*\|[^|]*\|\s*([0-9a-f]{64})\s*\|", text, re.M))


@needs_shared
def test_registry_checksums_match_the_readme():
    """Are the four MNIST SHA-256 in mnist_utils those the shared README publishes?"""
    published = readme_sha256()
    assert len(published) == 4
    assert {f.name: f.sha256 for f in mnist_utils.DATASETS["mnist"].files} == published


@needs_shared
def test_shared_test_set_files_have_the_published_checksums():
    """Do the shared t10k files have the README's SHA-256?"""
    published = readme_sha256()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert sha256(SHARED_MNIST / name) == published[name]


@needs_shared
def test_real_mnist_test_set_parses():
    """Does the real MNIST test set parse to 10000 images of 28x28 with its well-known labels?"""
    x, t = read_pair(SHARED_MNIST / "t10k-images-idx3-ubyte.gz", SHARED_MNIST / "t10k-labels-idx1-ubyte.gz")
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert t.shape == (10000,) and t.dtype == np.uint8
    assert t[:10].tolist() == FIRST_TEST_LABELS
    assert np.bincount(t, minlength=10).tolist() == TEST_LABEL_COUNTS
    assert x.min() == 0 and x.max() == 255
    assert abs(x.mean() / 255 - TEST_PIXEL_MEAN) < 1e-9


@needs_shared
def test_offline_error_lists_only_the_missing_training_files(tmp_path):
    """With only the t10k files in place, does the offline error list exactly the two training files?"""
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(SHARED_MNIST / name, folder / name)
    with pytest.raises(MnistError) as e:
        load_mnist(data_dir=tmp_path, download=False)
    listed = re.findall(r"^  (\S+\.gz)  \(SHA-256", str(e.value), re.M)
    assert listed == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert f"Put these files in {folder}:" in str(e.value)


@needs_debian
def test_debian_files_are_accepted_by_checksum():
    """Is each of Debian's four Fashion-MNIST files known to mnist_utils by its SHA-256?"""
    for f in mnist_utils.DATASETS["fashion"].files:
        assert sha256(DEBIAN_FASHION / f.name) in f.accepted


@needs_debian
def test_fashion_mnist_loads_in_full_from_debian(tmp_path, monkeypatch):
    """Does load_mnist(dataset="fashion", download=False) load 60000 + 10000 images from Debian's files,
    balanced over the 10 classes, and give the same arrays from its cache the second time?"""
    (x, t), (xt, tt) = load_mnist(dataset="fashion", data_dir=tmp_path, download=False)
    assert x.shape == (60000, 784) and xt.shape == (10000, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == 1.0
    assert np.bincount(t, minlength=10).tolist() == [6000] * 10
    assert np.bincount(tt, minlength=10).tolist() == [1000] * 10
    assert not list((tmp_path / "fashion").glob("*.gz"))  # read in place, not copied
    monkeypatch.setattr(mnist_utils.idx, "read_images", None)  # the cache must not need the parser
    (x2, t2), (xt2, tt2) = load_mnist(dataset="fashion", data_dir=tmp_path, download=False)
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(tt2, tt)
