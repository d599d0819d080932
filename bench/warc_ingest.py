"""Pages per second from a WARC file against `wirefeed ingest` of the same pages as HTML files.

Run by hand: ``.venv/bin/python bench/warc_ingest.py [--pages 1000] [--rounds 3] [--real]``. The pages are
bench/ingest.py's (varied fixtures: distinct stories, trimmed copies, exact copies; ``--real``: real pages
of the extraction development set). They are written once as ``.html`` files and once as the HTTP 200
response records of a gzipped WARC (one gzip member per record, as Common Crawl writes them). Each side
then runs the code its command runs (files: read, decode, pipeline; WARC: warcio, decode by the HTTP
charset, pipeline, resume checkpoints) into a fresh SQLite database; rounds alternate and the best of each
side counts, since the machine is shared.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from bench.ingest import corpus, real_pages  # noqa: E402
from worker.cli.ingest import _read_file  # noqa: E402
from worker.pipeline import Pipeline  # noqa: E402
from worker.store import Store  # noqa: E402
from worker.warc import WarcStats, ingest_warc  # noqa: E402


def write_inputs(pages: list[tuple[str, str]], folder: Path) -> tuple[Path, Path]:
    files = folder / "pages"
    files.mkdir()
    warc = folder / "pages.warc.gz"
    with open(warc, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number, (url, html) in enumerate(pages):
            body = html.encode("utf-8")
            (files / f"{number:05d}.html").write_bytes(body)
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
    return files, warc


def fresh_pipeline(folder: Path, name: str) -> Pipeline:
    store = Store(f"sqlite:///{folder / name}.db")
    store.upgrade()
    return Pipeline(store)


def run_files(files: Path, folder: Path, name: str) -> tuple[float, int]:
    """What `wirefeed ingest FOLDER` does per file, without printing."""
    pipeline = fresh_pipeline(folder, name)
    started = time.perf_counter()
    count = 0
    for path in sorted(files.glob("*.html")):
        work = _read_file(path)
        pipeline.ingest_html(work.html or b"", url=work.url, source="bench")
        count += 1
    elapsed = time.perf_counter() - started
    pipeline.store.dispose()
    return elapsed, count


def run_warc(warc: Path, folder: Path, name: str) -> tuple[float, int, float]:
    """What `wirefeed ingest FILE.warc.gz` does, without printing."""
    pipeline = fresh_pipeline(folder, name)
    stats = WarcStats()
    started = time.perf_counter()
    ingest_warc(pipeline, str(warc), source="bench", stats=stats)
    elapsed = time.perf_counter() - started
    pipeline.store.dispose()
    return elapsed, stats.pages, stats.records / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--real", action="store_true", help="real pages of the extraction development set")
    args = parser.parse_args()
    pages = real_pages(args.pages) if args.real else corpus(args.pages)
    sizes = [len(html.encode()) for _, html in pages]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, warc = write_inputs(pages, folder)
        print(
            f"{len(pages)} pages, median {statistics.median(sizes) / 1024:.1f} KiB; "
            f"WARC {warc.stat().st_size / 1e6:.1f} MB gzipped"
        )
        file_times, warc_times, rounds = [], [], []
        run_files(files, folder, "warm-files")  # imports and caches warmed before either side is timed
        run_warc(warc, folder, "warm-warc")
        for number in range(args.rounds):  # alternate which side goes first: load hits both sides alike
            if number % 2:
                warc_elapsed, warc_count, records_rate = run_warc(warc, folder, f"warc{number}")
                file_elapsed, file_count = run_files(files, folder, f"files{number}")
            else:
                file_elapsed, file_count = run_files(files, folder, f"files{number}")
                warc_elapsed, warc_count, records_rate = run_warc(warc, folder, f"warc{number}")
            assert file_count == warc_count == len(pages), (file_count, warc_count)
            file_times.append(file_elapsed)
            warc_times.append(warc_elapsed)
            rounds.append(f"{len(pages) / file_elapsed:.0f}/{len(pages) / warc_elapsed:.0f}")
    file_rate, warc_rate = len(pages) / min(file_times), len(pages) / min(warc_times)
    print(f"ingest HTML files : {file_rate:8.1f} pages/s")
    print(f"ingest WARC       : {warc_rate:8.1f} pages/s  ({records_rate:.0f} records/s in the last round)")
    print(f"ratio WARC/files  : {warc_rate / file_rate:.2f}  (rounds files/WARC pages/s: {' '.join(rounds)})")


if __name__ == "__main__":
    main()
