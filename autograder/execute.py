"""Execute one notebook in a separate process, under limits, and hand the results back safely.

``run_notebook`` is called by the grader. It starts ``python -m autograder.execute`` (optionally inside
a sandbox, see ``autograder.sandbox``) which runs the cells with nbclient. The notebook goes in on
standard input; everything comes back through one pipe (``--result-fd``) as a stream of frames,
one JSON object per line, sent as soon as it exists:

* ``cell``: a cell with its outputs, after it ran (outputs capped: a cell keeps at most ~100 kB of
  printed text, 2 MB of rich output; the rest is dropped with a note);
* ``record``: a file the hidden tests wrote to the records folder (``autograder.hidden``);
* ``done``: how the run ended.

So nothing the student's code does to the file system of its run survives it, the grader never
reads a file the student could have swapped, and whatever was sent before a kernel crash or a
time-out is kept: cells that already ran keep their outputs and their hidden-test records.

Time limits: a cell that runs over ``cell_timeout`` is interrupted (``KeyboardInterrupt``) and the
next cell runs; a cell that ignores the interrupt for another ``cell_timeout`` gets its kernel
stopped (the remaining cells do not run); the whole run is killed at ``total_timeout``.
"""

import argparse
import base64
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "TQDM_DISABLE": "1",
    "PYTHONNOUSERSITE": "1",
    # the folder a program starts in is not put on sys.path (Python 3.11+): a student's file cannot take the
    # place of the executor's or the kernel's modules; IPython adds it back for the student's own imports
    "PYTHONSAFEPATH": "1",
}
MAX_STREAM_CHARS = 100_000  # printed text kept per cell
MAX_RICH_BYTES = 2_000_000  # images, HTML, ... kept per cell
MAX_ERROR_CHARS = 5_000  # the message of an exception
MAX_OUTPUTS = 200  # output items per cell
MAX_RECORD_BYTES = 32 * 1024 * 1024  # one hidden-test record file
MAX_RESULT_BYTES = 128 * 1024 * 1024  # everything one notebook may send back
RECORD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\.rec$")
STREAM_NOTE = (f"\n[output truncated: this cell printed more than {MAX_STREAM_CHARS // 1000} kB; "
               "the rest was not kept]\n")
RICH_NOTE = f"[output dropped: this cell displayed more than {MAX_RICH_BYTES // 1_000_000} MB of images or HTML]\n"


@dataclass
class RunResult:
    ok: bool
    reason: str = ""
    notes: list = field(default_factory=list)  # limits reached, cells interrupted: for the grade report
    # True when how much output got through depends on timing (a crash, the kernel's death, a sandbox limit
    # reached): feedback then shows the notebook without outputs, so that grading twice gives the same page
    timing_dependent: bool = False
    # True when the run failed before any student code could have run (the sandbox or the kernel did not
    # start): the grader's fault, never a grade of 0 for the student
    grader_fault: bool = False


# --- the grader's side --------------------------------------------------------------------------

def run_notebook(nb_path, out_path, *, cwd, env, cell_timeout=60, total_timeout=600, wrap=None, record_dir=None):
    """Execute ``nb_path``; write the executed notebook to ``out_path`` and the records to ``record_dir``.

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
    argv = [sys.executable, "-m", "autograder.execute", "-", "--cwd", str(cwd), "--timeout", str(cell_timeout),
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
        if timed_out:
            result = RunResult(False, f"the notebook took longer than the limit of {total_timeout:g} s and "
                                      "was stopped" + collector.where() + ".")
        elif collector.overflow:
            result = RunResult(False, f"the notebook produced more than {MAX_RESULT_BYTES // 2**20} MB of "
                                      "output and records; the rest was not kept.")
        elif not collector.hello:
            result = RunResult(False, "the grader could not start the sandboxed run of this notebook (before any "
                                      "of its code ran).", grader_fault=True)
        else:
            # feedback must be identical when a class is graded twice, so the reason names nothing that
            # depends on timing: not the process's last log lines (ports, timings), not "while running
            # cell N" (how far the results got), not the exit code (-9 when the sandbox's clean-up reached
            # bubblewrap before it exited, else 137 for the same crash)
            result = RunResult(False, "the grading process ended abnormally before it reported its results "
                                      "(it was killed, or the notebook ended it).", timing_dependent=True)
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
    return value[:limit] if type(value) is str else None


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
        trace = [t[:MAX_ERROR_CHARS] for t in trace[-30:] if type(t) is str] if type(trace) is list else []
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
                self.result = RunResult(bool(frame["ok"]), str(frame.get("reason", ""))[:2000],
                                        [str(n)[:2000] for n in frame.get("notes", [])][:50],
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
        return f" while running cell {self.last_started + 1}{_first_line(self.nb.cells[self.last_started])}"


def _first_line(cell):
    lines = [ln.strip() for ln in cell.get("source", "").splitlines() if ln.strip()]
    if not lines:
        return ""
    line = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    return f" (`{line}`)"


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


# --- the sandbox's side ---------------------------------------------------------------------------

class _Sender:
    def __init__(self, fd):
        os.set_inheritable(fd, False)  # the kernel must not get this pipe
        self.fh = os.fdopen(fd, "wb", buffering=0)
        self.sent = {}

    def send(self, frame):
        try:
            self.fh.write(json.dumps(frame, separators=(",", ":")).encode() + b"\n")
        except (BrokenPipeError, OSError):
            pass

    def records(self, folder):
        """Send every record file that is new or changed since the last call."""
        folder = Path(folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                if not RECORD_NAME.match(entry.name) or not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
                stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
                if self.sent.get(entry.name) == stamp or st.st_size > MAX_RECORD_BYTES:
                    continue
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                with os.fdopen(fd, "rb") as fh:
                    data = fh.read(MAX_RECORD_BYTES + 1)
                if len(data) > MAX_RECORD_BYTES:
                    continue
                self.sent[entry.name] = stamp
                self.send({"type": "record", "name": entry.name, "data": base64.b64encode(data).decode()})
            except OSError:
                continue


def _not_dumpable():
    """Keep same-user processes (the kernel) from opening our file descriptors via /proc or ptrace."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except Exception:
        pass


