"""Record files: the raw outputs that hidden tests write in the notebook kernel, read strictly by the judge.

One graded cell writes one file ``<grade_id>.rec``. The kernel that wrote it also ran student code, so the
reader treats every byte as hostile: the format is fixed and simple, the size is checked before anything
is parsed, and only plain numeric arrays come out. There is no pickle, no compression, no object dtype and
no nesting that could make a small file expand.

Format (all lengths in bytes)::

    b"BFSREC1\\n"                       magic
    <header length, 8 ASCII digits>\\n
    <header: UTF-8 JSON>               [{"index": 0, "error": null|str, "problems": {key: str},
                                         "arrays": [{"key": str, "dtype": "<f8", "shape": [..]}, ...]}, ...]
    <array data>                        each array's bytes, C order, one after another, in header order
"""

import json
import math
import os
import stat
from pathlib import Path

import numpy as np

from .frames import MAX_RECORD_BYTES  # one cell's record file (defined with the pipe's caps: no numpy there)

MAGIC = b"BFSREC1\n"
MAX_HEADER_BYTES = 1024 * 1024
MAX_TEXT = 5_000  # one message
MAX_ENTRIES = 1_000  # scenarios of one cell
MAX_ARRAYS = 10_000  # arrays in one file
MAX_NDIM = 8
# only plain numbers: booleans, integers and floats in a fixed byte order
DTYPES = {np.dtype(t).str: np.dtype(t) for t in
          ("|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8")}


class BadRecord(ValueError):
    """The record file does not follow the format (tampered with, truncated, or too large)."""


def record_path(directory, grade_id):
    """The record file of graded cell ``grade_id`` in ``directory``: ``<grade_id>.rec``."""
    return Path(directory) / f"{grade_id}.rec"


def encode(results):
    """Bytes of a record file for ``[(outputs, error), ...]``, one per scenario (outputs: key -> array or str)."""
    header, blobs = [], []
    for index, (outputs, error) in enumerate(results):
        entry = {"index": index, "error": None if error is None else str(error)[:MAX_TEXT], "problems": {},
                 "arrays": []}
        for key, value in outputs.items():
            if isinstance(value, str):
                entry["problems"][str(key)] = value[:MAX_TEXT]
                continue
            arr = np.asarray(value)
            dtype = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
            if dtype.str not in DTYPES:
                entry["problems"][str(key)] = f"is an array of dtype {arr.dtype}, but numbers were expected"
                continue
            arr = np.array(arr, dtype=DTYPES[dtype.str], order="C")  # (ascontiguousarray makes 0-d arrays 1-d)
            entry["arrays"].append({"key": str(key), "dtype": arr.dtype.str, "shape": list(arr.shape)})
            blobs.append(arr.tobytes())
        header.append(entry)
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode()
    return MAGIC + f"{len(head):08d}\n".encode() + head + b"".join(blobs)


def save_records(directory, grade_id, results):
    """Write the record file of graded cell ``grade_id`` (called in the kernel)."""
    path = record_path(directory, grade_id)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(encode(results))
    os.replace(tmp, path)


def _utf8(text):
    """``text`` as UTF-8 can hold it: a lone surrogate (a JSON escape the kernel wrote, from student text) kept as
    its escape, so messages quoting it can be written to results and pages."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def decode(data):
    """``{index: (outputs, error)}`` from the bytes of a record file; raises :class:`BadRecord`."""
    if len(data) > MAX_RECORD_BYTES:
        raise BadRecord(f"larger than {MAX_RECORD_BYTES // 2**20} MB")
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 9 or data[len(MAGIC) + 8:len(MAGIC) + 9] != b"\n":
        raise BadRecord("not a record file")
    size_field = data[len(MAGIC):len(MAGIC) + 8]
    if not size_field.isdigit():
        raise BadRecord("bad header length")
    size = int(size_field)
    start = len(MAGIC) + 9
    if size > MAX_HEADER_BYTES or start + size > len(data):
        raise BadRecord("bad header length")
    try:
        header = json.loads(data[start:start + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRecord("header is not JSON") from exc
    offset = start + size
    if type(header) is not list or len(header) > MAX_ENTRIES:
        raise BadRecord("header is not a list of scenarios")
    records, arrays_seen = {}, 0
    for entry in header:
        if type(entry) is not dict or set(entry) != {"index", "error", "problems", "arrays"}:
            raise BadRecord("bad scenario entry")
        index, error, problems, arrays = entry["index"], entry["error"], entry["problems"], entry["arrays"]
        if type(index) is not int or not 0 <= index < MAX_ENTRIES or index in records:
            raise BadRecord("bad scenario index")
        if error is not None and (type(error) is not str or len(error) > MAX_TEXT):
            raise BadRecord("bad error text")
        error = None if error is None else _utf8(error)
        if type(problems) is not dict or type(arrays) is not list:
            raise BadRecord("bad outputs")
        outputs = {}
        for key, text in problems.items():
            if type(text) is not str or len(text) > MAX_TEXT or len(key) > 200:
                raise BadRecord("bad problem text")
            outputs[key] = _utf8(text)
        arrays_seen += len(arrays)
        if arrays_seen > MAX_ARRAYS:
            raise BadRecord("too many arrays")
        for spec in arrays:
            if type(spec) is not dict or set(spec) != {"key", "dtype", "shape"}:
                raise BadRecord("bad array entry")
            key, dtype, shape = spec["key"], spec["dtype"], spec["shape"]
            if type(key) is not str or len(key) > 200 or key in outputs:
                raise BadRecord("bad array name")
            if type(dtype) is not str or dtype not in DTYPES:
                raise BadRecord(f"array {key!r}: dtype {dtype!r} is not a plain number type")
            if (type(shape) is not list or len(shape) > MAX_NDIM
                    or any(type(n) is not int or n < 0 for n in shape)):
                raise BadRecord(f"array {key!r}: bad shape")
            nbytes = math.prod(shape) * DTYPES[dtype].itemsize
            if offset + nbytes > len(data):
                raise BadRecord(f"array {key!r}: truncated")
            arr = np.frombuffer(data, dtype=DTYPES[dtype], count=math.prod(shape), offset=offset)
            outputs[key] = arr.reshape(shape).astype(DTYPES[dtype].newbyteorder("="), copy=True)
            offset += nbytes
        records[index] = (outputs, error)
    if offset != len(data):
        raise BadRecord("trailing bytes")
    return records


N_ = str  # marks a text for the grader's catalogs (babel.cfg); the judge translates it (autograder.i18n.translate)
NOT_RUN = N_("the hidden tests of this cell did not run (was the kernel stopped, or did earlier code prevent later "
             "cells from running?).")


def load_records(directory, grade_id):
    """Read a cell's records strictly. Returns ``{index: (outputs, error)}`` or a problem string.

    Only a regular file is read (never a link), and never more than the size limit."""
    path = record_path(directory, grade_id)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return NOT_RUN
    except OSError:
        return N_("the records of this cell's hidden tests are unreadable (not a regular file); no points.")
    try:
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise BadRecord("not a regular file")
            return decode(fh.read(MAX_RECORD_BYTES + 1))
    except (BadRecord, OSError) as exc:
        return N_("the records of this cell's hidden tests are unreadable ({problem}); no points.").format(problem=exc)
