"""PostgreSQL text cannot hold a NUL character: a pushed item carrying one must still leave its error row
(or its stored record), never an exception that loses the item's verdict."""

from __future__ import annotations

import json

from sqlalchemy import select

from worker.models import ArticleRecord, IngestErrorRecord
from worker.pipeline import Outcome, Pipeline
from worker.store import Store


def _errors(store: Store) -> list[IngestErrorRecord]:
    with store.session() as session:
        return list(session.scalars(select(IngestErrorRecord)))


def test_a_garbled_line_with_nul_leaves_one_error_row(store: Store) -> None:
    decision = Pipeline(store).ingest_item('\x00{"url": "https://p.example/a\x00"')
    assert decision.outcome is Outcome.REJECTED
    (row,) = _errors(store)
    assert row.kind == "invalid_item"
    assert row.payload is not None and "\x00" not in row.payload
    assert "p.example/a" in row.payload  # the kept copy is still the item, only its NULs are marked


def test_an_item_whose_text_carries_nul_is_stored_without_it(store: Store) -> None:
    text = " ".join(f"word{i}" for i in range(80)) + "\x00 end of the story."
    item = json.dumps({"url": "https://p.example/nul-story", "title": "A\x00title", "text": text})
    decision = Pipeline(store).ingest_item(item)
    assert decision.outcome is Outcome.STORED, decision
    with store.session() as session:
        (record,) = session.scalars(select(ArticleRecord))
        assert "\x00" not in record.text and record.text.endswith("end of the story.")
        assert record.title is not None and "\x00" not in record.title