def _client_class():
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    class Uninterruptible(CellTimeoutError):
        pass

    class CappedClient(NotebookClient):
        """nbclient with bounded outputs, and a kernel stop for cells that ignore the interrupt."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.caps, self.interrupted = {}, set()

        def _cap(self, index):
            # each stream is capped on its own and printed text does not count as outputs: how a kernel splits
            # stdout and stderr into messages depends on timing, what each stream holds does not
            return self.caps.setdefault(index, {"stdout": 0, "stderr": 0, "rich": 0, "count": 0, "note": set()})

        async def _async_handle_timeout(self, timeout, cell=None):
            index = self.current_index
            if index in self.interrupted:  # the interrupt was ignored for another full timeout
                raise Uninterruptible(f"cell {index + 1} ignored the interrupt")
            self.interrupted.add(index)
            await super()._async_handle_timeout(timeout, cell)  # interrupts: KeyboardInterrupt in the cell
            return None

        def clear_output(self, outs, msg, cell_index):
            cap = self._cap(cell_index)
            cap["stdout"] = cap["stderr"] = cap["rich"] = cap["count"] = 0
            return super().clear_output(outs, msg, cell_index)

        def process_message(self, msg, cell, cell_index):
            if msg.get("msg_type") == "update_display_data":
                if len(json.dumps(msg.get("content", {}).get("data", {}))) > MAX_RICH_BYTES:
                    return None
            return super().process_message(msg, cell, cell_index)

        def output(self, outs, msg, display_id, cell_index):
            cap, kind, content = self._cap(cell_index), msg.get("msg_type"), msg.get("content", {})
            if cap["count"] >= MAX_OUTPUTS and kind not in ("error", "stream"):
                return None
            if kind == "stream":
                name = "stderr" if content.get("name") == "stderr" else "stdout"
                text = str(content.get("text", ""))
                room = MAX_STREAM_CHARS - cap[name]
                if room <= 0:
                    cap["note"].add(name)
                    return None
                if len(text) > room:
                    content["text"] = text[:room]
                    cap["note"].add(name)
                cap[name] += len(content["text"])
                return super().output(outs, msg, display_id, cell_index)
            elif kind in ("display_data", "execute_result"):
                size = len(json.dumps(content.get("data", {})))
                if cap["rich"] + size > MAX_RICH_BYTES:
                    cap["note"].add(RICH_NOTE)
                    return None
                cap["rich"] += size
            elif kind == "error":
                content["ename"] = str(content.get("ename", ""))[:200]
                content["evalue"] = str(content.get("evalue", ""))[:MAX_ERROR_CHARS]
                content["traceback"] = [str(t)[:MAX_ERROR_CHARS] for t in content.get("traceback", [])[-30:]]
            cap["count"] += 1
            return super().output(outs, msg, display_id, cell_index)

        def finish_cell(self, cell, index):
            """Merge each stream's pieces (their split depends on timing), then add the truncation notes."""
            import nbformat

            cell.outputs = _coalesce(cell.get("outputs", []))
            cap = None if index in self.interrupted else self.caps.get(index)  # a stopped cell: only why
            for note in sorted(cap["note"]) if cap else []:
                if note == RICH_NOTE:
                    cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=note))
                    continue
                stream = next((o for o in cell.outputs if o.get("output_type") == "stream"
                               and o.get("name") == note), None)
                if stream is not None:
                    stream["text"] += STREAM_NOTE

    return CappedClient, Uninterruptible


def _coalesce(outputs):
    """nbclient's ``coalesce_streams`` in linear time (its carriage-return regex is quadratic in the
    length of a line: 100 kB printed without a newline took 10 s)."""
    merged, streams = [], {}
    for out in outputs:
        if out.get("output_type") == "stream":
            name = out.get("name")
            if name in streams:
                streams[name]["text"] += out.get("text", "")
                continue
            streams[name] = out
        merged.append(out)
    for out in streams.values():
        lines = []
        for line in out["text"].split("\n"):
            head, sep, tail = line.rpartition("\r")
            lines.append(tail if sep and tail else line)
        out["text"] = "\n".join(lines)
    for i in range(len(merged) - 1):  # stdout before stderr when they are neighbours: their order is a race
        a, b = merged[i], merged[i + 1]
        if a.get("output_type") == b.get("output_type") == "stream" and (a.get("name"), b.get("name")) == (
                "stderr", "stdout"):
            merged[i], merged[i + 1] = b, a
    return merged


