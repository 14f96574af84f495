"""load_mnist on a tiny made-up dataset: flags, folders, downloads (faked or on loopback), caches."""

import functools
import gzip
import hashlib
import http.server
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pooch
import pytest

import mnist_utils
from mnist_utils import DataFile, Dataset, MnistError, MnistWarning, load_mnist
from mnist_utils.idx import IMAGES_MAGIC, LABELS_MAGIC

REPO = Path(__file__).resolve().parents[2]
NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
MIRRORS = ("https://mirror-a.invalid/tiny/", "https://mirror-b.invalid/tiny/")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse every connection and name lookup except loopback."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def local_only(host):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"a test tried to reach {host}")

    def guarded_connect(self, address):
        local_only(address[0] if isinstance(address, tuple) else "unix")
        return connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        local_only(host)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def idx_gz(path, magic, array):
    path.write_bytes(gzip.compress(struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.tobytes()))


@pytest.fixture
def tiny(tmp_path):
    """A 12 + 5 image dataset on a fake mirror folder; returns (Dataset, mirror folder, arrays)."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "t_train": (np.arange(12) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "t_test": np.array([3, 1, 4, 1, 5], dtype=np.uint8),
    }
    arrays["x_train"][0, 0, 0], arrays["x_train"][0, 0, 1] = 0, 255  # both ends of the range
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name, key in zip(NAMES, arrays, strict=True):
        idx_gz(mirror / name, IMAGES_MAGIC if key[0] == "x" else LABELS_MAGIC, arrays[key])
    ds = make_dataset(mirror)
    return ds, mirror, arrays


def make_dataset(mirror, mirrors=MIRRORS):
    files = [DataFile(name, sha256(mirror / name)) for name in NAMES]
    return Dataset("tiny", "Tiny-MNIST", *files, mirrors=mirrors)


def put(mirror, folder, names=NAMES):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(mirror / name, folder / name)


class FakeRetrieve:
    """Stands in for pooch.retrieve: copies from a local folder, checks the hash like pooch, counts calls."""

    def __init__(self, mirror, down=()):
        self.mirror, self.down, self.urls = mirror, down, []

    def __call__(self, url, known_hash=None, fname=None, path=None, progressbar=False, **kwargs):
        self.urls.append(url)
        if url.startswith(self.down):
            raise ConnectionError(f"{url} is unreachable")
        dst = Path(path) / fname
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.mirror / url.rsplit("/", 1)[1], dst)
        if known_hash != "sha256:" + sha256(dst):
            dst.unlink()
            raise ValueError(f"SHA256 hash of downloaded file does not match {known_hash}")
        return str(dst)


@pytest.fixture
def fake_retrieve(monkeypatch, tiny):
    fake = FakeRetrieve(tiny[1])
    monkeypatch.setattr(pooch, "retrieve", fake)
    return fake


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("flatten", [True, False])
@pytest.mark.parametrize("one_hot_label", [True, False])
def test_shapes_and_dtypes_for_every_flag_combination(tiny, tmp_path, normalize, flatten, one_hot_label):
    """Do shapes and dtypes follow the book for every normalize/flatten/one_hot_label combination?"""
    ds, mirror, _ = tiny
    put(mirror, tmp_path / "data" / "tiny")
    (x, t), (xt, tt) = load_mnist(
        normalize, flatten, one_hot_label, dataset=ds, data_dir=tmp_path / "data", download=False
    )
    for images, labels, n in ((x, t, 12), (xt, tt, 5)):
        assert images.shape == ((n, 784) if flatten else (n, 1, 28, 28))
        assert images.dtype == (np.float32 if normalize else np.uint8)
        assert labels.shape == ((n, 10) if one_hot_label else (n,))
        assert labels.dtype == (np.float32 if one_hot_label else np.uint8)
        assert type(images) is np.ndarray and type(labels) is np.ndarray


def test_values_match_the_idx_bytes(tiny, tmp_path):
    """Are pixels uint8-exact, in row-major order, and normalized to x / 255 in [0, 1]?"""
    ds, mirror, a = tiny
    put(mirror, tmp_path / "tiny")
    (x8, t), (xt8, tt) = load_mnist(
        normalize=False, flatten=False, dataset=ds, data_dir=tmp_path, download=False
    )
    np.testing.assert_array_equal(x8[:, 0], a["x_train"])
    np.testing.assert_array_equal(xt8.reshape(5, 28, 28), a["x_test"])
    np.testing.assert_array_equal(t, a["t_train"])
    np.testing.assert_array_equal(tt, a["t_test"])
    (x, _), _ = load_mnist(dataset=ds, data_dir=tmp_path, download=False)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_allclose(x, a["x_train"].reshape(12, 784) / 255.0, rtol=1e-6)  # float64 oracle


def test_one_hot_rows(tiny, tmp_path):
    """Is each one-hot row all zeros except a 1 at the label's index?"""
    ds, mirror, a = tiny
    put(mirror, tmp_path / "tiny")
    (_, t), (_, tt) = load_mnist(one_hot_label=True, dataset=ds, data_dir=tmp_path, download=False)
    for onehot, labels in ((t, a["t_train"]), (tt, a["t_test"])):
        expected = np.zeros((len(labels), 10), dtype=np.float32)
        for i, label in enumerate(labels):
            expected[i, label] = 1.0
        np.testing.assert_array_equal(onehot, expected)


