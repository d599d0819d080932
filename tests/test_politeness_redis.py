"""Politeness shared through Redis: eight fetching processes, one host, never closer than its min_delay_s,
and robots.txt fetched once for all of them. Checked from the fixture site's own request log."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from config.sources import Defaults
from scrapers.errors import IngestError
from scrapers.fetch import Fetcher, FetchPolicy
from scrapers.politeness_redis import RedisHostGate, RedisRobotsCache
from scrapers.robots import RobotsRules
from scrapers.urls import host_key
from tests.celery_support import ROOT, flush, redis_db
from tests.hostile_servers import Route, RouteServer
from worker.crawl import shared_fetcher
from worker.demo import DemoSite

pytestmark = [pytest.mark.integration, pytest.mark.redis]

MIN_DELAY_S = 0.15

# One fetch worker: its own process, its own Fetcher, the shared gate and robots cache.
WORKER = """
import json, sys
import redis
from config.sources import Defaults
from scrapers.fetch import Fetcher, FetchPolicy
from scrapers.politeness_redis import RedisHostGate, RedisRobotsCache
from scrapers.errors import IngestError
broker, delay, urls = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
client = redis.Redis.from_url(broker)
policy = FetchPolicy.from_source(
    Defaults(), min_delay_s=delay, timeout_s=5, max_retries=0, user_agent="wirefeed-test/0.1"
)
statuses = []
with Fetcher(gate=RedisHostGate(client), robots_cache=RedisRobotsCache(client),
             allow_private_hosts=["127.0.0.1"]) as fetcher:
    for url in urls:
        try:
            statuses.append(fetcher.fetch(url, policy).status)
        except IngestError as error:
            statuses.append(error.kind.value)
print(json.dumps(statuses))
"""


def test_eight_fetch_processes_keep_one_host_polite(redis_url: str) -> None:
    broker = redis_db(redis_url, 14)
    flush(broker)
    with DemoSite() as site:
        articles = [a for a in site.outlet_articles("northwind") if not a.special][:3]
        urls = [site.url("northwind", article.path) for article in articles]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, broker, str(MIN_DELAY_S), json.dumps(urls)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(8)
        ]
        outputs = [proc.communicate(timeout=120) for proc in procs]
        log = site.requests("northwind")
    for proc, (stdout, stderr) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, stderr
        assert json.loads(stdout.strip().splitlines()[-1]) == [200] * len(urls)
    pages = [record for record in log if record.path != "/robots.txt"]
    assert len(pages) == 8 * len(urls)
    times = sorted(record.time for record in log)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= MIN_DELAY_S, f"two requests {min(gaps):.3f}s apart on one host"
    assert sum(1 for record in log if record.path == "/robots.txt") == 1  # one fetch for the fleet


def test_gate_hosts_are_independent_and_defer_pushes_everyone_back(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_db(redis_url, 14))
    gate = RedisHostGate(client, prefix="wirefeed:test-gate")
    starts: dict[str, list[float]] = {"a": [], "b": []}

    def use(host: str) -> None:
        with gate.slot(host, 0.3):
            starts[host].append(time.monotonic())

    began = time.monotonic()
    threads = [threading.Thread(target=use, args=(host,)) for host in ("a", "b", "a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Two hosts proceed side by side; each host's second request waits for its pause.
    assert min(starts["a"]) - began < 0.2 and min(starts["b"]) - began < 0.2
    assert abs(starts["a"][1] - starts["a"][0]) >= 0.3 and abs(starts["b"][1] - starts["b"][0]) >= 0.3

    gate.defer("c", 0.5)  # a Retry-After seen by one worker holds every worker off the host
    deferred = time.monotonic()
    with gate.slot("c", 0.0):
        assert time.monotonic() - deferred >= 0.45


def test_robots_cache_is_shared_and_expires_with_the_rules(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_db(redis_url, 14))
    writer = RedisRobotsCache(client, prefix="wirefeed:test-robots")
    reader = RedisRobotsCache(client, prefix="wirefeed:test-robots")  # another worker
    origin = "http://127.0.0.1:9"
    assert reader.get(origin) is None
    writer.put(origin, RobotsRules.from_response(200, b"User-agent: *\nDisallow: /private/\n"))
    rules = reader.get(origin)
    assert rules is not None and rules.mode == "rules"
    assert not rules.allowed(origin + "/private/x", "wirefeed/0.1")
    assert rules.allowed(origin + "/news/x", "wirefeed/0.1")
    writer.put(origin + "0", RobotsRules.unreachable("timed out"))
    ttl = client.pttl(f"wirefeed:test-robots:{{{origin}0}}")
    assert 0 < ttl <= 600_000  # "disallow all for now" is cached briefly, so the site is retried soon


def test_lease_of_a_dead_holder_expires(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_db(redis_url, 14))
    gate = RedisHostGate(client, prefix="wirefeed:test-lease", lease_s=0.5)
    abandoned = gate.slot("d", 0.0)
    abandoned.__enter__()  # a worker that takes the host and dies without releasing it
    started = time.monotonic()
    with gate.slot("d", 0.0):
        waited = time.monotonic() - started
    assert 0.3 <= waited < 3.0


STORM_POLICY = FetchPolicy.from_source(
    Defaults(),
    min_delay_s=0.0,
    timeout_s=2.0,
    max_retries=0,
    backoff_base_s=0.01,
    retry_after_cap_s=1.0,
    user_agent="wirefeed-test/0.1",
)


def _outcome(fetcher: Fetcher, url: str) -> IngestError:
    with pytest.raises(IngestError) as caught:
        fetcher.fetch(url, STORM_POLICY)
    return caught.value


# A Celery worker's fetcher (``worker.crawl.shared_fetcher``, as ``worker.tasks.fetcher`` builds it) in a
# process of its own, fetching pages of a host in a 503 storm.
STORM_WORKER = """
import json, sys
import redis
from config.sources import Defaults
from scrapers.errors import IngestError
from scrapers.fetch import FetchPolicy
from worker.crawl import shared_fetcher
broker, urls = sys.argv[1], json.loads(sys.argv[2])
policy = FetchPolicy.from_source(Defaults(), min_delay_s=0, timeout_s=2, max_retries=0, backoff_base_s=0.01)
fetcher = shared_fetcher(None, redis.Redis.from_url(broker), allow_private_hosts=["127.0.0.1"])
statuses = []
for url in urls:
    try:
        statuses.append(fetcher.fetch(url, policy).status)
    except IngestError as error:
        statuses.append(error.status)
