"""The executor: runs one notebook's cells with nbclient, inside the sandbox, and sends back what happened.

Started by the host-side runner (``autograder.runner``) as ``python -m autograder.executor``. It shares the
sandbox with the kernel that runs student code, so it holds nothing secret and is part of the kernel-side
runtime (``autograder.runtime``). It reads the notebook on standard input and writes frames
(``autograder.frames``) to ``--result-fd``: each cell as soon as it ran (outputs capped), each new record file
of the hidden tests, and how the run ended.

Time limit per cell (``--timeout``): a cell that runs longer is interrupted (``KeyboardInterrupt``) and the
next cell runs; a cell that ignores the interrupt for another ``--timeout`` gets its kernel stopped and the
remaining cells do not run.
"""

import argparse
import base64
import ctypes
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


# the execute reply nbclient makes up (its public ``error_on_timeout``, jupyter/nbclient#224) when it interrupted a
# cell at the time limit. nbclient has no hook or trait for a cell that ignores that interrupt (we found no issue on
# it in nbclient's tracker), hence CappedClient.responsive; nor a time limit for a whole notebook
# (jupyter/nbclient#212): the runner kills the run at the notebook limit
TIMEOUT_REPLY = {"ename": "TimeoutError", "evalue": "interrupted at the cell time limit", "traceback": []}


def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """nbclient with bounded outputs, that notes which cells it interrupted at the time limit.

        Only public parts of nbclient: ``interrupt_on_timeout`` with ``error_on_timeout`` (interrupt the kernel,
        then go on without waiting for the cell's reply), the ``on_cell_executed`` hook, and the output methods.
        nbclient has no hook for a cell that ignores the interrupt; :meth:`responsive` tells, and the caller
        stops the kernel."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, interrupt_on_timeout=True, error_on_timeout=dict(TIMEOUT_REPLY), **kwargs)
            self.caps, self.interrupted = {}, set()
            self.on_cell_executed = self._executed

        def _executed(self, cell, cell_index, execute_reply):
            # nbclient's made-up reply has no header; a real one (which the kernel, and so student code, wrote
            # and could forge) always has
            content = (execute_reply or {}).get("content", {})
            if "header" not in (execute_reply or {}) and content.get("evalue") == TIMEOUT_REPLY["evalue"]:
                self.interrupted.add(cell_index)

        def responsive(self, timeout):
            """Does the kernel run an empty cell within ``timeout`` seconds (so the interrupted cell stopped)?"""
            from jupyter_core.utils import run_sync

            try:
                run_sync(self.kc.execute_interactive)("", silent=True, store_history=False, timeout=timeout,
                                                      output_hook=lambda msg: None)
            except TimeoutError:
                return False
            return True

        def _cap(self, index):
            # each stream is capped on its own and printed text does not count as outputs: how a kernel splits
            # stdout and stderr into messages depends on timing, what each stream holds does not
            return self.caps.setdefault(index, {"stdout": 0, "stderr": 0, "rich": 0, "count": 0, "note": set()})

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

    return CappedClient


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
KERNEL_LAUNCHER = """
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


def _kernel_manager_class():
    """The jupyter_client kernel manager that nbclient starts the kernel with (see :data:`KERNEL_LAUNCHER`), and
    whose client is ready without jupyter_client's fixed pause."""
    from queue import Empty

    from jupyter_client import AsyncKernelManager
    from jupyter_client.asynchronous.client import AsyncKernelClient
    from traitlets import default

    class GradingKernelClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout=None):
            """Return once the kernel answered ``kernel_info`` on the shell channel and a message of it came through
            IOPub (so IOPub is connected and the first cell's outputs cannot be lost); raise if the kernel died or
            ``timeout`` seconds passed. jupyter_client's own ``wait_for_ready`` then also waits until IOPub has
            been silent for 0.2 s, on every start: an idle 0.2 s per notebook that nothing here needs, since
            nbclient and ``execute_interactive`` take only the messages that answer their own request."""
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply.get("msg_type") == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(reply)  # the kernel's protocol version, as jupyter_client does
                        return
                if not await self.is_alive():
                    raise RuntimeError("the kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not reply within {timeout:g} s")

    class GradingKernelManager(AsyncKernelManager):
        @default("client_factory")
        def _grading_client(self):
            return GradingKernelClient

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            for i in range(len(cmd) - 1):
                if cmd[i:i + 2] == ["-m", "ipykernel_launcher"]:
                    return cmd[:i] + ["-c", KERNEL_LAUNCHER] + cmd[i + 2:]
            return cmd  # another kernel command: as it is

    return GradingKernelManager


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

    reply = run_sync(client.kc.execute_interactive)(BOOTSTRAP, silent=True, store_history=False,
                                                     timeout=BOOTSTRAP_TIMEOUT,
                                                     output_hook=lambda msg: None)
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"the grader's runtime could not be imported in the kernel: "
                           f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")


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


def execute_notebook(nb_text, cwd, timeout, collect, result_fd):
    """Run every code cell of the notebook ``nb_text`` (JSON) in a fresh kernel in folder ``cwd``.

    ``timeout``: seconds per cell; ``collect``: the folder the hidden tests write records to; ``result_fd``: the
    pipe the frames go to. Returns nothing: everything, how the run ended included, is sent as frames."""
    _not_dumpable()
    sender = _Sender(result_fd)
    sender.send({"type": "hello"})  # nothing of the student's has run yet
    _seed_font_cache()
    import nbformat
    from nbclient.exceptions import DeadKernelError

    CappedClient = _client_class()
    nb = nbformat.reads(nb_text, as_version=4)
    client = CappedClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3", record_timing=False,
                          kernel_manager_class=_kernel_manager_class(),
                          coalesce_streams=False, shutdown_kernel="immediate",
                          resources={"metadata": {"path": str(cwd)}},
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
                sender.send({"type": "start", "index": index})
                where = f"cell {index + 1}{first_line(cell)}"
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    timing = True
                    ok, reason = False, (f"the Python kernel died while running {where}; "
                                         "the remaining cells did not run.")
                    report(index, cell)
                    break
                if index in client.interrupted and not client.responsive(timeout):
                    # the cell ignored the interrupt for another full time limit: leaving `with` stops the kernel
                    cell.outputs = [nbformat.v4.new_output(
                        "error", ename="TimeoutError",
                        evalue=f"this cell ran longer than {timeout:g} s and did not stop when interrupted",
                        traceback=[])]
                    ok, reason = False, (f"{where} ran longer than {timeout:g} s and did not stop when "
                                         "interrupted; the kernel was stopped and the remaining cells did not run.")
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
    """``python -m autograder.executor - --cwd DIR --timeout S --collect DIR --result-fd N`` (see the module)."""
    # jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which builds a
    # grammar for seconds; nothing here validates IRIs, so skip it: it was most of a notebook's start-up
    sys.modules.setdefault("rfc3987_syntax", None)
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
