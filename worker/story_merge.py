"""Two stored stories found to be one, folded into the older: the writes, in the item's transaction.

Stories are split when their copies arrive in an unlucky order: a copy whose lead is hidden (a long note or
kicker, a headline run into a hard-wrapped first line) is stored first, a trim of the story then reads as a
whole story quoted inside it and is stored as a story of its own, and the original, a copy of both, can
join only one. When a newcomer is a copy of two stored stories (the judge joins it to each one's
representative), they are one story, and this module makes them one.

The older story survives (the smaller id: stable, and what every earlier decision of its copies named).
Its representative is the fuller of the two; the other becomes one of its copies (a duplicate row, rule
``merged``, keeping its fingerprint so the index keys that stand for it still answer), every copy of the
merged-away story is re-pointed, its audit rows move to the survivor, one ``stories_merged`` row records
the merge, and the merged-away story row is deleted: its id is never answered again (its copies, its
index keys and its audit rows all name the survivor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from worker.decision import Rule
from worker.fingerprint import Signature
from worker.models import ArticleRecord, DuplicateRecord, Story, StoryEvent

MERGE_EVENT = "stories_merged"


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_STORIES, _ARTICLES = _table(Story), _table(ArticleRecord)
_DUPLICATES, _EVENTS = _table(DuplicateRecord), _table(StoryEvent)
_MEMBERS = select(
    _ARTICLES.c.id,
    _ARTICLES.c.story_id,
    _ARTICLES.c.canonical_url,
    _ARTICLES.c.signature,
    _ARTICLES.c.source_id,
    _ARTICLES.c.content_hash,
    _ARTICLES.c.title,
    _ARTICLES.c.stored_at,
).order_by(_ARTICLES.c.id)


@dataclass(frozen=True, slots=True)
class Merged:
    """What a merge did: the surviving story, the story merged into it, the article kept as the
    representative (id, canonical URL), and the articles that became copies of it (id, canonical URL)."""

    survivor: int
    merged: int
    kept: int
    kept_url: str
    dropped: tuple[tuple[int, str], ...]


def _fullness(row: Sequence[Any], survivor: int) -> tuple[int, int, int]:
    """The fullest text wins (shingle count); a tie keeps the survivor's own, then the older article."""
    size = Signature.from_bytes(bytes(row[3])).size or 0
    return size, int(row[1] == survivor), -int(row[0])


def merge_stories(
    connection: Connection,
    survivor: int,
    merged: int,
    *,
    url: str,
    rule: str,
    similarity: float,
    now: datetime,
) -> Merged | None:
    """Fold story ``merged`` into story ``survivor``; None when either has no stored article any more
    (merged already: a replay of the merge changes nothing). ``url``, ``rule`` and ``similarity`` are the
    newcomer that showed the two stories to be one, and how it joined the merged one."""
    rows = connection.execute(_MEMBERS.where(_ARTICLES.c.story_id.in_((survivor, merged)))).all()
    if {row[1] for row in rows} != {survivor, merged}:
        return None
    kept = max(rows, key=lambda row: _fullness(row, survivor))
    dropped = [row for row in rows if row[0] != kept[0]]
    other_url = next(row[2] for row in rows if row[1] == merged)
    similarity = round(float(similarity), 4)
    connection.execute(
        update(_ARTICLES).where(_ARTICLES.c.story_id == merged).values(story_id=survivor, updated_at=now)
    )
    connection.execute(update(_DUPLICATES).where(_DUPLICATES.c.story_id == merged).values(story_id=survivor))
    kept_sig = Signature.from_bytes(bytes(kept[3]))
    for row in dropped:
        _to_copy(connection, row, kept[0], survivor, _similarity(row, kept_sig))
    connection.execute(
        update(_STORIES).where(_STORIES.c.id == survivor).values(representative_id=kept[0], updated_at=now)
    )
    connection.execute(update(_EVENTS).where(_EVENTS.c.story_id == merged).values(story_id=survivor))
    connection.execute(
        update(_EVENTS).where(_EVENTS.c.other_story_id == merged).values(other_story_id=survivor)
    )
    event = {"story_id": survivor, "other_story_id": merged, "event": MERGE_EVENT, "url": url}
    event |= {"other_url": other_url, "rule": rule, "similarity": similarity, "created_at": now}
    connection.execute(insert(_EVENTS), event)
    connection.execute(delete(_STORIES).where(_STORIES.c.id == merged))
    return Merged(
        survivor, merged, int(kept[0]), str(kept[2]), tuple((int(row[0]), str(row[2])) for row in dropped)
    )


def _similarity(row: Sequence[Any], kept: Signature) -> float:
    """The dropped representative's estimated Jaccard to the kept one, as a copy's row records it."""
    try:
        return round(Signature.from_bytes(bytes(row[3])).jaccard(kept), 4)
    except ValueError:  # fingerprints of two formats (a store mid-upgrade) have no estimate
        return 0.0


def _to_copy(connection: Connection, row: Sequence[Any], kept: int, story: int, similarity: float) -> None:
    """A representative that lost to a fuller one becomes its copy, as a superseded one does: its copies
    follow it, its duplicate row keeps its fingerprint (its index key still answers), its row goes."""
    article_id, _, url, signature, source_id, content_hash, title, stored_at = row
    connection.execute(
        update(_DUPLICATES).where(_DUPLICATES.c.duplicate_of == article_id).values(duplicate_of=kept)
    )
    connection.execute(
        insert(_DUPLICATES),
        {
            "url": url,
            "source_id": source_id,
            "duplicate_of": kept,
            "story_id": story,
            "similarity": similarity,
            "rule": Rule.MERGED.value,
            "content_hash": content_hash,
            "signature": signature,
            "title": title,
            "seen_at": stored_at,
        },
    )
    connection.execute(delete(_ARTICLES).where(_ARTICLES.c.id == article_id))