def test_results_are_fresh_arrays(tiny, tmp_path):
    """Does changing a returned array in place leave the next load_mnist untouched?"""
    ds, mirror, a = tiny
    put(mirror, tmp_path / "tiny")
    for normalize in (False, True):
        for _ in range(2):  # the first call parses, the second reads the cache
            (x, t), _ = load_mnist(normalize=normalize, dataset=ds, data_dir=tmp_path, download=False)
            x += 1
            t[:] = 0
        (x, t), _ = load_mnist(normalize=False, dataset=ds, data_dir=tmp_path, download=False)
        np.testing.assert_array_equal(x.reshape(12, 28, 28), a["x_train"])
        np.testing.assert_array_equal(t, a["t_train"])


def test_offline_without_files_lists_files_folder_env_var_and_mirrors(tiny, tmp_path, fake_retrieve):
    """With download=False and no files, does MnistError list every file, the folder, the env var and
    the mirrors, without any download attempt?"""
    ds, _, _ = tiny
    with pytest.raises(MnistError) as e:
        load_mnist(dataset=ds, data_dir=tmp_path / "data", download=False)
    msg = str(e.value)
    assert f"Put these files in {tmp_path / 'data' / 'tiny'}:" in msg
    for f in ds.files:
        assert f"{f.name}  (SHA-256 {f.sha256})" in msg
    assert "MNIST_DATA_DIR" in msg and all(m in msg for m in MIRRORS)
    assert fake_retrieve.urls == []
    assert not (tmp_path / "data").exists()


def test_failed_downloads_report_every_mirror(tiny, tmp_path, monkeypatch):
    """When every mirror fails, does MnistError give each mirror's error and list just the files
    still missing, to put by hand?"""
    ds, mirror, _ = tiny
    put(mirror, tmp_path / "tiny", NAMES[2:])
    fake = FakeRetrieve(mirror, down=MIRRORS)
    monkeypatch.setattr(pooch, "retrieve", fake)
    with pytest.raises(MnistError) as e:
        load_mnist(dataset=ds, data_dir=tmp_path)
    msg = str(e.value)
    assert fake.urls == [m + NAMES[0] for m in MIRRORS]  # gives up after the first file
    assert all(f"{m}{NAMES[0]}: ConnectionError" in msg for m in MIRRORS)
    assert re.findall(r"^  (\S+\.gz)  \(SHA-256", msg, re.M) == list(NAMES[:2])
    assert f"Put these files in {tmp_path / 'tiny'}:" in msg and "MNIST_DATA_DIR" in msg


