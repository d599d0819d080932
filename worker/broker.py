"""The Redis connection to the broker, where the workers keep the state they share (runs, locks,
throughput counters)."""

from __future__ import annotations

from typing import Any

from config.settings import Settings


def redis_client(settings: Settings) -> Any:
    import redis

    return redis.Redis.from_url(settings.broker_url, socket_timeout=30, socket_connect_timeout=10)


def as_text(value: bytes | str) -> str:
    """A Redis reply as text: the client returns bytes unless it was built to decode."""
    return value.decode() if isinstance(value, bytes) else value
