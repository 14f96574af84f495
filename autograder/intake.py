"""Taking in submissions: the only code that reads what students handed in.

Every byte of a submission folder is hostile. This module reads it the same way everywhere (copying
a class into the course folder, snapshotting one submission for grading, unpacking a zip):

* only regular files are read; links (to files or folders), devices, pipes and sockets are refused with
  a note, never followed, never opened;
* a file is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again after opening (``fstat``), so a file
  swapped for a link or a pipe between the look and the read is refused too;
* size, count and depth are bounded, with a clear note when a limit cuts something off;
* names that are not valid UTF-8, or that hold control characters, are refused with a printable
  version of the name (they would break the gradebook, CSV files and terminals later);
* names are taken in Unicode's composed form (NFC): a Mac writes Hangul (and accented letters) decomposed into
  jamo, so ``김민수`` copied or zipped on a Mac is another string than the ``김민수`` typed elsewhere, and a student's
  ``나의_계층.py`` would not be found by ``import 나의_계층`` (Python composes identifiers). Two names that differ
  only in that form are one name: the second is refused with a note.

Everything returns notes (plain sentences for the grade report) instead of raising for bad input.
"""

import os
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IntakeLimits:
    """How much of a submission (and of a zip of a class) is read at the most."""

    max_file_bytes: int = 50 * 2**20  # one file of a submission
    max_total_bytes: int = 100 * 2**20  # one submission (student x assignment)
    max_files: int = 500  # files and folders of one submission
    max_depth: int = 6  # folders below the submission folder
    max_name_bytes: int = 200
    # a zip of a whole class
    max_zip_bytes: int = 2 * 2**30  # expanded, in all
    max_zip_entries: int = 50_000
    max_zip_ratio: int = 200  # expanded / compressed, for members over 1 MB


DEFAULT = IntakeLimits()


class Refused(Exception):
    """A whole input that cannot be taken in (e.g. a zip bomb); the message says why and what to do."""


def printable(name):
    """A name as it can be shown anywhere: undecodable bytes and control characters escaped."""
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def name_problem(name, limits=DEFAULT):
    """Why ``name`` (one path component) cannot be used, or ``""``."""
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    if not name.isprintable():
        return "its name holds control characters"
    if len(encoded) > limits.max_name_bytes:
        return "its name is too long"
    if name in (".", "..") or "/" in name or "\\" in name:
        return "its name is not a plain file name"
    return ""


def composed(name):
    """``name`` (a path, or one component) in Unicode's composed form, NFC, as names are used after intake."""
    return unicodedata.normalize("NFC", str(name))


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_regular(path, max_bytes):
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes`` bytes, else ``(None, why)``."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    if not stat.S_ISREG(st.st_mode):
        return None, f"is {_kind(st.st_mode)}"
    if st.st_size > max_bytes:
        return None, f"is larger than {max_bytes // 2**20} MB"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped between the look and the open
            return None, f"is {_kind(st.st_mode)}"
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None, f"is larger than {max_bytes // 2**20} MB"
    return data, ""


def scan(folder, limits=DEFAULT):
    """The regular files under ``folder``, as relative paths (sorted), and notes on everything refused.

    Never follows a link, never descends deeper than ``max_depth``, stops at ``max_files`` entries."""
    folder = Path(folder)
    files, notes, seen = [], [], 0
    todo = [(Path(), 0)]
    while todo:
        rel, depth = todo.pop()
        try:
            with os.scandir(folder / rel) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            notes.append(f"{printable(str(rel))}/ could not be read ({exc.strerror}).")
            continue
        subdirs = []
        for entry in entries:
            path = rel / entry.name
            shown = printable(str(path))
            seen += 1
            if seen > limits.max_files:
                notes.append(f"the submission holds more than {limits.max_files} files and folders; "
                             "the rest was not read.")
                return sorted(files), notes
            problem = name_problem(entry.name, limits)
            if problem:
                notes.append(f"{shown} was not used: {problem}.")
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                notes.append(f"{shown} was not used: it cannot be read.")
                continue
            if stat.S_ISDIR(mode):
                if depth + 1 > limits.max_depth:
                    notes.append(f"{shown}/ was not used: folders may be nested at most {limits.max_depth} deep.")
                else:
                    subdirs.append((path, depth + 1))
            elif stat.S_ISREG(mode):
                files.append(path)
            else:
                notes.append(f"{shown} was not used: it is {_kind(mode)} (only regular files are read).")
        todo.extend(reversed(subdirs))
    return sorted(files), notes


def _regular_files(src, limits, notes):
    """Yield ``(relative path, bytes)`` of the regular files under ``src`` within the limits; add notes on the rest."""
    files, found = scan(src, limits)
    notes += found
    budget, taken = limits.max_total_bytes, set()
    for rel in files:
        name = Path(composed(rel))
        if name in taken:
            notes.append(f"{printable(str(rel))} was not used: another file has the same name (written in "
                         "another Unicode form).")
            continue
        taken.add(name)
        data, problem = read_regular(Path(src) / rel, min(limits.max_file_bytes, budget))
        if data is None:
            if "larger than" in problem and budget < limits.max_file_bytes:
                problem = f"would take the submission over {limits.max_total_bytes // 2**20} MB"
            notes.append(f"{printable(str(rel))} was not used: it {problem}.")
            continue
        budget -= len(data)
        yield name, data


