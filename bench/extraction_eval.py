"""Extraction quality: wirefeed's ``extract()`` beside trafilatura and readability-lxml, same pages, same run.

Two corpora, read in place beside the project (never copied into it), each with its own metric:

- ``dev``  (../shared/extraction-dev, 945 pages): "with" segments a clean extraction must contain and
  "without" segments it must not; a found "with" is a true positive, a found "without" a false
  positive, summed over all pages (precision, recall, F1, accuracy).
- ``dev2`` (../shared/extraction-dev2, 621 pages): the whole body labelled; the article-body metric of
  the public benchmarks: ``\\w+`` tokens, 4-token shingles as multisets, per-page precision and recall
  (an empty extraction scores recall 0 and precision 1, as in the set's reference figures), means over
  pages, F1 of the means.

A page our extractor refuses (not an article, or any IngestError) counts as empty, exactly like a crash.
"empty" counts every empty or refused output; "lost" counts those among pages whose labelled body exists
(a "with" segment on dev, a non-empty body on dev2): the ones that should never be empty.

Each set is also split by host into 5 folds (a hash of the registrable domain, so no site straddles two
folds): every threshold was tuned looking at all folds at once, so the per-fold spread is shown to make
a rule fitted to a few hosts visible. Nothing in the extractor is learned.

Generalisation probes (``--probe NAME``, repeatable; each rewrites every page's bytes before all three
extractors see it, so the figures show how much each leans on what it has seen rather than on the page):

- ``scramble-classes``: every token of ``class``, ``id``, ``itemprop``, ``data-testid`` and
  ``data-component`` replaced by a stable hash of itself (same token, same hash), so only structure,
  text and tag names remain: an unseen site's template vocabulary, at its most unfamiliar.
- ``strip-structured``: every ``<script>`` gone (JSON-LD ``articleBody``, ``__NEXT_DATA__``, Nuxt or
  Arc/Fusion state): the visible page alone.
- ``no-semantic-tags``: ``article``, ``main``, ``aside``, ``nav``, ``header``, ``footer``, ``section``,
  ``figure`` and ``figcaption`` renamed to ``div``: an old or div-only template.
- ``all``: the three together.

Run by hand:  .venv/bin/python -m bench.extraction_eval [--set dev|dev2|both] [--limit N]
              [--only wirefeed] [--misses 20] (pages where wirefeed loses most against trafilatura)
              [--probe scramble-classes] [--tail] (wirefeed's pages with page F1 or recall below 0.6)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapers.errors import IngestError
from scrapers.extract import extract

SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the project
DEV = SHARED / "extraction-dev"
DEV2 = SHARED / "extraction-dev2"
FOLDS = 5
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------------- hosts
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"}
# Ad, analytics and CDN hosts that outnumber a page's own links on some templates.
_NOT_THE_SITE = re.compile(
    r"doubleclick|googlesyndication|google|facebook|twitter|addthis|statcounter|"
    r"webtrends|akamai|edgesuite|w3\.org|purl\.org|adobe|macromedia|feedburner|"
    r"yahoo|digg|del\.icio|technorati|revsci|quantserve|scorecardresearch|atdmt"
)


def registrable(host: str) -> str:
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def host_of_page(html: bytes) -> str:
    """A page without its URL: its own domain is the one its links and images name most often."""
    text = html.decode("latin-1")
    counts: Counter[str] = Counter()
    for host in re.findall(r"""(?:href|src|action)\s*=\s*["']?https?://([a-zA-Z0-9.-]+)""", text):
        domain = registrable(host)
        if not _NOT_THE_SITE.search(domain):
            counts[domain] += 1
    return counts.most_common(1)[0][0] if counts else "unknown"


def fold_of(host: str) -> int:
    return int(hashlib.sha1(host.encode()).hexdigest(), 16) % FOLDS


