"""Migration 0005: a store written by a release before signature format 3 keeps catching copies after the
upgrade, and a downgrade gives an older release back the exact bytes it wrote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from worker import fingerprint_v2, migrate
from worker.fingerprint import Signature, content_hash, signature
from worker.models import ArticleRecord, DuplicateRecord
from worker.pipeline import Outcome, Pipeline
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"


def story(name: str) -> str:
    return (WIRE / f"{name}.txt").read_text(encoding="utf-8").strip()


def trimmed(text: str) -> str:
    return "\n\n".join(text.split("\n\n")[:-2])


def item(url: str, text: str) -> dict[str, object]:
    return {"url": url, "title": "Headline", "text": text}


def alembic(store: Store, action: Callable[[Config, str], None], revision: str) -> None:
    """Run an alembic command on the store's own connection, as ``wirefeed db upgrade`` does."""
    config = migrate.alembic_config(store.engine.url.render_as_string(hide_password=False))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def stored_by_an_older_release(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two stories and a near-duplicate, fingerprinted in format 2 as releases before 0005 did, in a
    database left at revision 0004: the tables later migrations add to are taken back down to 0005, and
    0005 changes no table, so stamping 0004 then gives that release's schema."""

    def older_fingerprints(texts: list[str]) -> list[tuple[str, Signature]]:
        return [(content_hash(text), fingerprint_v2.signature(text)) for text in texts]

    with monkeypatch.context() as patch:
        patch.setattr("worker.pipeline.fingerprints", older_fingerprints)
        older = Pipeline(store)
        older.ingest_item(item("https://a.example/strike", story("port-strike")))
        older.ingest_item(item("https://a.example/fire", story("wildfire")))
        copy = older.ingest_item(item("https://b.example/strike-copy", trimmed(story("port-strike"))))
        assert copy.outcome is Outcome.DUPLICATE
    alembic(store, command.downgrade, "0005")
    alembic(store, command.stamp, "0004")


def signatures(store: Store) -> tuple[dict[str, bytes], dict[str, bytes | None]]:
    with store.session() as session:
        articles = dict(session.execute(select(ArticleRecord.canonical_url, ArticleRecord.signature)).all())
        duplicates = dict(session.execute(select(DuplicateRecord.url, DuplicateRecord.signature)).all())
    return (
        {url: bytes(sig) for url, sig in articles.items()},
        {url: bytes(sig) if sig is not None else None for url, sig in duplicates.items()},
    )


def test_stored_format_2_rows_are_rewritten_and_still_catch_copies(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_by_an_older_release(store, monkeypatch)
    before, _ = signatures(store)
    assert {data[0] for data in before.values()} == {2}
    # Without the migration a format-3 copy of a stored story finds nothing: the values never agree.
    assert (
        signature(story("wildfire")).equal_count(Signature.from_bytes(before["https://a.example/fire"])) == 0
    )

    store.upgrade()
    articles, duplicates = signatures(store)
    with store.session() as session:
        texts = dict(session.execute(select(ArticleRecord.canonical_url, ArticleRecord.text)).all())
    assert articles == {url: signature(texts[url].strip()).to_bytes() for url in texts}
    assert duplicates == {"https://b.example/strike-copy": None}  # no text to recompute it from

    pipeline = Pipeline(store)  # rebuilds its index from the rewritten rows
    copy = pipeline.ingest_item(item("https://c.example/fire-copy", trimmed(story("wildfire"))))
    assert copy.outcome is Outcome.DUPLICATE, copy.describe()
    assert copy.duplicate_of is not None
    again = pipeline.ingest_item(item("https://d.example/strike-again", trimmed(story("port-strike"))))
    assert again.outcome is Outcome.DUPLICATE, again.describe()


def test_downgrade_writes_back_the_format_2_bytes_an_older_release_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_by_an_older_release(store, monkeypatch)
    before, _ = signatures(store)
    store.upgrade()
    assert {data[0] for data in signatures(store)[0].values()} == {3}
    alembic(store, command.downgrade, "0004")
    after, duplicates = signatures(store)
    assert after == before
    assert set(duplicates.values()) == {None}
    store.upgrade()  # and up again: idempotent
    assert {data[0] for data in signatures(store)[0].values()} == {3}
