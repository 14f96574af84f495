"""The executor: runs one notebook's cells in a fresh kernel, inside the sandbox, and sends back what happened.

Started by the host-side runner (``autograder.runner``) as ``python -m autograder.executor``. It shares the
sandbox with the kernel that runs student code, so it holds nothing secret and is part of the kernel-side
runtime (``autograder.runtime``). It reads the notebook on standard input and writes frames
(``autograder.frames``) to ``--result-fd``: each cell as soon as it ran (outputs capped), each new record file
of the hidden tests, and how the run ended. It speaks to the kernel through ``autograder.kernel_client`` (pyzmq
only) and builds cell outputs as nbclient does; nbclient itself, jupyter_client and nbformat are not imported here:
they were a quarter of a notebook's CPU time.

Time limit per cell (``--timeout``): a cell that runs longer is interrupted (``KeyboardInterrupt``) and the
next cell runs; a cell that ignores the interrupt for another ``--timeout`` gets its kernel stopped and the
remaining cells do not run.
"""

import argparse
import base64
import ctypes
import gc
import json
import os
import sys
import time
from pathlib import Path

from .frames import (
    MAX_ERROR_CHARS,
    MAX_OUTPUTS,
    MAX_RECORD_BYTES,
    MAX_RICH_BYTES,
    MAX_STREAM_CHARS,
    RECORD_NAME,
    RICH_NOTE,
    STREAM_NOTE,
    first_line,
)
from .kernel_client import DeadKernel, Kernel, kernel_argv

BOOTSTRAP_TIMEOUT = 60  # seconds the kernel may take to import the grader's runtime (not a limit of student code)


class _Sender:
    """Writes frames to the result pipe; remembers which record files it already sent."""

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


IOPUB_TIMEOUT = 4  # seconds to wait, after a cell's reply, for the kernel's IOPub to say it is idle (as nbclient)
SKIP_TAG = "skip-execution"  # a cell with this tag is not run (nbclient's skip_cells_with_tag)


def _output(kind, content):
    """A notebook output from an IOPub message (nbformat's ``output_from_msg``, without validation: the host
    rebuilds every output from checked parts, ``autograder.runner.clean_output``), or ``None``."""
    if kind == "stream":
        return {"output_type": "stream", "name": content.get("name"), "text": content.get("text")}
    if kind in ("display_data", "execute_result"):
        out = {"output_type": kind, "data": content.get("data", {}), "metadata": content.get("metadata", {})}
        if kind == "execute_result":
            out["execution_count"] = content.get("execution_count")
        return out
    if kind == "error":
        return {"output_type": "error", "ename": content.get("ename"), "evalue": content.get("evalue"),
                "traceback": content.get("traceback")}
    return None


