"""Per-notebook cgroups: a process cap, a memory cap and one CPU's worth of time, and killing all that is in one.

Used by the sandbox (``autograder.bubblewrap``): each notebook's command starts by moving itself into a cgroup
of its own (v1, or v2 where the controllers are delegated), so that everything the notebook starts is counted,
capped and killed at the end. ``detect_cgroups`` tells whether this machine allows it (as root, with the
``pids`` and ``memory`` controllers).
"""

import errno
import itertools
import os
import shlex
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "bfs-"  # every per-notebook cgroup's name starts with this, then the grader's pid
CPU_PERIOD_US = 100_000

_counter = itertools.count()


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
    """Per-notebook cgroups cannot be made on this machine (the message says why)."""


@dataclass
class Cgroups:
    """Where per-notebook cgroups are made: ``parents`` maps controller (``""`` for v2) to a folder."""

    version: int
    parents: dict

    @property
    def controllers(self):
        """The names of the controllers in use, sorted (for ``describe``)."""
        if self.version == 2:
            return sorted(set(_read(self.parents[""] / "cgroup.subtree_control").split()))
        return sorted(self.parents)

    def create(self, limits):
        """A new :class:`Cgroup` with ``limits`` (``memory_mb``, ``processes``) applied; removed again if that fails."""
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
        """Make the cgroup folders and write the process cap, the memory cap (no swap) and one CPU's quota."""
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
        """The ``cgroup.procs`` file of each controller's folder (a pid written there joins the cgroup)."""
        return [d / "cgroup.procs" for d in self.dirs.values()]

    def enter_command(self):
        """``sh -c`` that moves itself into the cgroup(s), then runs the rest of the command line."""
        script = " && ".join(f"echo $$ > {shlex.quote(str(f))}" for f in self.procs_files())
        return ["/bin/sh", "-c", script + ' && exec "$@"', "sh"]

    def pids(self):
        """The set of process ids in the cgroup now."""
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
        """Kill everything in the cgroup and remove its folders (once; later calls do nothing)."""
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

