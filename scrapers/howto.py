"""A HowTo or Recipe node's own text in JSON-LD: the last copy of a story whose page shows none of it.

Guides and recipes rendered by scripts often carry their whole text only in their schema.org node (a
description, then the steps), where no ``articleBody`` exists. The node is read as a candidate for the
fallback chain alone, so a visible body always wins over it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_LD_SCRIPT = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_TYPES = frozenset({"howto", "recipe"})
# Bounds: a schema node is data from the page, so its size and depth are limited before it is walked.
MAX_SCRIPT_CHARS = 500_000
MAX_STEPS = 200
MAX_DEPTH = 6


def _nodes(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value[:MAX_STEPS]:
            yield from _nodes(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        yield from _nodes(value.get("@graph"), depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _step_texts(value: Any, depth: int = 0) -> Iterator[str]:
    """Texts of HowToStep, HowToSection and plain-string instructions, in order."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value[:MAX_STEPS]:
            yield from _step_texts(item, depth + 1)
    elif isinstance(value, dict):
        if "itemListElement" in value:
            yield from _step_texts(value["itemListElement"], depth + 1)
        else:
            text = value.get("text") or value.get("description")
            if isinstance(text, str):
                yield text


def howto_copy(html: str) -> str | None:
    """The description and steps of the page's first HowTo or Recipe node, blank-line separated (markup
    kept, for the structured-copy reader to turn into paragraphs), or None."""
    for match in _LD_SCRIPT.finditer(html):
        raw = match.group(1)
        if len(raw) > MAX_SCRIPT_CHARS:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for node in _nodes(data):
            if not _types(node) & _TYPES:
                continue
            parts = [node["description"]] if isinstance(node.get("description"), str) else []
            steps = node.get("step") or node.get("recipeInstructions")
            parts.extend(_step_texts(steps))
            if len(parts) > 1:
                return "\n\n".join(parts)
    return None
