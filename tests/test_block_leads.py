"""Other stories' leads under their own wire datelines after the story, found by the dateline's place."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_leads import drop_wire_leads, opens_with_dateline
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
PROSE = "The story goes on in a paragraph of its own, told in full sentences at some length. " * 2


def test_datelined_leads_after_a_story_are_left_out() -> None:
    text = extract(
        (BODY / "wire-leads-after-story.html").read_bytes(),
        "https://wirewatch.example/national/port-workers-call-off-strike",
    ).text
    assert text.startswith("Dock workers at the country's two largest ports called off a strike")
    assert text.endswith("work would go on as normal in the meantime. (Wirewatch)")
    for leaked in ("Eastport, Jan 15", "bus lane", "burglaries", "interest rate unchanged"):
        assert leaked not in text


def test_dateline_shapes() -> None:
    assert opens_with_dateline("New Delhi, Jan 15 (ANI): The Supreme Court today lifted the ban.")
    assert opens_with_dateline("TAIPEI, Taiwan (AP) - Taiwan's main opposition surged to a lead.")
    assert opens_with_dateline("BERLIN (dpa) – Die Regierung hat am Montag beschlossen, dass ...")
    assert not opens_with_dateline("The minister (who spoke to reporters) said the talks would go on.")
    assert not opens_with_dateline("Police said on Monday that two men had been arrested.")


def test_a_digest_and_a_list_within_the_story_keep_their_paragraphs() -> None:
    leads = [
        "Eastport, Jan 15 (Wirewatch): The council approved a bus lane on the coast road today.",
        "Hillford, Jan 15 (Wirewatch): Police arrested two men over a series of burglaries.",
    ]
    story = ["TOWN, Jan 15 (Wirewatch): " + PROSE, PROSE, PROSE]
    assert drop_wire_leads([*story, *leads]) == story
    # a digest: every item opens with its dateline, and some items run to two paragraphs
    digest = [leads[0], PROSE, leads[1], PROSE, *leads]
    assert drop_wire_leads(digest) == digest
    # the last story of a page is no lead of another: one datelined paragraph is never cut
    assert drop_wire_leads([PROSE, PROSE, leads[0]]) == [PROSE, PROSE, leads[0]]
    # leads that outweigh what comes before them are the page's content
    assert drop_wire_leads([PROSE[:150], *leads, *leads]) == [PROSE[:150], *leads, *leads]
