"""The dedup verdict as an ordered list of small rules, the way Scrapy orders its item pipelines.

Each rule looks at one item in its transaction (``RuleContext``) and either decides it (returns a
``Decision``, having asked the pipeline to write what the decision means) or passes (returns None); the
pipeline walks ``DEFAULT_RULES`` in order and the first decision wins. The last rule always decides.

What several rules need (the duplicate row already held for the URL, the index's match, the stored story it
names, the judge's verdict on it) is computed once, on first use, by the context, so a rule never depends
on an earlier one having run. Adding a rule: write its class here, put it in ``DEFAULT_RULES`` where it
belongs, and, if it decides with a name of its own, add that name to ``decision.Rule``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session

from scrapers.article import Article
from worker.decision import Decision, Outcome, Rule
from worker.dedup import DedupIndex, Match
from worker.fingerprint import Signature
from worker.models import ArticleRecord, DuplicateRecord
from worker.relation import (
    CONTAINED,
    MIN_COVER,
    NEW_MATERIAL,
    SHARE_SLACK,
    SLOTS,
    Relation,
    StoryJudge,
    StoryMatch,
    TextProbe,
    Verdict,
    inner_starts_apart,
    judged,
    may_quote_whole,
    quotes_after_own_lead,
    starts_apart,
    substitution_slots,
    words_inside,
)
from worker.store import StoredRef


@dataclass(slots=True)
class IndexChange:
    """What the index must do once the item's transaction is over."""

    inserted: bool = False  # check_and_insert added the key: undo if the transaction fails
    insert_after_commit: bool = False  # a new version or a near-duplicate: index its fingerprint too


class Recorder(Protocol):
    """What rules ask of the pipeline: lookups in the item's transaction, and the writes of a decision."""

    threshold: float
    judge: StoryJudge

    @property
    def index(self) -> DedupIndex: ...

    def article_by_url(self, session: Session, key: str) -> ArticleRecord | None: ...

    def duplicate_by_url(self, session: Session, key: str) -> DuplicateRecord | None: ...

    def ref_by_hash(self, session: Session, chash: str) -> StoredRef | None: ...

    def resolve(self, ctx: RuleContext, match: Match) -> StoredRef: ...

    def peek(self, session: Session, key: str) -> StoredRef | None: ...

    def stored_text(self, session: Session, ref: StoredRef) -> str | None: ...

    def same_url(self, ctx: RuleContext, existing: ArticleRecord) -> Decision: ...

    def duplicate(
        self,
        ctx: RuleContext,
        original: StoredRef,
        similarity: float,
        rule: Rule,
        *,
        signature: Signature | None = None,
    ) -> Decision: ...

    def replace_representative(self, ctx: RuleContext, old: StoredRef, similarity: float) -> Decision: ...

    def store_new(self, ctx: RuleContext, match: Match | None) -> Decision: ...


