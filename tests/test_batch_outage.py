"""A batch the database drops mid-commit is retried whole: nothing it indexed may outlive the rollback.

The worker's in-process index takes a batch's keys as the batch decides them (so later items of the same
batch are checked against them); when the commit fails because the database is gone, those entries must not
stay behind, or the retry meets its own items as phantom stories and never stores them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.celery_support import SwitchableProxy, clustered_items, fresh_database
from worker.models import ArticleRecord, DuplicateRecord
from worker.pipeline import Pipeline
from worker.store import StorageUnavailable, Store

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied(postgres_url: str) -> Iterator[tuple[str, str, SwitchableProxy]]:
    with fresh_database(postgres_url, "outage") as database:
        real = make_url(database)
        proxy = SwitchableProxy(real.host or "127.0.0.1", real.port or 5432)
        proxy.accept()
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        try:
            yield database, url, proxy
        finally:
            proxy.close()


def test_a_batch_cut_off_at_its_commit_is_stored_whole_on_retry(
    proxied: tuple[str, str, SwitchableProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url, proxy = proxied
    items = clustered_items(seed=3, clusters=6, copies=2, singles=8)
    pipeline = Pipeline(Store(url))
    flush = Pipeline._flush_pending

    def cut_off(self: Pipeline, session: Session) -> None:  # the database goes away as the batch ends
        proxy.refuse()
        flush(self, session)

    monkeypatch.setattr(Pipeline, "_flush_pending", cut_off)
    with pytest.raises(StorageUnavailable):
        pipeline.ingest_items(items)
    monkeypatch.setattr(Pipeline, "_flush_pending", flush)
    proxy.accept()

    decisions = pipeline.ingest_items(items)  # the task's retry: the same batch, same worker process

    with Store(database).session() as session:
        articles = session.scalar(select(func.count(ArticleRecord.id)))
        duplicates = session.scalar(select(func.count(DuplicateRecord.id)))
    assert articles + duplicates == len(items), [d.describe() for d in decisions]
    assert articles == 6 + 8  # one per cluster and per single: no story lost to a phantom entry
