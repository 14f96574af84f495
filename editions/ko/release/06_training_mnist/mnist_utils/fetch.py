"""Find a dataset's files in its data folder or a local copy, else download them with pooch."""

import hashlib
import os
import warnings
from pathlib import Path

from .errors import MnistError, MnistWarning

ENV_VAR = "MNIST_DATA_DIR"
CACHE_NAME = "backprop-from-scratch"


def data_home(data_dir=None):
    """The root data folder: data_dir, else $MNIST_DATA_DIR, else the user cache folder.

    The user cache folder is pooch.os_cache("backprop-from-scratch"), e.g.
    ~/.cache/backprop-from-scratch on Linux (it follows $XDG_CACHE_HOME). Nothing is created here.
    """
    if data_dir is None:
        data_dir = os.environ.get(ENV_VAR) or None
    if data_dir is None:
        import pooch  # imported late: importing mnist_utils stays cheap

        return Path(pooch.os_cache(CACHE_NAME))
    return Path(data_dir).expanduser()


def sha256(path):
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_files(ds, folder, download=True, progress=True):
    """Return {file name: path} of ds's four files, each with a known SHA-256.

    Looks in folder, then in ds.local_dirs (read-only copies such as Debian's), then downloads
    into folder from each of ds.mirrors in turn. A file in folder with a wrong checksum is
    reported (MnistWarning) and deleted, so that it is fetched again.
    """
    folder = Path(folder)
    paths = {}
    for f in ds.files:
        path = _find_local(f, folder, ds.local_dirs)
        if path is not None:
            paths[f.name] = path
    for f in ds.files:
        if f.name in paths or not download:
            continue
        path, errors = _download(f, folder, ds.mirrors, progress)
        if path is None:  # the network or the mirrors are down: the other files would fail alike
            missing = [g for g in ds.files if g.name not in paths]
            raise MnistError(_missing_message(ds, folder, missing, errors))
        paths[f.name] = path
    missing = [f for f in ds.files if f.name not in paths]
    if missing:
        raise MnistError(_missing_message(ds, folder, missing, None))
    return paths


def _find_local(f, folder, local_dirs):
    path = folder / f.name
    if path.is_file():
        digest = sha256(path)
        if digest in f.accepted:
            return path
        warnings.warn(
            f"{path} is corrupt or incomplete (SHA-256 {digest}, expected {f.sha256}); "
            f"deleting it so that it is fetched again.",
            MnistWarning,
            stacklevel=4,
        )
        try:
            path.unlink()
        except OSError as e:
            raise MnistError(f"{path} is corrupt and cannot be deleted ({e}): delete it by hand.") from e
    for d in local_dirs:
        p = Path(d) / f.name
        if p.is_file():
            if sha256(p) in f.accepted:
                return p
            warnings.warn(f"Ignoring {p}: its SHA-256 is not the published one.", MnistWarning, stacklevel=4)
    return None


def _download(f, folder, mirrors, progress):
    """Try each mirror in turn. Returns (path, None) or (None, [one error line per mirror])."""
    import pooch

    errors = []
    for base in mirrors:
        url = base + f.name
        try:
            path = Path(
                pooch.retrieve(
                    url, known_hash=f"sha256:{f.sha256}", fname=f.name, path=folder, progressbar=progress
                )
            )
        except Exception as e:  # network errors, HTTP errors, checksum mismatch: try the next mirror
            errors.append(f"{url}: {type(e).__name__}: {e}")
            continue
        if path.is_file() and sha256(path) == f.sha256:
            return path, None
        errors.append(f"{url}: the downloaded file does not have SHA-256 {f.sha256}")
        path.unlink(missing_ok=True)
    return None, errors


def _missing_message(ds, folder, missing, errors):
    if errors is None:
        why = f"{ds.title} files are missing and downloading is off (download=False)."
    else:
        why = f"Could not download {ds.title} file {missing[0].name} from any mirror:\n" + "\n".join(
            f"  {line}" for line in errors
        )
    lines = [why, "", f"Put these files in {folder}:"]
    lines += [f"  {f.name}  (SHA-256 {f.sha256})" for f in missing]
    lines += [
        "",
        f"or set the environment variable {ENV_VAR} (or pass data_dir=...) to a folder whose "
        f"'{ds.name}' sub-folder holds them.",
        "Mirrors that serve them:",
    ]
    lines += [f"  {base}" for base in ds.mirrors]
    if ds.local_dirs:
        lines.append("Also looked in: " + ", ".join(str(d) for d in ds.local_dirs))
    if errors is None:
        lines.append("Or call load_mnist(..., download=True) to fetch them.")
    return "\n".join(lines)
