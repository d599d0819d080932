"""Read and close ``ingest_errors`` rows: what `wirefeed errors`, `retry`, `stats` and `sources` share.

An error row is one failed attempt. Operators ask two questions of them: how often did things fail
(attempts), and what is still broken (open rows, counted once per URL or pushed item). A retry that settles
an item closes its rows (``resolved_at``, ``resolution``) instead of deleting them, so history stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, func, select, update

from worker.models import IngestErrorRecord, utcnow
from worker.store import Store


@dataclass(frozen=True, slots=True)
class ErrorRow:
    id: int
    created_at: datetime
    source: str | None
    kind: str
    stage: str
    url: str | None
    line: int | None
    item_id: str | None
    message: str
    resolved_at: datetime | None
    resolution: str | None
    retryable: bool

    def where(self) -> str:
        """The item, as an operator finds it again: its URL, or its line and id in pushed input."""
        return _where(self.url, self.line, self.item_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("created_at", "resolved_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True, slots=True)
class ErrorFilter:
    source: str | None = None
    kind: str | None = None
    since: datetime | None = None
    include_resolved: bool = False

    def clauses(self) -> list[Any]:
        clauses: list[Any] = []
        if self.source is not None:
            clauses.append(IngestErrorRecord.source == self.source)
        if self.kind is not None:
            clauses.append(IngestErrorRecord.kind == self.kind)
        if self.since is not None:
            clauses.append(IngestErrorRecord.created_at >= self.since)
        if not self.include_resolved:
            clauses.append(IngestErrorRecord.resolved_at.is_(None))
        return clauses


def _where(url: str | None, line: int | None, item_id: str | None) -> str:
    if url:
        return url if line is None else f"{url} (line {line})"
    parts = [f"line {line}" if line is not None else "", f"item {item_id}" if item_id else ""]
    return ", ".join(p for p in parts if p) or "(unknown item)"


def _row(record: IngestErrorRecord) -> ErrorRow:
    return ErrorRow(
        id=record.id,
        created_at=record.created_at,
        source=record.source,
        kind=record.kind,
        stage=record.stage,
        url=record.url,
        line=record.line,
        item_id=record.item_id,
        message=record.message,
        resolved_at=record.resolved_at,
        resolution=record.resolution,
        retryable=bool(record.payload) or bool(record.url and "://" in record.url),
    )


def list_errors(store: Store, selection: ErrorFilter, limit: int | None = 100) -> list[ErrorRow]:
    """Newest first."""
    query = (
        select(IngestErrorRecord)
        .where(and_(True, *selection.clauses()))
        .order_by(IngestErrorRecord.created_at.desc(), IngestErrorRecord.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    with store.session() as session:
        return [_row(record) for record in session.scalars(query)]


@dataclass(frozen=True, slots=True)
class RetryTarget:
    """One item to run again: the newest open row for it, and every open row it would close."""

    row_ids: tuple[int, ...]
    url: str | None
    source: str | None
    kind: str
    payload: str | None
    line: int | None
    item_id: str | None

    def where(self) -> str:
        return _where(self.url, self.line, self.item_id)


def retry_targets(store: Store, selection: ErrorFilter) -> tuple[list[RetryTarget], int]:
    """Open errors grouped by item (pushed item copy, else URL); also how many rows cannot be retried."""
    selection = ErrorFilter(selection.source, selection.kind, selection.since, include_resolved=False)
    query = select(IngestErrorRecord).where(and_(True, *selection.clauses())).order_by(IngestErrorRecord.id)
    groups: dict[tuple[str, str], list[IngestErrorRecord]] = {}
    skipped = 0
    with store.session() as session:
        for record in session.scalars(query):
            if record.payload:
                key = ("item", record.payload)
            elif record.url and "://" in record.url:
                key = ("url", record.url)
            else:
                skipped += 1
                continue
            groups.setdefault(key, []).append(record)
    targets = []
    for records in groups.values():
        newest = records[-1]
        targets.append(
            RetryTarget(
                row_ids=tuple(r.id for r in records),
                url=newest.url,
                source=newest.source,
                kind=newest.kind,
                payload=newest.payload,
                line=newest.line,
                item_id=newest.item_id,
            )
        )
    return targets, skipped


def close_errors(store: Store, row_ids: Iterable[int], resolution: str) -> int:
    """Mark rows settled (by a retry's outcome, or ``requeued``/``retried`` when a later row takes over)."""
    ids = list(row_ids)
    closed = 0
    with store.session() as session:
        for start in range(0, len(ids), 500):
            result = session.execute(
                update(IngestErrorRecord)
                .where(
                    IngestErrorRecord.id.in_(ids[start : start + 500]),
                    IngestErrorRecord.resolved_at.is_(None),
                )
                .values(resolved_at=utcnow(), resolution=resolution[:40])
            )
            closed += getattr(result, "rowcount", 0) or 0  # a CursorResult: an UPDATE always has one
    return closed


def error_counts(store: Store) -> dict[str, dict[str, int]]:
    """Per source: ``attempts`` (every recorded failure) and ``failing`` (open items, each counted once:
    distinct URLs, plus open rows that have no URL)."""
    counts: dict[str, dict[str, int]] = {}

    def entry(name: str | None) -> dict[str, int]:
        return counts.setdefault(name or "(none)", {"attempts": 0, "failing": 0})

    with store.session() as session:
        for name, attempts in session.execute(
            select(IngestErrorRecord.source, func.count(IngestErrorRecord.id)).group_by(
                IngestErrorRecord.source
            )
        ):
            entry(name)["attempts"] = attempts
        open_rows = IngestErrorRecord.resolved_at.is_(None)
        for name, urls in session.execute(
            select(IngestErrorRecord.source, func.count(distinct(IngestErrorRecord.url)))
            .where(open_rows, IngestErrorRecord.url.is_not(None))
            .group_by(IngestErrorRecord.source)
        ):
            entry(name)["failing"] += urls
        for name, rows in session.execute(
            select(IngestErrorRecord.source, func.count(IngestErrorRecord.id))
            .where(open_rows, IngestErrorRecord.url.is_(None))
            .group_by(IngestErrorRecord.source)
        ):
            entry(name)["failing"] += rows
    return counts


def open_error_kinds(store: Store, source: str | None = None) -> dict[str, int]:
    """Open failures by kind, each URL counted once (rows without a URL each count)."""
    kinds: dict[str, int] = {}
    open_rows: list[ColumnElement[bool]] = [IngestErrorRecord.resolved_at.is_(None)]
    if source is not None:
        open_rows.append(IngestErrorRecord.source == source)
    with store.session() as session:
        for has_url, counted in (
            (IngestErrorRecord.url.is_not(None), func.count(distinct(IngestErrorRecord.url))),
            (IngestErrorRecord.url.is_(None), func.count(IngestErrorRecord.id)),
        ):
            query = (
                select(IngestErrorRecord.kind, counted)
                .where(has_url, *open_rows)
                .group_by(IngestErrorRecord.kind)
            )
            for kind, count in session.execute(query):
                kinds[kind] = kinds.get(kind, 0) + count
    return kinds


def known_sources(store: Store) -> list[str]:
    """Every source name the store has seen: with stored or duplicate items, or with errors."""
    from worker.models import Source

    with store.session() as session:
        names = set(session.scalars(select(Source.name)))
        names.update(n for n in session.scalars(select(IngestErrorRecord.source).distinct()) if n)
    return sorted(names)


def unknown_source_message(store: Store, source: str) -> str | None:
    """Words for a ``--source`` the store has never seen (None when it is known)."""
    names = known_sources(store)
    if source in names:
        return None
    shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    return f"no source named {source!r} in this database" + (
        f"; known sources: {shown}" if names else " (it is empty)"
    )
