"""Article metadata (title, authors, dates, language, site, image, paywall) from a whole HTML page.

Publishers state their metadata several times over: JSON-LD for search engines, OpenGraph for social
cards, Dublin Core / Parse.ly / Sailthru tags for their analytics, microdata left by the CMS, and the
visible byline. They disagree more often than one would hope, so every field reads its sources in a
fixed order of trust: structured data first (what the publisher wrote *for machines*), the visible page
last, and only from the article's own header area, never from a related-stories list, a sidebar or a
comment, whose dates and names belong to other stories.

Decisions worth knowing:
- Dates are always timezone-aware. A source without a zone is read as UTC and says so in ``warnings``;
  an all-numeric day/month order that neither the locale nor another date on the page settles is read
  as the language's custom (English month-first, others day-first) and also warned about.
- Authors are people. An Organization author (JSON-LD ``@type`` Organization, or a byline that is only
  a wire agency) is kept only when no person is named at all, because "Reuters" is then the best
  answer we have; a wire credit next to a person ("Jane Doe, Reuters") is dropped.
  A credit naming the site itself ("CNN" beside a reporter) is the publisher, not an author.
- The "header area" is a bounded window of elements around the heading that matches the declared title
  (og:title / JSON-LD headline / ``<title>``), inside that heading's container; blocks whose class names
  say related/sidebar/comments/navigation are skipped, and so are other ``<article>`` cards.
- ``language`` comes from declarations; only when none exists is it guessed from the text (script, then
  function words of nine common languages), with a warning.
- ``canonical_url`` is None when the page declares none; a canonical pointing at the site root from a
  deeper page is a common CMS mistake and is ignored with a warning.
- Structured values are checked against the page: a labelled printed date days away, or a full-name
  byline sharing no name with the structured authors, wins (JSON-LD of another story, a template default).
- Without structured values, ``lines`` rebuilds the printed lines around the heading (table layouts put
  "By X<br>Published: Sunday, May 12, 2024" in one element) for labelled dates, relative stamps counted
  back from ``fetched_at``, and plain bylines.
- ``htmldate`` is the last reader of the page, and only of the story's own container with scripts,
  comments, teasers and update stamps removed: on the whole page its fast mode takes any date in the
  page (comment dates included). ``bench/metadata_speed.py`` times it; ``bench/metadata_eval.py``
  measures visible-only accuracy.
- The tree is only read, never changed: the body extractor receives the same tree afterwards.
"""

from scrapers.metadata.fields import PageMetadata, extract_metadata

__all__ = ["PageMetadata", "extract_metadata"]
