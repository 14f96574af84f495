"""Run one notebook in a separate process (the executor, optionally in a sandbox) and take its results back safely.

``run_notebook`` is called by the grader, on the host. It starts ``python -m autograder.executor`` (wrapped in a
sandbox by ``autograder.bubblewrap`` when one is given), which runs the cells in a fresh kernel. The notebook goes in
on standard input; everything comes back through one pipe as frames (``autograder.frames``), read here as they
arrive. So nothing the student's code does to the file system of its run survives it, the grader never reads a
file the student could have swapped, and whatever was sent before a kernel crash or a time-out is kept: cells
that already ran keep their outputs and their hidden-test records. Every frame is rebuilt from checked parts
(:func:`clean_output`): the executor shares its sandbox with student code.

Time limits: a cell that runs over ``cell_timeout`` is interrupted by the executor; the whole run is killed
here at ``total_timeout`` (the executor has a per-cell limit only).
"""

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .frames import (
    MAX_ERROR_CHARS,
    MAX_OUTPUTS,
    MAX_RECORD_BYTES,
    MAX_RESULT_BYTES,
    MAX_RICH_BYTES,
    MAX_STREAM_CHARS,
    RECORD_NAME,
    first_line,
)
from .i18n import N_

# the environment of the notebook kernel. One BLAS thread per worker: with several, the workers fight
# for the cores. No progress bars (tqdm would make feedback differ between runs), no user site-packages.
SINGLE_THREAD_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    # the same text encoding, locale and clock for every student, whatever the grading machine's settings
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONUTF8": "1",
    "TZ": "UTC",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "TQDM_DISABLE": "1",
    "PYTHONNOUSERSITE": "1",
    # the folder a program starts in is not put on sys.path (Python 3.11+): a student's file cannot take the
    # place of the executor's or the kernel's modules; IPython adds it back for the student's own imports
    "PYTHONSAFEPATH": "1",
}


@dataclass
class RunResult:
    """How one run ended: ``ok``, or why not (``reason``), with notes for the grade report."""

    ok: bool
    reason: str = ""
    notes: list = field(default_factory=list)  # limits reached, cells interrupted: for the grade report
    # True when how much output got through depends on timing (a crash, the kernel's death, a sandbox limit
    # reached): feedback then shows the notebook without outputs, so that grading twice gives the same page
    timing_dependent: bool = False
    # True when the run failed before any student code could have run (the sandbox or the kernel did not
    # start): the grader's fault, never a grade of 0 for the student
    grader_fault: bool = False


def run_notebook(nb_path, out_path, *, cwd, env, cell_timeout, total_timeout, wrap=None, record_dir=None):
    """Execute ``nb_path``; write the executed notebook to ``out_path`` and the records to ``record_dir``.

    ``cwd``: the notebook's folder; ``env``: the kernel's environment; ``cell_timeout`` and ``total_timeout``:
    seconds per cell and for the whole run (``autograder.pipeline.Limits``). Returns a :class:`RunResult`.

    ``wrap(argv) -> argv`` may put the command in a sandbox; if it also has ``env(env)``, ``kill()``,
    ``notes()`` and ``close()`` (``autograder.sandbox``), they are used to set the sandbox's environment,
    to stop everything it started, to explain limits that were reached, and to clean up.
    ``record_dir`` defaults to ``env["BFS_RECORD_DIR"]``.
    """
    try:
        return _run(nb_path, out_path, cwd, env, cell_timeout, total_timeout, wrap, record_dir)
    finally:
        if hasattr(wrap, "close"):
            wrap.close()