# --------------------------------------------------------------------------------------------- probes
_NAMING_ATTR = re.compile(
    rb"""(\s(?:class|id|itemprop|data-testid|data-component)\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)""",
    re.IGNORECASE,
)
_SCRIPT = re.compile(rb"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_SEMANTIC_TAG = re.compile(
    rb"<(/?)(?:article|main|aside|nav|header|footer|section|figure|figcaption)(?=[\s>/])", re.IGNORECASE
)


def _hashed_token(token: bytes) -> bytes:
    return b"x" + hashlib.blake2b(token, digest_size=4).hexdigest().encode()


def _hashed_names(match: re.Match[bytes]) -> bytes:
    value = match.group(2)
    quote = value[:1] if value[:1] in (b'"', b"'") else b""
    inner = value[1:-1] if quote else value
    hashed = b" ".join(_hashed_token(token) for token in inner.split())
    return match.group(1) + quote + hashed + quote


def scramble_classes(data: bytes) -> bytes:
    return _NAMING_ATTR.sub(_hashed_names, data)


def strip_structured(data: bytes) -> bytes:
    return _SCRIPT.sub(b"", data)


def no_semantic_tags(data: bytes) -> bytes:
    return _SEMANTIC_TAG.sub(rb"<\1div", data)


PROBES: dict[str, Callable[[bytes], bytes]] = {
    "scramble-classes": scramble_classes,
    "strip-structured": strip_structured,
    "no-semantic-tags": no_semantic_tags,
}


def apply_probes(pages: list[Page], probes: list[str]) -> list[Page]:
    """The pages as the probes rewrite them (``all`` is every probe in turn); labels are untouched."""
    names = list(PROBES) if "all" in probes else probes
    for page in pages:
        for name in names:
            page.data = PROBES[name](page.data)
    return pages


# -------------------------------------------------------------------------------------------- metrics
@dataclass
class Page:
    key: str
    url: str | None
    data: bytes
    fold: int
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    body: str = ""

    @property
    def has_body(self) -> bool:
        return bool(self.with_) if self.body == "" else bool(self.body.strip())


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False))