@dataclass
class RuleContext:
    """One item being decided, in its transaction, with what the rules learn about it on the way."""

    recorder: Recorder
    session: Session
    article: Article
    key: str
    chash: str
    sig: Signature
    source_id: int | None
    fetched_at: datetime
    heal: bool = False
    index_change: IndexChange = field(default_factory=IndexChange)

    @cached_property
    def known(self) -> DuplicateRecord | None:
        """The duplicate row this URL already has (a redelivery, or an earlier copy at this URL)."""
        return self.recorder.duplicate_by_url(self.session, self.key)

    @cached_property
    def match(self) -> Match | None:
        """The index's answer for the item, which also indexes it when it starts a story of its own."""
        known = self.known
        if known is not None and known.signature is not None:
            self.recorder.index.remove(self.key)  # its text changed: the old fingerprint must not answer
        judge = self.recorder.judge.probing(self.probe)
        match = self.recorder.index.check_and_insert(self.key, self.sig, judge)
        if match is not None and match.joins:
            self.index_change.insert_after_commit = True
        else:
            self.index_change.inserted = True
        return match

    @cached_property
    def target(self) -> StoredRef:
        """The stored article a joining match names (only asked for when the match joins)."""
        assert self.match is not None
        return self.recorder.resolve(self, self.match)

    @cached_property
    def representative(self) -> Signature:
        """The fingerprint of the stored article a joining match names (read once per item)."""
        return Signature.from_bytes(self.target.signature)

    @cached_property
    def verdict(self) -> Verdict | None:
        """The judge's relation of the item to the story's stored representative itself."""
        representative = self.representative
        equal = self.sig.equal_count(representative)
        return judged(self.sig, representative, equal, self.recorder.threshold, self.probe)

    @cached_property
    def target_text(self) -> str | None:
        """The text of the stored article a joining match names, read once per item whichever rules ask
        (None when its row is gone)."""
        return self.recorder.stored_text(self.session, self.target)

    @cached_property
    def probe(self) -> TextProbe:
        """The item's text, for verdicts that must read more of it than its signature keeps."""
        return TextProbe(self.article.text)

    @property
    def joins(self) -> bool:
        return self.match is not None and self.match.joins

    @cached_property
    def between_copies(self) -> bool:
        """The item, fuller than the copy of the story it matched, is also a copy of another of the
        story's copies: it lies inside it, or is its edited or trimmed copy (a key of ``also`` that stands
        for the same stored article). It is then the story's copy too, whatever its verdict against a
        representative whose lead is hidden; an update around a trimmed lead is inside no copy of its
        story and the copy of none (more than half of it is new), so it stays a story of its own."""
        target = self.target
        for key in self.also:
            ref = self.recorder.peek(self.session, key)
            if ref is not None and (ref is target or (ref.id is not None and ref.id == target.id)):
                return True
        return False

    @property
    def also(self) -> tuple[str, ...]:
        """The other stored keys the judge found the item a copy of, if its match was asked for and joins
        (keys of this story's copies, or of another story the item shows to be the same one), less those
        whose stored text quotes the item whole after a lead of its own (``_quoting``)."""
        match = self.__dict__.get("match")  # never asks the index: only what a rule already asked
        if not isinstance(match, StoryMatch) or not match.joins:
            return ()
        if not match.echoing:
            return match.also
        return tuple(key for key in match.also if key not in self._quoting)

    @cached_property
    def _quoting(self) -> frozenset[str]:
        """The keys of ``also`` whose stored text is a story of its own around the item: it retells the
        item's lead in a sentence of its own and quotes the item whole after it (``quotes_after_own_lead``,
        the test ``QuotedWhole`` makes of the story the item joins). The signatures read such a text as a
        copy of the item, so an item fuller than a copy of its own story and inside such a text (a wire
        story arriving after a trim of it and a local story quoting it) would show the two stories to be
        one and merge them; what the local desk wrote is its own story, whichever stored text the item
        joined. Read only for the keys the judge flagged (``StoryMatch.echoing``)."""
        match = self.__dict__.get("match")
        assert isinstance(match, StoryMatch)
        found = set()
        for key in match.echoing:
            ref = self.recorder.peek(self.session, key)
            if ref is not None and _quotes_item(self, ref):
                found.add(key)
        return frozenset(found)

    @property
    def fuller(self) -> bool:
        """The item is the story's better copy: it contains the stored representative and little else, or
        it contains the representative and starts like the copy of the story it is fuller than.

        The second case is a story whose representative's lead is hidden from the lead sketch (a copy
        stored first with an editor's note or a headline run into its first line): the item then reads as
        embedding the representative, but the copy it starts like vouches for the story's own lead, and
        a text that contains a story and starts like it is that story's fuller copy.
        """
        verdict, match = self.verdict if self.joins else None, self.match
        if verdict is None or match is None:
            return False
        return verdict.relation is Relation.FULLER or (
            match.rule == Relation.FULLER and verdict.relation is Relation.EMBEDS
        )


class DedupRule(Protocol):
    """One check: a decision, or None to let the next rule look."""

    def check(self, ctx: RuleContext) -> Decision | None: ...


class SameUrl:
    """A URL already stored: unchanged if the text is, else a new version of it."""

    def check(self, ctx: RuleContext) -> Decision | None:
        existing = ctx.recorder.article_by_url(ctx.session, ctx.key)
        if existing is None:
            return None
        decision = ctx.recorder.same_url(ctx, existing)
        ctx.index_change.insert_after_commit = decision.outcome is Outcome.NEW_VERSION
        return decision


class KnownDuplicate:
    """A URL already recorded as a duplicate, with the same text: nothing to do."""

    def check(self, ctx: RuleContext) -> Decision | None:
        known = ctx.known
        if known is None or known.content_hash != ctx.chash:
            return None
        return Decision(
            Outcome.UNCHANGED,
            ctx.article.url,
            duplicate_of=known.duplicate_of,
            similarity=known.similarity,
            rule=Rule.KNOWN_DUPLICATE,
        )


