"""What one item came to: the outcome, the rule that decided, and the rows it names.

Its own module so the rules (``worker/rules.py``) and the pipeline that runs them share one vocabulary
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scrapers.errors import ErrorKind


class Outcome(StrEnum):
    STORED = "stored"
    NEW_VERSION = "new_version"
    DUPLICATE = "duplicate"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class Rule(StrEnum):
    """Which check decided; exported with every duplicate so each drop can be audited."""

    SAME_URL = "same_url"
    KNOWN_DUPLICATE = "known_duplicate"
    EXACT_TEXT = "exact_text"
    NEAR_DUPLICATE = "near_duplicate"
    CONTAINED = "contained"  # a trimmed copy, inside the story's text
    SUPERSEDED = "superseded"  # a former representative, replaced by a fuller copy of its story
    MERGED = "merged"  # a story's representative, its story merged into another with a fuller one


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    url: str | None
    article_id: int | None = None
    version: int | None = None
    duplicate_of: int | None = None
    similarity: float | None = None
    rule: str | None = None
    error_kind: ErrorKind | None = None
    message: str | None = None
    story_id: int | None = None

    def describe(self) -> str:
        """One human line per item, as `wirefeed ingest` prints it."""
        match self.outcome:
            case Outcome.STORED:
                return f"stored #{self.article_id}"
            case Outcome.NEW_VERSION:
                return f"new version {self.version} of #{self.article_id}"
            case Outcome.DUPLICATE:
                return f"duplicate of #{self.duplicate_of} ({self.similarity:.2f}, {self.rule})"
            case Outcome.UNCHANGED:
                target = self.article_id or self.duplicate_of
                return f"unchanged (#{target}, {self.rule})"
            case _:
                kind = self.error_kind.value if self.error_kind else "error"
                return f"rejected: {kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "url": self.url,
            "article_id": self.article_id,
            "version": self.version,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "rule": self.rule,
            "error_kind": self.error_kind.value if self.error_kind else None,
            "message": self.message,
            "story_id": self.story_id,
        }
