"""Features of the text blocks inside a chosen article region, for the learned block scorer.

The rule-based finder picks a region and cuts named chrome inside it; what it cannot name (a caption in a
generated class, a credit line, a "more on this" teaser set as a paragraph) stays in. A block's own
figures (length, links, punctuation, the shape of its sentences), its place in the region (position,
depth, the blocks around it, the last heading above it) and the names its template gives it and its
parents (class and id tokens, hashed so that no vocabulary has to be kept) say more together than any one
rule. Every figure here is read from the ``Analysis`` the finder already built, plus each candidate
block's own text: a few microseconds per block, one matrix per page.

Candidates are the leaf blocks of the region (blocks whose subtree holds no other block's text), so that
dropping one never takes another block's text with it.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from lxml.html import HtmlElement

from scrapers import boilerplate as bp
from scrapers.content import HEADINGS, Analysis, Region

# Tags a block can have; anything else shares the last slot.
TAGS: tuple[str, ...] = (
    "p",
    "div",
    "li",
    "td",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "section",
    "figcaption",
    "address",
    "span",
    "other",
)
_TAG_SLOT = {tag: i for i, tag in enumerate(TAGS)}
PARENT_TAGS: tuple[str, ...] = ("div", "td", "ul", "ol", "blockquote", "section", "article", "p", "other")
_PARENT_SLOT = {tag: i for i, tag in enumerate(PARENT_TAGS)}
# Class and id tokens of the block and of its two nearest ancestors, hashed into this many slots each.
NAME_SLOTS = 32
NAME_LEVELS = 2
# Blocks beside the region looked at, on each side: the nearest ones, where a split-off lead or second
# half sits; a wrapper holding the whole page would otherwise cost a row per block of it.
MAX_NEIGHBOURS = 12
# Regions with more leaf blocks than this (tables of results, long link lists) are not judged at all.
MAX_BLOCKS = 300

_NAME_TOKEN = re.compile(r"[a-z]{2,}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’»)]*)(?:\s|$)")
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"“”»'’)]\s*$")

TEXT_FEATURES: tuple[str, ...] = (
    "log_chars",
    "log_link_chars",
    "link_density",
    "log_words",
    "mean_word_len",
    "sentences_per_100_words",
    "ends_like_sentence",
    "starts_upper",
    "digit_share",
    "upper_share",
    "punct_share",
    "has_pipe_or_bullet",
    "has_copyright",
    "has_at_or_url",
    "ends_with_colon",
    "byline_rule",
    "dateline_rule",
    "boilerplate_rule",
    "cta_or_label_rule",
    "rights_rule",
    "is_heading",
    "name_hint",
    "parent_hint",
)
PLACE_FEATURES: tuple[str, ...] = (
    "rank_share",
    "chars_before_share",
    "chars_after_share",
    "blocks_after",
    "depth_in_region",
    "prev_log_chars",
    "prev_link_density",
    "next_log_chars",
    "next_link_density",
    "blocks_since_heading",
    "siblings",
    "same_tag_siblings_share",
    "region_log_chars",
    "region_page_share",
    "region_blocks",
    "outside",
    "before_region",
)
FEATURES: tuple[str, ...] = (
    TEXT_FEATURES
    + PLACE_FEATURES
    + tuple(f"tag_{t}" for t in TAGS)
    + tuple(f"parent_{t}" for t in PARENT_TAGS)
    + tuple(f"name{level}_{slot}" for level in range(NAME_LEVELS + 1) for slot in range(NAME_SLOTS))
)
N_FEATURES = len(FEATURES)
_TAGS_AT = len(TEXT_FEATURES) + len(PLACE_FEATURES)
_PARENTS_AT = _TAGS_AT + len(TAGS)
_NAMES_AT = _PARENTS_AT + len(PARENT_TAGS)


@dataclass(slots=True)
class Blocks:
    """The candidate blocks of one region: elements, their text, and one feature row each."""

    elements: list[HtmlElement]
    texts: list[str]
    matrix: np.ndarray  # float32, len(elements) x N_FEATURES


def _leaf_blocks(analysis: Analysis, root: HtmlElement, skip: int) -> list[int]:
    """Indices of the leaf blocks under ``root`` that show text (chrome and ``skip`` left out)."""
    index = analysis.index
    out: list[int] = []
    text, link = analysis.text_chars, analysis.link_chars
    agg_text, agg_link = analysis.agg_text, analysis.agg_link
    for el in root.iter():
        i = index.get(el, -1)
        if i < 0 or i == skip or not analysis.is_block[i] or analysis.chrome[i]:
            continue
        own = text[i] + link[i]
        if own and agg_text[i] == text[i] and agg_link[i] == link[i]:
            out.append(i)
    return out


def candidates(analysis: Analysis, region: Region) -> list[int]:
    """Indices (into ``analysis.elements``) of the region's leaf blocks that show text, in document order."""
    return _leaf_blocks(analysis, region.element, region.index)