class ExactText:
    """The same text stored under another URL.

    The same words can be laid out differently (a copy with its lines hard-wrapped, its headline run into
    the first line): its lead, read from the layout, then differs from the stored one. Such a copy is
    indexed like a near-duplicate, so that a later copy is also compared with the story's other start
    (a fuller copy that starts like it is then seen to start like the story).
    """

    def check(self, ctx: RuleContext) -> Decision | None:
        exact = ctx.recorder.ref_by_hash(ctx.session, ctx.chash)
        if exact is None:
            return None
        if not _same_lead(ctx.sig, exact.signature):
            ctx.index_change.insert_after_commit = True
            return ctx.recorder.duplicate(ctx, exact, 1.0, Rule.EXACT_TEXT, signature=ctx.sig)
        return ctx.recorder.duplicate(ctx, exact, 1.0, Rule.EXACT_TEXT)


def _same_lead(sig: Signature, stored: bytes | None) -> bool:
    """Whether ``sig`` has the lead sketch of the stored signature (True when either has none)."""
    if not stored or sig.lead is None:
        return True
    lead = Signature.from_bytes(stored).lead
    return lead is None or bool(np.array_equal(lead, sig.lead))


class FilledTemplate:
    """A joining item that shares under ``SLOT_AGREEMENT`` of its names and figures with the story's
    representative, and has other names or figures than its text at ``SLOTS`` places or more inside
    sentences both share (``substitution_slots``): another brief cut from the same template, stored as a
    story of its own and linked (``templated``), not a copy.

    The signatures cannot always tell: two short briefs whose slots sit at the texts' two edges (the lead's
    figures and place, the closing figure) differ at only one place the MinHash can show inside the text,
    and a copy under another dateline and tagline differs at those edges too. Word by word they part: a
    slot is a substitution with the same words on both sides, a desk's edit adds or drops a line whole. So
    the stored text is read, only for a joining pair that already disagrees on a quarter of its names."""

    def check(self, ctx: RuleContext) -> Decision | None:
        if not ctx.joins:
            return None
        verdict = ctx.verdict  # the judge's, read once per joining item whatever rule decides
        if verdict is None or not verdict.names_differ:
            return None
        text = ctx.target_text
        if text is None or substitution_slots(ctx.article.text, text) < SLOTS:
            return None
        assert ctx.match is not None
        link = Match(ctx.target.canonical_url, ctx.match.similarity, Relation.TEMPLATED.value, False)
        return ctx.recorder.store_new(ctx, link)


MAJOR_UPDATE = 0.5
"""Share of new material beyond the story from which a text holding most of it is a major update: a story
of its own unless it keeps ``CONTAINED`` of the story's words (then the story's fuller version)."""


class KeptTooLittle:
    """A joining item that, with the story's representative, makes a major update and the story it updates
    (the larger text more than ``MAJOR_UPDATE`` new beyond the smaller), read as one because the shingle
    estimates put it on the joining side of one of the two lines that make an update a story of its own.
    The estimate from 128 MinHash values is off by several hundredths, so near either line (within
    ``SHARE_SLACK``) the two texts are read and counted in words (``words_inside``), as a desk counts them:

    - an update that kept under ``CONTAINED`` of its story's words (or a story of which the stored update
      kept that little) is a story of its own, linked (``overlaps``), not the story's fuller copy or trim;
    - an update more than two-thirds new, the story it carries whole covering under ``MIN_COVER`` of its
      words, is a new story around the old one, linked (``embeds``, or ``embedded`` when the item is the
      story carried), as the judge reads a pair under that line. Shingles and words part near it:
      repeated phrases count once as shingles, and the bins only estimate the share of a text not wholly
      inside the other (an update of 1,062 words carrying 86% of a 408-word story, 33.1% of it in words,
      was read as covered 0.354 off the bins and joined the story as its fuller copy, its copies too).

    A trim or a fuller copy of one story keeps all its words but the desk's few (a dateline, a note, a
    tagline), and a half trim 40% of them or more, so both stay well above the lines."""

    def check(self, ctx: RuleContext) -> Decision | None:
        if not ctx.joins:
            return None
        verdict = ctx.verdict
        if verdict is None or verdict.relation not in (Relation.FULLER, Relation.CONTAINED):
            return None
        outer_is_new = verdict.relation is Relation.FULLER
        inside, own = (
            (verdict.contained_old, 1.0 - verdict.contained_new)
            if outer_is_new
            else (verdict.contained_new, 1.0 - verdict.contained_old)
        )
        kept_near = inside < CONTAINED + SHARE_SLACK
        cover_near = abs((1.0 - own) - MIN_COVER) <= SHARE_SLACK
        if own <= MAJOR_UPDATE or not (kept_near or cover_near):
            return None
        stored = ctx.target_text
        if stored is None:
            return None
        inner, outer = (stored, ctx.article.text) if outer_is_new else (ctx.article.text, stored)
        if kept_near and words_inside(inner, outer) < CONTAINED:
            relation = Relation.OVERLAPS
        elif cover_near and words_inside(outer, inner) < MIN_COVER:
            relation = Relation.EMBEDS if outer_is_new else Relation.EMBEDDED
        else:
            return None
        link = Match(ctx.target.canonical_url, verdict.similarity, relation.value, False)
        return ctx.recorder.store_new(ctx, link)


