"""Lines asking the reader to comment or write in, found by whom they address and what they ask."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_prompts import prompt_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_a_prompt_to_comment_between_the_paragraphs_is_left_out() -> None:
    text = extract(
        (BODY / "reader-prompts-after-story.html").read_bytes(),
        "https://diariodelistmo.example/nacionales/avioneta-retenida",
    ).text
    assert text.startswith("El juez de primera instancia ordenó este martes")
    assert text.endswith("no quisieron hacer comentarios al salir de la sala.")
    assert "Deja tu comentario" not in text and "registrarte" not in text


def test_prompts_in_four_languages() -> None:
    assert prompt_line("Verraten Sie gerne in den Kommentaren: Was bedeutet der Award für Sie?")
    assert prompt_line("Let us know in the comments below!")
    assert prompt_line("You must be logged in to post a comment.")
    assert prompt_line(
        "Si vous souhaitez critiquer ou développer cet article, vous êtes invité à proposer un texte."
    )
    assert prompt_line("Para comentar debes registrarte y completar los datos generales.")
    assert prompt_line("Submit your letter to the editor via this form.")


def test_a_story_about_comments_or_letters_stays() -> None:
    assert not prompt_line("Residents can comment on the plan until May 5, the city said.")
    assert not prompt_line("The mayor wrote in the comments section of his blog that he would resign.")
    assert not prompt_line("Sie schrieb einen Leserbrief an die Zeitung, der am Montag erschien.")


def test_a_closing_paragraph_that_ends_with_a_prompt_stays() -> None:
    assert not prompt_line(
        "On this page you learned how to increase the font size of text elements in R. "
        "If you have any further questions, please tell me about it in the comments below."
    )
