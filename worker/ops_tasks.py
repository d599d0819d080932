"""Operations tasks for the Celery workers: the daily prune that beat sends when retention is enabled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from config.settings import get_settings
from worker.celery_app import app
from worker.payloads import check_payload


@app.task(name="wirefeed.prune", ignore_result=True, acks_late=True)
def prune(older_than: str | None = None) -> dict[str, Any]:
    """``wirefeed prune`` on the workers, with their shared index (``WIREFEED_DEDUP_URL``, else the broker).

    Idempotent: a prune delivered twice finds nothing left to remove the second time."""
    import redis

    from config.timespec import parse_age
    from worker.pipeline import shared_index
    from worker.retention import prune as run_prune
    from worker.store import Store

    check_payload(prune.name, {"older_than": older_than})
    conf = get_settings()
    age = older_than or conf.prune_older_than
    if not age:
        return {"skipped": "WIREFEED_PRUNE_OLDER_THAN is not set"}
    url = conf.dedup_url or conf.broker_url
    store = Store(conf.database_url)
    try:
        report = run_prune(
            store,
            parse_age(age),
            index=shared_index(url, conf.dedup_threshold),
            redis_client=redis.Redis.from_url(url),
            index_window=timedelta(days=conf.dedup_window_days) if conf.dedup_window_days else None,
        )
    finally:
        store.dispose()
    return report.to_dict()