class NewInWords:
    """A joining pair, one text holding the other whole, that start apart (the larger opens with a lead of
    its own) and whose larger text the shingles put just under ``NEW_MATERIAL`` new: its new material is
    counted in words (``words_inside``), as the line means it, and from ``NEW_MATERIAL`` on the larger text
    is a story of its own around the smaller (a local story quoting a wire story whole), stored and linked
    (``embeds``, or ``embedded`` when the new item is the story quoted), not its fuller copy or trim.

    A distinct-shingle share undercounts new text that repeats its own phrases (a local desk's stock
    sentences: 42% of a local story's words, 31% of its distinct shingles, read at 29.98% off 128 bins);
    the words of a fuller copy of the same story (the story's lead kept, a tail or a few paragraphs added)
    are all in the story bar those few. Read only near the line (within ``SHARE_SLACK``) and when the
    starts differ, the cases where those hundredths decide; a text that starts like the stored one is its
    fuller copy whatever it adds. When the new item is the smaller text, the stored one's start is weaker
    evidence (a note run into a copy's first line hides its lead), so the item must be a copy of nothing
    else stored (``_copy_of_others``)."""

    def check(self, ctx: RuleContext) -> Decision | None:
        if not ctx.joins:
            return None
        verdict = ctx.verdict
        if verdict is None:
            return None
        if verdict.relation is Relation.FULLER:
            own, relation = 1.0 - verdict.contained_new, Relation.EMBEDS
        elif verdict.relation in (Relation.CONTAINED, Relation.NEAR_DUPLICATE) and not ctx.fuller:
            if verdict.contained_new < CONTAINED or _copy_of_others(ctx):
                return None
            own, relation = 1.0 - verdict.contained_old, Relation.EMBEDDED
        else:
            return None
        if abs(own - NEW_MATERIAL) > SHARE_SLACK or (relation is Relation.EMBEDDED and own >= NEW_MATERIAL):
            return None
        stored = ctx.representative
        apart = (
            starts_apart(ctx.probe, ctx.sig, stored)
            if relation is Relation.EMBEDS
            else inner_starts_apart(ctx.probe, ctx.sig, stored)
        )
        if not apart:
            return None
        text = ctx.target_text
        if text is None:
            return None
        larger, smaller = (
            (ctx.article.text, text) if relation is Relation.EMBEDS else (text, ctx.article.text)
        )
        if 1.0 - words_inside(larger, smaller) < NEW_MATERIAL:  # the larger text's words not in the smaller
            return None
        link = Match(ctx.target.canonical_url, verdict.similarity, relation.value, False)
        return ctx.recorder.store_new(ctx, link)


def _copy_of_others(ctx: RuleContext) -> bool:
    """Whether the judge found the item a copy of other stored texts besides the one it joined. A trim
    inside a copy whose lead a note hides reads as starting apart from that copy, as a wire story quoted
    in a local story does, but it is also a copy of the story's other copies, which start like it; the
    wire story is a copy of nothing else in a local story's cluster."""
    match = ctx.match
    return isinstance(match, StoryMatch) and bool(match.joined)


class FullerCopy:
    """A fuller copy of a stored story becomes its representative; the old one joins its copies."""

    def check(self, ctx: RuleContext) -> Decision | None:
        if not ctx.fuller:
            return None
        assert ctx.verdict is not None
        return ctx.recorder.replace_representative(ctx, ctx.target, ctx.verdict.similarity)


