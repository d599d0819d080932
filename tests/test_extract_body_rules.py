"""Body rules of issue 7 measured on both dev sets, each held here to a page of the family it fixes.

Every fixture under ``fixtures/pages/body/`` is a page of a template family where the region finder
went wrong before the rule: the test asserts the story it gives now, and what it must leave out.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def _extract(name: str, url: str | None = None) -> str:
    return extract((BODY / name).read_bytes(), url).text


def test_a_story_rendered_from_a_script_template_is_read_from_its_noscript_copy() -> None:
    """Blogger sets the post in ``<script type=text/template>`` and again in ``<noscript>``: the stray
    sidebar line the finder settles on without them is not the story."""
    article = extract(
        (BODY / "blogger-noscript-template.html").read_bytes(),
        "https://engineering.harbourlab.example/2024/03/faster-builds.html",
    )
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Over the past year the time our continuous integration took")
    assert paragraphs[2].endswith("we are working on caching their build artefacts next.")
    assert "Give us feedback" not in article.text
    assert "insights from the engineers" not in article.text
    assert "body found in the page's <noscript> version" in article.warnings


def test_a_long_consent_dialog_does_not_make_the_page_wrapper_chrome() -> None:
    """Drupal wraps every page in ``dialog-off-canvas-main-canvas``; a cookie dialog (``sp-dsgvo``) that
    spells out each tracker in paragraphs outweighs the story, yet is not the page's prose."""
    text = _extract("consent-dialog-drupal.html", "https://weinwelt.example/wein/nordwein-wachstum")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Der Getränkekonzern Nordwein meldet für 2023")
    assert paragraphs[-1].startswith("Für das laufende Jahr rechnet der Vorstand")
    assert len(paragraphs) == 4
    assert "Dieser Dienst wird von uns eingesetzt" not in text
    assert "Google Analytics" not in text


def test_ruby_readings_printed_over_kanji_are_not_part_of_the_text() -> None:
    """Furigana (``<rt>``) are a reading aid set above the characters; read inline they double words."""
    text = _extract("ruby-furigana-ja.html", "https://news.example.jp/news/easy/k100/k100.html")
    assert text.startswith("子どもへの虐待をなくすための法律ができて、親が子どもを教育するために、")
    assert "児童相談所が守ることができなくて" in text
    assert "こども" not in text and "ぎゃくたい" not in text


def test_a_popup_overlay_holding_another_story_is_chrome_whatever_its_length() -> None:
    """A popup plugin's overlay (``pum-overlay popmake``) is shown on a click, over the page: its long
    text is another piece, and the page's story is the short one in the article."""
    text = _extract("popup-overlay-wordpress.html", "https://gis.example.gov/news/investment-conference")
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The Ministry of Trade said on Tuesday")
    assert "Officer Training" not in text and "cadets" not in text


def test_a_french_rgpd_consent_modal_is_not_the_story() -> None:
    """RGPD is the GDPR's name in French, Spanish, Italian and Portuguese: a consent modal named so is
    chrome, and the episode description beside it is the page's text."""
    text = _extract("consent-modal-rgpd-fr.html", "https://radio-rivage.example/son/4242/la-voix")
    assert text.startswith("Every day the protest takes a new form")
    assert "cookies" not in text and "traceurs" not in text


def test_a_tweet_quoted_in_the_story_is_kept_without_its_signature_line() -> None:
    """An embedded tweet is one of the story's quotes; only its "— Name (@handle) date" line is furniture."""
    text = _extract("tweet-embed-story.html", "https://gadgetdesk.example/2024/07/03/attention-correction")
    paragraphs = text.split("\n\n")
    assert "How the new attention correction works: it grabs a depth map" in text
    assert "Notice the warping of the line across both the eyes and nose." in text
    assert not any("(@dlindqvist)" in p for p in paragraphs)
    assert paragraphs[-1].startswith("It is not clear which devices the feature will work with")


def test_a_dateline_span_opening_the_first_sentence_stays_with_it() -> None:
    """``<p><span class="dateline">KOBE –</span> A total of…``: the inline span is part of the sentence,
    whatever its name says; only a box named so is furniture."""
    text = _extract("dateline-span-wire.html", "https://harbourtimes.example/news/2024/02/18/masks-stolen")
    assert text.startswith("KOBE – A total of 6,000 surgical masks have been lost")
    assert len(text.split("\n\n")) == 3


