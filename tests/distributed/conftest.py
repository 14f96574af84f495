"""A real PostgreSQL server for the gradebook tests, started in a temporary folder and removed afterwards.

Debian's ``postgresql`` package (``.ci/run`` installs it without starting its service) gives the server
programs (``/usr/lib/postgresql/<version>/bin``). The server runs as an unprivileged account: ``postgres``
when the package created it, else a system account made for the test and removed after it. It listens on
127.0.0.1 on a free port (its socket in the temporary folder) and wants a password (scram-sha-256).
"""

import contextlib
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

TEST_ACCOUNT = "bfs-pgtest"  # made only when there is no `postgres` account


def server_programs():
    """The folder holding initdb, pg_ctl and postgres (newest version), or None."""
    found = []
    for pg_ctl in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"):
        version = re.match(r"\d+", pg_ctl.parent.parent.name)
        if version and (pg_ctl.parent / "initdb").exists() and (pg_ctl.parent / "postgres").exists():
            found.append((int(version.group()), pg_ctl.parent))
    which = shutil.which("pg_ctl")
    if not found and which and (Path(which).resolve().parent / "initdb").exists():
        return Path(which).resolve().parent
    return max(found)[1] if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    port: int
    user: str
    password: str
    folder: Path

    def url(self, database):
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database="postgres", **kwargs):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, password=self.password,
                               dbname=database, **kwargs)

    def create_database(self, name):
        with self.connect(autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _run_as(account, argv, **kwargs):
    return subprocess.run(["runuser", "-u", account, "--", *argv], capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def postgres_server():
    """Start a PostgreSQL server for this test session; stop it and remove everything at the end."""
    programs = server_programs()
    made_account = False
    try:
        pwd.getpwnam("postgres")
        account = "postgres"
    except KeyError:
        account = TEST_ACCOUNT
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", account],
                       check=True, capture_output=True)
        made_account = True
    entry = pwd.getpwnam(account)
    folder = Path(tempfile.mkdtemp(prefix="bfs-postgres-"))
    started = False
    try:
        os.chmod(folder, 0o755)  # the server's account must reach its folders inside
        data, sockets, logs = folder / "data", folder / "socket", folder / "log"
        log = logs / "server.log"
        for d in (data, sockets, logs):
            d.mkdir()
            os.chown(d, entry.pw_uid, entry.pw_gid)
        password = secrets.token_hex(16)
        pwfile = folder / "pw"
        pwfile.write_text(password + "\n")
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        os.chmod(pwfile, 0o600)
        done = _run_as(account, [str(programs / "initdb"), "-D", str(data), "-U", "grader", f"--pwfile={pwfile}",
                                 "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"])
        pwfile.unlink()
        assert done.returncode == 0, f"initdb failed:\n{done.stdout}\n{done.stderr}"
        for _ in range(5):
            port = free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
                       "-c synchronous_commit=off -c max_connections=40")
            done = _run_as(account, [str(programs / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "300",
                                     "-o", options, "start"])
            if done.returncode == 0:
                started = True
                break
            text = log.read_text(errors="replace") if log.exists() else ""
            if "could not bind" not in text and "already in use" not in text:
                raise AssertionError(f"PostgreSQL did not start:\n{done.stdout}\n{done.stderr}\n{text[-3000:]}")
        assert started, "PostgreSQL found no free port"
        yield Postgres(port, "grader", password, folder)
    finally:
        if started:
            _run_as(account, [str(programs / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
        if made_account:
            subprocess.run(["userdel", account], capture_output=True)


def postgres_missing():
    """Why the PostgreSQL tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root: the test starts PostgreSQL as an unprivileged account of its own (runuser)"
    if server_programs() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    if not shutil.which("runuser"):
        return "runuser (util-linux) is not installed"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "no PostgreSQL driver: pip install -c requirements/constraints.txt -e '.[test]' (psycopg)"
    return None


@pytest.fixture(scope="session")
def postgres():
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)
    with postgres_server() as server:
        yield server



# ---- the example class graded by `course grade`, and a Dask cluster on 127.0.0.1 (test_dask_*, test_resume_*) ----

@pytest.fixture(scope="session")
def example_reference(tmp_path_factory, sandbox):
    """The example class graded locally, in one uninterrupted run: what every other run must equal."""
    from grading_support import EXAMPLE_ASSIGNMENTS, course_grade, graded_outputs, run_course

    course_dir = tmp_path_factory.mktemp("reference") / "course"
    run_course(course_grade(course_dir, sandbox=sandbox))
    outputs = graded_outputs(course_dir)
    assert len([p for p in outputs if p.startswith("reports/results/")]) == 4 * len(EXAMPLE_ASSIGNMENTS)
    return outputs


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and two workers (`--nworkers 1 --nthreads 1`), started for the module and stopped after it."""
    from grading_support import DaskCluster, dask_missing

    reason = dask_missing()
    if reason:
        pytest.skip(reason)
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
    try:
        for name in ("w1", "w2"):
            cluster.start_worker(name)
        with cluster.client() as client:
            client.wait_for_workers(2, timeout=300)
        yield cluster
    finally:
        cluster.stop()