class QuotedWhole:
    """A text inside a stored story that has much of its own and opens with a lead that only echoes the
    text's lead (a local story retelling the wire story's first sentence with its own place and day, then
    quoting it whole, stored before the wire story): the new text is the story quoted, stored as a story
    of its own and linked (``embedded``), not a copy. The signatures cannot tell this order (the two lead
    windows share a run of words, as a copy's shifted lead does), so the stored text is read, only for a
    joining item inside a representative that is ``NEW_MATERIAL`` or more its own and starts alike."""

    def check(self, ctx: RuleContext) -> Decision | None:
        if not ctx.joins or ctx.fuller:
            return None
        verdict = ctx.verdict
        if verdict is None or not _quotes_item(ctx, ctx.target, verdict):
            return None
        link = Match(ctx.target.canonical_url, verdict.similarity, Relation.EMBEDDED.value, False)
        return ctx.recorder.store_new(ctx, link)


def _quotes_item(ctx: RuleContext, ref: StoredRef, verdict: Verdict | None = None) -> bool:
    """Whether the stored article ``ref`` quotes the item whole after a lead of its own that echoes the
    item's lead: first what the signatures allow (``may_quote_whole``), then its text, read only then.
    ``verdict`` is the judge's on the item against ``ref`` (computed when not given)."""
    if ref is ctx.target:
        stored = ctx.representative
    else:
        stored = Signature.from_bytes(ref.signature)
        if stored.num_perm != ctx.sig.num_perm or stored.shingle_size != ctx.sig.shingle_size:
            return False
    if verdict is None:
        verdict = judged(ctx.sig, stored, ctx.sig.equal_count(stored), ctx.recorder.threshold, ctx.probe)
    if verdict is None or not may_quote_whole(ctx.sig, stored, verdict, ctx.probe):
        return False
    text = ctx.target_text if ref is ctx.target else ctx.recorder.stored_text(ctx.session, ref)
    return text is not None and quotes_after_own_lead(text, stored, ctx.sig)


class Contained:
    """A trimmed copy whose text lies inside a stored story."""

    def check(self, ctx: RuleContext) -> Decision | None:
        if not ctx.joins or ctx.fuller or ctx.match is None or ctx.match.rule != Relation.CONTAINED:
            return None
        return ctx.recorder.duplicate(
            ctx, ctx.target, ctx.match.similarity, Rule.CONTAINED, signature=ctx.sig
        )


class NearDuplicate:
    """An edited copy of a stored story (or fuller than one of its copies, and a copy of the story too)."""

    def check(self, ctx: RuleContext) -> Decision | None:
        match = ctx.match
        if match is None or not match.joins or ctx.fuller:
            return None
        fuller_than_a_copy = match.rule == Relation.FULLER and (ctx.verdict is None or not ctx.verdict.joins)
        if fuller_than_a_copy and not ctx.between_copies:
            return None  # fuller than a copy, no copy of the representative or of another copy: NewStory
        return ctx.recorder.duplicate(
            ctx, ctx.target, match.similarity, Rule.NEAR_DUPLICATE, signature=ctx.sig
        )


class NewStory:
    """Everything else is stored as a story of its own, linked to any story the judge related it to."""

    def check(self, ctx: RuleContext) -> Decision | None:
        match = ctx.match
        if match is not None and match.joins:
            # Fuller than one of the story's copies but no copy of its representative (a developing
            # story's update around a trimmed lead): a story of its own, linked, not a member.
            match = Match(match.key, match.similarity, "overlaps_copy", joins=False)
        return ctx.recorder.store_new(ctx, match)


DEFAULT_RULES: tuple[DedupRule, ...] = (
    SameUrl(),
    KnownDuplicate(),
    ExactText(),
    FilledTemplate(),
    KeptTooLittle(),
    NewInWords(),
    FullerCopy(),
    QuotedWhole(),
    Contained(),
    NearDuplicate(),
    NewStory(),
)
"""The order matters: identity before text, exact before near, and a story of its own last."""


def decide(rules: tuple[DedupRule, ...], ctx: RuleContext) -> Decision:
    """The first rule's decision; the list must end with a rule that always decides."""
    for rule in rules:
        decision = rule.check(ctx)
        if decision is not None:
            return decision
    raise RuntimeError(f"no dedup rule decided {ctx.key}: the rule list must end with one that always does")
