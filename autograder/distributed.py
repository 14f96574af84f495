"""Grading on a Dask cluster: the notebooks run on workers, the judging stays where grading is coordinated.

``course grade --scheduler tcp://HOST:PORT`` connects a :class:`Cluster` to a running ``dask scheduler``; workers
are started with the ordinary ``dask worker tcp://HOST:PORT`` on any machine with the course installed and the
sandbox available. For each notebook the coordinating process takes the submission in and rebuilds it
(``autograder.pipeline.prepare_notebook``: no student code runs there), sends the rebuilt notebook, the
submission's bytes and the released helpers to a worker as plain data (the worker never needs to see the course
folder), and the worker runs it in its sandbox (:func:`run_task`, ``autograder.pipeline.run_prepared``). What
comes back is bytes, checked here as the runner checks what the sandbox sends (``autograder.pipeline.read_run``),
then judged here. A worker's answer decides only the notebook it was given.

Faults: a worker that dies while it runs a notebook (killed, its machine gone) makes the scheduler give the
notebook to another worker; the coordinator takes each notebook's answer once. A notebook whose worker died
``distributed.scheduler.allowed-failures`` + 1 times (3 + 1 by default) is a grader error. A lost scheduler
stops the run with :class:`ClusterLost`; every notebook judged before that is on disk already.

Dask's own messages between scheduler, workers and clients are pickles, so every member of a cluster can run code
on the others: start workers under an account of their own on machines you control, and keep the scheduler's
port reachable only from them (a private network, a firewall, or Dask's TLS settings).
"""

import atexit
import shutil
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

from . import versions
from .pipeline import Limits, prepare_runtime, run_prepared

INSTALL = ("pip install 'backprop-from-scratch[dask]' (in a checkout: "
           "pip install -c requirements/constraints.txt -e '.[dask]')")
CONNECT_TIMEOUT = 30  # seconds to reach the scheduler
WORKER_WAIT = 120  # seconds to wait for a first worker before grading starts
NO_WORKER_LIMIT = 600  # seconds without any worker during grading before the run stops


class ClusterError(RuntimeError):
    """The cluster cannot grade (not reachable, no worker, a worker of another grader version); says what to do."""


class ClusterLost(ClusterError):
    """The scheduler went away (or kept no worker) while grading; what was judged before is on disk."""


class WorkerRefused(RuntimeError):
    """A worker refused a notebook: it runs another grader version, or has no sandbox."""


# ---- on a worker ---------------------------------------------------------------------------------------------

_state = None
_lock = threading.Lock()


class _Worker:
    """What one worker process prepares once: a private folder, the kernel-side runtime, its sandbox."""

    def __init__(self):
        from . import sandbox as sb

        self.root = Path(tempfile.mkdtemp(prefix="bfs-worker-"))
        atexit.register(shutil.rmtree, self.root, True)
        self.sandbox, self.problem = sb.detect()
        self.runtime = prepare_runtime(self.root / "runtime", self.sandbox)  # as for local grading
        self.version = versions.code_version()


def _worker():
    global _state
    with _lock:
        if _state is None:
            _state = _Worker()
        return _state


def describe_worker():
    """What the coordinator checks of a worker before grading: its code version, its sandbox, its host name."""
    w = _worker()
    return {"version": w.version, "sandbox": w.sandbox is not None, "problem": w.problem or "",
            "host": socket.gethostname(), "libraries": versions.library_versions()}


def _address():
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return socket.gethostname()


def run_task(payload):
    """Run one prepared notebook on this worker (a Dask task). Returns the bytes of
    ``autograder.pipeline.run_prepared``; raises :class:`WorkerRefused` for a notebook it must not run."""
    w = _worker()
    if payload["version"] != w.version:
        raise WorkerRefused(f"the worker at {_address()} runs another version of the grader ({w.version[:12]}, the "
                            f"coordinator runs {payload['version'][:12]}): install the same course on every machine")
    if payload["sandboxed"] and w.sandbox is None:
        raise WorkerRefused(f"the worker at {_address()} has no sandbox for student code ({w.problem}): install "
                            "bubblewrap there (Debian: apt-get install bubblewrap)")
    workdir = Path(tempfile.mkdtemp(prefix="job-", dir=w.root))
    try:
        return run_prepared(payload, workdir, w.runtime, Limits(**payload["limits"]),
                            w.sandbox if payload["sandboxed"] else None, where=_address())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---- where grading is coordinated ----------------------------------------------------------------------------