def test_a_more_of_this_label_is_dropped_but_a_subheading_opening_with_weitere_is_kept() -> None:
    """ "Weitere Artikel aus der Zellfertigung" heads a box of other pieces; "Weitere US-Zellprojekte im
    Aufbau" names no pieces and is the story's own subheading."""
    paragraphs = _extract("more-label-de.html", "https://akku.example/2024/12/06/werk-tennessee").split(
        "\n\n"
    )
    assert "Weitere US-Zellprojekte im Aufbau" in paragraphs
    assert "Weitere Artikel aus der Zellfertigung" not in paragraphs
    assert paragraphs[0].startswith("Das Gemeinschaftsunternehmen zweier Autohersteller")


def test_the_publishers_follow_us_line_is_dropped_and_the_storys_own_mentions_kept() -> None:
    """ "Follow The Island Gleaner on Twitter and Instagram" offers the reader the outlet's channels; a
    minister who "said on Twitter" is a fact of the story."""
    text = _extract("follow-us-footer.html", "https://gleaner.example/news/2024/05/crash-victims")
    assert "The transport minister said on Twitter that the stretch of road" in text
    assert "Follow The Island Gleaner" not in text
    assert text.split("\n\n")[-1].startswith("The driver of the truck was taken to hospital")


def test_membership_and_subscription_pitches_after_the_story_are_dropped() -> None:
    text = _extract("membership-pitch.html", "https://harbourtimes.example/local/bakery-reopens")
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[-1].startswith("The repairs cost more than the insurance paid")
    assert "subscriber" not in text


def test_affiliate_and_opinion_disclosures_above_and_below_the_story_are_dropped() -> None:
    text = _extract("disclosures-review.html", "https://moneydesk.example/investing/exchange-accounts")
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The two accounts are run by the same company")
    assert paragraphs[-1].startswith("The advanced account charges a maker or taker fee")


def test_figure_captions_set_as_lines_of_the_text_are_dropped() -> None:
    """ "Abbildung 1: …" under a picture, and a caption run on after its "Vergrößern" (zoom) link."""
    paragraphs = _extract("figure-captions-de.html", "https://bergblog.example/wissen/lawinen").split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[1].startswith("Gefährlich wird es, wenn eine schwache Schicht")
    assert not any("Abbildung" in p or "Vergrößern" in p for p in paragraphs)


def test_a_blog_posts_filing_note_and_php_warnings_printed_into_the_page_are_dropped() -> None:
    paragraphs = _extract("blog-filing-note-php-warnings.html", "https://whisky.example/termine/5805").split(
        "\n\n"
    )
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Auch im neuen Jahr laden wir wieder")
    assert paragraphs[-1].startswith("Die Plätze sind auf zwanzig Gäste begrenzt.")


def test_a_citation_suggestion_and_an_informal_newsletter_prompt_after_the_story_are_dropped() -> None:
    paragraphs = _extract("endnotes-citation-signup.html", "https://forum.example/experten-krise").split(
        "\n\n"
    )
    assert len(paragraphs) == 3
    assert paragraphs[-1].startswith("Die Gerichte haben bislang vor allem geprüft")


def test_text_stored_in_decomposed_form_comes_out_composed_without_soft_hyphens() -> None:
    """A CMS that stores "ü" as "u" plus a combining diaeresis shows the same word; the text is NFC. A
    soft hyphen (``&shy;``) is an invisible break hint: left in, it splits the word for search and dedup."""
    raw = (BODY / "decomposed-umlauts-de.html").read_text("utf-8")
    assert "u\u0308" in raw  # the fixture really is decomposed
    text = _extract("decomposed-umlauts-de.html", "https://autoclub.example/tests/kindersitze")
    assert "Besonders bei Babyschalen sollte geprüft werden" in text
    assert "\u0308" not in text
    assert "wegen Schadstoffen im Bezugsstoff durch" in text


def test_widget_lines_inside_the_story_container_are_dropped() -> None:
    """A rating count, a share prompt, a download tool and a most-commented box's name, each a line."""
    paragraphs = _extract("widget-lines-de.html", "https://finanz.example/fintech/uebernahme").split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Die Kreditplattform für den Mittelstand")
    assert paragraphs[1].startswith("Der Kaufpreis wurde nicht genannt.")