@dataclass
class Score:
    """Both metrics' counts for one extractor (dev: segment sums; dev2: per-page shingle P/R)."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    page_p: list[float] = field(default_factory=list)
    page_r: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    empty: int = 0
    lost: int = 0
    per_page: dict[str, float] = field(default_factory=dict)  # key -> page F1-like figure, for --misses
    page_pr: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> page (P, R), for --tail

    def add_segments(self, page: Page, text: str) -> None:
        flat = norm(text)
        hit = sum(norm(seg) in flat for seg in page.with_)
        leaked = sum(norm(seg) in flat for seg in page.without)
        self.tp += hit
        self.fn += len(page.with_) - hit
        self.fp += leaked
        self.tn += len(page.without) - leaked
        self.per_page[page.key] = hit - (len(page.with_) - hit) - leaked
        p = hit / (hit + leaked) if hit + leaked else 1.0
        self.page_pr[page.key] = p, hit / len(page.with_) if page.with_ else 1.0

    def add_shingles(self, page: Page, text: str) -> None:
        gold, got = shingles(page.body), shingles(text)
        if not gold and not got:
            p = r = 1.0
        else:
            tp = sum((gold & got).values())
            p = tp / sum(got.values()) if got else 1.0  # nothing extracted: nothing wrong, nothing found
            r = tp / sum(gold.values()) if gold else 0.0
        self.page_p.append(p)
        self.page_r.append(r)
        self.per_page[page.key] = 2 * p * r / (p + r) if p + r else 0.0
        self.page_pr[page.key] = p, r

    def figures(self, shingle_metric: bool) -> dict[str, float]:
        if shingle_metric:
            p = statistics.fmean(self.page_p) if self.page_p else 0.0
            r = statistics.fmean(self.page_r) if self.page_r else 0.0
            acc = float("nan")
        else:
            p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
            r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
            total = self.tp + self.fn + self.fp + self.tn
            acc = (self.tp + self.tn) / total if total else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": p,
            "recall": r,
            "f1": f1,
            "accuracy": acc,
            "median_ms": statistics.median(self.times) * 1000 if self.times else 0.0,
        }


# ---------------------------------------------------------------------------------------- extractors
def run_wirefeed(data: bytes, url: str | None) -> tuple[str, bool]:
    try:
        return extract(data, url).text, False
    except IngestError:
        return "", True


def run_trafilatura(data: bytes, url: str | None) -> tuple[str, bool]:
    import trafilatura

    text = trafilatura.extract(data, url=url, favor_precision=False, include_comments=False)
    return text or "", text is None


def run_readability(data: bytes, url: str | None) -> tuple[str, bool]:
    """readability-lxml as its users run it: ``summary()`` is the article's HTML, and its text is the body.

    Block elements end a line so that words on both sides of a tag boundary stay apart, as they would in
    any text export of that HTML.
    """
    import lxml.html
    from readability import Document

    summary = Document(data, url=url).summary(html_partial=True)
    root = lxml.html.fromstring(summary)
    for element in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "tr"):
        element.tail = "\n" + (element.tail or "")
    text = root.text_content().strip()
    return text, not text


RUNNERS: dict[str, Callable[[bytes, str | None], tuple[str, bool]]] = {
    "wirefeed": run_wirefeed,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}


# ------------------------------------------------------------------------------------------- corpora
def load_dev(limit: int | None) -> list[Page]:
    segments: dict[str, dict] = json.loads((DEV / "segments.json").read_text("utf-8"))
    pages = []
    for url, info in list(segments.items())[:limit]:
        host = registrable(urlsplit(url).hostname or "unknown")
        pages.append(
            Page(
                url,
                url,
                gzip.decompress((DEV / info["file"]).read_bytes()),
                fold_of(host),
                with_=info["with"],
                without=info["without"],
            )
        )
    return pages


def load_dev2(limit: int | None) -> list[Page]:
    gold: dict[str, dict] = json.loads((DEV2 / "gold.json").read_text("utf-8"))
    pages = []
    for key, info in list(gold.items())[:limit]:
        data = gzip.decompress((DEV2 / info["file"]).read_bytes())
        pages.append(Page(key, None, data, fold_of(host_of_page(data)), body=info["body"]))
    return pages


TAIL_BELOW = 0.6


def print_tail(name: str, pages: list[Page], scores: dict[str, Score]) -> None:
    """wirefeed's tail: pages whose page F1 or recall is under ``TAIL_BELOW``, worst first, with the
    other extractors' page F1 beside (a page every extractor fails is a labelling or corpus matter)."""
    ours = scores["wirefeed"].page_pr
    folds = {page.key: page.fold for page in pages}

    def f1(pr: tuple[float, float]) -> float:
        return 2 * pr[0] * pr[1] / (pr[0] + pr[1]) if pr[0] + pr[1] else 0.0

    tail = [key for key, pr in ours.items() if f1(pr) < TAIL_BELOW or pr[1] < TAIL_BELOW]
    print(f"wirefeed tail ({name}): {len(tail)} pages with page F1 or recall < {TAIL_BELOW}")
    for key in sorted(tail, key=lambda k: f1(ours[k])):
        others = "  ".join(
            f"{extractor} F1 {f1(score.page_pr[key]):.2f}"
            for extractor, score in scores.items()
            if extractor != "wirefeed" and key in score.page_pr
        )
        p, r = ours[key]
        print(f"  P {p:.2f} R {r:.2f} F1 {f1(ours[key]):.2f}  fold {folds[key]}  {others}  {key}")