class CellRunner:
    """Runs code cells one at a time in ``kernel`` and builds their outputs as a notebook holds them, bounded.

    What a cell's outputs become follows nbclient (clear_output, with and without ``wait``; display ids updated in
    place; the execution count from IOPub), with caps: each stream is capped on its own and printed text does not
    count as outputs (how a kernel splits stdout and stderr into messages depends on timing, what each stream holds
    does not); rich outputs and their count are capped; error texts are shortened."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.interrupted, self.caps = set(), {}

    def run(self, cell, index, timeout):
        """Run ``cell`` (a dict; its ``outputs`` and ``execution_count`` are set) with ``timeout`` seconds: past
        it the kernel is interrupted and the cell's index noted in :attr:`interrupted`. Raises
        :class:`~autograder.kernel_client.DeadKernel` if the kernel ends."""
        tags = (cell.get("metadata") or {}).get("tags") or []
        if not cell["source"].strip() or SKIP_TAG in tags:
            return
        msg_id = self.kernel.send("execute_request", {"code": cell["source"], "silent": False,
                                                      "store_history": True, "user_expressions": {},
                                                      "allow_stdin": False, "stop_on_error": False})
        self.outputs = cell["outputs"] = []
        self.clear_pending, self.displays = False, {}
        self.cap = self.caps[index] = {"stdout": 0, "stderr": 0, "rich": 0, "count": 0, "note": set()}
        deadline, replied_at, idle, checked = time.monotonic() + timeout, None, False, time.monotonic()
        while replied_at is None or not idle:
            now = time.monotonic()
            if replied_at is not None:
                left = replied_at + IOPUB_TIMEOUT - now
                if left <= 0:
                    break  # the reply came but IOPub never said idle: go on with what arrived
            else:
                left = deadline - now
                if left <= 0:
                    if not self.kernel.alive():
                        raise DeadKernel("the kernel died")
                    self.kernel.interrupt()
                    self.interrupted.add(index)
                    replied_at = now
                    continue
            got = self.kernel.receive(min(left, 1.0))
            for channel, msg in got:
                if msg["parent_id"] != msg_id:
                    continue
                if channel == "shell":
                    replied_at = replied_at or time.monotonic()
                elif self._message(msg, cell):
                    idle = True
            if not got or time.monotonic() - checked >= 1:
                checked = time.monotonic()
                if not self.kernel.alive():
                    raise DeadKernel("the kernel died")

    def responsive(self, timeout):
        """Does the kernel run an empty cell within ``timeout`` seconds (so the interrupted cell stopped)?"""
        try:
            self.kernel.run_quietly("", timeout)
        except (TimeoutError, DeadKernel):
            return False
        return True

    def _message(self, msg, cell):
        """Apply one IOPub message of the running cell; ``True`` when it says the kernel is idle again."""
        kind, content = msg["msg_type"], msg["content"]
        transient = content.get("transient")
        display_id = transient.get("display_id") if type(transient) is dict else None
        if kind == "update_display_data" and len(json.dumps(content.get("data", {}))) > MAX_RICH_BYTES:
            return False
        if display_id and kind in ("execute_result", "display_data", "update_display_data"):
            for i in self.displays.get(display_id, ()):
                self.outputs[i]["data"] = content.get("data", {})
                self.outputs[i]["metadata"] = content.get("metadata", {})
        if "execution_count" in content:
            cell["execution_count"] = content["execution_count"]
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "clear_output":
            self.cap["stdout"] = self.cap["stderr"] = self.cap["rich"] = self.cap["count"] = 0
            if content.get("wait"):
                self.clear_pending = True
            else:
                self.outputs[:] = []
                self.displays = {}
        elif kind in ("stream", "display_data", "execute_result", "error"):
            self._add(kind, content, display_id)
        return False

    def _add(self, kind, content, display_id):
        cap = self.cap
        if cap["count"] >= MAX_OUTPUTS and kind not in ("error", "stream"):
            return
        if kind == "stream":
            name = "stderr" if content.get("name") == "stderr" else "stdout"
            text = str(content.get("text", ""))
            room = MAX_STREAM_CHARS - cap[name]
            if room <= 0:
                cap["note"].add(name)
                return
            if len(text) > room:
                content["text"] = text = text[:room]
                cap["note"].add(name)
            cap[name] += len(text)
        else:
            if kind in ("display_data", "execute_result"):
                size = len(json.dumps(content.get("data", {})))
                if cap["rich"] + size > MAX_RICH_BYTES:
                    cap["note"].add(RICH_NOTE)
                    return
                cap["rich"] += size
            elif kind == "error":
                content["ename"] = str(content.get("ename", ""))[:200]
                content["evalue"] = str(content.get("evalue", ""))[:MAX_ERROR_CHARS]
                trace = content.get("traceback")
                content["traceback"] = [str(t)[:MAX_ERROR_CHARS] for t in (trace if type(trace) is list else [])[-30:]]
            cap["count"] += 1
        if self.clear_pending:
            self.outputs[:] = []
            self.displays, self.clear_pending = {}, False
        if display_id:
            self.displays.setdefault(display_id, []).append(len(self.outputs))
        self.outputs.append(_output(kind, content))

    def finish(self, cell, index):
        """Merge each stream's pieces (their split depends on timing), then add the truncation notes."""
        cell["outputs"] = _coalesce(cell.get("outputs", []))
        cap = None if index in self.interrupted else self.caps.get(index)  # a stopped cell: only why
        for note in sorted(cap["note"]) if cap else []:
            if note == RICH_NOTE:
                cell["outputs"].append({"output_type": "stream", "name": "stdout", "text": note})
                continue
            stream = next((o for o in cell["outputs"] if o.get("output_type") == "stream"
                           and o.get("name") == note), None)
            if stream is not None:
                stream["text"] += STREAM_NOTE


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


