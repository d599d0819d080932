"""Every task checks its message's types and sizes before any work: a producer's bad message is one
refusal with a kind, never a crash deep in the pipeline (issue 8, defect 4)."""

from __future__ import annotations

import pytest

from scrapers.errors import ErrorKind, IngestError
from worker import tasks
from worker.payloads import MAX_BATCH, PAYLOADS, check_payload

GOOD = {"url": "https://news.example/a", "title": "T", "text": "word " * 40}


def test_every_task_has_a_payload_model() -> None:
    tasks.app.loader.import_default_modules()  # as the worker does: every module of the app's ``include``
    names = {name for name in tasks.app.tasks if name.startswith("wirefeed.")}
    assert names == set(PAYLOADS)


@pytest.mark.parametrize(
    ("task", "call", "kind"),
    [
        (tasks.ingest_html, {"url": ["https://x.example/"], "html": "<p>x</p>"}, ErrorKind.INVALID_ITEM),
        (tasks.ingest_html, {"url": "https://x.example/", "html": 42}, ErrorKind.INVALID_ITEM),
        (tasks.ingest_html, {"url": "https://x.example/", "html": "x" * 10_000_001}, ErrorKind.TOO_LARGE),
        (
            tasks.ingest_html,
            {"url": "https://x.example/", "html": "<p/>", "fetched_at": "yesterday"},
            ErrorKind.INVALID_ITEM,
        ),
        (tasks.ingest_item, {"item": 7}, ErrorKind.INVALID_ITEM),
        (tasks.ingest_item, {"item": GOOD, "source": {"name": "x"}}, ErrorKind.INVALID_ITEM),
        (tasks.ingest_items, {"items": [GOOD] * (MAX_BATCH + 1)}, ErrorKind.TOO_LARGE),
        (tasks.ingest_items, {"items": GOOD}, ErrorKind.INVALID_ITEM),
        (tasks.fetch_article, {"url": "https://x.example/" + "a" * 5000}, ErrorKind.TOO_LARGE),
        (tasks.crawl_source, {"source": 3}, ErrorKind.INVALID_ITEM),
    ],
)
def test_bad_message_is_refused_before_any_work(
    task: object, call: dict[str, object], kind: ErrorKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_work() -> None:
        raise AssertionError("the task reached the pipeline with a bad message")

    monkeypatch.setattr(tasks, "begin", no_work)
    monkeypatch.setattr(tasks, "state_redis", no_work)
    with pytest.raises(IngestError) as caught:
        task.run(**call)  # type: ignore[attr-defined]
    assert caught.value.kind is kind


def test_unknown_argument_is_refused() -> None:
    with pytest.raises(IngestError, match="priority: Extra inputs"):
        check_payload("wirefeed.ingest_item", {"item": GOOD, "priority": 9})


def test_good_messages_pass() -> None:
    check_payload("wirefeed.ingest_item", {"item": GOOD, "source": "wire", "run_id": None})
    check_payload("wirefeed.ingest_items", {"items": [GOOD, '{"url": "x"}'], "source": None, "run_id": "r"})
    job = {"url": "https://x.example/", "reason": "new"}
    check_payload("wirefeed.fetch_article", {"url": "https://x.example/", "source": None, "job": job})
