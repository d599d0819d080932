"""A test run killed before its teardown must not leave its PostgreSQL, Valkey or workers running.

Found in a session: a run stopped by ``timeout`` left its throwaway PostgreSQL holding memory and a port.
These tests start the servers in a child process exactly as the suite does, kill that child the hard way,
and watch the servers go.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import reaper
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent

# The child starts what the suite starts, says where, then waits to be killed.
CHILD = """
import json, sys, time
from contextlib import ExitStack
from tests.servers import ServerUnavailable, postgres_server, run_folder, valkey_server
stack = ExitStack()
valkey = stack.enter_context(valkey_server())
try:
    postgres = stack.enter_context(postgres_server())
except ServerUnavailable as error:
    postgres = "unavailable: " + str(error)
print(json.dumps({"folder": str(run_folder()), "valkey": valkey.port, "postgres": postgres}), flush=True)
if sys.argv[1] == "exit":
    stack.close()
    sys.exit(0)
time.sleep(600)
"""


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _eventually(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still {what} after {seconds:.0f} s")
        time.sleep(0.2)


def _holders(folder: str) -> list[int]:
    """Every process naming the folder, the reaper included (it names it in its own command line)."""
    return [pid for pid in reaper._process_ids() if folder.encode() in reaper._read(pid, "cmdline")]


def _start_child(how: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, how],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line:
        child.wait(30)
        assert child.stderr is not None
        raise AssertionError(f"the child started no server: {child.stderr.read()[-2000:]}")
    return child, json.loads(line)


def test_servers_of_a_killed_run_are_stopped_and_their_folder_removed() -> None:
    child, started = _start_child("hang")
    folder, valkey_port, postgres = (
        str(started["folder"]),
        int(str(started["valkey"])),
        str(started["postgres"]),
    )
    if postgres.startswith("unavailable") and IN_CI:
        child.kill()
        pytest.fail(f"PostgreSQL could not be started: {postgres}", pytrace=False)
    postgres_port = int(postgres.split("@127.0.0.1:")[1].split("/")[0]) if "@127.0.0.1:" in postgres else None
    assert _listening(valkey_port)
    assert postgres_port is None or _listening(postgres_port)
    assert len(_holders(folder)) >= 2, "the reaper and at least one server name the run's folder"

    os.killpg(child.pid, signal.SIGKILL)  # no teardown runs: the servers are left to the reaper
    child.wait(30)

    _eventually(lambda: not _listening(valkey_port), 60, "Valkey listening")
    if postgres_port is not None:
        _eventually(lambda: not _listening(postgres_port), 60, "PostgreSQL listening")
    _eventually(lambda: not _holders(folder), 60, f"processes naming {folder}")
    _eventually(lambda: not Path(folder).exists(), 30, f"{folder} on disk")


def test_a_clean_run_leaves_no_reaper_and_no_folder() -> None:
    child, started = _start_child("exit")
    assert child.wait(60) == 0
    folder = str(started["folder"])
    _eventually(lambda: not _holders(folder), 30, f"processes naming {folder}")
    _eventually(lambda: not Path(folder).exists(), 30, f"{folder} on disk")


def test_sweep_stops_a_worker_known_only_by_its_environment(tmp_path: Path) -> None:
    """A Celery worker's command line names no folder of ours; the marker in its environment does."""
    folder = tmp_path / "run"
    folder.mkdir()
    sleeper = shutil.which("sleep")
    assert sleeper is not None
    marked = subprocess.Popen([sleeper, "300"], env={**os.environ, reaper.MARKER: str(folder)})
    unmarked = subprocess.Popen([sleeper, "300"], env={**os.environ, reaper.MARKER: str(folder) + "-other"})
    try:
        signalled = reaper.sweep(str(folder))
        assert marked.wait(30) == -signal.SIGTERM
        assert signalled == [marked.pid]
        assert unmarked.poll() is None, "a process of another run is left alone"
        assert not folder.exists()
    finally:
        for proc in (marked, unmarked):
            proc.kill()
            proc.wait(10)
