"""Process-wide settings from ``WIREFEED_*`` environment variables and an optional ``.env``.

Every knob lives here so that the CLI, the Celery worker and the tests agree on names and defaults;
the variable names are a contract with deployments (docker-compose, ``.env.example``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.timespec import parse_age

ENV_PREFIX = "WIREFEED_"
# Chosen by bench/dedup_eval.py (bench/DEDUP.md): zero false merges on the hard negatives, recall 0.993.
# It is also the labelling line: a copy with more than half new text is a different item.
DEFAULT_DEDUP_THRESHOLD = 0.5


class SettingsError(ValueError):
    """A setting has a value we cannot run with; the message names the environment variable."""


class Settings(BaseSettings):
    """Defaults are the embedded, first-run mode: SQLite in the working directory, no broker needed."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///wirefeed.db",
        description="SQLAlchemy URL of the article store (SQLite file or postgresql+psycopg://...).",
    )
    broker_url: str = Field(default="redis://localhost:6379/0", description="Celery broker (Redis).")
    sources: Path = Field(default=Path("config/sources.yaml"), description="Path of the sources file.")
    dedup_threshold: float = Field(
        default=DEFAULT_DEDUP_THRESHOLD,
        gt=0.0,
        le=1.0,
        description="Estimated Jaccard of word shingles at or above which two texts are one story.",
    )

    dedup_url: str | None = Field(
        default=None,
        description="Redis URL of the shared dedup index for many workers; unset: in-process index.",
    )
    dedup_window_days: float | None = Field(
        default=None,
        gt=0,
        description="Days a stored story stays in the dedup index (its memory follows the window, not the "
        "history); unset: every stored story. The in-process index joins and keeps only the window; "
        "`wirefeed prune` expires older entries from a shared Redis index.",
    )
    dedup_snapshot: str | None = Field(
        default=None,
        description="File the in-process dedup index is written to after a rebuild from the store and "
        "joined from at the next start (memory-mapped, then caught up from the store); unset: "
        "`<database file>.dedup-index` beside a SQLite store, none for PostgreSQL; `off`: no snapshot.",
    )

    allow_private_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated hosts, addresses or networks the SSRF guard lets through (127.0.0.1)",
    )
    user_agent: str | None = Field(
        default=None, description="User-Agent for every request; overrides the sources file's default."
    )

    # -- Celery workers (issue 4); see docs/celery.md for why each value is what it is ------------------
    visibility_timeout_s: int = Field(
        default=3600, ge=5, description="Redis broker: an unacknowledged task is redelivered after this."
    )
    task_soft_time_limit_s: float = Field(
        default=240.0, gt=0, description="A task gets SoftTimeLimitExceeded after this and can clean up."
    )
    task_time_limit_s: float = Field(
        default=300.0, gt=0, description="A task's worker process is killed after this (hard limit)."
    )
    task_max_retries: int = Field(
        default=6, ge=0, le=20, description="Retries of a transient failure before the dead-letter record."
    )
    retry_backoff_max_s: int = Field(
        default=600, ge=1, description="Cap of the exponential retry backoff; below the visibility timeout."
    )
    worker_max_tasks_per_child: int = Field(
        default=2000, ge=0, description="Recycle a worker process after this many tasks (0: never)."
    )
    worker_max_memory_per_child_kb: int = Field(
        default=512_000, ge=0, description="Recycle a worker process past this resident memory (0: off)."
    )
    crawl_lock_ttl_s: int = Field(
        default=6 * 3600, ge=10, description="Longest a source's crawl may hold its one-crawl lock."
    )
    page_claim_ttl_s: float = Field(
        default=900.0,
        ge=1,
        description="Seconds a Celery fetch's claim on a page address lives in Redis: it must outlast a "
        "fetch plus the wait for its ingest task, when the crawl state learns the page's other spellings.",
    )
    # -- pushed items (JSON Lines, ingest_item tasks): every field capped; see README "Hostile input" ------
    item_max_bytes: int = Field(
        default=4_000_000, ge=1024, description="Largest pushed item (one JSON line or task payload item)."
    )
    item_max_text_chars: int = Field(
        default=500_000, ge=100, description="Longest item text; a book-length text is not a news story."
    )
    item_max_title_chars: int = Field(default=1_000, ge=10, description="Longest item title.")
    item_max_field_chars: int = Field(
        default=10_000, ge=100, description="Longest other text field (description, author, site_name...)."
    )
    item_max_url_chars: int = Field(default=4_000, ge=100, description="Longest item URL (url, top_image).")
    item_max_authors: int = Field(default=50, ge=1, description="Most authors one item may name.")
    item_min_words: int = Field(
        default=20, ge=1, description="Fewest words of text an item needs to be stored as an article."
    )
    flower_basic_auth: str | None = Field(
        default=None, description="user:password[,user2:password] Flower requires; no start without."
    )
    flower_bind: str = Field(
        default="127.0.0.1",
        description="Host address docker-compose publishes Flower on; 0.0.0.0 only behind TLS.",
    )

    # -- operations (issue 11): logs, metrics, retention -------------------------------------------------
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines: readable text, or one JSON object per line for shippers."
    )
    log_level: str | None = Field(
        default=None, description="Log level (DEBUG, INFO, WARNING...); unset: INFO for workers."
    )
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Prometheus metrics on this port (workers); unset: off."
    )
    prune_older_than: str | None = Field(
        default=None,
        description="Beat runs `wirefeed prune` daily for rows older than this (e.g. 30d); unset: off.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("prune_older_than")
    @classmethod
    def _age(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_age(value)  # raises ValueError with the accepted forms
        return value.strip()

    @field_validator("allow_private_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("allow_private_hosts")
    @classmethod
    def _usable_hosts(cls, value: list[str]) -> list[str]:
        """An entry the SSRF guard would not understand stops every process at start, not a task later."""
        from scrapers.network import HostGuard

        HostGuard(value)
        return value

    @field_validator("database_url", "broker_url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("expected a URL such as scheme://host/path")
        return value


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "?"
        lines.append(f"{ENV_PREFIX}{field.upper()}: {item['msg']} (got {item.get('input')!r})")
    return "invalid settings: " + "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's error into one that names the variable to fix."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
