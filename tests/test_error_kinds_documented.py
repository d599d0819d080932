"""The error kinds are a contract other systems read from the errors table and the export; the README's
list is where users learn them, so it names every kind the code can record (it had missed ``too_complex``
and the new ``off_site``)."""

from __future__ import annotations

import re
from pathlib import Path

from scrapers.errors import ErrorKind

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_every_error_kind_in_the_taxonomy_sentence() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"\(`scrapers/errors\.py`: ([^)]*)\)", text)
    assert match is not None, "the README's taxonomy sentence is gone"
    listed = [kind.strip() for kind in match.group(1).replace("\n", " ").split(",")]
    assert listed == [kind.value for kind in ErrorKind]
