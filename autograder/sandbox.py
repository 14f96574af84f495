"""The grading sandbox of this machine: bubblewrap (``autograder.bubblewrap``) inside a cgroup per notebook
(``autograder.cgroups``), or a reason why there is none.

``detect()`` is what ``course grade`` calls. Without usable cgroups the sandbox still runs, with the memory
capped by address space and no process cap, and says so once on standard error.
"""

import importlib.util
import shutil
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

from .bubblewrap import AS_SLACK_MB, Bubblewrap, SandboxRun  # noqa: F401  (the sandbox's public names)
from .cgroups import PREFIX, detect_cgroups  # noqa: F401

# packages of this project that must not be readable in the sandbox if they are installed (not editable)
HIDDEN_PACKAGES = ["autograder", "course"]
DISTRIBUTION = "backprop_from_scratch"  # this project's name as installers write it in file names

_warned = False
_lock = threading.Lock()


def _editable_hooks():
    """An editable install's start-up files (``__editable__*.pth`` and the finder it imports): in the sandbox they
    would only name the grader's checkout, and cost every Python process there (executor, kernel) an import."""
    site = Path(sysconfig.get_paths()["purelib"])
    return sorted(str(p.resolve()) for p in site.glob(f"__editable__*{DISTRIBUTION}*") if p.is_file())


def _hidden_packages():
    """Folders and files of this project under the Python installation, hidden in the sandbox."""
    found = _editable_hooks()
    for name in HIDDEN_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for loc in (spec.submodule_search_locations or []) if spec else []:
            found.append(str(Path(loc).resolve()))
    return found


def detect(require_cgroups=False):
    """Return ``(sandbox, None)`` when bubblewrap works here, else ``(None, reason)``.

    Without usable cgroups the sandbox still works, with weaker limits, and a warning is printed once
    (or, with ``require_cgroups``, it counts as unavailable).
    """
    global _warned
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return None, "bubblewrap (bwrap) is not installed"
    prlimit = shutil.which("prlimit")
    if not prlimit:
        return None, "prlimit (util-linux) is not installed"
    probe = subprocess.run([bwrap, "--unshare-all", "--uid", "65534", "--ro-bind", "/", "/", "--proc", "/proc",
                            "--dev", "/dev", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None, f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()}"
    with _lock:
        cgroups, problem = detect_cgroups()
    if cgroups is None:
        if require_cgroups:
            return None, problem
        if not _warned:
            _warned = True
            print(f"warning: the grading sandbox runs without cgroups: {problem}. Memory is capped by address "
                  "space only and there is no process cap (run the grader as root on a machine with the "
                  "pids and memory cgroup controllers for full limits).", file=sys.stderr)
    return Bubblewrap(bwrap, prlimit, shutil.which("setarch"), cgroups, problem or "", _hidden_packages()), None