# run in the kernel before any cell: the grader's own modules are imported from the read-only runtime,
# never from the student's folder (which IPython puts first on sys.path for the student's own imports)
BOOTSTRAP = """
import os as _os, sys as _sys
_saved = list(_sys.path)
_sys.path[:] = [_p for _p in _sys.path if _p not in ("", ".") and _os.path.abspath(_p) != _os.getcwd()]
try:
    import autograder.hidden
finally:
    _sys.path[:] = _saved
if "" not in _sys.path:  # the student's own modules, beside the notebook (PYTHONSAFEPATH left the folder out)
    _sys.path.insert(0, "")
del _os, _sys, _saved
"""


def _bootstrap(client):
    """Run :data:`BOOTSTRAP` in the fresh kernel; raises if it fails (a grader problem, not the student's)."""
    from jupyter_core.utils import run_sync

    reply = run_sync(client.kc.execute_interactive)(BOOTSTRAP, silent=True, store_history=False, timeout=60,
                                                     output_hook=lambda msg: None)
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"the grader's runtime could not be imported in the kernel: "
                           f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def _execute(nb_text, cwd, timeout, collect, result_fd):
    _not_dumpable()
    sender = _Sender(result_fd)
    sender.send({"type": "hello"})  # nothing of the student's has run yet
    import nbformat
    from nbclient.exceptions import DeadKernelError

    CappedClient, Uninterruptible = _client_class()
    nb = nbformat.reads(nb_text, as_version=4)
    client = CappedClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                          kernel_name="python3", record_timing=False, coalesce_streams=False,
                          shutdown_kernel="immediate", resources={"metadata": {"path": str(cwd)}},
                          # output written to the file descriptors (C code, subprocesses) reaches a kernel thread
                          # at times that vary: it is not captured, so that feedback is the same every run
                          extra_arguments=["--IPKernelApp.capture_fd_output=False",
                                           "--HistoryManager.enabled=False"])  # no history database to write
    ok, reason, notes, timing = True, "", [], False
    started = False

    def report(index, cell):
        client.finish_cell(cell, index)
        sender.send({"type": "cell", "index": index, "outputs": cell.get("outputs", []),
                     "execution_count": cell.get("execution_count")})
        sender.records(collect)

    try:
        with client.setup_kernel():
            _bootstrap(client)
            started = True
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                client.current_index = index
                sender.send({"type": "start", "index": index})
                where = f"cell {index + 1}{_first_line(cell)}"
                try:
                    client.execute_cell(cell, index)
                except Uninterruptible:
                    cell.outputs = [nbformat.v4.new_output(
                        "error", ename="TimeoutError",
                        evalue=f"this cell ran longer than {timeout:g} s and did not stop when interrupted",
                        traceback=[])]
                    ok, reason = False, (f"{where} ran longer than {timeout:g} s and did not stop when "
                                         "interrupted; the kernel was stopped and the remaining cells did not run.")
                    report(index, cell)
                    break
                except DeadKernelError:
                    timing = True
                    ok, reason = False, (f"the Python kernel died while running {where}; "
                                         "the remaining cells did not run.")
                    report(index, cell)
                    break
                if index in client.interrupted:
                    notes.append(f"{where} ran longer than {timeout:g} s and was interrupted.")
                    # how much a stopped cell printed depends on timing: show only why it stopped
                    cell.outputs = [nbformat.v4.new_output(
                        "error", ename="TimeoutError", evalue=f"this cell ran longer than {timeout:g} s and was "
                                                              "interrupted", traceback=[])]
                report(index, cell)
            sender.records(collect)
            sender.send({"type": "done", "ok": ok, "reason": reason, "notes": notes, "timing_dependent": timing})
    except Exception as exc:  # the kernel could not start, or vanished
        sender.records(collect)
        sender.send({"type": "done", "ok": False, "notes": notes, "timing_dependent": True, "grader_fault": not started,
                     "reason": reason or f"the notebook could not be executed: {type(exc).__name__}: {exc}"})


def main(argv=None):
    # jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which builds a
    # grammar for seconds; nothing here validates IRIs, so skip it: it was most of a notebook's start-up
    sys.modules.setdefault("rfc3987_syntax", None)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebook", help="the notebook to run, or - for standard input")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--collect", required=True, help="the folder the hidden tests write their records to")
    parser.add_argument("--result-fd", type=int, required=True, help="where the frames go (a pipe)")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.notebook == "-" else Path(args.notebook).read_text()
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)  # fd 0 again, so the kernel does not get the notebook's file
    _execute(text, args.cwd, args.timeout, args.collect, args.result_fd)


if __name__ == "__main__":
    main()
