"""What a grade depends on besides the submission: the grader version.

A stored result is reused only while its submission and its grader version are unchanged (``course/resume.py``),
and a Dask worker runs a notebook only when it runs the coordinator's code (``autograder.distributed``). The
grader version of an assignment is the sha256 of:

* the code version (:func:`code_version`): every Python file and message catalog of the ``autograder``
  package (the host side that rebuilds, runs and judges, the kernel side the sandbox gets, the reference, the
  rules, the probes), and the versions of
  Python and of the libraries that run the notebook or compute the judged values (numpy, the Jupyter kernel and
  its client, nbformat, matplotlib);
* the assignment as graded: the grading template (source cells, released text) and the released helper files;
* the limits (seconds per cell and notebook, memory, processes) and whether the sandbox was used.
"""

import hashlib
import json
import sys
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import nbformat

# the libraries whose version can change what a notebook prints or what the judge computes
LIBRARIES = ("numpy", "ipykernel", "ipython", "jupyter_client", "pyzmq", "nbformat", "matplotlib")


def library_versions():
    """``{name: version}`` of Python and :data:`LIBRARIES` here ("absent" for one not installed)."""
    found = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def tree_digest(folder):
    """The sha256 of every Python file and message catalog (``.po``: what students read in another language) under
    ``folder`` (relative path and bytes): the same in a checkout and in an installed wheel, which carries the
    package's ``.py`` and ``.po`` files."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.po")]):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(folder).as_posix().encode()
            data = path.read_bytes()
            digest.update(f"{len(rel)}:{len(data)}:".encode() + rel + data)
    return digest.hexdigest()


@lru_cache(maxsize=None)
def code_version(package=None):
    """The sha256 of the ``autograder`` package's files (``package``: its folder) and :func:`library_versions`."""
    package = Path(package) if package else Path(__file__).resolve().parent
    versions = json.dumps(library_versions(), sort_keys=True)
    return hashlib.sha256(f"{tree_digest(package)}\n{versions}".encode()).hexdigest()


def grader_version(files, helpers, limits, sandboxed, code=None):
    """The grader version of one assignment (see the module's text). ``files``: its ``CourseFiles``;
    ``helpers``: its released helper files (``autograder.pipeline.helper_files``); ``limits``: a ``Limits``;
    ``code``: the code version (default: this installation's)."""
    digest = hashlib.sha256((code or code_version()).encode() + b"\0")
    digest.update(nbformat.writes(files.template).encode() + b"\0")
    for rel, data in helpers:
        rel = str(rel).encode()
        digest.update(f"{len(rel)}:{-1 if data is None else len(data)}:".encode() + rel + (data or b""))
    digest.update(json.dumps({"limits": asdict(limits), "sandboxed": bool(sandboxed)}, sort_keys=True).encode())
    return digest.hexdigest()
