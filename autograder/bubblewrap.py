"""The bubblewrap sandbox: one notebook's command line, environment and clean-up.

Inside the sandbox (``bwrap``, Debian/Ubuntu package ``bubblewrap``):

* an unprivileged user (uid 65534) in new user, PID, network (loopback only), IPC, UTS and cgroup
  namespaces, with every capability dropped, and a seccomp filter (``autograder.seccomp``);
* read-only: the system (``/usr``, ``/lib``, a few files of ``/etc``), the Python installation, the
  kernel-side grader runtime (``autograder.runtime``: never the reference, the judge or the pipeline), the
  released helper files; an installed copy of the grader or course packages inside the Python installation
  is hidden, and so are an editable install's hooks (they name the grader's checkout);
* writable: only memory-backed folders that vanish with the run (the notebook's folder
  ``/home/student``, ``/grader/records``, ``/tmp``); the root is read-only. Nothing of the host is
  writable; what the run produces goes back to the grader through a pipe (``autograder.frames``).
  The course folder, the gradebook, the other students' work and the repository are not mounted at
  all, and the notebook sees none of the grader's paths or environment variables.

Limits come from a cgroup per notebook (``autograder.cgroups``) when the machine allows; without cgroups,
the memory is capped by address space (``prlimit --as``, the cap plus 1 GB for reservations) and there is no
process cap. Address-space randomisation is switched off (``setarch -R``) so that feedback is the same from
one run to the next. System packages: ``bubblewrap``, and ``util-linux`` (``prlimit``, ``setarch``).
"""

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .cgroups import Cgroups

SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives", "/etc/ssl", "/etc/fonts",
               "/etc/matplotlibrc", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"]
AS_SLACK_MB = 1024  # without cgroups: the address-space limit is the memory cap plus this


def _inside(path, folders):
    return any(path == f or f in path.parents for f in folders)


@dataclass
class Bubblewrap:
    """The sandbox of this machine: the tools' paths, the cgroups (or why none), the package folders to hide."""

    bwrap: str
    prlimit: str
    setarch: str = None
    cgroups: Cgroups = None
    cgroup_problem: str = ""
    hidden: list = field(default_factory=list)

    def python_dirs(self):
        """The folders of the Python installation, mounted read-only in the sandbox (sorted strings)."""
        dirs = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
        return sorted(str(d) for d in dirs)

    def describe(self):
        """One line for people: bubblewrap plus the limits it can enforce here."""
        limits = (f"cgroup v{self.cgroups.version} ({', '.join(self.cgroups.controllers)})" if self.cgroups
                  else f"address-space limit only: {self.cgroup_problem}")
        return f"bubblewrap + {limits}"

    def wrapper(self, *, run_dir, record_dir, workdir, runtime, limits):
        """The sandbox for one notebook: call it on an argv; then ``kill()``, ``notes()``, ``close()``."""
        return SandboxRun(self, Path(run_dir), Path(record_dir), Path(workdir), Path(runtime), limits)