def test_a_body_split_into_sibling_boxes_of_one_kind_is_read_whole() -> None:
    """Two ``div.the-content`` parts split by an ad slot, in a column whose link index makes the column
    score below its largest part: the other part of the same kind is the story's continuation."""
    paragraphs = _extract("split-sibling-sections.html", "https://garden.example/lemon-tree-from-seed").split(
        "\n\n"
    )
    assert paragraphs[0].startswith("Growing a lemon tree from seed takes patience")
    assert "Sprouting the seeds" in paragraphs
    assert paragraphs[-1].startswith("Put the towel in a sealed bag in a warm place.")
    assert not any("Sponsored" in p or "complete guide" in p for p in paragraphs)


def test_a_body_set_as_content_element_boxes_is_read_from_every_box() -> None:
    """A block-based CMS (TYPO3 content elements, Drupal paragraphs) wraps each text block in a box of
    its own; the finder settles on the text inside one box, and the story goes on in the sibling boxes
    of the same kind around it, while the caption beside a picture and the archive index stay out."""
    paragraphs = _extract(
        "split-content-elements-typo3.html",
        "https://lawinen.example/berichte/2024/wochenbericht-14-20-januar",
    ).split("\n\n")
    assert paragraphs[0].startswith("Eine Woche mit viel Sonne und wenig Neuschnee")
    assert paragraphs[1].startswith("Anfangs kletterten die Temperaturen nach oben.")
    assert paragraphs[-1].startswith("In den Alpen zeigte sich dies mit wiederholt gemeldeten Wummgeräuschen")
    assert len(paragraphs) == 5
    assert not any("Abb. 1" in p or "Wochenbericht Nummer" in p for p in paragraphs)


def test_a_standfirst_in_an_article_header_with_an_author_photo_is_kept() -> None:
    """The header holds the headline, an author photo and the standfirst: little text beside a picture
    reads as a caption box, yet the standfirst between the headline and the body opens the story."""
    paragraphs = _extract(
        "standfirst-header-with-photo.html", "https://ratgeber.example/recht/kind-krank"
    ).split("\n\n")
    assert paragraphs[0].startswith("Wie viele Tage im Jahr dürfen Beschäftigte zu Hause bleiben")
    assert paragraphs[1].startswith("Wird ein Kind krank, muss oft ein Elternteil zu Hause bleiben.")
    assert len(paragraphs) == 5
    assert not any("Newsletter" in p or "Jetzt anmelden" in p or "Kind krank:" in p for p in paragraphs)


def test_a_standfirst_set_as_a_heading_above_a_subheading_is_kept() -> None:
    """A heading straight above another heading of its rank labels nothing, unless it is a sentence:
    then it is the standfirst, set in the heading style, and opens the story."""
    paragraphs = _extract(
        "standfirst-as-heading.html", "https://fineliving.example/2019/06/royal-polo-rome/"
    ).split("\n\n")
    assert paragraphs[0].startswith("Our travel editor spends a long weekend in the Eternal City")
    assert paragraphs[1] == "From India to Argentina"
    assert paragraphs[-1].startswith("The Rome tournament takes place on the lawns")
    assert len(paragraphs) == 6
    assert not any("Share" in p or "Tweet" in p for p in paragraphs)


def test_a_comment_thread_in_generated_class_names_is_cut_by_its_signatures() -> None:
    """Class names generated by a CSS-in-JS build ("sc-li2 aBcDe") give no thread away, and the heading
    over it names no comments: the readers' signatures ("— Posted by Dan, Eastfield"), one shape under
    every comment with prose between, are what shows the story has ended."""
    text = _extract("comments-generated-classes.html", "https://riversidepost.example/news/night-bus-trial")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Night buses will run on three of the city's busiest routes")
    assert paragraphs[-1].endswith("extend it to more routes or end it when the money runs out.")
    assert len(paragraphs) == 4
    for comment in ("Posted by", "About time", "Thirty minutes is too long", "March 5th", "What you told us"):
        assert comment not in text


def test_a_counted_comments_heading_ends_the_story_in_a_plain_table_layout() -> None:
    """Boxes named "box" and "it" say nothing, and readers sign with bare user names: the heading that
    counts the comments ("3 comments so far") is the only sign, and what follows it is not the story."""
    text = _extract("comments-heading-counted.html", "https://coastlinegazette.example/news/harbour-dredging")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Dredging of the inner harbour will begin in the first week of April")
    assert paragraphs[-1].endswith("who chairs the local fishermen's association.")
    for comment in ("comments so far", "harbourwatcher", "licensed site?", "oldsalt", "Quay Street"):
        assert comment not in text