def _run(nb_path, out_path, cwd, env, cell_timeout, total_timeout, wrap, record_dir):
    import nbformat

    record_dir = Path(record_dir or env.get("BFS_RECORD_DIR") or Path(out_path).parent / "records")
    record_dir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(nb_path, as_version=4)
    collector = _Collector(nb, record_dir)
    read_end, write_end = os.pipe()
    argv = [sys.executable, "-m", "autograder.executor", "-", "--cwd", str(cwd), "--timeout", str(cell_timeout),
            "--collect", str(record_dir), "--result-fd", str(write_end)]
    if wrap:
        argv = wrap(argv)
    if hasattr(wrap, "env"):  # the sandbox's own environment (paths as seen inside, nothing secret)
        env = wrap.env(env)
    started = time.monotonic()
    try:
        with open(nb_path, "rb") as stdin:
            # results come through the pipe; what the executor (or the kernel) prints is never shown, since it
            # varies from run to run (ports, timings)
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    pass_fds=(write_end, *(wrap.pass_fds() if hasattr(wrap, "pass_fds") else ())))
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    reader = threading.Thread(target=collector.read, args=(read_end,), daemon=True)
    reader.start()
    timed_out = False
    try:
        # the run is over when the executor says so (its kernel's shutdown need not be waited for),
        # when it exits, or at the time limit
        deadline = started + total_timeout
        while not collector.done.wait(0.05):
            if proc.poll() is not None or time.monotonic() > deadline:
                timed_out = proc.poll() is None
                break
    finally:
        if hasattr(wrap, "kill"):
            wrap.kill()
        else:  # no sandbox: the kernel runs in a session of its own, so end the whole process tree
            _kill_tree(proc.pid)
        _kill_group(proc)
        reader.join(5)
    notes = list(wrap.notes()) if hasattr(wrap, "notes") else []
    nbformat.write(collector.notebook(), out_path)
    collector.write_records()
    result = collector.result
    if result is None:
        # English here (this may run on a Dask worker); the judge translates the marked texts (autograder.i18n)
        if timed_out:
            where = collector.where()
            reason = N_("the notebook took longer than the limit of {limit} s and was stopped while running cell "
                        "{cell}.") if where else N_("the notebook took longer than the limit of {limit} s and was "
                                                    "stopped.")
            result = RunResult(False, reason.format(limit=f"{total_timeout:g}",
                                                    cell=where.removeprefix(" while running cell ")))
        elif collector.overflow:
            result = RunResult(False, N_("the notebook produced more than {size} MB of output and records; the rest "
                                         "was not kept.").format(size=MAX_RESULT_BYTES // 2**20))
        elif not collector.hello:
            result = RunResult(False, N_("the grader could not start the sandboxed run of this notebook (before any "
                                         "of its code ran)."), grader_fault=True)
        else:
            # feedback must be identical when a class is graded twice, so the reason names nothing that
            # depends on timing: not the process's last log lines (ports, timings), not "while running
            # cell N" (how far the results got), not the exit code (-9 when the sandbox's clean-up reached
            # bubblewrap before it exited, else 137 for the same crash)
            result = RunResult(False, N_("the grading process ended abnormally before it reported its results (it "
                                         "was killed, or the notebook ended it)."), timing_dependent=True)
    result.timing_dependent = result.timing_dependent or bool(notes)  # the sandbox's notes: limits reached
    result.notes = list(result.notes) + [n for n in notes if n not in result.notes]
    if not result.ok and notes:
        result.reason = result.reason.rstrip(".") + ". " + " ".join(notes)
    return result



RICH_TYPES = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/gif",
              "image/svg+xml", "application/json"}  # never application/javascript: it would run


def _text(value, limit):
    """A string (or nbformat's list of strings) as one string of at most ``limit`` characters, else None."""
    if type(value) is list and all(type(v) is str for v in value):
        value = "".join(value)
    return _utf8(value[:limit]) if type(value) is str else None


def _utf8(text):
    """``text`` as a UTF-8 file can hold it: a lone surrogate (JSON carries one, e.g. printed by student code; UTF-8
    cannot) is kept as its escape ``\\udcff``, so the notebook and results can be written. Hangul is unchanged."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_output(out):
    """One cell output as the kernel sent it, rebuilt from checked parts only (the kernel ran student code,
    so its messages are hostile): known output types, string fields, bounded sizes, image sizes as numbers;
    anything else is dropped (``None``)."""
    import nbformat

    if type(out) is not dict:
        return None
    kind = out.get("output_type")
    if kind == "stream":
        text = _text(out.get("text"), MAX_STREAM_CHARS + 1000)
        if out.get("name") not in ("stdout", "stderr") or text is None:
            return None
        return nbformat.v4.new_output("stream", name=out["name"], text=text)
    if kind == "error":
        trace = out.get("traceback")
        trace = [_utf8(t[:MAX_ERROR_CHARS]) for t in trace[-30:] if type(t) is str] if type(trace) is list else []
        return nbformat.v4.new_output("error", ename=_text(out.get("ename"), 200) or "Error",
                                      evalue=_text(out.get("evalue"), MAX_ERROR_CHARS) or "", traceback=trace)
    if kind in ("display_data", "execute_result"):
        data = out.get("data")
        if type(data) is not dict:
            return None
        data = {k: t for k, v in data.items() if k in RICH_TYPES and (t := _text(v, MAX_RICH_BYTES)) is not None}
        if "application/json" in data:  # only shown as text
            data["text/plain"] = data.pop("application/json")
        if not data:
            return None
        metadata, given = {}, out.get("metadata")
        for mime, meta in (given.items() if type(given) is dict else ()):
            if mime in data and type(meta) is dict:
                sizes = {k: meta[k] for k in ("width", "height")
                         if type(meta.get(k)) in (int, float) and 0 < meta[k] < 10_000}
                if sizes:
                    metadata[mime] = {k: int(v) for k, v in sizes.items()}
        if kind == "execute_result":
            count = out.get("execution_count")
            return nbformat.v4.new_output(kind, data=data, metadata=metadata,
                                          execution_count=count if type(count) is int else None)
        return nbformat.v4.new_output(kind, data=data, metadata=metadata)
    return None


class _Collector:
    """Read the frames of one run (in a thread) and build the executed notebook and the records."""

    def __init__(self, nb, record_dir):
        self.nb, self.record_dir = nb, Path(record_dir)
        self.cells, self.records, self.result, self.last_started = {}, {}, None, None
        self.done, self.overflow, self.total, self.hello = threading.Event(), False, 0, False

    def read(self, fd):
        pending = []  # pieces of the current line: joined once, at its newline (linear in the line's length)
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(1 << 20)
                if not chunk:
                    break
                if self.overflow:
                    continue  # drain, so the writer is not blocked, but keep nothing
                self.total += len(chunk)
                if self.total > MAX_RESULT_BYTES:
                    self.overflow, pending = True, []
                    continue
                start = 0
                while (end := chunk.find(b"\n", start)) >= 0:
                    pending.append(chunk[start:end])
                    self._frame(b"".join(pending))
                    pending, start = [], end + 1
                pending.append(chunk[start:])
        self.done.set()

    def _frame(self, line):
        try:
            frame = json.loads(line)
            kind = frame["type"]
            if kind == "hello":
                self.hello = True
            elif kind == "start":
                self.last_started = int(frame["index"])
            elif kind == "cell":
                index = int(frame["index"])
                if 0 <= index < len(self.nb.cells) and self.nb.cells[index].cell_type == "code":
                    outputs = [o for o in map(clean_output, frame["outputs"][:MAX_OUTPUTS + 10]) if o is not None]
                    count = frame.get("execution_count")
                    self.cells[index] = (outputs, count if type(count) is int else None)
            elif kind == "record":
                name = str(frame["name"])
                if RECORD_NAME.match(name):
                    data = base64.b64decode(frame["data"], validate=True)
                    if len(data) <= MAX_RECORD_BYTES:
                        self.records[name] = data
            elif kind == "done":
                self.result = RunResult(bool(frame["ok"]), _utf8(str(frame.get("reason", ""))[:2000]),
                                        [_utf8(str(n)[:2000]) for n in frame.get("notes", [])][:50],
                                        bool(frame.get("timing_dependent")), frame.get("grader_fault") is True)
                self.done.set()
        except Exception:  # a damaged frame is dropped; the judge treats missing records as not run
            pass

    def write_records(self):
        """Replace the records folder's contents by the records that came through the pipe."""
        for path in self.record_dir.iterdir():
            if path.is_file() or path.is_symlink():
                path.unlink()
        for name, data in self.records.items():
            (self.record_dir / name).write_bytes(data)

    def notebook(self):
        import copy

        nb = copy.deepcopy(self.nb)
        for index, (outputs, count) in self.cells.items():
            cell = nb.cells[index]
            cell.outputs = outputs
            cell.execution_count = count if isinstance(count, int) else None
        return nb

    def where(self):
        if self.last_started is None:
            return ""
        return f" while running cell {self.last_started + 1}{first_line(self.nb.cells[self.last_started])}"


FONT_CACHE_DIR = "matplotlib-fontlist"  # the runtime's folder of matplotlib's font list (autograder/executor.py reads)
FONT_LIST_NAME = re.compile(r"fontlist-v[0-9A-Za-z.]{1,40}\.json")
MAX_FONT_LIST_BYTES = 16 * 2**20

# run once per grading (in the sandbox, with an empty home, as a notebook's kernel would): matplotlib scans the
# fonts and writes its font list, which is sent back on standard output
FONT_LIST_SCRIPT = """
import json, sys
from pathlib import Path
import matplotlib
import matplotlib.font_manager
path = Path(matplotlib.get_cachedir(), f"fontlist-v{matplotlib.font_manager.FontManager.__version__}.json")
sys.stdout.write(json.dumps({"name": path.name, "text": path.read_text(encoding="utf-8")}))
"""


def build_font_cache(runtime, workdir, *, sandbox=None, limits=None, timeout=120):
    """Have matplotlib build its font list once, the way each notebook's kernel would (in the sandbox when there
    is one, in an empty home), and keep it in ``runtime/`` :data:`FONT_CACHE_DIR`. The executor copies it into
    each notebook's empty home before the kernel starts (``autograder.executor``), so that a notebook using
    matplotlib does not scan the system's fonts again: 0.15-0.2 s of CPU per such notebook. Nothing of a
    student's runs here, and every notebook gets its own copy. Returns the file, or ``None`` when it could not be
    built (the notebooks then build the list themselves, as before). ``workdir``: a scratch folder, removed;
    ``limits``: the sandbox's (``autograder.pipeline.Limits``)."""
    runtime, workdir = Path(runtime), Path(workdir)
    run_dir, record_dir = workdir / "run", workdir / "records"
    for d in (run_dir, record_dir):
        d.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_", "MPL", "XDG_"))}
    env.update(SINGLE_THREAD_ENV, PYTHONPATH=str(runtime), HOME=str(run_dir))
    argv, wrap = [sys.executable, "-c", FONT_LIST_SCRIPT], None
    try:
        if sandbox:
            wrap = sandbox.wrapper(run_dir=run_dir, record_dir=record_dir, workdir=workdir, runtime=runtime,
                                   limits=limits)
            argv, env = wrap(argv), wrap.env(env)
        done = subprocess.run(argv, env=env, cwd=run_dir, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, start_new_session=True, pass_fds=wrap.pass_fds() if wrap else ())
        answer = json.loads(done.stdout[:MAX_FONT_LIST_BYTES + 1000]) if done.returncode == 0 else None
        if type(answer) is not dict or type(answer.get("name")) is not str or type(answer.get("text")) is not str:
            return None
        if not FONT_LIST_NAME.fullmatch(answer["name"]) or len(answer["text"]) > MAX_FONT_LIST_BYTES or \
                type(json.loads(answer["text"])) is not dict:
            return None
        target = runtime / FONT_CACHE_DIR / answer["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(answer["text"], encoding="utf-8")
        return target
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    finally:
        if wrap:
            wrap.kill()
            wrap.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_tree(pid):
    """Stop, then kill, every descendant of ``pid`` (found through /proc)."""
    children = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        except (ValueError, OSError, IndexError):
            continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for child in found:
            try:
                os.kill(child, sig)
            except (ProcessLookupError, PermissionError):
                pass


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()

