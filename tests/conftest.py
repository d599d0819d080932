"""Session-wide real servers, pinned in one place so every test module reuses them.

``WIREFEED_TEST_POSTGRES_URL`` / ``WIREFEED_TEST_REDIS_URL`` point the suite at existing servers.
In CI (``CI=true``) a server that cannot start fails the tests that need it; on a user's machine without
the binaries those tests skip with the reason, and everything else still runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import ServerUnavailable, ValkeyProcess, create_database, postgres_server, valkey_server
from worker.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} could not be started: {error}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    existing = os.environ.get("WIREFEED_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    try:
        with postgres_server() as url:
            yield url
    except ServerUnavailable as error:
        _unavailable("PostgreSQL", error)


@pytest.fixture(scope="session")
def valkey() -> Iterator[ValkeyProcess | None]:
    """The suite's Redis-compatible server (None when an existing one is given by URL)."""
    if os.environ.get("WIREFEED_TEST_REDIS_URL"):
        yield None
        return
    try:
        with valkey_server() as server:
            yield server
    except ServerUnavailable as error:
        _unavailable("Valkey", error)


@pytest.fixture(scope="session")
def redis_url(valkey: ValkeyProcess | None) -> str:
    return os.environ.get("WIREFEED_TEST_REDIS_URL") or (valkey.url if valkey else "")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema), once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wirefeed.db'}"
    return create_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each backend."""
    store = Store(database_url)
    store.upgrade()
    yield store
    store.dispose()