def neighbours(analysis: Analysis, region: Region) -> list[int]:
    """Leaf blocks beside the region, under its parent: the story's lead or its second half, split off
    by an ad or an embed, or the teasers and credits next to it (not chrome by name or tag)."""
    up = region.element.getparent()
    if up is None or up.tag in ("body", "html"):
        return []
    before: list[int] = []
    after: list[int] = []
    for sibling in up:
        if sibling is region.element:
            before, after = after, before  # what was collected so far lies above the region
        elif isinstance(sibling.tag, str):
            after.extend(_leaf_blocks(analysis, sibling, -1))
    return before[-MAX_NEIGHBOURS:] + after[:MAX_NEIGHBOURS]


@lru_cache(maxsize=8192)
def _name_slots(raw: str) -> tuple[int, ...]:
    """Hashed slots of the name tokens in a class/id string ("articleBody post-7" -> article, body, post)."""
    tokens = _NAME_TOKEN.findall(_CAMEL.sub(" ", raw).lower())
    return tuple(sorted({zlib.crc32(t.encode()) % NAME_SLOTS for t in tokens}))


def _names(el: HtmlElement) -> str:
    get = el.get
    return " ".join(v for v in (get("class"), get("id")) if v)


# Character shares are read from a block's first characters: its shape shows there, and a long block
# is prose whatever its tail holds.
SAMPLE_CHARS = 240
_DIGITS = re.compile(r"\d")
_UPPER = re.compile(r"[^\W\d_]")  # letters; the upper-case ones are counted among them
_PUNCT = re.compile(r"[^\w\s]")


def _text_values(text: str, chars: int, links: int, tag: str) -> list[float]:
    """The block's own figures, in ``TEXT_FEATURES`` order up to ``is_heading``."""
    sample = text[:SAMPLE_CHARS]
    n = len(sample) or 1
    words = _WORD.findall(sample)
    sample_words = len(words) or 1
    letters = _UPPER.findall(sample)
    short = len(text) <= 200
    return [
        math.log1p(chars),
        math.log1p(links),
        links / (chars + links) if chars + links else 0.0,
        math.log1p(len(text.split())),
        sum(map(len, words)) / sample_words,
        100.0 * len(_SENTENCE_END.findall(sample)) / sample_words,
        _ENDS_SENTENCE.search(text) is not None,
        sample[:1].isupper(),
        len(_DIGITS.findall(sample)) / n,
        sum(map(str.isupper, letters)) / n,
        len(_PUNCT.findall(sample)) / n,
        "|" in text or "•" in text or "»" in text,
        "©" in text or "(c)" in sample.lower(),
        "@" in text or "http" in text or "www." in text,
        text.endswith(":"),
        short and bp.byline_text(text),
        short and bp.dateline_text(text),
        short and bp.boilerplate_text(text),
        short and (bp.cta_text(text) or bp.label_text(text)),
        short and bp.rights_text(text),
        tag in HEADINGS,
    ]