# the kernel's command line in place of ``-m ipykernel_launcher``: ipykernel's own start-up, with debugpy kept out of
# it. ipykernel imports debugpy as the kernel starts, for JupyterLab's debugger panel, which grading never uses: that
# was a quarter of the kernel's start-up CPU. Once the kernel is set up, debugpy is importable again for student code.
# Python's cyclic garbage collector is off until the grader's runtime is imported (BOOTSTRAP turns it on again): while
# thousands of modules and classes are created it kept walking them, a quarter of the import time, and freed nothing.
KERNEL_LAUNCHER = """
import gc
gc.disable()
import sys
from importlib.util import find_spec
sys.argv[0] = find_spec("ipykernel_launcher").origin  # what student code sees, as with -m ipykernel_launcher
sys.modules["debugpy"] = None
import ipykernel.debugger
from ipykernel.kernelapp import IPKernelApp
_app = IPKernelApp.instance()
_app.initialize()
del sys.modules["debugpy"], find_spec
_app.start()
"""


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
    import gc as _gc  # on again (KERNEL_LAUNCHER), for student code; what start-up made is never garbage: set aside
    _gc.freeze()
    _gc.enable()
if "" not in _sys.path:  # the student's own modules, beside the notebook (PYTHONSAFEPATH left the folder out)
    _sys.path.insert(0, "")
