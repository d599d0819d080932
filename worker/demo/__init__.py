"""The bundled fixture site: several outlets, each on its own 127.0.0.1 port, served from threads.

It exists so that the first run works offline (``wirefeed crawl --demo``, ``wirefeed demo serve``) and so
that the crawler's tests exercise real HTTP: feeds in three formats, sitemap indexes, news sitemaps, a
gzipped sitemap, section pages, robots.txt, one wire story syndicated across outlets, and a set of hostile
endpoints. It is job-side material (a server the commands start), so it lives under ``worker/``, not in
the page package: ``stories`` (content), ``pages`` (article templates), ``listings`` (feeds, sitemaps),
``hostile`` (what the valley outlet does to crawlers) and ``server`` (the HTTP side).
"""

from __future__ import annotations

from worker.demo.server import DemoSite, RequestRecord
from worker.demo.stories import DemoArticle

__all__ = ["DemoArticle", "DemoSite", "RequestRecord"]
