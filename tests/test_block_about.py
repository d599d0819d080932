"""The blog's author introducing themself by their job under the post (issue 7, unseen templates).

The fixture's boxes carry generated class names only: the note is known by its opening, "As ROLE, I run
this blog", set after the post with nothing after it.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.block_about import drop_about_boxes
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"
STORY = [
    "Wer morgens zehn Minuten nach einem Vertrag sucht, verliert im Jahr mehrere Arbeitstage. Eine klare "
    "Ablage spart diese Zeit, und sie lässt sich mit wenigen Regeln einführen.",
    "Die erste Regel: Jedes Dokument hat genau einen Ort. Kopien in mehreren Ordnern führen dazu, dass "
    "niemand weiß, welche Fassung gilt, und am Ende wird doch wieder gesucht.",
    "Die zweite Regel: Ordnernamen beginnen mit dem Jahr, so sortiert sich die Ablage von selbst.",
]


def test_a_job_first_self_introduction_after_the_post_is_left_out() -> None:
    text = extract(
        (BODY / "role-intro-after-post-de.html").read_bytes(),
        "https://office-welt.example/organisation/ablage-tipps",
    ).text
    assert text.startswith("Wer morgens zehn Minuten nach einem Vertrag sucht")
    assert "nicht dem nächsten dringenden Termin geopfert wird." in text
    assert "Redaktionsleiterin" not in text and "Mein Ziel ist es" not in text


def test_job_first_introductions_in_three_languages() -> None:
    for intro in (
        "As the editor, I run this blog with two friends from the newsroom.",
        "En tant que rédactrice, je gère ce blog depuis 2019.",
        "Als Content Marketing Managerin betreue ich den Blog rund um Sekretariat und Assistenz.",
    ):
        assert drop_about_boxes([*STORY, intro]) == STORY, intro


def test_a_closing_line_about_the_writers_life_or_work_elsewhere_stays() -> None:
    for line in (
        "As a mother of three, I know how hard these mornings are.",
        "Als Bürgermeister leite ich die Stadt seit zehn Jahren, und die Ablage ist mein Dauerthema.",
    ):
        assert drop_about_boxes([*STORY, line]) == [*STORY, line], line
