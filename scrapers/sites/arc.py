"""Arc XP (the Washington Post's CMS, also run by Reuters, the wire service, and many newspapers).

Arc XP pages render through Fusion, which embeds the whole story as ANS JSON in
``<script id="fusion-metadata">`` as ``Fusion.globalContent = {...};``. That document is the CMS's own
record (headline, credits, display and update dates, body as ``content_elements``), so reading it beats
any guess from the rendered markup, where paragraphs are ``div``s and the byline sits after the body.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import lxml.html

from scrapers.sites.base import HtmlElement, SiteAdapter, clean_text, parse_datetime

_GLOBAL = re.compile(r"Fusion\.globalContent\s*=\s*")


def _ans(tree: HtmlElement) -> dict[str, Any] | None:
    for script in tree.xpath("//script[contains(text(), 'Fusion.globalContent')]"):
        source = script.text or ""
        match = _GLOBAL.search(source)
        if not match:
            continue
        try:
            value, _ = json.JSONDecoder().raw_decode(source, match.end())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _html_text(fragment: str) -> str:
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    try:
        return clean_text(lxml.html.fragment_fromstring(fragment, create_parent="div").text_content())
    except (ValueError, lxml.etree.ParserError):
        return clean_text(re.sub(r"<[^>]+>", " ", fragment))


def _element_text(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind in {"text", "header"}:
        return _html_text(str(element.get("content") or ""))
    if kind == "quote":
        return " ".join(
            _element_text(e) for e in element.get("content_elements") or [] if isinstance(e, dict)
        )
    if kind == "list":
        return "\n\n".join(_element_text(e) for e in element.get("items") or [] if isinstance(e, dict))
    return ""


class ArcAdapter(SiteAdapter):
    name: ClassVar[str] = "arc"
    description: ClassVar[str] = "Arc XP / Fusion (Reuters, the Washington Post and other newspapers)"

    def match(self, url: str | None, tree: HtmlElement) -> bool:
        return bool(
            tree.xpath("//script[@id='fusion-metadata'] | //script[contains(text(), 'Fusion.globalContent')]")
        )

    def fields(self, tree: HtmlElement, url: str | None) -> dict[str, Any]:
        ans = _ans(tree)
        if not ans or ans.get("type") not in {"story", None}:
            return {}
        found: dict[str, Any] = {}
        headlines = ans.get("headlines") or {}
        found["title"] = clean_text(headlines.get("basic")) if isinstance(headlines, dict) else None
        credits = (ans.get("credits") or {}).get("by") or []
        names = [clean_text(c.get("name") or c.get("byline")) for c in credits if isinstance(c, dict)]
        found["authors"] = list(dict.fromkeys(n for n in names if n))
        found["published_at"] = parse_datetime(ans.get("display_date") or ans.get("first_publish_date"))
        modified = parse_datetime(ans.get("last_updated_date"))
        if modified and found["published_at"] and modified > found["published_at"]:
            found["modified_at"] = modified
        description = ans.get("description") or {}
        if isinstance(description, dict):
            found["description"] = clean_text(description.get("basic")) or None
        language = ans.get("language")
        if isinstance(language, str) and language:
            found["language"] = language.split("-")[0].lower()
        parts = [_element_text(e) for e in ans.get("content_elements") or [] if isinstance(e, dict)]
        text = "\n\n".join(p for p in parts if p)
        if len(text) >= 200:
            found["text"] = text
        return {key: value for key, value in found.items() if value}
