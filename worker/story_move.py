"""Copies that joined one story moved to a newcomer that is their better home: the writes, in the item's
transaction.

A copy joins the story it is closest to among what is stored when it arrives. When a story's original
arrives after one of its trims, and a major update of the story (a kept lead and a larger new body) came
between them, the trim joined the update (it lies inside the update's kept lead), and the original, a
copy of the trim but no copy of the update, is stored as a story of its own. The trim is then in the
wrong story: it holds text of the original that the update does not have. So when a newcomer is stored as
a story of its own while the judge found it a copy of stored copies of other stories, each such copy is
moved to the newcomer's story when it is closer to it than to its own representative on both counts:

- its share inside the newcomer is larger than its share inside its representative (``bin_containment``,
  exactly 1 when it lies wholly inside a text, so a copy wholly inside both, a trim of a story and also of
  its update, is never moved: a tie keeps the incumbent);
- and its Jaccard with the newcomer is higher, read from that share and the shingle counts (the count of
  equal values is off by as much as two homes of one trim are apart), unless its share inside the newcomer
  is larger by ``SHARE_SLACK`` or more: a trim lies wholly inside the text it was cut from, and a tenth of
  it missing from its current home (the story text past what a major update kept; the bins show a
  shingle absent only when it is) says it was not cut from that one, however much smaller that home is
  (a dated half trim of a story, 0.98 inside it and 0.86 inside its major update, read 0.42 and 0.45 by
  Jaccard: the update is the smaller text).

The duplicate row is re-pointed (``duplicate_of``, ``story_id``, similarity and rule of its new home), so
both exports (``story_id`` on every row, ``--stories``) agree, its fingerprint stays (its index key now
answers the newcomer's story), and one ``copy_moved`` audit row per copy names both stories. Only a stored
newcomer that matched a copy reaches this (a few rows read); a redelivered newcomer is ``unchanged`` and
moves nothing again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from worker.fingerprint import Signature
from worker.models import ArticleRecord, DuplicateRecord, StoryEvent
from worker.relation import SHARE_SLACK, Relation, Verdict, bin_containment, judge

MOVE_EVENT = "copy_moved"
_HOMES = frozenset({Relation.NEAR_DUPLICATE, Relation.CONTAINED})
"""What a copy must be of its new home: an edited copy or a trim (a copy fuller than it is its better
representative, which this module does not make)."""


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_ARTICLES, _DUPLICATES, _EVENTS = _table(ArticleRecord), _table(DuplicateRecord), _table(StoryEvent)


@dataclass(frozen=True, slots=True)
class Home:
    """The newcomer stored as a story of its own: its article, story, URL and fingerprint."""

    article_id: int
    story_id: int
    url: str
    signature: Signature


@dataclass(frozen=True, slots=True)
class Moved:
    """A copy moved: its URL, the story it left, and the verdict that placed it in its new home."""

    url: str
    left: int
    verdict: Verdict


def better_home(copy: Signature, home: Signature, current: Signature, threshold: float) -> Verdict | None:
    """The copy's verdict against ``home`` when ``home`` is its better home than ``current`` (its
    representative), else None. See the module's docstring for the two counts."""
    if copy.num_perm != home.num_perm or copy.num_perm != current.num_perm:
        return None
    verdict = judge(copy, home, copy.equal_count(home), threshold)
    if verdict is None or verdict.relation not in _HOMES:
        return None
    inside_home, inside_current = bin_containment(copy, home), bin_containment(copy, current)
    if inside_home is None or inside_current is None or inside_home <= inside_current:
        return None
    if inside_home - inside_current >= SHARE_SLACK:
        return verdict  # it holds a tenth or more that its current home lacks: not cut from that text
    return (
        verdict
        if _bin_jaccard(copy, home, inside_home) > _bin_jaccard(copy, current, inside_current)
        else None
    )


def _bin_jaccard(copy: Signature, other: Signature, inside: float) -> float:
    """The copy's Jaccard with ``other`` from its share inside it read bin by bin (``inside``) and the two
    shingle counts, where the count of equal values, sd 0.04 at these similarities, is as far off as the
    two homes are apart: a dated half trim of a story, 0.98 inside it and 0.91 inside its major update
    (which kept less of the story than the trim did), read 0.36 and 0.41 by equal values, 0.41 and 0.38
    so. Falls back on the equal values without counts (format 1)."""
    if not copy.size or not other.size:
        return copy.equal_count(other) / copy.num_perm
    shared = inside * copy.size
    return shared / (copy.size + other.size - shared)


def move_copies(
    connection: Connection, home: Home, keys: Iterable[str], *, threshold: float, now: datetime
) -> list[Moved]:
    """Move each stored copy among ``keys`` (index keys the judge found the newcomer a copy of) whose
    better home is the newcomer's story; keys of stored articles, of the newcomer's own story or without a
    fingerprint are left alone. Returns what was moved, in key order."""
    moved: list[Moved] = []
    for key in sorted(set(keys)):
        row = connection.execute(
            select(
                _DUPLICATES.c.id,
                _DUPLICATES.c.story_id,
                _DUPLICATES.c.signature,
                _ARTICLES.c.signature,
            )
            .join(_ARTICLES, _ARTICLES.c.id == _DUPLICATES.c.duplicate_of)
            .where(_DUPLICATES.c.url == key)
        ).first()
        if row is None or row[2] is None or row[1] is None or row[1] == home.story_id:
            continue
        try:
            copy, current = Signature.from_bytes(bytes(row[2])), Signature.from_bytes(bytes(row[3]))
        except ValueError:  # a fingerprint of a format this version cannot read: left where it is
            continue
        verdict = better_home(copy, home.signature, current, threshold)
        if verdict is None:
            continue
        similarity = round(float(verdict.similarity), 4)
        connection.execute(
            update(_DUPLICATES)
            .where(_DUPLICATES.c.id == row[0])
            .values(
                duplicate_of=home.article_id,
                story_id=home.story_id,
                similarity=similarity,
                rule=verdict.relation.value,
            )
        )
        event = {"story_id": home.story_id, "other_story_id": int(row[1]), "event": MOVE_EVENT, "url": key}
        event |= {"other_url": home.url, "rule": verdict.relation.value, "similarity": similarity}
        connection.execute(insert(_EVENTS), event | {"created_at": now})
        moved.append(Moved(key, int(row[1]), verdict))
    return moved
