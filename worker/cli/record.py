"""`wirefeed record`: store a page as a site adapter's test case, with the record it gives today.

A case is ``<fixtures>/<adapter>/<case>.html`` (the page as UTF-8 text) and ``<case>.expected.json``
(``scrapers.sites.adapter_record``: which adapters recognise the page, and the named adapter's record or
refusal). The test suite runs every adapter over every case, so an adapter is tested on real pages by
recording them, and a deliberate change is accepted by recording the case again and reading the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from scrapers.errors import IngestError
from worker.cli.app import app
from worker.cli.common import fail, out, plain
from worker.cli.ingest import Work, _fetch, _is_url, _read_file

DEFAULT_FIXTURES = Path("tests/fixtures/sites")


def case_name(source: str) -> str:
    """A case name from the input: a file's stem, or a URL's last path segment, as a safe file name."""
    stem = Path(source).stem if not _is_url(source) else Path(urlsplit(source).path.rstrip("/")).stem
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    return name or "page"


def _page_text(work: Work) -> str:
    """The page as text: bytes are decoded the way the extractor decodes them, so the case is stored in
    UTF-8 and reads back the same whatever charset the site served."""
    from scrapers.encoding import decode_html

    html = work.html or b""
    return html if isinstance(html, str) else decode_html(html)


def write_case(fixtures: Path, adapter: str, case: str, html: str, url: str | None) -> tuple[Path, Path]:
    """Write the page and its expected record; return both paths."""
    from scrapers.sites import adapter_record

    expected: dict[str, Any] = adapter_record(adapter, html, url)
    folder = fixtures / adapter
    folder.mkdir(parents=True, exist_ok=True)
    page, record = folder / f"{case}.html", folder / f"{case}.expected.json"
    page.write_text(html, encoding="utf-8")
    record.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return page, record


@app.command()
def record(
    url_or_file: Annotated[
        str, typer.Argument(metavar="URL_OR_FILE", help="An http(s) URL (fetched politely) or an HTML file.")
    ],
    adapter: Annotated[str, typer.Option(help="The site adapter the case belongs to.")],
    case: Annotated[
        str | None, typer.Option(help="The case's name; default: the file's or the URL's last segment.")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="The page's URL, for a file (adapters match on it).")
    ] = None,
    fixtures: Annotated[Path, typer.Option(help="The folder of recorded cases.")] = DEFAULT_FIXTURES,
) -> None:
    """Record a page as a test case of a site adapter: the page, and the record the adapter gives."""
    from scrapers.sites import adapter_names

    if adapter not in adapter_names():
        fail(f"--adapter: unknown adapter {adapter!r}; known: {', '.join(sorted(adapter_names()))}")
    work = _fetch(url_or_file) if _is_url(url_or_file) else _read_file(Path(url_or_file))
    if work.error is not None:
        fail(str(work.error), 1)
    try:
        html = _page_text(work)
    except IngestError as error:
        fail(str(error), 1)
    page_url = url or (work.url if _is_url(url_or_file) else None)
    name = case or case_name(url_or_file)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        fail(f"--case: {name!r} is not a plain file name (letters, digits, _ and -)")
    page, expected = write_case(fixtures, adapter, name, html, page_url)
    found = json.loads(expected.read_text(encoding="utf-8"))
    outcome = f"refused: {found['error']}" if "error" in found else f"title: {found['record']['title']!r}"
    out.print(plain(f"{page}\n{expected}\n{outcome}; matched by: {', '.join(found['matched_by']) or 'none'}"))
