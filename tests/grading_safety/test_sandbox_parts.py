"""The sandbox's parts, one at a time: its command line and environment, the fallbacks, the executor's caps."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import executor, frames, runner
from autograder import sandbox as sb
from autograder.pipeline import Limits
from autograder.runtime import make_runtime


def plain_box(tmp_path):
    """A Bubblewrap object without cgroups (nothing is run)."""
    return sb.Bubblewrap("/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setarch", None, "no cgroups here",
                         [str(Path(sys.prefix) / "lib" / "site-packages-x" / "autograder")])


def job_dirs(tmp_path):
    job, runtime = tmp_path / "course" / ".grading-work" / "jobs" / "00001", tmp_path / "runtime"
    run, records = job / "run", job / "records"
    for d in (run, records, runtime):
        d.mkdir(parents=True)
    (run / "bp_checks.py").write_text("")
    return job, run, records, runtime


def test_the_sandbox_command_shows_no_grader_path_and_makes_the_root_read_only(tmp_path):
    job, run, records, runtime = job_dirs(tmp_path)
    wrap = plain_box(tmp_path).wrapper(run_dir=run, record_dir=records, workdir=job, runtime=runtime,
                                       limits=Limits(memory_mb=300))
    argv = wrap([sys.executable, "-m", "autograder.executor", "-", "--cwd", str(run), "--collect", str(records)])
    inside = argv[argv.index("--") + 1:]
    assert str(run) not in inside and str(records) not in inside and str(tmp_path) not in " ".join(inside)
    assert inside[-4:] == ["--cwd", "/home/student", "--collect", "/grader/records"]
    assert ["--ro-bind", str(run / "bp_checks.py"), "/home/student/bp_checks.py"] == \
        argv[argv.index(str(run / "bp_checks.py")) - 1:][:3]
    assert "--remount-ro" in argv and "--unshare-all" in argv and ["--cap-drop", "ALL"] == \
        argv[argv.index("--cap-drop"):][:2]
    assert f"--as={(300 + sb.AS_SLACK_MB) * 2**20}" in argv  # no cgroups: memory by address space
    assert "-R" in inside  # no address-space randomisation: the same feedback every time
    for i, a in enumerate(argv):  # the course folder is never mounted
        if a in ("--bind", "--ro-bind"):
            assert not argv[i + 1].startswith(str(tmp_path / "course")) or argv[i + 1].startswith(str(run))


def test_the_sandbox_environment_keeps_kernel_settings_only(tmp_path):
    job, run, records, runtime = job_dirs(tmp_path)
    wrap = plain_box(tmp_path).wrapper(run_dir=run, record_dir=records, workdir=job, runtime=runtime,
                                       limits=Limits())
    env = dict(os.environ, GITHUB_TOKEN="secret", AWS_SECRET_ACCESS_KEY="secret", **runner.SINGLE_THREAD_ENV,
               PYTHONPATH=str(runtime), HOME=str(run), BFS_RECORD_DIR=str(records))
    inside = wrap.env(env)
    assert "secret" not in inside.values()
    assert inside["HOME"] == "/home/student" and inside["BFS_RECORD_DIR"] == "/grader/records"
    assert inside["PYTHONPATH"] == "/grader/runtime" and inside["TQDM_DISABLE"] == "1"
    assert inside["OPENBLAS_NUM_THREADS"] == "1"


def test_without_cgroups_the_sandbox_warns_once_or_counts_as_missing(monkeypatch, capsys):
    if not shutil.which("bwrap") or sb.detect()[0] is None:
        pytest.skip("bubblewrap does not work here")
    monkeypatch.setattr(sb, "detect_cgroups", lambda: (None, "no usable cgroups (test)"))
    monkeypatch.setattr(sb, "_warned", False)
    box, problem = sb.detect()
    assert box is not None and box.cgroups is None and problem is None
    assert "without cgroups" in capsys.readouterr().err
    sb.detect()
    assert capsys.readouterr().err == ""
    assert sb.detect(require_cgroups=True) == (None, "no usable cgroups (test)")


def test_grading_stops_without_a_sandbox_unless_allowed(monkeypatch, tmp_path):
    from course import cli

    monkeypatch.setattr(sb, "detect", lambda *a, **k: (None, "bubblewrap (bwrap) is not installed"))
    with pytest.raises(SystemExit) as stop:
        cli.main(["grade", str(tmp_path), "--course-dir", str(tmp_path / "course")])
    assert "no sandbox" in str(stop.value) and "--allow-unsandboxed" in str(stop.value)
    assert not (tmp_path / "course" / "gradebook.db").exists()


def test_stream_coalescing_is_linear_and_keeps_carriage_return_semantics():
    out = lambda name, text: nbformat.v4.new_output("stream", name=name, text=text)  # noqa: E731
    started = time.perf_counter()
    merged = executor._coalesce([out("stdout", "x" * 1_000_000), out("stdout", "y\n")])
    assert time.perf_counter() - started < 1 and merged[0]["text"] == "x" * 1_000_000 + "y\n"
    merged = executor._coalesce([out("stderr", "warn\n"), out("stdout", "10%\r"), out("stdout", "100%\ndone\n")])
    assert [(o["name"], o["text"]) for o in merged] == [("stdout", "100%\ndone\n"), ("stderr", "warn\n")]


def _run(tmp_path, code, cell_timeout=3, total_timeout=12, wrap=None):
    runtime = make_runtime(tmp_path / "runtime")
    run, records = tmp_path / "run", tmp_path / "records"
    run.mkdir()
    records.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    nbformat.write(nb, tmp_path / "in.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_"))}
    env.update(runner.SINGLE_THREAD_ENV, PYTHONPATH=str(runtime), HOME=str(run), BFS_RECORD_DIR=str(records))
    started = time.monotonic()
    result = runner.run_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", cwd=run, env=env,
                             cell_timeout=cell_timeout, total_timeout=total_timeout, wrap=wrap)
    return result, nbformat.read(tmp_path / "out.ipynb", as_version=4), time.monotonic() - started


def test_unsandboxed_a_hung_kernel_does_not_outlive_its_notebook(tmp_path):
    """Even without the sandbox (--allow-unsandboxed), nothing keeps running after the notebook limit."""
    marker = f"bfs-orphan-{os.getpid()}"
    result, nb, _ = _run(tmp_path, [
        f"import subprocess\nsubprocess.Popen(['sleep', '1000', {marker!r}])\nprint('started')",
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"],
        cell_timeout=3, total_timeout=30)
    # stopped by the ignored-interrupt path (only it says this), not by the notebook limit; no timed assertion
    assert not result.ok and "did not stop when interrupted" in result.reason
    assert nb.cells[0].outputs[0]["text"] == "started\n"  # what ran before is kept
    time.sleep(0.5)
    alive = [p for p in Path("/proc").iterdir() if p.name.isdigit() and marker in _cmdline(p)]
    assert not alive


def _cmdline(proc):
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_outputs_are_capped_and_records_come_back_through_the_pipe(tmp_path):
    result, nb, _ = _run(tmp_path, [
        "print('y' * 5_000_000)",
        "import os\nopen(os.path.join(os.environ['BFS_RECORD_DIR'], 'cell.rec'), 'w').write('[]')\n"
        "open(os.path.join(os.environ['BFS_RECORD_DIR'], 'evil.sh'), 'w').write('x')",
        "raise ValueError('z' * 100_000)"])
    assert result.ok
    text = nb.cells[0].outputs[0]["text"]
    assert len(text) < frames.MAX_STREAM_CHARS + 200 and "output truncated" in text
    assert len(nb.cells[2].outputs[0]["evalue"]) == frames.MAX_ERROR_CHARS
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == ["cell.rec"]


def test_an_interrupted_cell_shows_why_it_stopped_and_not_its_partial_output(tmp_path):
    """How much a runaway cell printed before the limit depends on timing; the stop message does not."""
    result, nb, _ = _run(tmp_path, ["print('before')", "i = 0\nwhile True:\n    i += 1\n    print(i)",
                                    "print('after')"], cell_timeout=2, total_timeout=30)
    assert result.ok and not result.timing_dependent
    assert any("was interrupted" in n for n in result.notes)
    assert nb.cells[0].outputs[0]["text"] == "before\n"
    assert [(o["output_type"], o.get("ename")) for o in nb.cells[1].outputs] == [("error", "TimeoutError")]
    assert nb.cells[2].outputs[0]["text"] == "after\n"


def test_a_crash_marks_the_outputs_as_timing_dependent(tmp_path):
    result, _, _ = _run(tmp_path, ["print('hi')", "import os\nos._exit(3)"], cell_timeout=5, total_timeout=30)
    assert not result.ok and "kernel died" in result.reason and result.timing_dependent


def test_an_editable_installs_hooks_are_empty_in_the_sandbox(tmp_path):
    """A development install's ``.pth`` names the grader's checkout; inside, it is empty and imports nothing."""
    hooks = sb._editable_hooks()
    if not hooks:
        pytest.skip("this project is not installed in editable mode here: no hooks to hide")
    box, problem = sb.detect()
    if box is None:
        pytest.skip(f"no sandbox here: {problem}")
    assert all(h in box.hidden for h in hooks)
    job, run, records, runtime = job_dirs(tmp_path)
    make_runtime(runtime)
    wrap = box.wrapper(run_dir=run, record_dir=records, workdir=job, runtime=runtime, limits=Limits())
    probe = ("import sys\n"
             f"print([open(h).read() for h in {hooks!r}], [m for m in sys.modules if 'editable' in m])")
    env = wrap.env(dict(os.environ, **runner.SINGLE_THREAD_ENV))
    try:
        out = subprocess.run(wrap([sys.executable, "-c", probe]), env=env, capture_output=True, text=True,
                             pass_fds=wrap.pass_fds(), timeout=60)
    finally:
        wrap.kill()
        wrap.close()
    assert out.stdout.strip() == f"{[''] * len(hooks)!r} []", out.stderr
    assert any("finder" in h for h in hooks) and "/work" not in out.stdout
