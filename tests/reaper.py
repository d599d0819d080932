"""Stop the suite's servers when the test run that started them dies without its teardown.

A run killed by ``timeout``, a closed terminal or SIGKILL never reaches the ``finally`` that stops its
throwaway PostgreSQL and Valkey, and they then hold memory and ports until someone finds them. So the
first server a run starts also starts this watcher, in a session of its own so a signal to the run's
process group does not reach it. It holds the read end of a pipe whose only write end lives in the run:
when the run ends, however it ends, the read sees end-of-file. The watcher then stops every process
marked as the run's (a command line naming the run's folder, or the marker variable in its environment)
and removes the folder. After a clean teardown it finds nothing left to stop.

Run as ``python tests/reaper.py <fd> <folder>``; :func:`watch` starts it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

#: The environment variable that marks a child process (a Celery worker) as belonging to one run.
MARKER = "WFTEST_RUN_FOLDER"  # not WIREFEED_: the settings read that prefix

#: How the watcher asks each kind of process to stop first: PostgreSQL's immediate shutdown is SIGQUIT
#: (SIGTERM waits for clients); everything else gets SIGTERM. SIGKILL follows for whatever is left.
POSTMASTER_WORDS = ("postgres", "postmaster")
GRACE_SECONDS = 10.0


def _process_ids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _read(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def marked_processes(folder: str) -> list[int]:
    """Processes of the run: their command line names its folder or their environment carries the marker."""
    needle = folder.encode()
    marker = f"{MARKER}={folder}".encode()
    found = []
    for pid in _process_ids():
        if pid == os.getpid():
            continue
        if needle in _read(pid, "cmdline") or marker in _read(pid, "environ").split(b"\0"):
            found.append(pid)
    return found


def _first_signal(pid: int) -> int:
    argv0 = _read(pid, "cmdline").split(b"\0", 1)[0].decode(errors="replace")
    return signal.SIGQUIT if os.path.basename(argv0) in POSTMASTER_WORDS else signal.SIGTERM


def _send(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def sweep(folder: str) -> list[int]:
    """Stop the run's processes (politely, then for good) and remove its folder; returns who was signalled."""
    pids = marked_processes(folder)
    for pid in pids:
        _send(pid, _first_signal(pid))
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and marked_processes(folder):
        time.sleep(0.2)
    for pid in marked_processes(folder):
        _send(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)
    return pids


def watch(folder: Path) -> int:
    """Start the watcher for ``folder``; returns the pipe's write end, which the run keeps open until it ends.

    The descriptor is not inheritable, so no server or worker the run starts holds it open after the run
    is gone.
    """
    read_end, write_end = os.pipe()
    subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(read_end), str(folder)],
        pass_fds=(read_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(read_end)
    return write_end


def main(argv: list[str]) -> int:
    read_end, folder = int(argv[1]), argv[2]
    # Detached from the run's terminal and group: only the pipe tells us when the run is over.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while os.read(read_end, 4096):
        pass
    sweep(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
