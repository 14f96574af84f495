"""The executor speaks to the kernel itself (``autograder.kernel_client``): the outputs it builds are nbclient's.

nbclient (which ``nbgrader autograde`` and the executor before it used) is the reference: the same notebook,
run by both in the same kind of kernel, gives the same cells once both pass through what the host keeps of an
output (``autograder.runner.clean_output``) and the executor's stream merge.
"""

import json
import os
import sys
import time

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import executor, runner
from autograder.kernel_client import Kernel, kernel_argv
from autograder.runtime import make_runtime

# display protocol cases: clear_output now and with wait, display handles updated (in their cell and from a later
# one), execute results and their counts, streams interleaved, rich outputs, errors, a tagged cell not run, an
# empty cell, a cell that only defines things
CELLS = [
    ("x = 1", None),
    ("print('a'); print('b', file=__import__('sys').stderr); print('c')", None),
    ("x + 41", None),
    ("from IPython.display import display, clear_output, HTML, Markdown\n"
     "display(HTML('<b>one</b>')); clear_output()\nprint('after clear')", None),
    ("print('gone'); clear_output(wait=True)\nprint('kept')", None),
    ("h = display(Markdown('first'), display_id=True)\nh.update(Markdown('second'))\nprint('end')", None),
    ("h.update(Markdown('third from a later cell'))\n'value'", None),
    ("display({'text/plain': 'plain', 'text/html': '<i>html</i>'}, raw=True)", None),
    ("print('not run')", ["skip-execution"]),
    ("   \n", None),
    ("def f():\n    raise KeyError('missing')\nf()", None),
    ("import sys\nsys.stderr.write('careful\\n'); print('out')\n3", None),
    ("from IPython.display import update_display\n"
     "display('v1', display_id='d'); update_display('v2', display_id='d')", None),
]


def _notebook():
    nb = nbformat.v4.new_notebook()
    for source, tags in CELLS:
        cell = nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def _kept(outputs):
    """What the host keeps of a cell's outputs: merged streams, each output rebuilt from checked parts."""
    return [o for o in (runner.clean_output(json.loads(json.dumps(x)))
                        for x in executor._coalesce([dict(o) for o in outputs])) if o is not None]


def _env(tmp_path):
    runtime = make_runtime(tmp_path / "runtime")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_"))}
    env.update(runner.SINGLE_THREAD_ENV, PYTHONPATH=str(runtime), HOME=str(tmp_path))
    return env


def test_the_executor_builds_the_outputs_nbclient_builds(tmp_path, monkeypatch):
    env = _env(tmp_path)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    nb = _notebook()
    nbformat.write(nb, tmp_path / "in.ipynb")
    result = runner.run_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", cwd=tmp_path, env=env,
                                 cell_timeout=30, total_timeout=120, wrap=None)
    assert result.ok, result.reason
    ours = nbformat.read(tmp_path / "out.ipynb", as_version=4)

    # each cell as nbclient had it when the cell finished: what a frame carries (a later cell's display update
    # changes an earlier cell in nbclient's notebook, after that cell was sent)
    finished = {}
    client = NotebookClient(_notebook(), timeout=30, allow_errors=True, kernel_name="python3",
                            coalesce_streams=False, resources={"metadata": {"path": str(tmp_path)}},
                            extra_arguments=executor.KERNEL_ARGUMENTS,
                            on_cell_executed=lambda cell, cell_index, execute_reply: finished.__setitem__(
                                cell_index, (_kept(cell.outputs), cell.execution_count)))
    client.execute()
    assert len(finished) == len(CELLS) - 2  # the tagged and the empty cell are not run
    for index, mine in enumerate(ours.cells):
        assert (_kept(mine.outputs), mine.execution_count) == finished.get(index, ([], None)), (index, CELLS[index][0])
    # the cases did happen (so the comparison above is not of empty lists)
    texts = [json.dumps(_kept(c.outputs)) for c in ours.cells]
    assert "after clear" in texts[3] and "one" not in texts[3]
    assert "kept" in texts[4] and "gone" not in texts[4]
    assert "second" in texts[5] and "first" not in texts[5]
    assert "'value'" in texts[6] and ours.cells[6].execution_count == 7
    assert ours.cells[8].outputs == [] and ours.cells[8].execution_count is None  # tagged: not run
    assert "KeyError" in texts[10] and "v2" in texts[12] and "v1" not in texts[12]


def test_student_code_reading_standard_input_gets_nothing_and_goes_on(tmp_path, monkeypatch):
    """The kernel's standard input is empty (it was a pipe nobody wrote to: reading it waited for the limit)."""
    env = _env(tmp_path)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in [
        "import sys\nprint(repr(sys.stdin.read()))", "input('name? ')", "print('next')"]])
    nbformat.write(nb, tmp_path / "in.ipynb")
    result = runner.run_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", cwd=tmp_path, env=env,
                                 cell_timeout=20, total_timeout=60, wrap=None)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert result.ok and not result.notes  # nothing ran into the cell limit
    assert out.cells[0].outputs[0]["text"] == "''\n"
    assert out.cells[1].outputs[0]["ename"] == "StdinNotImplementedError"
    assert out.cells[2].outputs[0]["text"] == "next\n"


def test_messages_not_signed_with_the_run_key_are_dropped(tmp_path, monkeypatch):
    for k, v in _env(tmp_path).items():
        monkeypatch.setenv(k, v)
    with Kernel(kernel_argv(executor.KERNEL_LAUNCHER, executor.KERNEL_ARGUMENTS), str(tmp_path)) as kernel:
        kernel.wait_for_ready(60)
        good = [b"<IDS|MSG>", b"", *(json.dumps(p).encode() for p in ({"msg_type": "stream"}, {}, {}, {}))]
        good[1] = kernel._sign(good[2:6])
        assert kernel._unpack(good)["msg_type"] == "stream"
        forged = list(good)
        forged[5] = json.dumps({"name": "stdout", "text": "forged"}).encode()  # content changed, signature kept
        assert kernel._unpack(forged) is None
        assert kernel._unpack([b"no delimiter"]) is None
        assert kernel._unpack([b"<IDS|MSG>"]) is None and kernel._unpack(good[:4]) is None  # cut short
        assert kernel._unpack([b"<IDS|MSG>", kernel._sign([b"[]"] * 4), *[b"[]"] * 4]) is None  # not objects
        assert kernel.run_quietly("1 + 1", 30)["status"] == "ok"
        pid = kernel.process.pid
    time.sleep(0.2)
    assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and /proc")
def test_the_kernel_does_not_get_the_executors_notebook_or_result_pipe(tmp_path, monkeypatch):
    env = _env(tmp_path)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd') if int(f) > 2 and "
        "os.path.realpath(f'/proc/self/fd/{f}').startswith('pipe:')))")])
    nbformat.write(nb, tmp_path / "in.ipynb")
    result = runner.run_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", cwd=tmp_path, env=env,
                                 cell_timeout=20, total_timeout=60, wrap=None)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert result.ok
    assert out.cells[0].outputs[0]["text"] == "[]\n"
