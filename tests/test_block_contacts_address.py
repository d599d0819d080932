"""A writer's or desk's e-mail address set as a line under the story, found by being little else."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_contacts import address_line, drop_address_lines
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_an_address_line_under_a_story_with_generated_names_is_left_out() -> None:
    text = extract(
        (BODY / "reporter-address-after-story.html").read_bytes(),
        "https://lahntal-rundschau.example/region/neue-lahnbruecke-2026",
    ).text
    assert text.startswith("Die neue Fußgängerbrücke über die Lahn soll im Herbst 2026 fertig sein.")
    assert text.endswith("bleibt der Uferweg auf der Nordseite teilweise gesperrt.")
    assert "lahntal-rundschau.example" not in text


def test_address_lines_in_four_languages() -> None:
    assert address_line("jbotchford@png.canwest.com")
    assert address_line("— Contact Star columnist David Lassen at dlassen@venturacountystar.com.")
    assert address_line("Kontakt: d.toelle[at]rechtambild.de –")
    assert address_line("Contacter l'auteur : c.martin@journal.example")
    assert address_line("Escríbale al autor: ana.ruiz@diario.example")


def test_a_sentence_giving_an_address_or_a_list_of_addresses_stays() -> None:
    assert not address_line(
        "Readers who saw the crash are asked to write to the police at witness@police.example before Friday."
    )
    story = ["The council published the addresses of its members. " * 10]
    members = [f"Ward {n} | Member {n} | member{n}@council.example" for n in range(6)]
    assert drop_address_lines(story + members) == story + members
