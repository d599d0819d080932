"""Prometheus metrics: what an operator graphs and alerts on, from the workers and `crawl --metrics-port`.

Metric names are a contract with dashboards (docs/grafana-dashboard.json) and alert rules:

- ``wirefeed_pages_fetched_total{status}``: fetches by HTTP status, ``not_modified`` (304), or the error
  kind of a fetch that got no response (``fetch``, ``robots``, ``blocked_host``...);
- ``wirefeed_items_total{outcome,kind}``: decisions (``stored``, ``new_version``, ``duplicate``,
  ``unchanged``, ``rejected``), ``kind`` naming the error kind of a rejection (empty otherwise);
- ``wirefeed_stage_seconds{stage}``: latency histograms of ``fetch``, ``extract``, ``fingerprint`` and
  ``dedup_store`` (the dedup decision and its transaction);
- ``wirefeed_dedup_index_entries``: fingerprints in the dedup index;
- ``wirefeed_queue_messages{queue}``: messages waiting per Celery queue (``unacked`` for delivered, not
  yet acknowledged).

Counters and histograms are recorded where the work happens (``count_item``, ``observe``...). Gauges of
shared state (index size, queue depths) are read from Redis when Prometheus scrapes, by a collector in
the serving process, so they are right however many worker processes there are. Prefork worker children
write their samples to ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode), which the
parent serves; ``prepare_multiprocess`` must run before prometheus-client is first imported.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

_metrics: dict[str, Any] = {}
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STAGES = ("fetch", "extract", "fingerprint", "dedup_store")


def _get() -> dict[str, Any]:
    """The metric objects, made on first use (so the CLI pays nothing for metrics it never serves)."""
    if not _metrics:
        from prometheus_client import Counter, Histogram

        _metrics["pages"] = Counter(
            "wirefeed_pages_fetched", "Pages fetched, by HTTP status or error kind", ["status"]
        )
        _metrics["items"] = Counter(
            "wirefeed_items", "Item decisions, by outcome and error kind", ["outcome", "kind"]
        )
        _metrics["stage"] = Histogram(
            "wirefeed_stage_seconds", "Time spent per stage", ["stage"], buckets=BUCKETS
        )
    return _metrics


def count_page(status: int | str) -> None:
    try:
        _get()["pages"].labels(status=str(status)).inc()
    except Exception:  # metrics must never fail the work they describe
        log.debug("metric not recorded", exc_info=True)


def count_item(outcome: str, kind: str | None = None, count: int = 1) -> None:
    """``count`` items of one outcome: a batch counts each of its outcomes once, not once per item."""
    try:
        _get()["items"].labels(outcome=outcome, kind=kind or "").inc(count)
    except Exception:
        log.debug("metric not recorded", exc_info=True)


@contextmanager
def observe(stage: str) -> Iterator[None]:
    """Time a stage into ``wirefeed_stage_seconds``; also names the stage in the item's log context."""
    from worker import logs

    token = logs.enter(**{**logs.current(), "stage": stage})
    started = time.perf_counter()
    try:
        yield
    finally:
        logs.leave(token)
        try:
            _get()["stage"].labels(stage=stage).observe(time.perf_counter() - started)
        except Exception:
            log.debug("metric not recorded", exc_info=True)


class StateCollector:
    """Gauges read at scrape time: the dedup index size and the Celery queue depths."""

    def __init__(self, index_size: Callable[[], int] | None = None, redis_url: str | None = None) -> None:
        self.index_size = index_size
        self.redis_url = redis_url
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None and self.redis_url:
            import redis

            self._client = redis.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)
        return self._client

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        if self.index_size is not None:
            try:
                size = float(self.index_size())
            except Exception:
                log.warning("dedup index size unavailable", exc_info=True)
            else:
                yield GaugeMetricFamily(
                    "wirefeed_dedup_index_entries", "Fingerprints in the dedup index", value=size
                )
        client = self._redis()
        if client is not None:
            from worker.queue_metrics import queue_depths, unacked_count
            from worker.queues import QUEUES

            try:
                depths = queue_depths(client, QUEUES)
                depths["unacked"] = unacked_count(client)
            except Exception:
                log.warning("queue depths unavailable", exc_info=True)
                return
            family = GaugeMetricFamily(
                "wirefeed_queue_messages", "Messages waiting per queue", labels=["queue"]
            )
            for name, depth in depths.items():
                family.add_metric([name], float(depth))
            yield family


def redis_index_size(url: str, prefix: str = "wirefeed:dedup") -> Callable[[], int]:
    """The shared index's size without loading it: the count it keeps."""
    import redis

    from worker.dedup_redis import index_size

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return lambda: index_size(client, prefix)


def serve(port: int, collector: StateCollector | None = None, addr: str = "0.0.0.0") -> Any:
    """Start the /metrics HTTP endpoint in a daemon thread; returns the server (``.shutdown()`` stops it)."""
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
    else:
        registry = REGISTRY
        _get()  # present from the first scrape, even before any work
    if collector is not None:
        registry.register(collector)
    server, _thread = start_http_server(port, addr=addr, registry=registry)
    return server


def prepare_multiprocess() -> str:
    """Point prometheus-client at a fresh folder for the samples of forked worker children; call it
    before any wirefeed metric exists."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        folder = tempfile.mkdtemp(prefix="wirefeed-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        # Already imported (Celery's command line loads Flower's plugin, which imports it) and bound to
        # in-memory values: switch it to the shared files, or children's samples would never be served.
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]
    return folder


def child_exited(pid: int) -> None:
    """A prefork child is gone: fold its live gauges away (its counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]  # unannotated upstream
