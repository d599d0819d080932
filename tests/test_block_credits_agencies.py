"""Picture credits that name a stock agency (issue 7, unseen templates): a small extension of
``scrapers.block_credits``, held to a class-free page of captions in plain ``<div>`` boxes."""

from __future__ import annotations

from pathlib import Path

from scrapers.block_credits import credit_line
from scrapers.extract import extract

BODY = Path(__file__).parent / "fixtures" / "pages" / "body"


def test_stock_agency_credits_beside_pictures_are_left_out() -> None:
    """Captions closed by a stock agency's credit ("| NAME/Getty Images", "(NAME / iStock.com)") and an
    "iStock/NAME" line, in boxes nothing names; the story's own sentence about Getty Images stays."""
    text = extract(
        (BODY / "stock-photo-credits.html").read_bytes(), "https://daleweekly.example/farming/hedgerows"
    ).text
    assert "Getty Images, show how bare the fields had become" in text
    assert "Kate Marlow" not in text and "iStock" not in text and "yellowhammer" not in text
    assert text.endswith("for its Saturday work parties.")


def test_a_credit_names_a_stock_agency_after_a_bar_slash_or_parenthesis() -> None:
    assert credit_line("Rep. Mark Meadows. | Alex Wong/Getty Images")
    assert credit_line("Lord Condon (Pic:PA)") and credit_line("iStock/Gargonia")
    assert credit_line("Wer die Äste immer wieder auf die Wege zieht, ist unklar (Symbolbild).")
    assert not credit_line("The agency said it had licensed the photo from Getty Images")
    assert not credit_line("Er verkaufte seine Bilder an Getty Images.")


def test_the_spanish_picture_words_open_a_credit() -> None:
    """ "Imagen: Télam" under a picture whose ``<figcaption>`` an old template set as a ``<div>``."""
    assert credit_line("Imagen: Télam") and credit_line("Imágenes: AFP")
    assert not credit_line("La imagen muestra el Congreso vacío.")
