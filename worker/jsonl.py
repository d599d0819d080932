"""JSON Lines input for producers (``wirefeed enqueue --items``): one item per line, bad lines kept."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def iter_jsonl(lines: Iterable[str | bytes]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, decoded object) per non-blank line; a line that is not a JSON object (or not UTF-8)
    comes back as its text so the worker's validation records it in ingest_errors like any bad item."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError as error:  # sent as text that is not JSON: the worker's invalid_item
            yield number, f"line {number} is not UTF-8 ({error.reason} at byte {error.start})"
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            yield number, text.rstrip("\n")
            continue
        yield number, value if isinstance(value, dict) else text.rstrip("\n")
