"""A Jupyter kernel, started and spoken to over ZeroMQ: the part of a Jupyter client the executor needs.

The executor (``autograder.executor``) runs in the sandbox beside the kernel, once per notebook. It used
nbclient, jupyter_client and nbformat for this; importing them and running their asyncio loops cost a quarter of
a notebook's CPU time. What it needs of them is small and stable: start ``ipykernel`` with a connection file,
send ``kernel_info`` and ``execute`` requests, read replies and IOPub messages signed as the Jupyter messaging
protocol says (version 5.3), interrupt the kernel with SIGINT, stop it. That is this module, on pyzmq alone.

Part of the kernel-side runtime (``autograder.runtime``): it holds nothing secret, and it trusts nothing the
kernel sends beyond its shape (a message that is not signed with this run's key, or is not JSON, is dropped).
"""

import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import zmq

PROTOCOL_VERSION = "5.3"
DELIMITER = b"<IDS|MSG>"
CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


class DeadKernel(Exception):
    """The kernel process ended."""


class Kernel:
    """One ``ipykernel`` process in its own session (process group), and a client of it.

    ``argv``: the kernel's command line, with ``{connection_file}`` where the connection file's path goes;
    ``cwd``: its working folder. The kernel gets this process's environment plus ``JPY_PARENT_PID`` (so it
    ends when this process does), and no standard input. Its channels are Unix sockets in a private folder
    (ZeroMQ's ``ipc`` transport: no TCP port to find free, nothing reachable from outside the folder)."""

    def __init__(self, argv, cwd):
        self.key = uuid.uuid4().hex.encode()
        self.session = uuid.uuid4().hex
        # a Unix socket's path has at most 107 bytes: a long temporary folder (unsandboxed runs) is not used
        self.folder = tempfile.mkdtemp(prefix="kernel-", dir=None if len(tempfile.gettempdir()) < 60 else "/tmp")
        self.connection_file = os.path.join(self.folder, "kernel.json")
        self.address = os.path.join(self.folder, "channel")  # the channels are <address>-<number>
        ports = {f"{c}_port": n for n, c in enumerate(CHANNELS, 1)}
        with open(self.connection_file, "w") as fh:
            json.dump({**ports, "ip": self.address, "transport": "ipc", "key": self.key.decode(),
                       "signature_scheme": "hmac-sha256", "kernel_name": "python3"}, fh)
        env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))
        env.pop("PYTHONEXECUTABLE", None)
        self.process = subprocess.Popen([a.replace("{connection_file}", self.connection_file) for a in argv],
                                        cwd=cwd, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        self.context = zmq.Context()
        self.shell = self._connect(zmq.DEALER, ports["shell_port"])
        self.iopub = self._connect(zmq.SUB, ports["iopub_port"])
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self.poller = zmq.Poller()
        self.poller.register(self.shell, zmq.POLLIN)
        self.poller.register(self.iopub, zmq.POLLIN)

    def _connect(self, kind, port):
        sock = self.context.socket(kind)
        sock.linger = 0
        sock.connect(f"ipc://{self.address}-{port}")
        return sock

    # -- messages ---------------------------------------------------------------------------------------------

    def _sign(self, parts):
        mac = hmac.new(self.key, digestmod=hashlib.sha256)
        for part in parts:
            mac.update(part)
        return mac.hexdigest().encode()

    def send(self, msg_type, content):
        """Send a request on the shell channel; returns its ``msg_id``."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "username": "grader", "session": self.session,
                  "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
                  "version": PROTOCOL_VERSION}
        parts = [json.dumps(p).encode() for p in (header, {}, {}, content)]
        self.shell.send_multipart([DELIMITER, self._sign(parts), *parts])
        return msg_id

    def _unpack(self, frames):
        """A received multipart message as ``{"msg_type", "parent_id", "content"}``, or ``None`` when it is not
        signed with this run's key or its parts are not JSON objects."""
        try:
            at = frames.index(DELIMITER)
        except ValueError:
            return None
        if len(frames) < at + 6:  # a signature and four parts follow the delimiter
            return None
        signature, parts = frames[at + 1], frames[at + 2:at + 6]
        if not hmac.compare_digest(signature, self._sign(parts)):
            return None
        try:
            header, parent, _metadata, content = (json.loads(p) for p in parts)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not all(type(p) is dict for p in (header, parent, content)):
            return None
        return {"msg_type": header.get("msg_type"), "parent_id": parent.get("msg_id"), "content": content}

    def receive(self, timeout, most=256):
        """Messages that arrive within ``timeout`` seconds (fewer seconds once one arrived: up to ``most`` per
        channel of those waiting then), as ``[(channel, message)]`` in arrival order per channel; ``[]`` if none
        came."""
        ready = dict(self.poller.poll(max(0, timeout) * 1000))
        got = []
        for name, sock in (("iopub", self.iopub), ("shell", self.shell)):
            if sock not in ready:
                continue
            for _ in range(most):
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                msg = self._unpack(frames)
                if msg is not None:
                    got.append((name, msg))
        return got

    # -- the process ------------------------------------------------------------------------------------------

    def alive(self):
        return self.process.poll() is None

    def interrupt(self):
        """SIGINT to the kernel and what it started (``KeyboardInterrupt`` in the running cell)."""
        self._signal(signal.SIGINT)

    def _signal(self, signum):
        try:
            os.killpg(self.process.pid, signum)
        except OSError:
            pass

    def wait_for_ready(self, timeout):
        """Return once the kernel answered ``kernel_info`` on the shell channel and a message came through IOPub
        (so IOPub is connected and the first cell's outputs cannot be lost); raise if the kernel died or
        ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        while True:
            msg_id = self.send("kernel_info_request", {})
            answered, until = False, time.monotonic() + 1
            while time.monotonic() < until:
                for channel, msg in self.receive(until - time.monotonic()):
                    if channel == "shell" and msg["parent_id"] == msg_id:
                        answered, until = True, time.monotonic() + 0.2
                    elif channel == "iopub" and answered:
                        return
            if not self.alive():
                raise DeadKernel("the kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not reply within {timeout:g} s")

    def run_quietly(self, code, timeout):
        """Run ``code`` silently (no history, outputs dropped); return the reply's content once the kernel is idle
        again. Raises ``TimeoutError`` after ``timeout`` seconds, :class:`DeadKernel` if the kernel ended."""
        msg_id = self.send("execute_request", {"code": code, "silent": True, "store_history": False,
                                               "user_expressions": {}, "allow_stdin": False,
                                               "stop_on_error": False})
        deadline, reply, idle = time.monotonic() + timeout, None, False
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply within {timeout:g} s")
            got = self.receive(min(left, 1.0))
            for channel, msg in got:
                if msg["parent_id"] != msg_id:
                    continue
                if channel == "shell":
                    reply = msg["content"]
                elif msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    idle = True
            if not got and not self.alive():
                raise DeadKernel("the kernel died")
        return reply

    def stop(self):
        """Kill the kernel and what it started; close the sockets."""
        self._signal(signal.SIGKILL)
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.context.destroy(linger=0)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def kernel_argv(launcher, extra_arguments=()):
    """The kernel's command line: this Python, running ``launcher`` (code) with the connection file."""
    return [sys.executable, "-c", launcher, "-f", "{connection_file}", *extra_arguments]
