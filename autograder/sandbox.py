"""Run each notebook in a bubblewrap sandbox.

Inside: an unprivileged user (uid 65534), no network (only a private loopback), a read-only view of
the system and of the Python installation, the kernel-side grader runtime read-only, and exactly two
writable folders: the notebook's run folder and its records folder. The course folder, the
gradebook, other students' work and the repository are not mounted at all. Limits: address space
(memory), a per-cell and per-notebook time limit (see ``autograder.execute``).
"""

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc/alternatives", "/etc/ssl", "/etc/fonts",
               "/etc/matplotlibrc", "/etc/ld.so.cache", "/etc/localtime"]


@dataclass
class Bubblewrap:
    bwrap: str

    def python_dirs(self):
        dirs = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
        return sorted(str(d) for d in dirs)

    def wrapper(self, *, run_dir, record_dir, workdir, runtime, limits):
        """Return a function that wraps an argv in the sandbox for one notebook."""
        def wrap(argv):
            cmd = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                   "--uid", "65534", "--gid", "65534", "--hostname", "grader",
                   "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/root",
                   "--cap-drop", "ALL"]
            for d in SYSTEM_DIRS:
                if Path(d).exists():
                    cmd += ["--ro-bind", d, d]
            for d in self.python_dirs():
                cmd += ["--ro-bind", d, d]
            cmd += ["--ro-bind", str(runtime), str(runtime)]
            cmd += ["--bind", str(workdir), str(workdir)]
            for d in (run_dir, record_dir):
                cmd += ["--bind", str(d), str(d)]
            cmd += ["--chdir", str(run_dir), "--setenv", "HOME", str(run_dir), "--setenv", "TMPDIR", "/tmp"]
            limit = [f"--as={int(limits.memory_mb) * 1024 * 1024}", "--core=0"]
            return cmd + ["--", shutil.which("prlimit") or "/usr/bin/prlimit", *limit, "--", *argv]

        return wrap


def detect():
    """Return ``(sandbox, None)`` when bubblewrap works here, else ``(None, reason)``."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return None, "bubblewrap (bwrap) is not installed"
    if not shutil.which("prlimit"):
        return None, "prlimit (util-linux) is not installed"
    probe = subprocess.run([bwrap, "--unshare-all", "--uid", "65534", "--ro-bind", "/", "/", "--proc", "/proc",
                            "--dev", "/dev", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None, f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()}"
    return Bubblewrap(bwrap), None