def test_second_mirror_is_used_when_the_first_fails(tiny, tmp_path, monkeypatch):
    """Is each file fetched from the second mirror after the first one fails?"""
    ds, mirror, a = tiny
    fake = FakeRetrieve(mirror, down=(MIRRORS[0],))
    monkeypatch.setattr(pooch, "retrieve", fake)
    (x, _), _ = load_mnist(normalize=False, dataset=ds, data_dir=tmp_path / "data", progress=False)
    assert fake.urls == [m + name for name in NAMES for m in MIRRORS]
    np.testing.assert_array_equal(x.reshape(12, 28, 28), a["x_train"])
    assert sorted(p.name for p in (tmp_path / "data" / "tiny").glob("*.gz")) == sorted(NAMES)


def test_corrupt_file_is_reported_deleted_and_downloaded_again(tiny, tmp_path, fake_retrieve):
    """Is a truncated file in the data folder reported, replaced by exactly one download, and loaded?"""
    ds, mirror, a = tiny
    folder = tmp_path / "tiny"
    put(mirror, folder)
    bad = folder / NAMES[2]
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.warns(MnistWarning, match=NAMES[2]):
        _, (xt, _) = load_mnist(normalize=False, dataset=ds, data_dir=tmp_path)
    assert fake_retrieve.urls == [MIRRORS[0] + NAMES[2]]
    assert sha256(bad) == ds.test_images.sha256
    np.testing.assert_array_equal(xt.reshape(5, 28, 28), a["x_test"])


def test_corrupt_file_offline_is_deleted_and_listed(tiny, tmp_path, fake_retrieve):
    """With download=False, is a corrupt file reported, deleted, and named in the error?"""
    ds, mirror, _ = tiny
    folder = tmp_path / "tiny"
    put(mirror, folder)
    (folder / NAMES[1]).write_bytes(b"not an idx file")
    with pytest.warns(MnistWarning, match="corrupt"), pytest.raises(MnistError) as e:
        load_mnist(dataset=ds, data_dir=tmp_path, download=False)
    assert NAMES[1] in str(e.value) and NAMES[0] + " " not in str(e.value)
    assert not (folder / NAMES[1]).exists() and fake_retrieve.urls == []


def test_count_mismatch_through_load_mnist(tmp_path):
    """Does load_mnist raise MnistError when 12 train images come with 11 labels?"""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    idx_gz(mirror / NAMES[0], IMAGES_MAGIC, np.zeros((12, 28, 28), np.uint8))
    idx_gz(mirror / NAMES[1], LABELS_MAGIC, np.zeros(11, np.uint8))
    idx_gz(mirror / NAMES[2], IMAGES_MAGIC, np.zeros((2, 28, 28), np.uint8))
    idx_gz(mirror / NAMES[3], LABELS_MAGIC, np.zeros(2, np.uint8))
    ds = make_dataset(mirror)
    put(mirror, tmp_path / "tiny")
    with pytest.raises(MnistError, match="12 images but .* has 11 labels"):
        load_mnist(dataset=ds, data_dir=tmp_path, download=False)


def spy_on_parser(monkeypatch):
    calls = []
    for name in ("read_images", "read_labels"):
        real = getattr(mnist_utils.idx, name)

        def spy(path, _real=real):
            calls.append(Path(path).name)
            return _real(path)

        monkeypatch.setattr(mnist_utils.idx, name, spy)
    return calls


def test_warm_load_uses_the_cache_not_the_parser(tiny, tmp_path, monkeypatch):
    """Does the second load_mnist read the .npy cache, without parsing idx or even needing the files?"""
    ds, mirror, a = tiny
    put(mirror, tmp_path / "tiny")
    calls = spy_on_parser(monkeypatch)
    first = load_mnist(dataset=ds, data_dir=tmp_path, download=False)
    assert sorted(calls) == sorted(NAMES)
    caches = list((tmp_path / "tiny").glob("tiny-uint8-*"))
    assert len(caches) == 1 and sorted(p.name for p in caches[0].iterdir()) == [
        "t_test.npy",
        "t_train.npy",
        "x_test.npy",
        "x_train.npy",
    ]
    for name in NAMES:
        (tmp_path / "tiny" / name).unlink()
    second = load_mnist(dataset=ds, data_dir=tmp_path, download=False)
    assert len(calls) == 4
    for u, v in zip(first, second, strict=True):
        np.testing.assert_array_equal(u[0], v[0])
        np.testing.assert_array_equal(u[1], v[1])


