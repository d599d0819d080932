"""What the Celery integration tests share: real worker processes, fresh databases, a switchable TCP proxy.

Workers are real ``python -m celery -A worker worker`` subprocesses (so CI's interpreter and venv are the
ones used), each in its own process group so a test can SIGKILL a worker with its pool children at once.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tests.servers import create_database, drop_database, marked_environment

ROOT = Path(__file__).resolve().parent.parent


def redis_db(url: str, db: int) -> str:
    """The suite's server URL pointed at one database number, so tests never see each other's keys."""
    return re.sub(r"/\d+$", "", url.rstrip("/")) + f"/{db}"


def flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@contextmanager
def fresh_database(postgres_url: str, label: str) -> Iterator[str]:
    """A PostgreSQL database of the test's own, with the wirefeed schema, dropped afterwards."""
    from worker.store import Store

    url = create_database(postgres_url, f"wf_{label}")
    store = Store(url)
    store.upgrade()
    store.dispose()
    try:
        yield url
    finally:
        drop_database(postgres_url, url)


def worker_env(**settings: Any) -> dict[str, str]:
    """The environment of a worker: ours, minus any WIREFEED_* of the caller, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREFEED_", "FLOWER_"))}
    for key, value in settings.items():
        env[f"WIREFEED_{key.upper()}"] = str(value)
    env["PYTHONUNBUFFERED"] = "1"
    return marked_environment(env)


class CeleryProcess:
    """``celery -A worker <command>`` in its own process group, logging to a file the test can read."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> CeleryProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it from here
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, pattern: str, timeout: float = 40.0) -> None:
        def seen() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"celery {self.args[0]} exited early:\n{self.log()[-3000:]}")
            return re.search(pattern, self.log()) is not None

        wait_until(seen, timeout, what=f"{pattern!r} in the {self.args[0]} log:\n{self.log()[-2000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(30)

    def stop(self) -> None:
        """Warm shutdown, then the hard way: the pool children go with the group either way."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def start_worker(
    env: dict[str, str],
    tmp_path: Path,
    name: str,
    *,
    queues: str = "process",
    concurrency: int = 2,
    extra: tuple[str, ...] = (),
) -> CeleryProcess:
    worker = CeleryProcess(
        [
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "-n",
            f"{name}@%h",
            "-P",
            "prefork",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
            *extra,
        ],
        env,
        tmp_path / f"{name}.log",
    )
    worker.start()
    return worker


def wait_until(predicate: Callable[[], Any], timeout: float, *, interval: float = 0.2, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        time.sleep(interval)


# -- items ------------------------------------------------------------------------------------------------
_WORDS = None


def _vocabulary(rng: random.Random) -> list[str]:
    global _WORDS
    if _WORDS is None:
        letters = "abcdefghijklmnopqrstuvwxyz"
        _WORDS = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(6000)})
    return _WORDS


def story(rng: random.Random, words: int = 140) -> str:
    vocab = _vocabulary(rng)
    sentences = []
    remaining = words
    while remaining > 0:
        size = min(remaining, rng.randint(8, 18))
        sentence = " ".join(rng.choice(vocab) for _ in range(size))
        sentences.append(sentence.capitalize() + ".")
        remaining -= size
    return " ".join(sentences)


def syndicated_copy(rng: random.Random, text_: str) -> str:
    """What an outlet does to a wire story: drop the last sentence, add a tagline, touch one word."""
    sentences = text_.split(". ")
    kept = sentences[:-1] if len(sentences) > 6 else sentences
    body = ". ".join(kept)
    words = body.split(" ")
    index = rng.randrange(len(words))
    words[index] = words[index] + "s"
    tagline = rng.choice(
        [
            "(Reporting by staff; editing by the desk.)",
            "Copyright wire service.",
            "This story was first published by a partner agency.",
        ]
    )
    return " ".join(words) + " " + tagline


def clustered_items(seed: int, clusters: int, copies: int, singles: int) -> list[dict[str, Any]]:
    """``clusters`` wire stories in ``copies`` near-identical versions each, plus unrelated stories; copies
    of one story sit next to each other in the list so workers get them at the same moment."""
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    for number in range(clusters):
        original = story(rng)
        for copy in range(copies):
            body = original if copy == 0 else syndicated_copy(rng, original)
            url = f"https://outlet{copy}.example/wire/{seed}/{number}"
            items.append({"url": url, "title": f"Story {number}", "text": body, "source": f"outlet{copy}"})
    for number in range(singles):
        items.append(
            {
                "url": f"https://single.example/{seed}/{number}",
                "title": f"Single {number}",
                "text": story(rng),
            }
        )
    return items


# -- a TCP proxy that can refuse connections ----------------------------------------------------------------
class SwitchableProxy:
    """Forwards 127.0.0.1:port to a target; ``refuse()`` closes the listener and cuts every open connection
    (clients then get 'connection refused'), ``accept()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def accept(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._serve, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            listener.close()
        for conn in conns:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self._stopped.set()
        self.refuse()

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        pair = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except (OSError, ValueError):  # ValueError: refuse() closed the socket under select()
            return
        finally:
            for sock in (a, b):
                with suppress(OSError):
                    sock.close()


def wirefeed(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 120) -> str:
    """Run the `wirefeed` command in a subprocess with the test's environment; fails on a non-zero exit."""
    result = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"wirefeed {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    import json

    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path
