"""Boxes built around form fields: sign-up, log-in, comment, poll and search boxes, whatever their names.

A newsletter box or a poll set in plain ``<div>`` elements (the form itself built by script) keeps its
fields in the markup: a text or e-mail field, a choice, a text area. Those fields are pruned as junk
before the region is found, so they are read first: the smallest boxes around them that hold little
text are marked as forms, which the content finder treats as chrome by tag. A story holds no field;
its short pitch line beside one ("Sign up for our morning briefing") is the box's own text.
"""

from __future__ import annotations

from lxml.html import HtmlElement

# A field's box: up to this many levels above it, as long as it holds at most this much text.
FORM_BOX_MAX_LEVELS = 4
FORM_BOX_MAX_CHARS = 600
# Fields a reader types in or chooses from. Hidden fields and bare buttons say nothing (CMSs leave hidden
# fields and "play" or "more" buttons inside story bodies), and neither do check boxes (a recipe's
# ingredients to tick off, a toggle) or number fields (a shop's quantity).
_TYPED = frozenset({"", "text", "email", "password", "search", "tel", "radio"})
FORM_TAG = "form"


def _field(el: HtmlElement) -> bool:
    if el.tag == "input":
        return (el.get("type") or "").strip().lower() in _TYPED
    return el.tag in ("select", "textarea")


def _sign_up(form: HtmlElement) -> bool:
    """A form asking for an e-mail address and nothing to write: a sign-up, whose pitch, thanks and
    privacy lines sit around the form rather than in it. Any other form (a comment form, a rating, a
    portion calculator) is its own box: the text around it can be the story's."""
    return (
        next((el for el in form.iter("input") if (el.get("type") or "").strip().lower() == "email"), None)
        is not None
        and next(form.iter("textarea"), None) is None
    )


def _text_chars(el: HtmlElement) -> int:
    """The box's text as a reader sees it; the raw length bounds it, so short boxes skip the squeeze."""
    raw = el.text_content()
    return len(raw) if len(raw) <= FORM_BOX_MAX_CHARS else len(" ".join(raw.split()))


def mark_form_boxes(root: HtmlElement) -> None:
    """Retag as ``<form>`` the largest box within ``FORM_BOX_MAX_LEVELS`` above each typed field that
    holds no more than ``FORM_BOX_MAX_CHARS`` of text and not the page's headline (an ``<h1>``)."""
    fields = [el for el in root.iter("input", "select", "textarea") if _field(el)]
    done: set[HtmlElement] = set()
    for field in fields:
        box = None
        up = field.getparent()
        for _ in range(FORM_BOX_MAX_LEVELS):
            if up is None or up.tag in ("body", "html") or up in done:
                break
            if up.tag == FORM_TAG and not _sign_up(up):
                break
            if _text_chars(up) > FORM_BOX_MAX_CHARS or next(up.iter("h1"), None) is not None:
                break  # too much text, or the page's headline: the story's (or product's) own box
            box = up
            up = up.getparent()
        if box is not None:
            done.add(box)
            box.tag = FORM_TAG
