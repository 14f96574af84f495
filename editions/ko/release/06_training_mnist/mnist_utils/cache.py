"""The decoded uint8 arrays, saved as .npy files in the data folder so that later loads skip gzip and idx.

One folder per dataset and source checksums, e.g. <data folder>/mnist/mnist-uint8-<key>/x_train.npy.
Plain .npy files can be memory-mapped, so a warm load costs one pass over the pixels.
"""

import hashlib
import os
import shutil
import warnings
from pathlib import Path

import numpy as np

from .errors import MnistWarning

FORMAT = 1  # bump when the layout of the cache changes
KEYS = ("x_train", "t_train", "x_test", "t_test")


def cache_path(ds, folder):
    """folder/<name>-uint8-<key>, key derived from the checksums of the source files."""
    text = "\n".join(f"{f.name} {' '.join(f.accepted)}" for f in ds.files) + f"\nformat {FORMAT}"
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Path(folder) / f"{ds.name}-uint8-{key}"


def load_cache(path):
    """Return {x_train, t_train, x_test, t_test} as read-only memory maps, or None if there is no cache.

    Images are uint8 (N, 28, 28), labels uint8 (N,). A cache that cannot be read (missing or
    truncated file, wrong dtype or shape) is reported, deleted and ignored.
    """
    path = Path(path)
    if not path.is_dir():
        return None
    try:
        arrays = {k: np.load(path / f"{k}.npy", mmap_mode="r", allow_pickle=False) for k in KEYS}
        _check(arrays)
    except (OSError, ValueError, EOFError) as e:
        arrays = None  # drop the memory maps before deleting their files
        warnings.warn(f"Rebuilding the unreadable cache {path} ({e}).", MnistWarning, stacklevel=3)
        shutil.rmtree(path, ignore_errors=True)
        return None
    return arrays


def save_cache(path, arrays):
    """Write the arrays into a temporary folder, then rename it: readers never see half a cache.

    A folder we cannot write to only costs speed, so that just warns.
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        for k in KEYS:
            np.save(tmp / f"{k}.npy", np.ascontiguousarray(arrays[k]), allow_pickle=False)
        os.rename(tmp, path)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if not path.is_dir():  # else another process has just written the same cache
            warnings.warn(
                f"Could not write the cache {path} ({e}); loads stay slow.", MnistWarning, stacklevel=3
            )


def _check(a):
    for split in ("train", "test"):
        x, t = a[f"x_{split}"], a[f"t_{split}"]
        if x.dtype != np.uint8 or t.dtype != np.uint8 or x.ndim != 3 or t.ndim != 1 or len(x) != len(t):
            raise ValueError(f"unexpected {split} arrays {x.dtype}{x.shape}, {t.dtype}{t.shape}")
