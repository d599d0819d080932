"""A comment section's house rules under the story: where the story ends, whatever the boxes are called.

With familiar names the comment box is cut as chrome before its text is read. An unseen template's
box says nothing, and its rules ("Comments are moderated and may be republished in the newspaper",
"We ask that comments are civil") follow the story's last paragraph as paragraphs of their own; the
line rules know a thread's one-line openers ("Comments (12)"), not its policy set as prose. What the
policy says gives it away in any layout: comments, and what is done to them (moderated, published,
removed) or asked of their writers. From the first such paragraph on, what follows is the comment
section; it is cut only when a longer story comes before it, so a page that is its own comment policy
keeps it.
"""

from __future__ import annotations

import re

# The story before the policy: at least this long, and longer than everything from the policy on.
POLICY_STORY_MIN_CHARS = 400
POLICY_MAX_CHARS = 600
# A label left above the cut ("HOUSE RULES", "Discussion Policy") is at most this long.
LABEL_MAX_CHARS = 40
# A paragraph this long above a policy is the story's own: the policy is then not set above the story.
PROSE_CHARS = 80

_POLICY = re.compile(
    r"(?i)\bcomments?\b[^.!?]{0,60}?\b(?:are|is|may be|will be|must be|can be|should be|have been)\s+"
    r"(?:\w+\s+)?(?:moderated|reviewed|republished|published|edited|removed|deleted|screened|"
    r"approved|submitted for)\b|"
    r"\bwe (?:welcome|ask that|reserve the right|moderate|review|encourage)\b[^.!?]{0,60}\bcomments?\b|"
    r"\bcomments? that (?:include|contain|are)\b[^.!?]{0,80}\b(?:removed|deleted|not be published)\b|"
    r"\b(?:e-?mail addresses?|e-?mail-adressen?) (?:will|wird|werden) (?:not|nicht) (?:be )?"
    r"(?:published|veröffentlicht)\b|"
    r"\bkommentare? (?:werden|wird) [^.!?]{0,40}\b(?:moderiert|geprüft|freigeschaltet|gelöscht)\b|"
    r"\bcommentaires? (?:sont|seront) [^.!?]{0,40}\b(?:modérés|publiés|supprimés)\b|"
    r"\bcomentarios? (?:son|serán) [^.!?]{0,40}\b(?:moderados|revisados|publicados|eliminados)\b"
)
# Lines that open a comment section in the words of its rules or its state, set as a paragraph of
# their own: the heading over the rules, an empty thread, the sign-in prompt under it.
_OPENER = re.compile(
    r"(?i)^\W{0,3}(?:(?:house|discussion|comments?|commenting|community) (?:rules|policy|guidelines)|"
    r"comments?\s*\(s\)|"
    r"no comments? (?:have|has) (?:so far |yet )?been (?:submitted|posted|made)|"
    r"you must (?:be )?(?:log(?:ged)? ?in|sign(?:ed)? ?in|register(?:ed)?)\b[^.!?]{0,30}\bto (?:post|comment)|"
    r"now you'?re in the (?:public )?comment)"
)
# Every match of ``_OPENER`` or ``_POLICY`` holds one of these (casefolded).
_KEYS = ("comment", "kommentar", "comentario", "rules", "policy", "guidelines", "you must", "mail")
_SENTENCE_END = re.compile(r"[.!?…:;\"“”»'’)]\s*$")


def comment_policy_text(text: str) -> bool:
    """A paragraph setting out what happens to readers' comments, or opening their section."""
    return (len(text) <= POLICY_MAX_CHARS and _POLICY.search(text) is not None) or _opener(text)


def _opener(text: str) -> bool:
    return len(text) <= 160 and _OPENER.match(text) is not None


def _section_starts(paragraphs: list[str], i: int) -> bool:
    """Paragraph ``i`` opens the comment section: an opener line, or a policy sentence set apart as a
    box's text (a label above it, or more of the policy below). A story reporting on a site's rules
    has its own prose on both sides of the sentence."""
    text = paragraphs[i]
    low = text.casefold()
    if not any(key in low for key in _KEYS):
        return False  # most paragraphs hold none of the words every opener and policy must contain
    if _opener(text):
        return True
    if len(text) > POLICY_MAX_CHARS or _POLICY.search(text) is None:
        return False
    return (i > 0 and _label(paragraphs[i - 1])) or (
        i + 1 < len(paragraphs) and comment_policy_text(paragraphs[i + 1])
    )


def cut_comment_policy(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` up to the comment section's first paragraph after a story, and the short labels
    just above it; unchanged when what follows outweighs the story. A policy set above the story (the
    thread's box printed first) goes alone, with its label."""
    page = "\n".join(paragraphs).casefold()
    if not any(key in page for key in _KEYS):
        return paragraphs
    told = 0
    total = sum(len(text) for text in paragraphs)
    for i, text in enumerate(paragraphs):
        if _section_starts(paragraphs, i):
            start = i
            while start > 0 and _label(paragraphs[start - 1]):
                start -= 1
            if told >= POLICY_STORY_MIN_CHARS and told > total - told:
                return paragraphs[:start]
            end = i + 1
            while end < len(paragraphs) and comment_policy_text(paragraphs[end]):
                end += 1
            above = any(len(t) >= PROSE_CHARS for t in paragraphs[:start])
            after = sum(len(t) for t in paragraphs[end:])
            if not above and after >= POLICY_STORY_MIN_CHARS:
                return paragraphs[:start] + cut_comment_policy(paragraphs[end:])
        told += len(text)
    return paragraphs


def _label(text: str) -> bool:
    return len(text) <= LABEL_MAX_CHARS and _SENTENCE_END.search(text) is None
