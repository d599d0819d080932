"""Schema and loader of the sources file (``config/sources.yaml``).

The file is edited by hand by people who are not reading our code, so every mistake must come back as
one message naming the source and the field, not as a traceback. Every default is written once, on
``Defaults``; a ``Source`` is a ``Defaults`` plus its own fields, and the file's ``defaults`` section
replaces whatever a source leaves unset at load time: downstream code reads ``source.min_delay_s`` (never
None) and never has to know where a value came from.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scrapers.urls import InvalidURL, canonicalize

DEFAULT_USER_AGENT = "wirefeed/0.1 (+https://github.com/wirefeed/wirefeed)"

_DURATION_RE = re.compile(r"^\s*(?:every\s+)?(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class SourcesError(ValueError):
    """The sources file cannot be used; the message lists each bad field with its location."""


def parse_duration(value: Any) -> timedelta:
    """Seconds as a number, or ``"90s"``, ``"15m"``, ``"6h"``, ``"2d"`` (``"every 15m"`` too)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError("must be positive")
        return timedelta(seconds=float(value))
    match = _DURATION_RE.match(str(value))
    if not match:
        raise ValueError(f"expected a duration such as 90s, 15m, 6h or 2d, got {value!r}")
    amount = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if amount <= 0:
        raise ValueError("must be positive")
    return timedelta(seconds=amount)


class Defaults(BaseModel):
    """Values every source inherits unless it sets its own: the one place their defaults are written
    (``scrapers.fetch.FetchPolicy`` and the crawl read them from a loaded source)."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = DEFAULT_USER_AGENT
    min_delay_s: float = Field(default=2.0, ge=0.0, le=3600.0)
    timeout_s: float = Field(default=20.0, gt=0.0, le=600.0)
    max_bytes: int = Field(default=10_000_000, ge=1024)
    max_retries: int = Field(default=3, ge=0, le=10)
    max_redirects: int = Field(default=5, ge=0, le=20)
    retry_after_cap_s: float = Field(default=60.0, ge=0.0)
    backoff_base_s: float = Field(default=1.0, ge=0.0)
    max_age_days: float = Field(default=7.0, gt=0.0)
    revisit_after: timedelta = Field(default=timedelta(hours=6))
    # A revisit is a conditional GET only while the page's last full fetch (a 200) is younger than this:
    # a server answering 304 to every conditional request would otherwise keep a rewritten page's old
    # text for good when no listing dates the rewrite.
    full_fetch_after: timedelta = Field(default=timedelta(hours=24))
    max_items_per_feed: int = Field(default=500, ge=1)
    max_pages_per_run: int = Field(default=2000, ge=1)

    @field_validator("revisit_after", "full_fetch_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)

    @field_validator("user_agent")
    @classmethod
    def _user_agent(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch in value for ch in "\r\n"):
            raise ValueError("must be one non-empty line")
        return value


_INHERITED = tuple(Defaults.model_fields)


class Source(Defaults):
    """One outlet. The fields inherited from ``Defaults`` that the file leaves unset take its ``defaults``
    section (filled in by ``SourcesFile``)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    link_pattern: str | None = None
    schedule: str = "every 15m"
    adapter: str | None = None
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _unset_nulls(cls, data: Any) -> Any:
        """``max_age_days:`` left empty (null) means "the file's default", as leaving it out does."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (v is None and k in Defaults.model_fields)}
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError("use lower-case letters, digits, '-', '_' or '.' (at most 64), e.g. 'rferl'")
        return value

    @field_validator("feeds", "sitemaps", "pages")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        out = []
        for index, value in enumerate(values):
            try:
                canonicalize(value)
            except InvalidURL as error:
                raise ValueError(f"item {index}: {error}") from None
            out.append(value.strip())
        return out

    @field_validator("link_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from None
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        value = value.strip()
        if _DURATION_RE.match(value):
            return value
        if croniter.is_valid(value):
            return value
        raise ValueError(
            "expected a cron expression such as '*/15 * * * *' or an interval such as 'every 15m'"
        )

    @field_validator("adapter")
    @classmethod
    def _adapter(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from scrapers.sites import adapter_names

        names = adapter_names()
        if value not in names:
            raise ValueError(f"unknown adapter {value!r}; known: {', '.join(sorted(names))}")
        return value

    @model_validator(mode="after")
    def _has_entry_point(self) -> Source:
        if not (self.feeds or self.sitemaps or self.pages):
            raise ValueError("give at least one of feeds, sitemaps or pages")
        # pages without a link_pattern are autodiscovered: their feeds, robots.txt sitemaps, article links
        return self

    @property
    def schedule_interval(self) -> timedelta | None:
        """The interval of an ``every ...`` schedule, None for a cron expression."""
        return parse_duration(self.schedule) if _DURATION_RE.match(self.schedule) else None

    @property
    def hosts(self) -> list[str]:
        from scrapers.urls import host_key

        return sorted({host_key(url) for url in [*self.feeds, *self.sitemaps, *self.pages]})


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: Defaults = Field(default_factory=Defaults)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _inherit_and_check(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} appears twice")
            seen.add(source.name)
            for name in _INHERITED:
                if name not in source.model_fields_set:
                    setattr(source, name, getattr(self.defaults, name))
        return self

    def select(self, names: list[str] | tuple[str, ...] | None = None) -> list[Source]:
        """The named sources (all enabled ones when no name is given); an unknown name is an error."""
        if not names:
            return [source for source in self.sources if source.enabled]
        by_name = {source.name: source for source in self.sources}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise SourcesError(
                f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(by_name))}"
            )
        return [by_name[name] for name in names]


def _location(loc: tuple[Any, ...], data: Any) -> str:
    """``sources[2] (rferl).feeds[0]`` rather than pydantic's ``sources.2.feeds.0``."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            try:
                node = node[item]
                if isinstance(node, dict) and isinstance(node.get("name"), str):
                    label += f" ({node['name']})"
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(file)"


def parse_sources(data: Any, origin: str = "sources") -> SourcesFile:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourcesError(f"{origin}: expected a mapping with 'defaults' and 'sources'")
    try:
        return SourcesFile.model_validate(data)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            message = item["msg"].removeprefix("Value error, ")
            lines.append(f"  {_location(tuple(item['loc']), data)}: {message}")
        raise SourcesError(f"{origin}: {len(lines)} problem(s)\n" + "\n".join(lines)) from None


def load_sources(path: str | Path) -> SourcesFile:
    """Read and validate a sources file; every problem comes back in one ``SourcesError``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SourcesError(f"cannot read sources file {path}: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SourcesError(f"{path}: not valid YAML: {error}") from None
    return parse_sources(data, str(path))