def test_a_blog_engines_thread_heading_ends_the_story_in_any_language() -> None:
    """Blog engines head a thread with its count and the post's title in quotes ("3 Antworten zu „…“",
    "5 thoughts on “…”"): in boxes with generated names that heading is the only sign of the thread."""
    text = _extract("comments-wordpress-heading-de.html", "https://gruenes-eck.example/2024/03/brunnen/")
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Drei trockene Sommer hintereinander haben gezeigt")
    assert paragraphs[-1].endswith("am ersten Samstag im Monat melden.")
    assert len(paragraphs) == 3
    for comment in ("Antworten zu", "Renate", "Wasserqualität", "Kuchen", "Danke euch beiden", "Impressum"):
        assert comment not in text


def test_the_authors_bio_after_the_story_is_left_out_whatever_its_box_is_called() -> None:
    """A box named "x" says nothing; the paragraph opening with the byline's name and a bio verb ("Priya
    Natarajan is a business writer ...") at the story's end is the author's bio, not the story."""
    article = extract(
        (BODY / "author-bio-unnamed-box.html").read_bytes(),
        "https://ledgernotes.example/work/four-day-week-accountants",
    )
    paragraphs = article.text.split("\n\n")
    assert article.authors == ["Priya Natarajan"]
    assert paragraphs[0].startswith("When the twelve staff of a small accounting firm in Leeds")
    assert paragraphs[-1].endswith("it used to take three months to find anyone.")
    assert len(paragraphs) == 4
    assert "business writer" not in article.text


def test_a_bio_line_needs_the_authors_name_and_a_bio_verb() -> None:
    """The full, first or last name of a byline author, then a verb a bio opens with; nothing else."""
    from scrapers import boilerplate as bp

    assert bp.author_bio_text("Tim Anderson has done many amazing things.", ("Tim Anderson",))
    assert bp.author_bio_text("Martin has worked as an engineer for ten years.", ("Martin Chikilian",))
    assert not bp.author_bio_text("Martin's team shipped the release on Monday.", ("Martin Chikilian",))
    assert not bp.author_bio_text("Tim Anderson has done many amazing things.", ())


def test_comment_thread_openers_and_signature_shapes_are_read_as_lines() -> None:
    """The line rules behind both thread cuts, on the lines they must and must not take."""
    from scrapers import boilerplate as bp

    for opener in (
        "142 Antworten zu „Würde des Lebens – ein Projekt“",
        "5 responses to “The Loneliest Woman in the World”",
        "2 réflexions sur « Le titre »",
        "Die Kommentarfunktion ist geschlossen.",
        "Vos réactions",
        "Be part of the conversation",
    ):
        assert bp.tail_start_text(opener), opener
    for opener in (
        "5 comments so far...",
        "Comments on this story",
        "No comments submitted yet",
        "12 responses so far",
    ):
        assert bp.tail_start_text(opener), opener
    for sentence in (
        "Comments from the minister were not available.",
        "Comments on this proposal are due by Friday.",
    ):
        assert not bp.tail_start_text(sentence), sentence
    for signed in (
        "Posted by: scott | Jan 10, 2008 6:45:32 PM",
        "— Posted by Tom, Manhattan Beach CA",
        "- Daniella C., Stanmore",
        "TonyZ (6 days ago)",
        "Frances McErlane, Mallorca, Spain",
    ):
        assert bp.signature_shape(signed), signed
    for line in (
        "About LG Electronics USA, Inc.",
        "The minister said:",
        "WASHINGTON (AP) — The Senate voted",
    ):
        assert not bp.signature_shape(line), line


def test_a_closing_bio_of_someone_the_story_never_named_is_left_out() -> None:
    """The page names its author nowhere a reader of markup can find (no byline, no metadata), so the
    byline-keyed bio rule has no name; the closing paragraph still reads as a contributor's note: a
    person the review never mentions, a bio verb, writing as a trade. The review's own people (named
    above) and its last line stay."""
    text = _extract("closing-bio-unnamed-author.html", "https://screen.example/reviews/salt-harbour")
    assert text.startswith("Ilse Marren's second feature spends most of its first hour")
    assert text.endswith("Salt Harbour opens in cinemas on Friday.")
    assert "Daniel Okafor" not in text and "Reel North" not in text