class Cluster:
    """A connection to a Dask scheduler whose workers run the notebooks (``autograder.pipeline.grade_jobs``'s
    ``cluster``). ``sandboxed``: every worker must have the sandbox (as ``course grade`` requires here)."""

    def __init__(self, address, *, sandboxed=True, connect_timeout=CONNECT_TIMEOUT, worker_wait=WORKER_WAIT,
                 no_worker_limit=NO_WORKER_LIMIT):
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError(f"grading on a Dask cluster needs the `distributed` package: {INSTALL}") from None
        self.address, self.sandboxed, self.no_worker_limit = address, sandboxed, no_worker_limit
        self.version = versions.code_version()
        self._seen_workers, self._checked, self._check_lock = time.monotonic(), 0.0, threading.Lock()
        try:
            self.client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc}). Start "
                               "one with `dask scheduler` and give its address (tcp://HOST:8786).") from None
        try:
            self.check_workers(worker_wait)
        except BaseException:
            self.close()
            raise

    def check_workers(self, wait):
        """Wait up to ``wait`` seconds for a first worker, then check every worker's grader version and sandbox."""
        try:
            self.client.wait_for_workers(1, timeout=wait)
        except (TimeoutError, OSError):
            raise ClusterError(f"no worker is connected to the Dask scheduler at {self.address} (waited {wait:g} s). "
                               f"Start one on each grading machine: `dask worker {self.address}`.") from None
        found = self.client.run(describe_worker)
        wrong = []
        for address, info in sorted(found.items()):
            if info.get("version") != self.version:
                mine = versions.library_versions()
                differ = {k: v for k, v in (info.get("libraries") or {}).items() if mine.get(k) != v}
                wrong.append(f"{address} ({info.get('host')}) runs another version of the grader"
                             + (f" (libraries: {differ}; here: { {k: mine.get(k) for k in differ} })" if differ
                                else " (its autograder package differs)"))
            elif self.sandboxed and not info.get("sandbox"):
                wrong.append(f"{address} ({info.get('host')}) has no sandbox for student code: {info.get('problem')}")
        if wrong:
            raise ClusterError("these Dask workers cannot grade for this course: " + "; ".join(wrong) + ". Install "
                               "the same course (the same wheel) and bubblewrap on every worker, or stop those.")

    def in_flight(self):
        """How many notebooks to keep on the cluster at once: two per worker thread, so that taking in and judging
        here overlap with the runs (and no more: each one's submission is in memory here until it is judged)."""
        return max(2, 2 * sum(self.client.nthreads().values()))

    def run(self, payload):
        """Run one notebook on a worker; returns its bytes. Blocks; call from many threads at once."""
        from distributed import CancelledError

        future = self.client.submit(run_task, dict(payload, version=self.version), pure=False,
                                    key=f"grade-{payload['label'].split('/')[-1]}-{uuid.uuid4().hex}")
        try:
            while True:
                try:
                    return future.result(timeout=10)
                except TimeoutError:
                    self._still_working()
        except CancelledError:
            raise ClusterLost(self._lost_message()) from None
        finally:
            future.release()

    def _still_working(self):
        """Raise :class:`ClusterLost` when the client lost the scheduler, or no worker has been there for long."""
        if self.client.status not in ("running", "connecting"):
            raise ClusterLost(self._lost_message())
        with self._check_lock:
            now = time.monotonic()
            if now - self._checked < 5:
                return
            self._checked = now
            try:
                workers = self.client.nthreads()
            except Exception:
                return
            if workers:
                self._seen_workers = now
            elif now - self._seen_workers > self.no_worker_limit:
                raise ClusterLost(f"no Dask worker has been connected to the scheduler at {self.address} for "
                                  f"{self.no_worker_limit:g} s; grading stopped.")

    def _lost_message(self):
        return (f"the connection to the Dask scheduler at {self.address} was lost during grading (the scheduler "
                "stopped, or the network failed)")

    def lost(self, exc):
        """Does ``exc`` (raised by :meth:`run`) end the whole run rather than one notebook?"""
        return isinstance(exc, ClusterLost)

    def close(self):
        try:
            self.client.close(timeout=10)
        except Exception:
            pass
