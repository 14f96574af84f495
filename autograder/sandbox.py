"""Run each notebook in a bubblewrap sandbox, inside a cgroup of its own.

Inside the sandbox (``bwrap``, Debian/Ubuntu package ``bubblewrap``):

* an unprivileged user (uid 65534) in new user, PID, network (loopback only), IPC, UTS and cgroup
  namespaces, with every capability dropped;
* read-only: the system (``/usr``, ``/lib``, a few files of ``/etc``), the Python installation, the
  kernel-side grader runtime (never the reference, never the pipeline), the released helper files;
  an installed copy of the grader or course packages inside the Python installation is hidden;
* writable: only memory-backed folders that vanish with the run (the notebook's folder
  ``/home/student``, ``/grader/records``, ``/tmp``); the root is read-only. Nothing of the host is
  writable; what the run produces goes back to the grader through a pipe (``autograder.executor``).
  The course folder, the gradebook, the other students' work and the repository are not mounted at
  all, and the notebook sees none of the grader's paths or environment variables.

Limits, per notebook: a cgroup (v1, or v2 where the controllers are delegated) with a process cap
(``pids.max``: processes and threads), a memory cap (``memory.limit_in_bytes`` and the swap limit; the
in-memory folders count too) and one CPU's worth of time; everything in the cgroup is killed at the
end, so nothing the notebook started survives it. A per-cell and a per-notebook time limit are
enforced by ``autograder.executor`` and ``autograder.runner``. Address-space randomisation is switched off
in the sandbox (``setarch -R``) so that feedback is the same from one run to the next.

Where cgroups cannot be used, the sandbox still runs, with the memory capped by address space
(``prlimit --as``, the cap plus 1 GB for reservations) and no process cap, and says so once on
standard error.

System packages: ``bubblewrap``, and ``util-linux`` (``prlimit``, ``setarch``; in Debian's base system).
"""

import errno
import importlib.util
import itertools
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives", "/etc/ssl", "/etc/fonts",
               "/etc/matplotlibrc", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"]
# packages of this project that must not be readable in the sandbox if they are installed (not editable)
HIDDEN_PACKAGES = ["autograder", "course"]
CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "bfs-"
CPU_PERIOD_US = 100_000
AS_SLACK_MB = 1024  # without cgroups: the address-space limit is the memory cap plus this

_warned = False
_counter = itertools.count()
_lock = threading.Lock()


# --- cgroups ------------------------------------------------------------------------------------------

def _write(path, value):
    with open(path, "w") as fh:
        fh.write(str(value))


def _read(path, default=""):
    try:
        return Path(path).read_text()
    except OSError:
        return default


def _counts(text):
    """``{"max": 3, "oom_kill": 1, ...}`` from a flat-keyed cgroup file."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def _own_paths():
    """``{controller: path}`` of this process's cgroups (``""`` for the v2 hierarchy)."""
    own = {}
    for line in _read("/proc/self/cgroup").splitlines():
        hid, controllers, path = line.split(":", 2)
        for c in (controllers.split(",") if controllers else [""]):
            own[c] = path
    return own


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _sweep(parent):
    """Remove empty per-notebook cgroups left behind by graders that no longer run."""
    try:
        for d in parent.glob(PREFIX + "*"):
            parts = d.name.split("-")
            if len(parts) >= 3 and parts[1].isdigit() and not _alive(int(parts[1])):
                try:
                    d.rmdir()
                except OSError:
                    pass
    except OSError:
        pass


class CgroupsUnavailable(Exception):
    pass


@dataclass
class Cgroups:
    """Where per-notebook cgroups are made: ``parents`` maps controller (``""`` for v2) to a folder."""

    version: int
    parents: dict

    @property
    def controllers(self):
        if self.version == 2:
            return sorted(set(_read(self.parents[""] / "cgroup.subtree_control").split()))
        return sorted(self.parents)

    def create(self, limits):
        name = f"{PREFIX}{os.getpid()}-{next(_counter)}-{int(time.time() * 1000) % 100000000}"
        group = Cgroup(self, {c: p / name for c, p in self.parents.items()}, limits)
        try:
            group.setup()
        except BaseException:
            group.remove()
            raise
        return group