del _os, _sys, _saved, _gc
"""


def _bootstrap(kernel):
    """Run :data:`BOOTSTRAP` in the fresh kernel; raises if it fails (a grader problem, not the student's)."""
    reply = kernel.run_quietly(BOOTSTRAP, BOOTSTRAP_TIMEOUT)
    if reply.get("status") != "ok":
        raise RuntimeError(f"the grader's runtime could not be imported in the kernel: "
                           f"{reply.get('ename')}: {reply.get('evalue')}")


FONT_CACHE_DIR = "matplotlib-fontlist"  # in the runtime, beside autograder/ (autograder.runner.build_font_cache)


def _seed_font_cache():
    """Copy matplotlib's font list, built once for the whole grading (``autograder.runner.build_font_cache``), to
    where matplotlib looks for it in this notebook's home, which starts empty: a notebook that plots then does not
    scan the system's fonts again. Nothing when there is no such list, or when matplotlib is pointed elsewhere."""
    source = Path(__file__).resolve().parent.parent / FONT_CACHE_DIR
    if os.environ.get("MPLCONFIGDIR") or not source.is_dir():
        return
    target = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    try:
        for item in sorted(source.glob("fontlist-v*.json")):
            if not (target / item.name).exists():
                target.mkdir(parents=True, exist_ok=True)
                (target / item.name).write_bytes(item.read_bytes())
    except OSError:
        pass


# the kernel's options: output written to the file descriptors (C code, subprocesses) reaches a kernel thread at times
# that vary, so it is not captured and feedback is the same every run; no history database to write
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False", "--HistoryManager.enabled=False"]


def _timeout_error(text):
    return {"output_type": "error", "ename": "TimeoutError", "evalue": text, "traceback": []}


def _cells(nb_text):
    """The notebook's cells (JSON as nbformat writes it), each with its source as one string."""
    cells = json.loads(nb_text)["cells"]
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        cell.setdefault("source", "")
    return cells


def execute_notebook(nb_text, cwd, timeout, collect, result_fd):
    """Run every code cell of the notebook ``nb_text`` (JSON) in a fresh kernel in folder ``cwd``.

    ``timeout``: seconds per cell; ``collect``: the folder the hidden tests write records to; ``result_fd``: the
    pipe the frames go to. Returns nothing: everything, how the run ended included, is sent as frames."""
    _not_dumpable()
    sender = _Sender(result_fd)
    sender.send({"type": "hello"})  # nothing of the student's has run yet
    _seed_font_cache()
    cells = _cells(nb_text)
    ok, reason, notes, timing = True, "", [], False
    started = False
    runner = None

    def report(index, cell):
        runner.finish(cell, index)
        sender.send({"type": "cell", "index": index, "outputs": cell.get("outputs", []),
                     "execution_count": cell.get("execution_count")})
        sender.records(collect)

    try:
        with Kernel(kernel_argv(KERNEL_LAUNCHER, KERNEL_ARGUMENTS), cwd) as kernel:
            kernel.wait_for_ready(BOOTSTRAP_TIMEOUT)
            _bootstrap(kernel)
            started, runner = True, CellRunner(kernel)
            for index, cell in enumerate(cells):
                if cell.get("cell_type") != "code":
                    continue
                sender.send({"type": "start", "index": index})
                where = f"cell {index + 1}{first_line(cell)}"
                try:
                    runner.run(cell, index, timeout)
                except DeadKernel:
                    timing = True
                    ok, reason = False, (f"the Python kernel died while running {where}; "
                                         "the remaining cells did not run.")
                    report(index, cell)
                    break
                if index in runner.interrupted and not runner.responsive(timeout):
                    # the cell ignored the interrupt for another full time limit: leaving `with` stops the kernel
                    cell["outputs"] = [_timeout_error(f"this cell ran longer than {timeout:g} s and did not stop when "
                                              "interrupted")]
                    ok, reason = False, (f"{where} ran longer than {timeout:g} s and did not stop when "
                                         "interrupted; the kernel was stopped and the remaining cells did not run.")
                    report(index, cell)
                    break
                if index in runner.interrupted:
                    notes.append(f"{where} ran longer than {timeout:g} s and was interrupted.")
                    # how much a stopped cell printed depends on timing: show only why it stopped
                    cell["outputs"] = [_timeout_error(f"this cell ran longer than {timeout:g} s and was interrupted")]
                report(index, cell)
            sender.records(collect)
            sender.send({"type": "done", "ok": ok, "reason": reason, "notes": notes, "timing_dependent": timing})
    except Exception as exc:  # the kernel could not start, or vanished
        sender.records(collect)
        sender.send({"type": "done", "ok": False, "notes": notes, "timing_dependent": True, "grader_fault": not started,
                     "reason": reason or f"the notebook could not be executed: {type(exc).__name__}: {exc}"})


def main(argv=None):
    """``python -m autograder.executor - --cwd DIR --timeout S --collect DIR --result-fd N`` (see the module)."""
    gc.disable()  # nothing here makes reference cycles; the kernel's messages can be many
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebook", help="the notebook to run, or - for standard input")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--timeout", type=float, required=True, help="seconds per cell")
    parser.add_argument("--collect", required=True, help="the folder the hidden tests write their records to")
    parser.add_argument("--result-fd", type=int, required=True, help="where the frames go (a pipe)")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.notebook == "-" else Path(args.notebook).read_text()
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)  # fd 0 again, so the kernel does not get the notebook's file
    execute_notebook(text, args.cwd, args.timeout, args.collect, args.result_fd)


if __name__ == "__main__":
    main()