class SandboxRun:
    """One notebook's sandbox (see ``autograder.runner.run_notebook`` for how it is used).

    Inside, the notebook sees fixed paths, never the grader's: its folder (also ``HOME``) is
    ``/home/student``, the grader runtime ``/grader/runtime``, the records folder ``/grader/records``.
    The root is read-only, so only ``/tmp``, ``/home/student`` and ``/grader`` (all in memory) are
    writable, and the environment holds only what the kernel needs (no grader secrets).
    """

    HOME, RUNTIME, RECORDS = "/home/student", "/grader/runtime", "/grader/records"
    ENV_KEEP = {"TERM", "BACKPROP_LANG"}  # BACKPROP_LANG: the checks' language; locale and clock: SINGLE_THREAD_ENV

    def __init__(self, box, run_dir, record_dir, workdir, runtime, limits):
        self.box, self.limits = box, limits
        self.run_dir, self.record_dir, self.workdir, self.runtime = run_dir, record_dir, workdir, runtime
        self.paths = {str(runtime): self.RUNTIME, str(run_dir): self.HOME, str(record_dir): self.RECORDS}
        self.group = box.cgroups.create(limits) if box.cgroups else None
        self.seccomp_fd = None

    def env(self, env):
        """The environment for the sandbox: the kernel settings of ``env``, paths as seen inside."""
        from .hidden import RECORD_ENV
        from .runner import SINGLE_THREAD_ENV

        kept = {k: v for k, v in env.items() if k in self.ENV_KEEP or k in SINGLE_THREAD_ENV}
        kept.update(HOME=self.HOME, TMPDIR="/tmp", PYTHONPATH=self.RUNTIME, **{RECORD_ENV: self.RECORDS},
                    PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]))
        kept["MALLOC_ARENA_MAX"] = "2"  # fewer reserved malloc arenas per thread: less address space
        return kept

    def _empty_file(self):
        """An empty file in the run's own work folder, which is not mounted (a device such as /dev/null cannot be
        read where it is bound)."""
        empty = self.workdir / "empty"
        if not empty.is_file():
            self.workdir.mkdir(parents=True, exist_ok=True)
            empty.write_bytes(b"")
        return empty

    def __call__(self, argv):
        box = self.box
        mem = int(self.limits.memory_mb) * 1024 * 1024
        from . import seccomp

        if self.seccomp_fd is None:
            self.seccomp_fd = seccomp.pipe_fd()  # no locks or watches on shared files: see autograder.seccomp
        cmd = [box.bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--seccomp", str(self.seccomp_fd),
               "--uid", "65534", "--gid", "65534", "--hostname", "grader",
               "--proc", "/proc", "--dev", "/dev", "--size", str(mem), "--tmpfs", "/tmp", "--cap-drop", "ALL"]
        for d in SYSTEM_DIRS:
            if Path(d).exists():
                cmd += ["--ro-bind", d, d]
        python = box.python_dirs()
        for d in python:
            cmd += ["--ro-bind", d, d]
        for d in box.hidden:  # folders empty, files (an editable install's hooks) empty
            if _inside(Path(d), [Path(p) for p in python]):
                cmd += ["--ro-bind", str(self._empty_file()), d] if Path(d).is_file() else ["--tmpfs", d]
        cmd += ["--size", str(mem), "--tmpfs", "/grader", "--ro-bind", str(self.runtime), self.RUNTIME,
                "--dir", self.RECORDS]
        # the notebook's folder, in memory; the released helpers in it are read-only
        cmd += ["--size", str(mem), "--tmpfs", self.HOME]
        for item in sorted(self.run_dir.iterdir()) if self.run_dir.is_dir() else []:
            if not item.is_symlink():
                cmd += ["--ro-bind", str(item), f"{self.HOME}/{item.name}"]
        cmd += ["--remount-ro", "/", "--chdir", self.HOME]
        limit = [f"--fsize={mem}", "--core=0"]
        if not self.group:
            # address space is not memory: threads reserve stacks and malloc arenas they never touch, so
            # the kernel needs about 1 GB of it before it has used any; allow that on top of the cap
            limit.append(f"--as={mem + AS_SLACK_MB * 1024 * 1024}")
        inner = [box.prlimit, *limit, "--"]
        if box.setarch:
            inner = [box.setarch, os.uname().machine, "-R", *inner]
        cmd += ["--", *inner, *[self.paths.get(a, a) for a in argv]]
        return (self.group.enter_command() if self.group else []) + cmd

    def pass_fds(self):
        """File descriptors the sandbox's command line refers to (the seccomp filter)."""
        return (self.seccomp_fd,) if self.seccomp_fd is not None else ()

    def kill(self):
        """Kill every process of the run (its cgroup's; without cgroups, bubblewrap's --die-with-parent does)."""
        if self.group:
            self.group.kill()

    def notes(self):
        """Plain-language notes on the limits the notebook ran into (from its cgroup)."""
        return self.group.notes() if self.group else []

    def close(self):
        """Close the seccomp filter's pipe and remove the cgroup."""
        if self.seccomp_fd is not None:
            os.close(self.seccomp_fd)
            self.seccomp_fd = None
        if self.group:
            self.group.remove()