def detect_cgroups(root=CGROUP_ROOT):
    """Return ``(Cgroups, None)`` if per-notebook cgroups with a process and a memory cap can be made here."""
    try:
        if os.geteuid() != 0:
            raise CgroupsUnavailable("the grader does not run as root")
        if (root / "cgroup.controllers").exists():
            cg = _detect_v2(root)
        else:
            cg = _detect_v1(root)
        probe = cg.create(_ProbeLimits())
        probe.remove()
        return cg, None
    except (CgroupsUnavailable, OSError) as exc:
        return None, f"no usable cgroups ({exc})"


@dataclass
class _ProbeLimits:
    memory_mb: int = 256
    processes: int = 16


def _detect_v1(root):
    own = _own_paths()
    parents = {}
    for controller, required in (("pids", True), ("memory", True), ("cpu", False), ("freezer", False)):
        mount = root / controller
        if not (mount / "cgroup.procs").exists():
            if required:
                raise CgroupsUnavailable(f"the cgroup v1 '{controller}' controller is not mounted at {mount}")
            continue
        # below our own cgroup (so its limits still apply), else at the top of the hierarchy
        candidates = [mount / own.get(controller, "/").lstrip("/"), mount]
        for parent in candidates:
            try:
                test = parent / f"{PREFIX}{os.getpid()}-probe"
                test.mkdir(exist_ok=True)
                test.rmdir()
                parents[controller] = parent
                _sweep(parent)
                break
            except OSError:
                continue
        else:
            if required:
                raise CgroupsUnavailable(f"cannot create a cgroup under {mount}")
    return Cgroups(1, parents)


def _detect_v2(root):
    own = root / _own_paths().get("", "/").lstrip("/")
    problems = []
    for parent in dict.fromkeys([own, root]):
        available = set(_read(parent / "cgroup.controllers").split())
        missing = {"pids", "memory"} - available
        if missing:
            problems.append(f"{parent}: controllers {', '.join(sorted(missing))} not available")
            continue
        wanted = ["pids", "memory"] + (["cpu"] if "cpu" in available else [])
        try:
            _write(parent / "cgroup.subtree_control", " ".join("+" + c for c in wanted))
        except OSError as exc:
            problems.append(f"{parent}: cannot delegate controllers ({exc.strerror})")
            continue
        _sweep(parent)
        return Cgroups(2, {"": parent})
    raise CgroupsUnavailable("; ".join(problems) or "cgroup v2 without controllers")


