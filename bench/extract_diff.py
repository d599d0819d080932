"""Output equality: every dev page extracted by another tree's code (a base commit) and by this one.

A speed change on the body path must not change what is extracted. This extracts every page of both
labelled sets (../shared/extraction-dev and ../shared/extraction-dev2) with each tree's ``extract()``,
each in its own child process so the two trees' modules never mix, and counts the pages whose record
differs, field by field (body text, title, authors, dates and every other field of the ``Article``,
or the refusal's error kind). 0 pages differing is the target; any difference is printed to be
explained or reverted.

Make the base tree with ``git archive``, never by checking out:

    mkdir -p /tmp/base && git archive <base-commit> | tar -x -C /tmp/base
    .venv/bin/python bench/extract_diff.py --base /tmp/base [--limit N] [--show 5]

``--dump FILE --tree PATH`` is the child's side: it writes one tree's records as JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
SHARED = HERE.parent / "shared"  # beside the project
DEV = SHARED / "extraction-dev"
DEV2 = SHARED / "extraction-dev2"


def pages(limit: int | None) -> list[tuple[str, str | None, Path]]:
    """(key, url, gzipped file) for every page of both sets; dev2 pages carry no URL, as in the eval."""
    dev: dict[str, dict[str, Any]] = json.loads((DEV / "segments.json").read_text("utf-8"))
    dev2: dict[str, dict[str, Any]] = json.loads((DEV2 / "gold.json").read_text("utf-8"))
    found: list[tuple[str, str | None, Path]] = [
        (f"dev {url}", url, DEV / info["file"]) for url, info in list(dev.items())[:limit]
    ]
    found += [(f"dev2 {key}", None, DEV2 / info["file"]) for key, info in list(dev2.items())[:limit]]
    return found


FROZEN = datetime(2026, 11, 30, tzinfo=UTC)


def _freeze_clock() -> None:
    """Both trees read "Updated 3 hours ago" against the same instant, or such dates differ by the run's
    own duration. Only the dump child's clock is frozen, and only for the date reader."""
    from scrapers.metadata import published

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls.fromtimestamp(FROZEN.timestamp(), tz)

    published.datetime = Frozen  # type: ignore[misc]  # the child's clock, never the product's


def dump(tree: Path, out: Path, limit: int | None) -> None:
    """The child's side: import ``scrapers`` from ``tree`` only, and record every page's outcome."""
    sys.path.insert(0, str(tree))
    from scrapers.errors import IngestError
    from scrapers.extract import extract

    _freeze_clock()
    records: dict[str, dict[str, Any]] = {}
    for key, url, path in pages(limit):
        data = gzip.decompress(path.read_bytes())
        try:
            records[key] = extract(data, url).to_dict()
        except IngestError as exc:
            records[key] = {"refused": exc.kind.value}
    out.write_text(json.dumps(records, ensure_ascii=False, sort_keys=True), "utf-8")


def records_of(tree: Path, limit: int | None) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "records.json"
        command = [sys.executable, __file__, "--dump", str(out), "--tree", str(tree)]
        if limit:
            command += ["--limit", str(limit)]
        subprocess.run(command, check=True, cwd=tree)
        loaded: dict[str, dict[str, Any]] = json.loads(out.read_text("utf-8"))
        return loaded


def compare(base: dict[str, dict[str, Any]], ours: dict[str, dict[str, Any]], show: int) -> int:
    differing = 0
    per_field: Counter[str] = Counter()
    for key in base:
        old, new = base[key], ours.get(key, {"missing": True})
        fields = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
        if not fields:
            continue
        differing += 1
        per_field.update(fields)
        if differing <= show:
            print(f"differs: {key}")
            for name in fields:
                print(
                    f"  {name}: {str(old.get(name))[:300]!r}\n  {'':{len(name)}}  {str(new.get(name))[:300]!r}"
                )
    print(
        f"{len(base)} pages, {differing} differ" + (f"  (per field: {dict(per_field)})" if per_field else "")
    )
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, help="the base tree (git archive of the base commit)")
    parser.add_argument("--tree", type=Path, default=HERE, help="the tree to compare (default: this one)")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--show", type=int, default=5, help="print the first N differing pages")
    args = parser.parse_args()
    if args.dump:
        dump(args.tree.resolve(), args.dump, args.limit)
        return
    if args.base is None:
        parser.error("--base is required")
    base = records_of(args.base.resolve(), args.limit)
    ours = records_of(args.tree.resolve(), args.limit)
    sys.exit(1 if compare(base, ours, args.show) else 0)


if __name__ == "__main__":
    main()
