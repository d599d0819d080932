"""Where an element sits: the story's own markup, or a block that holds other things.

Sidebars, related-story lists, comment threads and site furniture carry dates and names that belong
to other stories; every visible lookup (title, byline, date) asks these questions before trusting an
element, so they live in one place with the class-name vocabulary that answers them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from typing import Any

import lxml.etree
import lxml.html

_TAGS_NEVER_ARTICLE = frozenset(("aside", "nav", "noscript", "template"))
# Class/id names of blocks that hold other stories, comments or site furniture, matched per class name
# with BEM modifiers ("block--variant") cut off. Distinctive words match as a name part
# ("relatedArticles", "c-sidebar"); short ones only as a whole part ("nav", "rail", "share").
# Not "widget" (page builders call every block one) nor a "footer" class (CMSs put the story's own
# date line in one); the <footer> tag outside an <article> still counts.
_OTHER_LONG = (
    r"related|sidebar|side-bar|testimonial|comment(?!ary)|kommentar|most-?(?:read|popular|viewed|commented|shared)|"
    r"meistgelesen|popular|"
    r"trending|recommend|empfehl|outbrain|taboola|newsletter|carousel|breadcrumb|weitere|readmore|"
    r"read-more|also-read|more-stories|more-news|more-articles|more-from|teaser-list|teaserlist|"
    # embedded social posts print their own author and date ("A post shared by ... on Jun 16, 2019")
    r"instagram-media|twitter-tweet|tiktok-embed|fb-post"
)
_OTHER_SHORT = (
    r"nav|navbar|navigation|menu|rail|aside|share|sharing|social|ticker|ad|ads|advert|"
    r"banner|tags|promo|sponsored|teasers|comments"
)
_OTHER_NAME_RE = re.compile(rf"(?:^|[-_])(?:{_OTHER_LONG}|(?:{_OTHER_SHORT})(?=$|[-_]))")
_OTHER_LONG_RE = re.compile(rf"(?:^|[-_])(?:{_OTHER_LONG})")
# State and layout modifiers say nothing about what a block holds ("has-sidebar", "with-comments").
_MODIFIER_RE = re.compile(r"^(?:has|with|no|show|hide|is|js|layout|lay|page|template|body|l)[-_]")
# ... and a negated part inside a namespaced name says the block has none ("af-no-social-network")
_NEGATED_RE = re.compile(r"(?:^|[-_])(?:no|without)[-_][a-z]+")
# ... and so do layout names that mention a sidebar beside the content, place it, or switch it off
# ("content-sidebar-wrap" holds the story and its sidebar; "vw-sidebar-position-right" says where it
# goes; "sidebar-off" says there is none).
# A block placed "below-banner"/"after-nav" is named after its neighbour, not after what it holds.
_LAYOUT_RE = re.compile(
    r"[-_](?:off|none|disabled|hidden)$|(?:content|main|primary)[-_]sidebar|sidebar[-_](?:content|main)|"
    r"sidebar[-_]{1,2}(?:position|layout|enabled|active)|sidebar__(?:content|main)|"
    r"(?:^|[-_])(?:below|above|under|after|before|beside)[-_]|"
    # the story's own side column ("article-sidebar-wrapper", "c-article-body__aside"): its date, byline
    r"(?:article|story|post|entry)(?:[-_]+(?:body|content))?[-_]+(?:sidebar|aside)"
)
_STORY_SIDE_RE = re.compile(r"(?:article|story|post|entry)(?:[-_]+(?:body|content))?[-_]+(?:sidebar|aside)")
_ANCESTOR_DEPTH = 14

_FOREIGN_ITEMTYPES = ("comment", "review", "answer", "question", "listitem", "event")

# Class/id words that mark a byline: the header region's author labels, and what keeps a byline box in an
# <aside> or <footer> the story's own.
AUTHOR_LABEL_RE = re.compile(r"byline|author|autor|auteur|verfasser|writer|reporter", re.IGNORECASE)


def nearest_ancestor(el: lxml.html.HtmlElement, tag: str) -> lxml.html.HtmlElement | None:
    node = el
    for _ in range(40):
        if node is None:
            return None
        if node.tag == tag:
            return node
        node = node.getparent()
    return None


def in_other_block(
    el: lxml.html.HtmlElement,
    boundary: frozenset[Any] = frozenset(),
    side_column: bool = False,
    share_bar: bool = False,
    breadcrumb: bool = False,
) -> bool:
    """True when ``el`` sits in a sidebar, related-stories list, comment thread or site furniture.

    The walk up stops at ``boundary`` (the main heading's own ancestors): a block that also holds the
    story's heading is the story's container, whatever its class says. With ``side_column`` (the
    caller knows ``el`` is inside the heading's own ``<article>``), a side column there ("Tech-Sidebar",
    ``<aside class="article-body__aside">``) is the story's meta column, not another story's block.
    With ``share_bar`` (the caller holds a byline), a share or social bar is passed through: headers set
    the byline inside the bar that holds the share buttons, and a bar holds no other story's byline.
    With ``breadcrumb`` (the caller holds a date labelled as the publication), a breadcrumb trail is
    passed through: it holds navigation, never another story's date, and some put the story's there.
    """
    node = el
    for _ in range(_ANCESTOR_DEPTH):
        if node is None or node.tag in ("body", "html") or node in boundary:
            return False
        tag = node.tag
        class_attr, id_attr = node.get("class"), node.get("id")
        # (most ancestors carry neither: no name to pass through or to judge, only the tag below)
        if class_attr or id_attr:
            if (
                (side_column and _only_side(class_attr, id_attr))
                or _meta_column(class_attr, id_attr)
                or (share_bar and _only_share(class_attr, id_attr))
                or (breadcrumb and _only_breadcrumb(class_attr, id_attr))
            ):
                node = node.getparent()
                continue
            if _pair_is_other(class_attr, id_attr):
                return True
        if tag in _TAGS_NEVER_ARTICLE or (tag == "footer" and nearest_ancestor(node, "article") is None):
            # ... unless the CMS uses the tag for the story's own byline box (<aside class="meta">), or,
            # inside the story's own <article>, a bare <aside> holds its meta box (<section class="meta">)
            label = f"{class_attr or ''} {id_attr or ''}"
            bare = side_column and tag == "aside" and not label.strip()
            if tag == "nav" or not (_own_box(label) or (bare and _own_box_below(el, node))):
                return True
        node = node.getparent()
    return False


def _meta_column(class_attr: str | None, id_attr: str | None) -> bool:
    """A side column also named a meta box (``<section id="sidebar" class="meta">``): a theme's column of
    the story's own date, categories and byline beside its text, wherever the ``<article>`` ends."""
    if not class_attr and not id_attr:
        return False
    label = f"{class_attr or ''} {id_attr or ''}"
    lowered = label.lower()
    if "side" not in lowered and "rail" not in lowered:  # most labels: two substring tests and done
        return False
    return bool(_META_BOX_RE.search(label)) and _only_side(class_attr, id_attr)


def _own_box_below(el: lxml.html.HtmlElement, top: lxml.html.HtmlElement) -> bool:
    """Whether ``el`` or an ancestor below ``top`` is named as the story's byline or meta box."""
    node: lxml.html.HtmlElement | None = el
    while node is not None and node is not top:
        if _own_box(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        node = node.getparent()
    return False


def _own_box(label: str) -> bool:
    """An <aside>/<footer> named as the story's byline box, meta box or side column."""
    return bool(
        AUTHOR_LABEL_RE.search(label) or _META_BOX_RE.search(label) or _STORY_SIDE_RE.search(label.lower())
    )


_META_BOX_RE = re.compile(
    r"(?:^|[\s_-])(?:meta|byline|dateline|info|details|article-meta|entry-meta|"
    r"(?:article|entry|post)[-_]footer)(?:$|[\s_-])",
    re.IGNORECASE,
)


# WordPress's post_class() names the post's own terms ("tag-social", "category-ads-news") beside
# "hentry"/"type-post": words of the story's topics, not of what the block holds.
_POST_CLASS_RE = re.compile(r"^(?:hentry|type-\w|post-\d+$)")
# (plugins add their own taxonomies the same way: "internal_cat-sponsored-paid", "location-steiermark")
_TERM_RE = re.compile(r"^(?:[a-z]+_)?(?:tag|cat|category|post_tag|post_format|format|location|topic)-")


def _is_other_label(class_attr: str | None, id_attr: str | None) -> bool:
    if not class_attr and not id_attr:
        return False
    return _pair_is_other(class_attr, id_attr)


# The walks ask about every element and ancestor (about 200,000 times over 600 dev pages), and an element's
# class and id come in a few hundred combinations a page: the pair's verdict is one lookup, where the
# verdicts per string below cost a call and two lookups each time.
@lru_cache(maxsize=32768)
def _pair_is_other(class_attr: str | None, id_attr: str | None) -> bool:
    # each attribute's verdict is kept apart: a page's ids are mostly unique, its class lists repeat
    by_class = _label_verdicts(class_attr) if class_attr else _NO_VERDICTS
    by_id = _label_verdicts(id_attr) if id_attr else _NO_VERDICTS
    if by_class[0] or by_id[0]:  # WordPress post classes on either: its term names are topics
        return by_class[2] or by_id[2]
    return by_class[1] or by_id[1]


_NO_VERDICTS = (False, False, False)


# A page repeats a few hundred class lists over thousands of elements, and every visible-metadata walk
# (header lines, ancestor checks, the htmldate clean-up) asks about the same ones: the regex verdicts
# are kept per string, for all pages of a process.
@lru_cache(maxsize=16384)
def _label_verdicts(label: str) -> tuple[bool, bool, bool]:
    """(names a WordPress post, other block, other block where post terms are topics) for one
    class or id string."""
    names = label.lower().split()
    post = any(_POST_CLASS_RE.match(n) for n in names)
    plain = _names_other(names, terms_are_topics=False)
    # skipping term names can only turn a verdict off, and only when there are some
    topics = (
        _names_other(names, terms_are_topics=True) if plain and any(map(_TERM_RE.match, names)) else plain
    )
    return post, plain, topics


def _names_other(names: list[str], terms_are_topics: bool) -> bool:
    for name in names:
        name = _NEGATED_RE.sub("", name.split("--", 1)[0])
        if (
            not name
            or _MODIFIER_RE.match(name)
            or _LAYOUT_RE.search(name)
            or (terms_are_topics and _TERM_RE.match(name))
        ):
            continue
        if AUTHOR_LABEL_RE.search(name) and not _OTHER_LONG_RE.search(name):
            continue  # "author-sharing-line": the byline, with share buttons beside it
        if _OTHER_NAME_RE.search(name):
            return True
    return False


_SIDE_RE = re.compile(r"(?:^|[-_])(?:sidebar|side-bar|aside|rail)(?=$|[-_])")


def _only_side(class_attr: str | None, id_attr: str | None) -> bool:
    """A block named a side column ("sidebar", "article-body__aside", "rail") and nothing else:
    "tech-sidebar sticky" yes; "sidebar-related", "aside comments", ``<aside class="teaser">`` no."""
    names = [n.split("--", 1)[0] for n in f"{class_attr or ''} {id_attr or ''}".lower().split()]
    side = [n for n in names if _SIDE_RE.search(n)]
    if not side:  # a bare <aside class="teaser"> is a teaser box, not a column
        return False
    if any(_OTHER_LONG_RE.search(_SIDE_RE.sub("", n)) for n in side):
        return False
    return not any(_is_other_label(n, None) for n in names if n not in side)


_SHARE_RE = re.compile(r"(?:^|[-_])(?:share|sharing|social|shares)(?=$|[-_])")
_STORY_META_RE = re.compile(r"^(?:entry|article|post|story)[-_]{1,2}meta$")


def _only_share(class_attr: str | None, id_attr: str | None) -> bool:
    """A block named a share or social bar ("social_icons", "share-bar") and nothing else of the
    other-block vocabulary ("social related" stays another block), or the story's meta line."""
    names = [n.split("--", 1)[0] for n in f"{class_attr or ''} {id_attr or ''}".lower().split()]
    if any(_STORY_META_RE.match(n) for n in names):
        # the story's own meta line, named so beside its share and comment-count buttons
        # ("entry-meta nyo-social-comments"): what encloses it is still asked
        return True
    share = [n for n in names if _SHARE_RE.search(n)]
    if not share or any(_OTHER_LONG_RE.search(n) for n in share):
        return False
    return not any(_is_other_label(n, None) for n in names if n not in share)


def _only_breadcrumb(class_attr: str | None, id_attr: str | None) -> bool:
    names = [n.split("--", 1)[0] for n in f"{class_attr or ''} {id_attr or ''}".lower().split()]
    crumbs = [n for n in names if "breadcrumb" in n]
    return bool(crumbs) and not any(_is_other_label(n, None) for n in names if n not in crumbs)


def in_foreign_scope(el: lxml.html.HtmlElement) -> bool:
    """Microdata of a comment, review or list item describes that item, not the page."""
    node = el.getparent()
    for _ in range(_ANCESTOR_DEPTH):
        if node is None:
            return False
        if node.get("itemscope") is not None:
            itemtype = (node.get("itemtype") or "").lower()
            return any(w in itemtype for w in _FOREIGN_ITEMTYPES)
        node = node.getparent()
    return False


def is_other_block(el: lxml.html.HtmlElement) -> bool:
    """The element itself (not its ancestors) is a sidebar, related list, comment thread or navigation:
    what a walk down the tree skips, as ``in_other_block`` does walking up."""
    class_attr, id_attr = el.get("class"), el.get("id")
    if (class_attr or id_attr) and _pair_is_other(class_attr, id_attr):
        return True
    tag = el.tag
    if tag in _TAGS_NEVER_ARTICLE or (tag == "footer" and nearest_ancestor(el, "article") is None):
        label = f"{class_attr or ''} {id_attr or ''}"
        return tag == "nav" or not _own_box(label)
    return False


# Page builders (Elementor, WPBakery, Divi...) wrap every widget in four or five <div>s, so a few levels
# above the heading is still the heading's own wrapper, and the byline and date sit in the next widget.
_WRAPPER_LEVELS = 8  # how much further up a wrapper-only container may be widened
_WRAPPER_MIN_ELEMENTS = 20  # a container with fewer elements holds little besides the heading


def widen_past_wrappers(container: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The first ancestor of ``container`` (or itself) that holds more than the heading's wrappers,
    never beyond ``<article>``/``<main>`` or up to the body."""
    for _ in range(_WRAPPER_LEVELS):
        if container.tag in ("article", "main", "body", "html"):
            break
        if (
            sum(1 for _ in islice(container.iter(lxml.etree.Element), _WRAPPER_MIN_ELEMENTS))
            >= _WRAPPER_MIN_ELEMENTS
        ):
            break
        parent = container.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        container = parent
    return container