def copy_tree(src, dest, limits=DEFAULT):
    """Copy the regular files under ``src`` to ``dest`` (created), within the limits. Returns notes."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    notes = []
    for rel, data in _regular_files(src, limits, notes):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return notes


def read_tree(src, limits=DEFAULT):
    """What :func:`copy_tree` would copy, in memory: ``([(relative path, bytes)], notes)`` (at most
    ``max_total_bytes`` of data), so that a submission can travel to another machine as plain data."""
    notes = []
    files = list(_regular_files(src, limits, notes))
    return files, notes


def subfolders(folder, limits=DEFAULT):
    """``[(name, path)]`` of the real folders directly in ``folder`` (sorted), and notes on what else is there.
    ``name`` is composed (NFC, :func:`composed`); ``path`` is the folder as it is on disk.

    Links to folders, files and special files are reported; names starting with a dot are ignored."""
    found, notes, taken = [], [], set()
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return [], [f"{printable(str(folder))} could not be read ({exc.strerror})."]
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        shown = printable(entry.name)
        problem = name_problem(entry.name, limits)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            notes.append(f"{shown}: cannot be read.")
            continue
        if problem:
            notes.append(f"{shown}: not used: {problem}.")
        elif stat.S_ISDIR(mode) and composed(entry.name) in taken:
            notes.append(f"{shown}: not used: another folder has the same name (written in another Unicode form).")
        elif stat.S_ISDIR(mode):
            taken.add(composed(entry.name))
            found.append((composed(entry.name), Path(entry.path)))
        elif stat.S_ISLNK(mode):
            notes.append(f"{shown}: not used: it is a link, not a folder (links are never followed).")
        elif not stat.S_ISREG(mode):
            notes.append(f"{shown}: not used: it is {_kind(mode)}.")
    return found, notes


def _hangul_or_ascii(text):
    return all(c.isascii() or "\uac00" <= c <= "\ud7a3" for c in text)


def member_name(info):
    """The name of zip member ``info`` as its maker meant it. A zip states UTF-8 names with a flag; without the
    flag, Python reads the bytes as the old DOS code page 437. Zips made without the flag hold UTF-8 anyway
    (Macs, Linux tools: taken as UTF-8 when the bytes are valid UTF-8), or Korean Windows's code page 949 (its
    built-in "compressed folder"): taken as CP949 only when the CP437 reading is no plain Latin text and the bytes
    are Hangul syllables and ASCII in CP949, so ``김민수`` is not unpacked as ``▒Φ╣╬╝÷``. Else the CP437 reading."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:  # read with another encoding already (ZipFile's metadata_encoding)
        return name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not all(c.isascii() or ("\xc0" <= c <= "\xff" and c.isalpha()) for c in name):
        try:
            korean = raw.decode("cp949")
        except UnicodeDecodeError:
            return name
        if _hangul_or_ascii(korean):
            return korean
    return name


def unpack_zip(path, target, limits=DEFAULT):
    """Unpack a zip of submissions into ``target`` safely; raises :class:`Refused` for a dangerous archive.

    Checked before anything is written: no absolute paths, no ``..``, no links, at most ``max_zip_entries``
    entries, at most ``max_zip_bytes`` in all, no member expanding more than ``max_zip_ratio`` times; while
    writing, the real number of bytes is counted (the sizes in the archive may lie). Member names: see
    :func:`member_name`."""
    target = Path(target)
    name = printable(Path(path).name)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(f"{name} is not a readable zip file ({exc}).") from None
    with zf:
        members = zf.infolist()
        for m in members:
            m.filename = member_name(m)  # (ZipFile.open checks the stored name against m.orig_filename)
        if len(members) > limits.max_zip_entries:
            raise Refused(f"{name} holds {len(members)} entries; at most {limits.max_zip_entries} are unpacked. "
                          "Split the class into several zips.")
        total = 0
        for m in members:
            parts = Path(m.filename).parts
            if m.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise Refused(f"{name} contains an unsafe path: {printable(m.filename)}")
            if stat.S_ISLNK(m.external_attr >> 16):
                raise Refused(f"{name} contains a link ({printable(m.filename)}); links are never unpacked.")
            if len(parts) > limits.max_depth + 4:
                raise Refused(f"{name} nests folders too deep ({printable(m.filename)}).")
            total += m.file_size
            if m.file_size > 2**20 and m.file_size > limits.max_zip_ratio * max(m.compress_size, 1):
                raise Refused(f"{name}: {printable(m.filename)} expands {m.file_size // max(m.compress_size, 1)} "
                              f"times (a zip bomb?); at most {limits.max_zip_ratio} times is unpacked.")
        if total > limits.max_zip_bytes:
            raise Refused(f"{name} expands to {total / 2**30:.1f} GB; at most "
                          f"{limits.max_zip_bytes / 2**30:.0f} GB is unpacked.")
        written = 0
        for m in members:
            dest = target.joinpath(*Path(m.filename).parts)
            if m.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(m) as src, open(dest, "wb") as out:
                    while True:
                        chunk = src.read(1 << 20)
                        if not chunk:
                            break
                        written += len(chunk)
                        if written > limits.max_zip_bytes:
                            raise Refused(f"{name} expands to more than its stated size and over "
                                          f"{limits.max_zip_bytes / 2**30:.0f} GB; it was not unpacked.")
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise Refused(f"{name} is damaged ({printable(m.filename)}: {exc}); make the zip again.") from None
    return target
