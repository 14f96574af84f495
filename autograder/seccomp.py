"""A seccomp filter for the sandbox: no channel between notebooks graded at the same time.

Two sandboxes share nothing writable, but they do share read-only files (the Python installation,
``/usr``). A read-only file can still carry a signal: a lock taken on it (``flock``, ``fcntl`` record
locks, open file description locks) is seen by every process on the machine, and an inotify watch on it
sees another process read it. This filter makes those calls fail with ``EPERM`` inside the sandbox;
everything else is allowed. Numbers are the Linux system call numbers of the machine's architecture;
calls of another ABI (32-bit or x32 on x86-64) are refused as a whole.

The filter is a classic BPF program, the format ``bwrap --seccomp FD`` reads (what libseccomp's
``seccomp_export_bpf`` writes), built here so that no extra package is needed.
"""

import errno
import os
import struct

# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h)
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
# offsets in struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
OFF_NR, OFF_ARCH, OFF_ARG1_LOW = 0, 4, 24  # args[1] low 32 bits (little-endian)

# fcntl commands that take or inspect locks, leases and directory notifications
FCNTL_DENIED = {"F_GETLK": 5, "F_SETLK": 6, "F_SETLKW": 7, "F_OFD_GETLK": 36, "F_OFD_SETLK": 37,
                "F_OFD_SETLKW": 38, "F_SETLEASE": 1024, "F_GETLEASE": 1025, "F_NOTIFY": 1026}

ARCHES = {
    # machine: (AUDIT_ARCH_*, {denied syscall: number}, fcntl number, lowest number of another ABI or None)
    "x86_64": (0xC000003E, {"flock": 73, "inotify_init": 253, "inotify_init1": 294, "fanotify_init": 300}, 72,
               0x40000000),
    "aarch64": (0xC00000B7, {"flock": 32, "inotify_init1": 26, "fanotify_init": 262}, 25, None),
}


class Unsupported(Exception):
    """The seccomp filter cannot be built for this machine's architecture."""


def _insn(code, jt, jf, k):
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine=None):
    """The filter for ``machine`` (default: this one) as bytes of ``struct sock_filter``."""
    machine = machine or os.uname().machine
    if machine not in ARCHES:
        raise Unsupported(f"no seccomp filter for {machine}")
    arch, denied, fcntl_nr, other_abi = ARCHES[machine]
    deny = RET_ERRNO | errno.EPERM
    # build with symbolic jump targets, then resolve them to relative offsets
    code = [("ld", OFF_ARCH), ("jeq", arch, None, "deny"), ("ld", OFF_NR)]
    if other_abi is not None:
        code.append(("jge", other_abi, "deny", None))
    for nr in sorted(denied.values()):
        code.append(("jeq", nr, "deny", None))
    code += [("jeq", fcntl_nr, None, "allow"), ("ld", OFF_ARG1_LOW)]
    for cmd in sorted(FCNTL_DENIED.values()):
        code.append(("jeq", cmd, "deny", None))
    code += [("label", "allow"), ("ret", RET_ALLOW), ("label", "deny"), ("ret", deny)]

    labels, position = {}, 0
    for item in code:
        if item[0] == "label":
            labels[item[1]] = position
        else:
            position += 1
    out, position = [], 0
    for item in code:
        op = item[0]
        if op == "label":
            continue

        if op == "ld":
            out.append(_insn(LD_W_ABS, 0, 0, item[1]))
        elif op == "ret":
            out.append(_insn(RET_K, 0, 0, item[1]))
        else:
            jt, jf = (0 if t is None else labels[t] - position - 1 for t in item[2:4])
            if not (0 <= jt < 256 and 0 <= jf < 256):
                raise ValueError("jump out of range")
            out.append(_insn(JEQ_K if op == "jeq" else JGE_K, jt, jf, item[1]))
        position += 1
    return b"".join(out)


def pipe_fd(machine=None):
    """A readable file descriptor holding the filter (for ``bwrap --seccomp FD``); the caller closes it."""
    data = program(machine)
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, data)  # a few hundred bytes: always fits in the pipe's buffer
    finally:
        os.close(write_end)
    return read_end