print(json.dumps(statuses))
"""


def test_a_host_paused_by_one_worker_is_paused_for_the_others(redis_url: str) -> None:
    broker = redis_db(redis_url, 13)
    client = redis.Redis.from_url(broker)
    storm = Route(b"<html><body>Service Unavailable</body></html>", status=503)
    with RouteServer() as server:
        server.fallback = lambda path: storm
        urls = [f"{server.base}/a/{n}.html" for n in range(3)]
        done = subprocess.run(  # three pages in a row fail on that worker: it pauses the host
            [sys.executable, "-c", STORM_WORKER, broker, json.dumps(urls)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1]) == [503, 503, 503]
        other = shared_fetcher(None, client, allow_private_hosts=["127.0.0.1"])  # this process: no storm seen
        refused = _outcome(other, f"{server.base}/a/9.html")
        assert server.count("/a/9.html") == 0  # refused at once (before: requested, as its own 1st failure)
        assert refused.kind.value == "http_status" and refused.status == 503 and "paused" in refused.message
        host = host_key(server.base)
        ttl = client.pttl(f"wirefeed:breaker:{{{host}}}:paused")
        assert 290_000 < ttl <= 300_000  # the key lives exactly as long as the pause
        other.close()


def test_a_pause_a_host_asked_one_worker_for_holds_every_worker_and_then_ends(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_db(redis_url, 13))
    with RouteServer() as server:
        # a Retry-After of 2 s, beyond the 1 s cap: not waited out, the host is paused for what it asked
        server.fallback = lambda path: Route(b"busy", status=503, headers={"Retry-After": "2"})
        first = shared_fetcher(None, client, allow_private_hosts=["127.0.0.1"])
        other = shared_fetcher(None, client, allow_private_hosts=["127.0.0.1"])
        assert _outcome(first, f"{server.base}/a/1.html").status == 503
        assert "paused" in _outcome(other, f"{server.base}/a/2.html").message
        assert server.count("/a/2.html") == 0
        time.sleep(2.1)  # the pause expires with its key
        server.fallback = lambda path: Route(b"<html><body><p>" + b"A story. " * 40 + b"</p></body></html>")
        assert other.fetch(f"{server.base}/a/2.html", STORM_POLICY).status == 200
        first.close()
        other.close()


# A Celery fetch task's step (``worker.tasks.fetch_article``) in a process of its own: the worker's shared
# fetcher and the fleet's store. The ingest task of what it fetched has not run yet: the window in which
# the crawl state knows no alias of the page, and another worker holds another spelling of it.
FETCH_WORKER = """
import json, sys
import redis
from config.sources import Source
from worker.crawl import PageJob, fetch_page, shared_fetcher
from worker.store import Store
broker, database, urls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
source = Source(
    name="claims", sitemaps=["http://127.0.0.1/sitemap.xml"], min_delay_s=0, timeout_s=2, max_retries=0
)
fetcher = shared_fetcher(None, redis.Redis.from_url(broker), allow_private_hosts=["127.0.0.1"])
store = Store(database)
print(json.dumps([fetch_page(PageJob(url, "claims"), source, fetcher, store).status for url in urls]))
"""


def _fetch_in_worker(broker: str, database: str, urls: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", FETCH_WORKER, broker, database, json.dumps(urls)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    statuses: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return statuses


def _spellings_site(server: RouteServer) -> None:
    page = b"<html><head><title>T</title>%s</head><body><article><p>" + b"A story. " * 60 + b"</p></article>"
    server.routes["/a/1.html/"] = Route(b"", status=301, headers={"Location": "/a/1.html"})
    server.routes["/a/1.html"] = Route(page % b"")
    named = f'<link rel="canonical" href="{server.base}/b/2">'.encode()
    server.routes["/b/2/"] = Route(page % named)  # names /b/2, its other spelling, as its address
    server.routes["/b/2"] = Route(page % named)


@pytest.mark.parametrize("redirect_first", [True, False])
def test_two_workers_given_two_spellings_of_one_page_fetch_it_once(
    redis_url: str, tmp_path: Path, redirect_first: bool
) -> None:
    from worker.crawl_state import get_state
    from worker.store import Store

    broker = redis_db(redis_url, 18)
    flush(broker)
    database = f"sqlite:///{tmp_path / 'fleet.db'}"
    store = Store(database)
    store.upgrade()
    with RouteServer() as server:
        _spellings_site(server)
        moved, target = f"{server.base}/a/1.html/", f"{server.base}/a/1.html"
        first, second = ([moved], [target]) if redirect_first else ([target], [moved])
        first_statuses = _fetch_in_worker(broker, database, [*first, f"{server.base}/b/2/"])
        second_statuses = _fetch_in_worker(broker, database, [*second, f"{server.base}/b/2"])
        asked = {path: server.count(path) for path in ("/a/1.html/", "/a/1.html", "/b/2/", "/b/2")}
    # before: each worker fetched its spelling, the page twice (/a/1.html twice, /b/2 after /b/2/)
    assert first_statuses == ["fetched", "fetched"]
    assert second_statuses == ["alias", "alias"]
    assert asked["/a/1.html"] == 1 and asked["/b/2"] == 0 and asked["/b/2/"] == 1
    # second, the redirect source is requested, and its target found claimed before the second request
    assert asked["/a/1.html/"] == 1
    assert get_state(store, second[0]).status == "alias"
    assert get_state(store, f"{server.base}/b/2").status == "alias"
    store.dispose()


def test_a_page_claim_is_held_by_one_spelling_released_by_it_alone_and_expires(redis_url: str) -> None:
    from scrapers.politeness_redis import RedisPageClaims

    client = redis.Redis.from_url(redis_db(redis_url, 18))
    claims = RedisPageClaims(client, prefix="wirefeed:test-claim", ttl_s=0.5)
    key = "http://127.0.0.1:9/a/1.html"
    assert claims.claim(key, key + "/") is None  # taken
    assert claims.claim(key, key + "/") is None  # the same spelling again (a redelivered task): still its
    assert claims.claim(key, key) == key + "/"  # another spelling: told who holds it
    claims.release([key], key)  # not the holder: nothing given back
    assert claims.claim(key, key) == key + "/"
    claims.release([key], key + "/")  # its fetch failed: another spelling may try now
    assert claims.claim(key, key) is None
    time.sleep(0.6)
    assert claims.claim(key, "http://127.0.0.1:9/other") is None  # a dead holder's claim expires


def test_the_page_claim_ttl_is_the_setting_a_worker_is_started_with(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fleet whose ingest queue runs behind needs claims that outlast the wait: the TTL comes from
    ``WIREFEED_PAGE_CLAIM_TTL_S`` (it was a constant 15 minutes), read where a worker builds its fetcher."""
    from config.settings import Settings

    broker = redis_db(redis_url, 18)
    flush(broker)
    client = redis.Redis.from_url(broker)
    monkeypatch.setenv("WIREFEED_PAGE_CLAIM_TTL_S", "2700")
    settings = Settings()
    assert settings.page_claim_ttl_s == 2700
    policy = FetchPolicy.from_source(Defaults(), min_delay_s=0, timeout_s=5, max_retries=0)
    page = b"<html><head><title>T</title></head><body><article><p>" + b"A story. " * 60 + b"</p></article>"
    with RouteServer() as server:
        server.routes["/a/1.html"] = Route(page)
        with shared_fetcher(settings, client, allow_private_hosts=["127.0.0.1"]) as fetcher:
            assert fetcher.fetch(f"{server.base}/a/1.html", policy, article=True).status == 200
    claims = list(client.scan_iter("wirefeed:claim:*"))
    assert claims  # the fetch claimed its address
    # before: 900,000 ms whatever the setting; now at most 45 minutes, and far more than the old 15
    assert all(900_000 < client.pttl(key) <= 2_700_000 for key in claims)
    with shared_fetcher(None, client, allow_private_hosts=["127.0.0.1"]) as fetcher:
        assert fetcher.claims.claim("http://127.0.0.1:9/b", "http://127.0.0.1:9/b") is None
    unset = [key for key in client.scan_iter("wirefeed:claim:*") if key not in claims]
    assert [round(client.pttl(key), -4) for key in unset] == [900_000]  # no settings: the 15-minute default
    client.delete(*client.scan_iter("wirefeed:claim:*"))