def test_corrupt_cache_is_rebuilt(tiny, tmp_path, monkeypatch):
    """Is a truncated .npy cache reported, deleted and rebuilt from the idx files?"""
    ds, mirror, a = tiny
    put(mirror, tmp_path / "tiny")
    load_mnist(dataset=ds, data_dir=tmp_path, download=False)
    (cache,) = (tmp_path / "tiny").glob("tiny-uint8-*")
    x_train = cache / "x_train.npy"
    x_train.write_bytes(x_train.read_bytes()[:-100])
    calls = spy_on_parser(monkeypatch)
    with pytest.warns(MnistWarning, match="Rebuilding"):
        (x, _), _ = load_mnist(normalize=False, dataset=ds, data_dir=tmp_path, download=False)
    assert len(calls) == 4
    np.testing.assert_array_equal(x.reshape(12, 28, 28), a["x_train"])
    assert np.load(x_train).shape == (12, 28, 28)


def test_env_var_is_the_default_data_folder(tiny, tmp_path, monkeypatch):
    """Is MNIST_DATA_DIR used when data_dir is not given, and data_dir preferred when it is?"""
    ds, mirror, _ = tiny
    put(mirror, tmp_path / "env" / "tiny")
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "env"))
    assert mnist_utils.data_home() == tmp_path / "env"
    (x, _), _ = load_mnist(dataset=ds, download=False)
    assert x.shape == (12, 784)
    assert list((tmp_path / "env" / "tiny").glob("tiny-uint8-*"))
    with pytest.raises(MnistError, match=str(tmp_path / "arg" / "tiny")):
        load_mnist(dataset=ds, data_dir=tmp_path / "arg", download=False)


def test_default_folder_is_the_user_cache(tmp_path, monkeypatch):
    """Without data_dir or MNIST_DATA_DIR, is the data folder the user cache, outside the source tree?"""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    home = mnist_utils.data_home()
    assert home == tmp_path / "xdg" / "backprop-from-scratch"
    assert REPO not in home.parents and not home.exists()


def test_unknown_dataset_is_a_value_error(tmp_path):
    """Does a misspelt dataset name raise ValueError listing the choices?"""
    with pytest.raises(ValueError, match="'mnist', 'fashion'"):
        load_mnist(dataset="fasion", data_dir=tmp_path)


def test_registry_has_a_sha256_for_all_eight_files():
    """Do MNIST and Fashion-MNIST each list four files with a SHA-256, and mirrors ending in '/'?"""
    for ds in mnist_utils.DATASETS.values():
        assert [f.name for f in ds.files] == list(NAMES)
        for f in ds.files:
            assert len(f.sha256) == 64 and int(f.sha256, 16) >= 0
        assert ds.mirrors and all(m.endswith("/") for m in ds.mirrors)
    assert mnist_utils.DATASETS["mnist"].mirrors[:2] == (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_real_pooch_download_over_loopback(tiny, tmp_path):
    """With the real pooch and tqdm, does a 404 on the first mirror fall back to the second
    (a local HTTP server on 127.0.0.1) and give checked files?"""
    _, mirror, a = tiny
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(mirror))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        ds = make_dataset(mirror, mirrors=(f"http://127.0.0.1:{port}/gone/", f"http://127.0.0.1:{port}/"))
        (x, t), _ = load_mnist(normalize=False, dataset=ds, data_dir=tmp_path / "data", progress=True)
    finally:
        server.shutdown()
        server.server_close()
    np.testing.assert_array_equal(x.reshape(12, 28, 28), a["x_train"])
    for name in NAMES:
        assert sha256(tmp_path / "data" / "tiny" / name) == sha256(mirror / name)


def test_import_has_no_side_effects(tmp_path):
    """Does importing mnist_utils print nothing, create no file, and not load pooch or requests?"""
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "MNIST_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    code = (
        "import sys, mnist_utils; "
        "assert not {'pooch', 'requests', 'tqdm'} & set(sys.modules), sorted(sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and run.stderr == ""
    assert list(tmp_path.iterdir()) == []
