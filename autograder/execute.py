"""Execute one notebook in a separate process, under time limits, with one BLAS thread.

``run_notebook`` is called by the grader; it starts ``python -m autograder.execute`` (optionally
inside a sandbox, see ``autograder.sandbox``), which runs the cells with nbclient and writes the
executed notebook. A cell that times out is interrupted and the next cell runs; a kernel that
dies, or a notebook over its total time, ends the run and the reason is kept.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# one BLAS thread per worker: with several, the workers fight for the cores
SINGLE_THREAD_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}

STATUS_FILE = "run-status.json"


@dataclass
class RunResult:
    ok: bool
    reason: str = ""


def run_notebook(nb_path, out_path, *, cwd, env, cell_timeout=60, total_timeout=600, wrap=None):
    """Execute ``nb_path`` into ``out_path``. ``wrap(argv) -> argv`` may put the command in a sandbox."""
    status_path = Path(out_path).with_name(STATUS_FILE)
    argv = [sys.executable, "-m", "autograder.execute", str(nb_path), str(out_path),
            "--cwd", str(cwd), "--timeout", str(cell_timeout), "--status", str(status_path)]
    if wrap:
        argv = wrap(argv)
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        log, _ = proc.communicate(timeout=total_timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return RunResult(False, f"the notebook took longer than the limit of {total_timeout:g} s and was stopped.")
    finally:
        _kill_group(proc)
    if status_path.exists():
        try:
            status = json.loads(status_path.read_text())
            return RunResult(bool(status["ok"]), str(status.get("reason", "")))
        except (ValueError, KeyError):
            pass
    tail = (log or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
    return RunResult(False, "the grading process ended abnormally"
                     + (f" (exit code {proc.returncode}: {' | '.join(tail)})" if tail else f" (exit code {proc.returncode})"))


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _execute(nb_path, out_path, cwd, timeout, status_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                            kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    ok, reason = True, ""
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="TimeoutError", evalue=f"this cell ran longer than {timeout} s", traceback=[]))
                except DeadKernelError:
                    ok, reason = False, f"the Python kernel died while running cell {index + 1}."
                    break
    except Exception as exc:  # the kernel could not start or vanished
        ok, reason = False, f"the notebook could not be executed: {type(exc).__name__}: {exc}"
    nbformat.write(nb, out_path)
    Path(status_path).write_text(json.dumps({"ok": ok, "reason": reason}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--status", required=True)
    args = parser.parse_args(argv)
    _execute(args.notebook, args.output, args.cwd, args.timeout, args.status)


if __name__ == "__main__":
    main()