def test_a_closing_sentence_about_someone_the_story_named_is_not_a_bio() -> None:
    from scrapers.block_bio import drop_unnamed_bio

    story = [
        "The university will open a new marine research station on the island next spring, its "
        "director said on Monday, after a decade of fundraising and two rejected planning applications. "
        "Building work starts in May and should take eleven months, weather permitting.",
        "The station will house twelve researchers and a small public aquarium. Professor Hanne Lind, who "
        "led the campaign for it, said the island's reefs had been studied far less than the mainland's.",
        "Hanne Lind is a professor of marine biology and has written about the reefs for twenty years.",
    ]
    assert drop_unnamed_bio(story) == story
    stranger = [*story[:2], "Mark Dunn is a freelance writer based in Leeds. He writes about science."]
    assert drop_unnamed_bio(stranger) == story[:2]


def test_a_comment_sections_house_rules_after_the_story_end_it() -> None:
    """The rules of the comment section follow the story in boxes nothing names; what they say about
    comments (moderated, republished, civil) ends the story, and their heading goes with them."""
    text = _extract("comment-house-rules-after-story.html", "https://herald.example/news/teacher-injured")
    assert text.startswith("PORT ELLIS — A teacher needed hospital treatment on Friday")
    assert "thanked parents who had helped the injured teacher." in text
    assert "HOUSE RULES" not in text
    assert "comments" not in text


def test_a_comment_policy_above_the_story_goes_alone_and_a_policy_page_keeps_itself() -> None:
    from scrapers.block_comment_policy import cut_comment_policy

    story = [
        "LONDON -- The period drama led the nominations for the film awards on Wednesday, with fourteen "
        "nods including best film, best director and both lead acting categories.",
        "The awards, to be handed out at the opera house next month, are seen as a guide to the Oscars. "
        "Two thrillers and a documentary about a jazz club received six nominations each.",
        "Organisers said more members than ever had voted this year, after the academy opened its "
        "membership to younger film-makers and to technicians from outside London.",
    ]
    policy = [
        "Discussion Policy",
        "Comments that include profanity or personal attacks will be removed from the site.",
    ]
    assert cut_comment_policy([*policy, *story]) == story
    assert cut_comment_policy(policy) == policy
    # a story that reports on a comment policy, with more of the story after it, keeps every line
    reported = [story[0], "The paper said comments are moderated by two editors.", *story[1:], story[0]]
    assert cut_comment_policy(reported) == reported


def test_publication_stamps_set_as_lines_are_left_out_wherever_they_sit() -> None:
    """ "Last Edited: ...", "Created: ..." and "3 days ago" in boxes nothing names: a label that says the
    page was put out or changed, then only a date and a time, or a time relative to the visit. A
    fact line of the story ("Deadline: 31 March 2008") is not a stamp, and stays."""
    text = _extract("publication-stamps-as-lines.html", "https://bayside.example/news/ferry-electric")
    assert text.startswith("BAYSIDE -- The harbour ferry company has ordered two battery-powered boats")
    assert "Deadline: 31 March 2008" in text
    assert text.endswith("at the town hall until the end of March.")
    for stamp in ("Last Edited", "Created:", "11:09 PM", "days ago"):
        assert stamp not in text


def test_a_stamp_line_is_only_a_labelled_date_or_a_relative_time() -> None:
    from scrapers.block_stamps import stamp_text

    assert stamp_text("Article Launched: 01/18/2008 04:23:16 AM PST")
    assert stamp_text("Aktualisiert: 12.05.2024, 14:30 Uhr")
    assert stamp_text("14 hours ago") and stamp_text("vor 3 Stunden")
    assert stamp_text("Video verfügbar bis 28.02.2021")
    assert not stamp_text("Tickets are available until 3 May 2024")
    assert not stamp_text("Note: the meeting on March 3, 2024 was cancelled.")
    assert not stamp_text("Published: a new report on ferry safety")


