"""Costly pages: each hostile page under ``max_bytes`` handled in <= 3 s and <= 400 MB, or refused with a
kind (issue 8, defect 3). Each page runs in a fresh subprocess so its peak RSS is its own; trafilatura's
``extract()`` runs on the same page in the same way, as the baseline.

Run by hand:  .venv/bin/python bench/costly_pages.py [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BODY = " ".join(["The council met on Tuesday to debate the harbour budget and the ferry timetable."] * 3)
MB = 9_900_000  # just under the default max_bytes (10,000,000)


def pages() -> dict[str, str]:
    scripts = "Dock workers walked out. <script>x " * 25_000
    jsonld = json.dumps({"@type": "NewsArticle", "headline": "Strike", "articleBody": scripts})
    story = f"<article><h1>Strike</h1><p>{BODY}</p><p>{BODY}</p></article>"
    return {
        "jsonld 25k <script> fragments": '<html><head><title>S</title><script type="application/ld+json">'
        + jsonld
        + f"</script></head><body>{story}</body></html>",
        "9.9 MB of <p>x</p>": "<html><body>" + "<p>x</p>" * (MB // 8) + "</body></html>",
        "9.9 MB of <td>x</td>": "<html><body><table><tr>"
        + "<td>x</td>" * (MB // 10)
        + "</tr></table></body></html>",
        "100,000 nested <div>": "<html><body>"
        + "<div>" * 100_000
        + story
        + "</div>" * 100_000
        + "</body></html>",
        "1,000 nested <div>": "<html><body>" + "<div>" * 1_000 + story + "</div>" * 1_000 + "</body></html>",
        "29,000 <p> of prose (largest accepted)": "<html><body><article>"
        + "".join(f"<p>{n} {BODY}</p>" for n in range(29_000))[:MB]
        + "</article></body></html>",
        "9.9 MB of prose in 2,000 <p>": "<html><body><article>"
        + "".join(f"<p>{n} {BODY * 20}</p>" for n in range(2_000))[:MB]
        + "</article></body></html>",
    }


CHILD = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[1])
html = open(sys.argv[2], encoding="utf-8").read()
which = sys.argv[3]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
if which == "wirefeed":
    from scrapers.errors import IngestError
    from scrapers.extract import extract
    try:
        outcome = f"article, {len(extract(html, 'https://news.example/a').text)} chars"
    except IngestError as error:
        outcome = f"refused: {error.kind.value}"
else:
    import trafilatura
    text = trafilatura.extract(html)
    outcome = f"{len(text or '')} chars"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"{time.perf_counter() - t:.2f}\t{peak}\t{outcome}")
"""


def measure(path: Path, which: str, timeout: float) -> tuple[str, str, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT), str(path), which],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f">{timeout:.0f}", "-", "killed at the bench's timeout"
    if done.returncode != 0:
        return "-", "-", f"crashed: {done.stderr.strip().splitlines()[-1][:60]}"
    seconds, rss, outcome = done.stdout.strip().split("\t")
    return seconds, rss, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run only pages whose name contains this")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    tmp = Path("/tmp/wirefeed-costly-pages")
    tmp.mkdir(exist_ok=True)
    print(
        "| page | bytes | wirefeed s | wirefeed peak MB | wirefeed outcome "
        "| trafilatura s | trafilatura peak MB |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for name, html in pages().items():
        if args.only and args.only not in name:
            continue
        path = tmp / "page.html"
        path.write_text(html, encoding="utf-8")
        ours = measure(path, "wirefeed", args.timeout)
        theirs = measure(path, "trafilatura", args.timeout)
        cells = [name, f"{len(html.encode()):,}", *ours, *theirs[:2]]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
