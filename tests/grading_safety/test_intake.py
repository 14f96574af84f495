"""Taking in submissions: only regular files, bounded, never a link, whatever the folder or zip holds."""

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import intake
from autograder.intake import IntakeLimits, Refused

ROOT = Path(__file__).resolve().parents[2]


def test_only_regular_files_are_copied_and_everything_else_is_named(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "data").mkdir(parents=True)
    (src / "notebook.ipynb").write_text("{}")
    (src / "data" / "prices.csv").write_text("1,2")
    (src / "secret").symlink_to("/etc/passwd")
    (src / "folder_link").symlink_to(src / "data")
    (src / "dev").symlink_to("/dev/zero")
    os.mkfifo(src / "pipe")
    with open(os.path.join(os.fsencode(src), b"caf\xe9.txt"), "w") as fh:
        fh.write("x")
    (src / "bell\x07.txt").write_text("x")
    notes = intake.copy_tree(src, dest)
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert copied == ["data/prices.csv", "notebook.ipynb"]
    text = "\n".join(notes)
    for name, why in [("secret", "is a link"), ("folder_link", "is a link"), ("dev", "is a link"),
                      ("pipe", "named pipe"), ("caf\\xe9.txt", "not valid UTF-8"), ("bell\\x07.txt", "control")]:
        assert any(n.startswith(name) and why in n for n in notes), (name, text)
    assert not any(p.is_symlink() for p in dest.rglob("*"))


def test_size_count_and_depth_are_bounded(tmp_path):
    limits = IntakeLimits(max_file_bytes=1000, max_total_bytes=2500, max_files=20, max_depth=3)
    src = tmp_path / "src"
    deep = src
    for i in range(10):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("x")
    for i in range(4):
        (src / f"f{i}.bin").write_bytes(b"x" * 900)
    (src / "big.bin").write_bytes(b"x" * 1001)
    notes = intake.copy_tree(src, tmp_path / "dest", limits)
    text = "\n".join(notes)
    assert "nested at most 3 deep" in text and "big.bin was not used: it is larger than" in text
    assert "would take the submission over" in text  # the fourth 900-byte file
    assert sum(p.stat().st_size for p in (tmp_path / "dest").rglob("*") if p.is_file()) <= 2500
    many = tmp_path / "many"
    many.mkdir()
    for i in range(50):
        (many / f"{i:02d}").write_text("x")
    files, notes = intake.scan(many, limits)
    assert len(files) == 20 and "more than 20 files" in notes[-1]


def test_a_very_deep_tree_does_not_crash(tmp_path):
    """os.walk recursed (RecursionError); path names grow past PATH_MAX: neither may stop the class."""
    src = tmp_path / "src"
    src.mkdir()
    fd = os.open(src, os.O_RDONLY)
    try:
        for _ in range(1500):  # deeper than any path name can reach: walk down with relative opens
            os.mkdir("d", dir_fd=fd)
            new = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
    finally:
        os.close(fd)
    (src / "ok.txt").write_text("fine")
    notes = intake.copy_tree(src, tmp_path / "dest")
    assert (tmp_path / "dest" / "ok.txt").read_text() == "fine"
    assert any("nested at most" in n for n in notes)
    subprocess.run(["rm", "-rf", str(src)], check=True)


def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to("/dev/zero")
    assert intake.read_regular(tmp_path / "pipe", 100) == (None, "is a named pipe")
    assert intake.read_regular(tmp_path / "link", 100) == (None, "is a link")
    assert intake.read_regular(Path("/dev/null"), 100)[1] == "is a device"
    (tmp_path / "f").write_bytes(b"abc")
    assert intake.read_regular(tmp_path / "f", 100) == (b"abc", "")


def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members:
            if isinstance(data, tuple):  # (mode, data): a link or a special entry
                info = zipfile.ZipInfo(name)
                info.external_attr = data[0] << 16
                zf.writestr(info, data[1])
            else:
                zf.writestr(name, data)
    return path


@pytest.mark.parametrize("members, message", [
    ([("submitted/a/02/x.ipynb", b"\0" * (60 * 2**20))], "expands"),  # a ratio of ~1000
    ([("../evil.txt", b"x")], "unsafe path"),
    ([("/etc/evil.txt", b"x")], "unsafe path"),
    ([("submitted/a/02/link", (stat.S_IFLNK | 0o777, b"/etc/passwd"))], "link"),
    ([("/".join(["d"] * 30) + "/x", b"x")], "too deep"),
], ids=["ratio bomb", "dot-dot", "absolute", "symlink", "deep"])
def test_dangerous_zips_are_refused_before_anything_is_written(tmp_path, members, message):
    path = _zip(tmp_path / "class.zip", members)
    with pytest.raises(Refused, match=message):
        intake.unpack_zip(path, tmp_path / "out")
    assert not any((tmp_path / "out").rglob("*")) if (tmp_path / "out").exists() else True
    assert not (tmp_path / "evil.txt").exists()


def test_zip_totals_and_entry_counts_are_bounded(tmp_path):
    limits = IntakeLimits(max_zip_bytes=10 * 2**20, max_zip_entries=100)
    many = _zip(tmp_path / "many.zip", [(f"s/{i}.txt", b"x") for i in range(150)])
    with pytest.raises(Refused, match="150 entries"):
        intake.unpack_zip(many, tmp_path / "out", limits)
    big = _zip(tmp_path / "big.zip", [(f"s/{i}.bin", os.urandom(3 * 2**20)) for i in range(4)], zipfile.ZIP_STORED)
    with pytest.raises(Refused, match="expands to"):
        intake.unpack_zip(big, tmp_path / "out", limits)


def test_a_zip_bomb_given_to_course_grade_is_refused_with_bounded_memory(tmp_path):
    """The whole command: a clear error, a non-zero exit, and the grader's memory stays small."""
    bomb = _zip(tmp_path / "class.zip", [(f"submitted/s{i}/02_simple_layers/simple_layers.ipynb",
                                          b"\0" * (200 * 2**20)) for i in range(3)])
    assert bomb.stat().st_size < 2 * 2**20
    # the command's own peak, measured by a fresh process around it (this test process's children's peak is the
    # largest of every process the test session ever started: a browser of an earlier test counted)
    measure = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
               "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "course.cli", "grade", str(bomb),
                           "--course-dir", str(tmp_path / "course"), "-a", "02_simple_layers", "--allow-unsandboxed",
                           "-q"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode != 0
    assert "error:" in proc.stderr and "zip bomb" in proc.stderr, proc.stderr[-2000:]
    peak_mb = int(proc.stderr.rsplit("PEAK_KB", 1)[1].split()[0]) / 1024
    assert 0 < peak_mb < 1000, peak_mb
    assert not (tmp_path / "course" / "submitted").exists()