def test_picture_credits_set_as_lines_of_the_body_are_left_out() -> None:
    """Captions in plain ``<div>`` boxes beside script-loaded pictures: a credit alone on its line
    ("Photograph by NAME") and a caption closed by one (", photo: NAME") go; the story's own sentence
    about photographs stays. (A caption with no credit in it, the first box, reads as a short line of
    the story, and is not this rule's to judge.)"""
    text = _extract("photo-credits-as-lines.html", "https://wildatlantic.example/islands/goats-gone")
    assert "It takes four hours to sail to the island" in text
    assert text.endswith("count what comes back by itself.")
    assert "Photograph by" not in text and "photo: Fauna Trust" not in text and "©" not in text
    assert "Photographs taken every spring since then show the grass coming back first" in text


def test_a_credit_line_is_the_picture_and_its_maker_and_nothing_else() -> None:
    from scrapers.block_credits import credit_line

    assert credit_line("Photograph by Ed Marshall, Island Restoration Programme")
    assert credit_line("(crédito: Minervino Júnior/CB/D.A.Press)")
    assert credit_line("Fotos: Tobias König und Michael Romstöck")
    assert credit_line("Roman Prymula, photo: Archives du Gouvernement tchèque")
    assert credit_line("Die Infrastruktur ist seit 2009 in eine Katastrophe abgestürzt. © zvg")
    assert not credit_line("Bilder des Diktators von Nordkorea veröffentlicht")
    assert not credit_line("Photos by the police show the car was parked on the pavement.")
    assert not credit_line("The photographer, Jane Doe, said: it was the best picture of her life.")


def test_an_about_the_author_box_after_the_story_is_left_out() -> None:
    """ "Über NAME 257 Artikel" over a paragraph about the writer, in boxes nothing names, after the
    story's last paragraph: the writer's box, not the story."""
    text = _extract("about-author-box-de.html", "https://schanzenblick.example/kramer-spiele/")
    assert text.startswith("Was nach dem Weltcup in Willingen befürchtet wurde")
    assert text.endswith("im März bei den Weltcups in Norwegen wieder angreifen.")
    assert "Über Lukas Holmer" not in text and "Seit 2010 als Journalist" not in text


def test_about_boxes_and_self_introductions_close_a_story_but_a_press_release_keeps_its_issuer() -> None:
    from scrapers.block_about import drop_about_boxes

    story = [
        "The harbour board approved the new ferry timetable on Tuesday, with boats every half hour from "
        "six in the morning until midnight on weekdays and an hourly service through the night at weekends.",
        "The board said the change would cost about two million a year and would be reviewed in the "
        "spring, once the first winter's passenger numbers are known to the operator and the council.",
        "Passenger groups welcomed the decision but asked for later boats on Sundays as well.",
    ]
    intro = "Hi! My name is Florina and I've been a plant junkie for four years now."
    assert drop_about_boxes([*story, intro]) == story
    about = ["About Dana Whitlow", "Dana has covered the port for the paper since 2015."]
    assert drop_about_boxes([*story, *about]) == story
    issuer = ["About Harbourline", "Harbourline is a ferry operator serving six ports on the east coast."]
    assert drop_about_boxes([*story, *issuer]) == [*story, *issuer]
    assert drop_about_boxes([intro, *story]) == [intro, *story]  # opening the page: its own text


def test_consent_lines_between_and_after_the_paragraphs_are_left_out() -> None:
    """An embed's placeholder ("click to load the content of www.host") and a cookie notice in boxes
    nothing names, set among and after the story's paragraphs: the site asking its reader for consent."""
    text = _extract("consent-lines-in-story-de.html", "https://unterwegs.example/radtouren/friedrichsfelde/")
    assert text.startswith("Die Tour beginnt am Bahnhof Friedrichsfelde-Ost")
    assert text.endswith("dann zurück zum Bahnhof.")
    assert "Klicken Sie" not in text and "Cookies" not in text


def test_a_consent_line_asks_the_reader_and_a_story_about_cookie_rules_does_not() -> None:
    from scrapers.block_consent import consent_line

    assert consent_line(
        "Wenn Sie dieses Youtube-Video sehen möchten, müssen Sie die externen YouTube-cookies akzeptieren."
    )
    assert consent_line(
        "We use cookies to improve your experience. By continuing you accept our use of cookies."
    )
    assert consent_line("Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.")
    assert not consent_line("Websites must ask users before they store cookies, the court ruled on Tuesday.")
    assert not consent_line(
        "Alle Datenpakete laden die Inhalte nicht mehr von Google, sondern von unserem Server. "
        "Cookies finden keine Anwendung."
    )
