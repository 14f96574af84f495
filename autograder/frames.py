"""The pipe between the in-sandbox executor and the host-side runner: what a frame is, and how much it may hold.

The executor (``autograder.executor``, inside the sandbox) writes one JSON object per line to a pipe; the runner
(``autograder.runner``, on the host) reads them as they come. Frame types, in the order they are sent:

* ``hello``: the executor started; nothing of the student's has run yet;
* ``start`` (``index``): a code cell is about to run;
* ``cell`` (``index``, ``outputs``, ``execution_count``): that cell ran; its outputs, capped as below;
* ``record`` (``name``, ``data`` in base64): a record file the hidden tests wrote (``autograder.records``);
* ``done`` (``ok``, ``reason``, ``notes``, ``timing_dependent``, ``grader_fault``): how the run ended.

Both sides apply the caps: the executor so that a cell's outputs stay small, the runner because the executor
shares its sandbox with student code and anything it sends may be forged.
"""

import re

MAX_STREAM_CHARS = 100_000  # printed text kept per cell and stream
MAX_RICH_BYTES = 2_000_000  # images, HTML, ... kept per cell
MAX_ERROR_CHARS = 5_000  # the message of an exception
MAX_OUTPUTS = 200  # output items per cell
MAX_RESULT_BYTES = 128 * 1024 * 1024  # everything one notebook may send back
MAX_RECORD_BYTES = 32 * 1024 * 1024  # one record file (one graded cell's; autograder.records reads no more)
RECORD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\.rec$")  # a record file's name (one per graded cell)
STREAM_NOTE = (f"\n[output truncated: this cell printed more than {MAX_STREAM_CHARS // 1000} kB; "
               "the rest was not kept]\n")
RICH_NOTE = f"[output dropped: this cell displayed more than {MAX_RICH_BYTES // 1_000_000} MB of images or HTML]\n"


def first_line(cell):
    """`` (`first line of code`)`` naming a cell in a message (at most 60 characters of it), or ``""``.

    ``cell``: a notebook cell (a dict with ``source``). Returns the text to append after "cell N"."""
    lines = [ln.strip() for ln in cell.get("source", "").splitlines() if ln.strip()]
    if not lines:
        return ""
    line = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    return f" (`{line}`)"