def evaluate(
    name: str, pages: list[Page], runners: dict, shingle_metric: bool, misses: int, tail: bool = False
) -> None:
    scores = {extractor: Score() for extractor in runners}
    folds = {extractor: [Score() for _ in range(FOLDS)] for extractor in runners}
    for page in pages:
        for extractor, run in runners.items():
            started = time.perf_counter()
            try:
                text, refused = run(page.data, page.url)
            except Exception as exc:  # a crash scores as an empty result, and is shown
                print(f"{extractor} crashed on {page.key}: {type(exc).__name__}: {exc}", file=sys.stderr)
                text, refused = "", True
            elapsed = time.perf_counter() - started
            empty = refused or not text.strip()
            for score in (scores[extractor], folds[extractor][page.fold]):
                score.times.append(elapsed)
                score.empty += empty
                score.lost += empty and page.has_body
                if shingle_metric:
                    score.add_shingles(page, text)
                else:
                    score.add_segments(page, text)

    metric = "4-token shingles, per-page P/R" if shingle_metric else "with/without segments"
    print(f"\n{name}: {len(pages)} pages ({metric})")
    print(
        f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8} {'median ms':>9} "
        f"{'empty':>6} {'lost':>5}"
    )
    for extractor, score in scores.items():
        f = score.figures(shingle_metric)
        acc = "" if shingle_metric else f"{f['accuracy']:.3f}"
        print(
            f"{extractor:<12} {f['precision']:>9.3f} {f['recall']:>7.3f} {f['f1']:>6.3f} {acc:>8} "
            f"{f['median_ms']:>9.2f} {score.empty:>6} {score.lost:>5}"
        )
    if "wirefeed" in scores and "trafilatura" in scores:
        ratio = scores["wirefeed"].figures(shingle_metric)["median_ms"] / (
            scores["trafilatura"].figures(shingle_metric)["median_ms"] or 1
        )
        print(f"median ms/page wirefeed / trafilatura = {ratio:.2f}x")
    for extractor, per_fold in folds.items():
        cells = []
        for fold in per_fold:
            f = fold.figures(shingle_metric)
            cells.append(f"{f['f1']:.3f} (P {f['precision']:.3f})")
        print(f"{extractor:<12} F1 per host fold: " + "  ".join(cells))

    if tail and "wirefeed" in scores:
        print_tail(name, pages, scores)
    if misses and "wirefeed" in scores:
        ours = scores["wirefeed"].per_page
        theirs = scores["trafilatura"].per_page if "trafilatura" in scores else {}
        by_key = {page.key: page for page in pages}
        for key in sorted(ours, key=lambda k: ours[k] - theirs.get(k, ours[k]))[:misses]:
            print(
                f"  wirefeed {ours[key]:+.2f} trafilatura {theirs.get(key, float('nan')):+.2f}  "
                f"fold {by_key[key].fold}  {key}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=("dev", "dev2", "both"), default="both")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--only", choices=tuple(RUNNERS), default=None)
    parser.add_argument("--misses", type=int, default=0, help="list N pages where wirefeed does worst")
    parser.add_argument(
        "--probe",
        action="append",
        choices=(*PROBES, "all"),
        default=[],
        help="rewrite every page first (repeatable): see the probes above",
    )
    parser.add_argument("--tail", action="store_true", help=f"list wirefeed's pages under {TAIL_BELOW}")
    args = parser.parse_args()

    runners = {args.only: RUNNERS[args.only]} if args.only else RUNNERS
    probed = f", probe {' + '.join(args.probe)}" if args.probe else ""
    if args.set in ("dev", "both"):
        pages = apply_probes(load_dev(args.limit), args.probe)
        evaluate(f"extraction-dev ({DEV}{probed})", pages, runners, False, args.misses, args.tail)
    if args.set in ("dev2", "both"):
        pages = apply_probes(load_dev2(args.limit), args.probe)
        evaluate(f"extraction-dev2 ({DEV2}{probed})", pages, runners, True, args.misses, args.tail)


if __name__ == "__main__":
    main()
