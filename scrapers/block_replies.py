"""A comment thread under the story found by its reply buttons, whatever its boxes are called.

With familiar names the thread is cut as chrome before its text is read; ``extract._cut_comment_thread``
finds an unnamed one by its readers' signature lines ("Posted by Tom"). A thread signed "NAME says:"
over a date link, nested reply under reply, has neither, and an unseen template's hashed names leave its
thousands of words in the body. Every comment of it carries a control that no story paragraph has: a
link or button whose whole text is the word "Reply" (or its label "Reply to NAME"). The thread is the
smallest box holding all of them; from its first comment on, it is cut when a story is told before it
and nothing of the story follows it. A forum page, whose first post has its own "Reply", keeps its
thread: nothing is told before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.html import HtmlElement

from scrapers.content import Analysis

# A thread has at least this many reply controls, most of them in a comment with this much prose.
REPLY_MIN_CONTROLS = 3
REPLY_MIN_PROSE = 25
# The story before the thread is at least this long, and at most this much prose follows the thread.
REPLY_STORY_MIN_CHARS = 400
REPLY_AFTER_MAX_CHARS = 400

# The whole text of a reply control, casefolded, in the languages of the dev sets and their neighbours.
_REPLY_WORDS = frozenset(
    {
        "reply",
        "antworten",
        "antwort",
        "beantworten",
        "répondre",
        "repondre",
        "responder",
        "responda",
        "rispondi",
        "beantwoorden",
        "reageren",
        "odpowiedz",
        "svara",
        "svar",
        "vastaa",
    }
)
# An icon-only control says it in its label: "Reply to Dietmar", "Antworte auf Rafael".
_REPLY_LABEL = re.compile(r"(?i)^\s*(?:reply|antworte|antworten|répondre|responder|rispondi)\b")
_TRIM = " \t\r\n↓↑→←↩⤶»«›‹|()[]·•:.!"
# A control's text is at most this long ("Reply ↓", "Antworten"): a sentence is never one.
_CONTROL_MAX_CHARS = 24


def reply_control(el: HtmlElement) -> bool:
    """``el`` (a link or button) asks the reader to reply to a comment."""
    label = el.get("aria-label")
    # a link with no child element holds its text alone (most links): no subtree walk for it
    text = (el.text or "") if len(el) == 0 else el.text_content()
    if len(text) > 4 * _CONTROL_MAX_CHARS or (label is None and len(text) < 4):
        return False  # a sentence, or too short for any reply word with nothing else to go on
    word = " ".join(text.split()).strip(_TRIM).casefold()
    if word in _REPLY_WORDS:
        return True
    return len(word) <= _CONTROL_MAX_CHARS and label is not None and _REPLY_LABEL.match(label) is not None


def _common_box(elements: list[HtmlElement]) -> HtmlElement | None:
    """The smallest element holding all of ``elements``."""
    chain = [elements[0], *elements[0].iterancestors()]
    depth = {el: n for n, el in enumerate(chain)}
    deepest = 0
    for el in elements[1:]:
        here = next((x for x in (el, *el.iterancestors()) if x in depth), None)
        if here is None:
            return None
        deepest = max(deepest, depth[here])
    return chain[deepest]


def _child_holding(box: HtmlElement, el: HtmlElement) -> HtmlElement:
    while (up := el.getparent()) is not None and up is not box:
        el = up
    return el


def _good_chars(analysis: Analysis, elements: Iterable[HtmlElement]) -> int:
    index, good, text_chars = analysis.index, analysis.good, analysis.text_chars
    total = 0
    for el in elements:
        i = index.get(el, -1)
        if i >= 0 and good[i]:
            total += text_chars[i]
    return total


def reply_thread(analysis: Analysis, root: HtmlElement) -> list[HtmlElement]:
    """The boxes of the comment thread under ``root`` that reply controls give away, from its first
    comment on, or an empty list."""
    index, chrome = analysis.index, analysis.chrome
    controls = [
        el for el in root.iter("a", "button") if reply_control(el) and el in index and not chrome[index[el]]
    ]
    if len(controls) < REPLY_MIN_CONTROLS:
        return []
    box = _common_box(controls)
    if box is None or (box is not root and root not in set(box.iterancestors())):
        return []
    comments: list[HtmlElement] = []
    for control in controls:
        comment = _child_holding(box, control)
        if not comments or comments[-1] is not comment:
            comments.append(comment)
    prose = sum(_good_chars(analysis, comment.iter()) >= REPLY_MIN_PROSE for comment in comments)
    if 2 * prose < len(comments) or prose < 2:
        return []  # controls beside no comment text: a toolbar, not a thread (a short "Thanks!" may be one)
    first = comments[0]
    start = analysis.index.get(first, -1)
    end = max(analysis.index.get(el, -1) for el in box.iter())
    if start < 0 or end < 0:
        return []
    told = _good_chars(analysis, (el for el in root.iter() if analysis.index.get(el, start) < start))
    after = _good_chars(analysis, (el for el in root.iter() if analysis.index.get(el, -1) > end))
    if told < REPLY_STORY_MIN_CHARS or after > REPLY_AFTER_MAX_CHARS:
        return []
    return [first, *(el for el in first.itersiblings() if isinstance(el.tag, str))]