@dataclass
class Cgroup:
    """One notebook's cgroup(s): limits, entering, killing everything in it, explaining what was hit."""

    owner: Cgroups
    dirs: dict
    limits: object
    removed: bool = False

    def setup(self):
        mem = int(self.limits.memory_mb) * 1024 * 1024
        for d in self.dirs.values():
            d.mkdir()
        if self.owner.version == 1:
            _write(self.dirs["pids"] / "pids.max", int(self.limits.processes))
            m = self.dirs["memory"]
            _write(m / "memory.limit_in_bytes", mem)
            if (m / "memory.memsw.limit_in_bytes").exists():
                try:
                    _write(m / "memory.memsw.limit_in_bytes", mem)
                except OSError:
                    pass
            try:
                _write(m / "memory.swappiness", 0)
            except OSError:
                pass
            if "cpu" in self.dirs:
                _write(self.dirs["cpu"] / "cpu.cfs_period_us", CPU_PERIOD_US)
                _write(self.dirs["cpu"] / "cpu.cfs_quota_us", CPU_PERIOD_US)
        else:
            d = self.dirs[""]
            _write(d / "pids.max", int(self.limits.processes))
            _write(d / "memory.max", mem)
            if (d / "memory.swap.max").exists():
                _write(d / "memory.swap.max", 0)
            if (d / "cpu.max").exists():
                _write(d / "cpu.max", f"{CPU_PERIOD_US} {CPU_PERIOD_US}")

    def procs_files(self):
        return [d / "cgroup.procs" for d in self.dirs.values()]

    def enter_command(self):
        """``sh -c`` that moves itself into the cgroup(s), then runs the rest of the command line."""
        script = " && ".join(f"echo $$ > {shlex.quote(str(f))}" for f in self.procs_files())
        return ["/bin/sh", "-c", script + ' && exec "$@"', "sh"]

    def pids(self):
        found = set()
        for f in self.procs_files():
            found.update(int(p) for p in _read(f).split() if p.isdigit())
        return found

    def kill(self, timeout=10.0):
        """Kill every process in the cgroup; returns True when it is empty."""
        deadline = time.monotonic() + timeout
        kill_file = self.dirs.get("", Path("/nonexistent")) / "cgroup.kill"
        freezer = self.dirs.get("freezer")
        while True:
            pids = self.pids()
            if not pids:
                return True
            if time.monotonic() > deadline:
                return False
            if kill_file.exists():
                try:
                    _write(kill_file, 1)
                except OSError:
                    pass
            else:
                # freeze first, so that a fork bomb cannot make new processes while we kill
                if freezer:
                    try:
                        _write(freezer / "freezer.state", "FROZEN")
                    except OSError:
                        pass
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                if freezer:
                    try:
                        _write(freezer / "freezer.state", "THAWED")
                    except OSError:
                        pass
            time.sleep(0.02)

    def notes(self):
        """Plain-language notes on the limits the notebook ran into."""
        notes = []
        if self.owner.version == 1:
            events = _counts(_read(self.dirs["memory"] / "memory.oom_control"))
            pids_events = _counts(_read(self.dirs["pids"] / "pids.events"))
        else:
            events = _counts(_read(self.dirs[""] / "memory.events"))
            pids_events = _counts(_read(self.dirs[""] / "pids.events"))
        if events.get("oom_kill", 0) > 0:
            notes.append(f"The notebook used more than its memory limit of {self.limits.memory_mb} MB, and the "
                         "system stopped the process that used the most (usually the Python kernel).")
        if pids_events.get("max", 0) > 0:
            notes.append(f"The notebook tried to run more than {self.limits.processes} processes or threads at "
                         "once; starting more of them failed.")
        return notes

    def remove(self):
        if self.removed:
            return
        self.kill()
        for d in self.dirs.values():
            for _ in range(100):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        break
                    self.kill(1.0)
                    time.sleep(0.02)
        self.removed = True


# --- bubblewrap -------------------------------------------------------------------------------------------

def _inside(path, folders):
    return any(path == f or f in path.parents for f in folders)


@dataclass
class Bubblewrap:
    bwrap: str
    prlimit: str
    setarch: str = None
    cgroups: Cgroups = None
    cgroup_problem: str = ""
    hidden: list = field(default_factory=list)

    def python_dirs(self):
        dirs = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
        return sorted(str(d) for d in dirs)

    def describe(self):
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
    ENV_KEEP = {"LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM"}

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
        kept.setdefault("LANG", "C.UTF-8")
        kept["MALLOC_ARENA_MAX"] = "2"  # fewer reserved malloc arenas per thread: less address space
        return kept

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
        for d in box.hidden:
            if _inside(Path(d), [Path(p) for p in python]):
                cmd += ["--tmpfs", d]
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
        if self.group:
            self.group.kill()

    def notes(self):
        return self.group.notes() if self.group else []

    def close(self):
        if self.seccomp_fd is not None:
            os.close(self.seccomp_fd)
            self.seccomp_fd = None
        if self.group:
            self.group.remove()


def _hidden_packages():
    found = []
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