def extract_blocks(analysis: Analysis, region: Region, outside: bool = False) -> Blocks:
    """One feature row per candidate block of ``region`` (or, ``outside``, beside it); an empty matrix when
    there is none. Rows are built as lists and turned into one matrix at the end: numpy's per-item writes
    would cost more than the figures."""
    picked = neighbours(analysis, region) if outside else candidates(analysis, region)
    if len(picked) > MAX_BLOCKS:
        picked = []  # a region of hundreds of cells is left to the rules, not paid for block by block
    elements = [analysis.elements[i] for i in picked]
    texts = [" ".join(el.text_content().split()) for el in elements]
    matrix = np.zeros((len(picked), N_FEATURES), dtype=np.float32)
    if not picked:
        return Blocks(elements, texts, matrix)
    parent, hint = analysis.parent, analysis.hint
    link_chars = analysis.link_chars
    chars = [analysis.text_chars[i] + link_chars[i] for i in picked]
    total = sum(chars) or 1
    before = 0
    since_heading = 10
    n = len(picked)
    region_values = [
        math.log1p(analysis.agg_text[region.index] + analysis.agg_link[region.index]),
        region.good_chars / (region.page_good_chars or 1),
        math.log1p(n),
        outside,
    ]
    shapes: dict[int, tuple[int, dict[str, int]]] = {}
    rows: list[list[float]] = []
    ones: list[int] = []  # flat positions (row * N_FEATURES + column) of the one-hot features
    for k, i in enumerate(picked):
        el = elements[k]
        tag = el.tag if isinstance(el.tag, str) else "other"
        p = parent[i]
        depth, j = 0, i
        while j > region.index:
            j, depth = parent[j], depth + 1
        prev_c = chars[k - 1] if k else 0
        next_c = chars[k + 1] if k + 1 < n else 0
        siblings, same = _shape(shapes, p, el)
        rows.append(
            [
                *_text_values(texts[k], analysis.text_chars[i], link_chars[i], tag),
                hint[i],
                hint[p] if p >= 0 else 0,
                k / n,
                before / total,
                (total - before - chars[k]) / total,
                math.log1p(n - k - 1),
                depth,
                math.log1p(prev_c),
                link_chars[picked[k - 1]] / prev_c if k and prev_c else 0.0,
                math.log1p(next_c),
                link_chars[picked[k + 1]] / next_c if next_c else 0.0,
                since_heading,
                math.log1p(siblings),
                same.get(el.tag, 0) / siblings,
                *region_values,
                i < region.index,
            ]
        )
        before += chars[k]
        since_heading = 0 if tag in HEADINGS else min(since_heading + 1, 10)
        base = k * N_FEATURES
        ones.append(base + _TAGS_AT + _TAG_SLOT.get(tag, len(TAGS) - 1))
        ptag = analysis.elements[p].tag if p >= 0 else "other"
        ones.append(base + _PARENTS_AT + _PARENT_SLOT.get(ptag, len(PARENT_TAGS) - 1))
        _name_ones(ones, base, analysis, i)
    matrix[:, :_TAGS_AT] = np.asarray(rows, dtype=np.float32)
    matrix.reshape(-1)[ones] = 1.0
    return Blocks(elements, texts, matrix)


def _shape(
    shapes: dict[int, tuple[int, dict[str, int]]], p: int, el: HtmlElement
) -> tuple[int, dict[str, int]]:
    """How many children the block's parent has, by tag (once per parent)."""
    known = shapes.get(p)
    if known is None:
        up = el.getparent()
        counts: dict[str, int] = {}
        for child in up if up is not None else (el,):
            counts[child.tag] = counts.get(child.tag, 0) + 1
        known = shapes[p] = (sum(counts.values()), counts)
    return known


def _name_ones(ones: list[int], base: int, analysis: Analysis, i: int) -> None:
    """Hashed class and id tokens of the block (level 0) and its nearest ancestors (levels 1, 2)."""
    j = i
    for level in range(NAME_LEVELS + 1):
        if j < 0:
            break
        raw = _names(analysis.elements[j])
        if raw:
            at = base + _NAMES_AT + level * NAME_SLOTS
            ones.extend(at + slot for slot in _name_slots(raw))
        j = analysis.parent[j]
