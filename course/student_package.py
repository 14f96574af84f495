"""The student helpers as one ``pip install``-able package, for a notebook opened away from its folder (Colab).

A released assignment folder holds its helpers next to the notebook (``bp_checks.py``, ``graph_drawing.py``,
``toy_digits.py``, ``mnist_utils/``). Google Colab opens the notebook alone. So the setup cell of every notebook
looks for its helpers and, only where they are missing, runs ``pip install`` on :data:`URL` (or on the file or
URL in the environment variable ``BFS_HELPERS``): this package, built here from the repository's single copy
of each helper, the same files ``course release`` puts into the folders.

The wheel is plain files in a zip (PEP 427): every helper as a top-level module or package, and a
``.dist-info`` with METADATA, WHEEL and RECORD. It is written here rather than by a build backend so that the
same helpers always give the same bytes (fixed timestamps, sorted entries) and nothing is downloaded to build
it: ``course release`` writes it to ``release/helpers/`` and the release check can compare it byte for byte.

To publish the course elsewhere (a fork, a course website), change :data:`REPOSITORY` (or :data:`URL`) and the
``_HELPERS = "..."`` line of each notebook's setup cell; a test names every notebook whose line differs.
"""

import base64
import hashlib
import io
import zipfile
from pathlib import Path

from .sequence import ROOT, SEQUENCE

NAME = "backprop-student-helpers"
VERSION = "0.1.0"
WHEEL = f"{NAME.replace('-', '_')}-{VERSION}-py3-none-any.whl"
# where a published course keeps release/ (the wheel is committed in release/helpers/, like the notebooks)
REPOSITORY = "backprop-from-scratch/backprop-from-scratch"
RELEASE_FOLDER = "helpers"
URL = f"https://raw.githubusercontent.com/{REPOSITORY}/main/release/{RELEASE_FOLDER}/{WHEEL}"
REQUIRES = ("numpy>=1.24", "matplotlib>=3.7", "tqdm>=4.60")
_SKIP = ("__pycache__", ".pyc", ".ipynb_checkpoints")


def helper_sources(root=ROOT):
    """``{name in the package: path of its one copy}``: the helpers every assignment lists (its ``extra_files``),
    and any module kept in an assignment's own source folder (``toy_digits.py``)."""
    root = Path(root)
    found = {}
    for a in SEQUENCE:
        for src, dest in a.extra_files:
            found.setdefault(dest, root / src)
    for a in SEQUENCE:
        folder = root / "source" / a.name
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.name in found or path.name.startswith((".", "_")) or path.is_symlink():
                continue
            if (path.is_file() and path.suffix == ".py") or (path.is_dir() and (path / "__init__.py").is_file()):
                found[path.name] = path
    return dict(sorted(found.items()))


def modules(root=ROOT):
    """The import names the package provides (``bp_checks``, ``graph_drawing``, ``mnist_utils``, ...)."""
    return [name.removesuffix(".py") for name in helper_sources(root)]


def _files(root):
    """``[(path in the wheel, bytes)]`` of the helpers, sorted."""
    out = []
    for name, src in helper_sources(root).items():
        if src.is_dir():
            for path in sorted(src.rglob("*")):
                if path.is_file() and not any(s in str(path) for s in _SKIP):
                    out.append((f"{name}/{path.relative_to(src).as_posix()}", path.read_bytes()))
        else:
            out.append((name, src.read_bytes()))
    return sorted(out)


def _hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel_bytes(root=ROOT):
    """The wheel, as bytes: the same helpers give the same bytes."""
    files = _files(root)
    info = f"{NAME.replace('-', '_')}-{VERSION}.dist-info"
    metadata = "\n".join([
        "Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {VERSION}",
        "Summary: Helper files of the Backprop from Scratch notebooks (visible checks, drawings, data loaders)",
        "Requires-Python: >=3.9", *[f"Requires-Dist: {r}" for r in REQUIRES], ""]).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: course.student_package\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    top = "\n".join(sorted({path.split("/")[0].removesuffix(".py") for path, _ in files})).encode() + b"\n"
    files += [(f"{info}/METADATA", metadata), (f"{info}/WHEEL", wheel), (f"{info}/top_level.txt", top)]
    record = "".join(f"{path},{_hash(data)},{len(data)}\n" for path, data in files) + f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files:
            entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, data)
    return buffer.getvalue()


def build_wheel(target_dir, root=ROOT):
    """Write the wheel into ``target_dir`` (created if needed); returns its path."""
    target = Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    path = target / WHEEL
    path.write_bytes(wheel_bytes(root))
    return path


def write_release(root=ROOT):
    """``course release``: the wheel in ``release/helpers/`` (older versions there removed); returns its path."""
    folder = Path(root) / "release" / RELEASE_FOLDER
    for old in folder.glob("*.whl") if folder.is_dir() else []:
        if old.name != WHEEL:
            old.unlink()
    return build_wheel(folder, root)
