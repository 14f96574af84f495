"""load_mnist, with the signature and return values of "Deep Learning from Scratch" (dataset/mnist.py)."""

import numpy as np

from . import cache, fetch, idx
from .datasets import get_dataset


def load_mnist(
    normalize=True,
    flatten=True,
    one_hot_label=False,
    *,
    dataset="mnist",
    data_dir=None,
    download=True,
    progress=True,
):
    """Load MNIST or Fashion-MNIST as numpy arrays.

    Inputs:
    - normalize: pixels as float32 in [0, 1]; if False, uint8 in [0, 255].
    - flatten: images of shape (N, 784); if False, (N, 1, 28, 28).
    - one_hot_label: labels as float32 one-hot rows of shape (N, 10); if False, uint8 of shape (N,).
    - dataset: "mnist" or "fashion" (Fashion-MNIST: same shapes, 10 clothing classes).
    - data_dir: root data folder. Default: the environment variable MNIST_DATA_DIR, else the user
      cache folder (~/.cache/backprop-from-scratch on Linux). Files live in its sub-folder named
      after the dataset, e.g. <data_dir>/mnist/train-images-idx3-ubyte.gz, next to a cache of .npy files.
    - download: fetch missing files from the mirrors (SHA-256 checked); if False, raise instead.
    - progress: show a tqdm progress bar while downloading.

    Returns:
    - (x_train, t_train), (x_test, t_test), with N = 60000 for train and 10000 for test.

    Raises MnistError (a RuntimeError) when files are missing, cannot be downloaded, or are corrupt;
    the message names the files, the folder to put them in, and the mirrors.
    Fashion-MNIST is also found in /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
    """
    ds = get_dataset(dataset)
    folder = fetch.data_home(data_dir) / ds.name
    path = cache.cache_path(ds, folder)
    arrays = cache.load_cache(path)
    if arrays is None:
        files = fetch.fetch_files(ds, folder, download=download, progress=progress)
        arrays = {}
        for split, images, labels in (
            ("train", ds.train_images, ds.train_labels),
            ("test", ds.test_images, ds.test_labels),
        ):
            arrays[f"x_{split}"], arrays[f"t_{split}"] = idx.read_pair(files[images.name], files[labels.name])
        cache.save_cache(path, arrays)
    x_train, x_test = (_images(arrays[k], normalize, flatten) for k in ("x_train", "x_test"))
    t_train, t_test = (_labels(arrays[k], one_hot_label) for k in ("t_train", "t_test"))
    return (x_train, t_train), (x_test, t_test)


def _images(x, normalize, flatten):
    # always a new array: the cache is memory-mapped and read-only
    if normalize:
        y = np.empty(x.shape, dtype=np.float32)
        np.divide(x, np.float32(255.0), out=y, dtype=np.float32)  # one pass, same values as astype then /=
    else:
        y = np.array(x, dtype=np.uint8)
    return y.reshape(len(y), -1) if flatten else y.reshape(len(y), 1, *y.shape[1:])


def _labels(t, one_hot_label):
    if one_hot_label:
        return np.eye(10, dtype=np.float32)[t]
    return np.array(t, dtype=np.uint8)
