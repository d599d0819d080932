"""Fingerprints on wire-like text: the normal form, the exact key, the MinHash behaviour dedup relies on."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from worker.fingerprint import (
    NUM_PERM,
    SHINGLE_SIZE,
    Signature,
    content_hash,
    normalise_text,
    shingle_hashes,
    signature,
    signature_of_shingles,
    tokens,
)

STORY = (
    "The city council voted on Tuesday to expand the northern tram line by four stations, ending a two-year "
    "dispute over how the extension would be paid for. Supporters said the line would cut commuting times "
    "for tens of thousands of residents in the fast-growing suburbs, while opponents warned that the "
    'projected ridership figures were optimistic and that the costs could rise further. "We have waited '
    "long enough,\" said the council's transport chair, who pushed the plan through after a late amendment "
    "capped the city's share of the bill. Construction is expected to begin next spring and to take about "
    "three years. The regional government has promised to cover half of the cost, but its budget for next "
    "year has not yet been approved by the assembly, which meets again in October. Local businesses along "
    "the planned route said they feared months of disruption and asked for compensation during the works."
)
# sha256 prefix of the MinHash values of STORY, unchanged since format version 1.
PINNED_VALUES = "12ed60bec88a81b8"
# sha256 prefixes of the whole format-2 bytes (values, sizes, salient and lead sketches), taken before the
# fingerprint was sped up: the fast paths (ASCII tokens, sort-based distinct, blocked MinHash) must give
# the same bytes on wire English and on mixed-script, typographic text that takes the Unicode paths.
MIXED = (
    "Le maire de Zürich a annoncé « un plan » de 12,5 millions \u2014 lundi. "
    "東京都の知事は会見で述べた。 Shares of \u0132ssel Holdings rose 3.2% after the "
    "\ufb01rst-quarter results, said Anna \u0141ukasz.\n\n"
) * 3
PINNED_BYTES = {STORY: "a49df97628672f60", MIXED: "d1af3c5d6f0fcb04"}


def test_normal_form_ignores_typography_case_and_layout() -> None:
    plain = 'He said: "It\'s over - for now..." '
    fancy = "HE  SAID:\n\u201cIt\u2019s over \u2014 for now\u2026\u201d"
    assert normalise_text(plain) == normalise_text(fancy) == 'he said: "it\'s over - for now..."'
    assert normalise_text("\ufb01nance\u00a0caf\u00e9") == "finance café"  # NFKC ligature and no-break space


def test_content_hash_is_the_sha256_of_the_normal_form() -> None:
    reflowed = STORY.replace(". ", ".\n\n").replace('"', "\u201c", 1).upper()
    assert content_hash(STORY) == content_hash(reflowed)
    assert len(content_hash(STORY)) == 64
    assert content_hash(STORY) != content_hash(STORY.replace("four stations", "five stations"))


def test_tokens_drop_punctuation_and_split_unspaced_scripts() -> None:
    assert tokens("Prices rose 3.5% — the most since 2008.") == [
        "prices",
        "rose",
        "3",
        "5",
        "the",
        "most",
        "since",
        "2008",
    ]
    assert tokens("北京时间 today") == ["北", "京", "时", "间", "today"]


def test_signature_is_deterministic_and_round_trips_through_bytes() -> None:
    sig = signature(STORY)
    assert sig.num_perm == NUM_PERM and sig.shingle_size == SHINGLE_SIZE
    assert sig == signature(STORY)
    data = sig.to_bytes()
    assert data[0] == 2 and len(data) == 4 + 8 * NUM_PERM + 8 + 4 * (len(sig.salient) + len(sig.lead))
    again = Signature.from_bytes(data)
    assert again == sig and again.hashvalues.dtype == np.uint64
    assert again.jaccard(sig) == 1.0
    assert again.size == sig.size == len(shingle_hashes(tokens(STORY)))
    assert np.array_equal(again.salient, sig.salient) and np.array_equal(again.lead, sig.lead)


def test_version_1_signatures_stored_before_clusters_still_read() -> None:
    sig = signature(STORY)
    old = bytes([1]) + sig.to_bytes()[1 : 4 + 8 * NUM_PERM]
    again = Signature.from_bytes(old)
    assert again == sig and again.size is None and again.salient is None
    assert again.to_bytes() == old


def test_signature_bytes_are_stable_across_processes_and_versions() -> None:
    """Pinned bytes: a change here strands every stored signature, so it must be a new format version."""
    import hashlib
    import subprocess
    import sys

    code = (
        "from worker.fingerprint import signature; import sys; "
        "sys.stdout.write(signature(open(sys.argv[1]).read()).to_bytes().hex())"
    )
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write(STORY)
    other = subprocess.run(
        [sys.executable, "-c", code, handle.name],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout
    assert other == signature(STORY).to_bytes().hex()
    values = signature(STORY).hashvalues.astype("<u8").tobytes()
    assert hashlib.sha256(values).hexdigest()[:16] == PINNED_VALUES
    for text, pinned in PINNED_BYTES.items():
        assert hashlib.sha256(signature(text).to_bytes()).hexdigest()[:16] == pinned


def test_salient_tokens_are_names_places_and_numbers_not_sentence_starts() -> None:
    from worker.fingerprint import salient_hashes

    assert len(salient_hashes("The mayor of Leeds said 40 buses. The plan failed.")) == 2  # Leeds, 40
    assert len(salient_hashes("Lower case only, nothing salient here.")) == 0
    # Capitals outside the Basic Multilingual Plane (Deseret, Osage, Adlam) are names too.
    assert len(salient_hashes("the envoy met \U00010400\U00010428 and \u0394elta today")) == 2
    assert len(salient_hashes("the envoy met \U00010428\U00010428 and \u03b4elta today")) == 0


def test_corrupt_or_foreign_bytes_are_refused() -> None:
    data = signature(STORY).to_bytes()
    with pytest.raises(ValueError):
        Signature.from_bytes(data[:-1])
    with pytest.raises(ValueError):
        Signature.from_bytes(b"\x09" + data[1:])
    other = signature(STORY, shingle_size=3)
    with pytest.raises(ValueError):
        other.jaccard(signature(STORY))


def test_wire_edits_keep_similarity_high_and_a_different_story_low() -> None:
    base = signature(STORY)
    datelined = signature("BERLIN (Reuters) \u2014 " + STORY.replace('"', "\u201d"))
    trimmed = signature(STORY[: int(len(STORY) * 0.8)])
    different = signature(
        "The national football team named a new head coach on Monday after a disappointing tournament in "
        "which it failed to win a single match. The federation said the former youth team manager had signed "
        "a contract until the next world cup and would pick his first squad later this month."
    )
    assert datelined.jaccard(base) > 0.85
    assert trimmed.jaccard(base) > 0.6
    assert different.jaccard(base) < 0.05


def test_estimate_tracks_the_exact_jaccard_of_the_shingle_sets() -> None:
    words = tokens(STORY)
    half = words[: len(words) // 2] + ["entirely", "new", "material"] * 3 + words[len(words) // 2 + 20 :]
    a, b = set(shingle_hashes(words).tolist()), set(shingle_hashes(half).tolist())
    exact = len(a & b) / len(a | b)
    estimate = signature(" ".join(words)).jaccard(signature(" ".join(half)))
    assert 0.3 < exact < 0.95
    assert abs(estimate - exact) < 0.12  # 3 standard errors of a 128-permutation estimate


def test_short_texts_get_a_definite_signature() -> None:
    short = signature("Markets closed")
    assert short == signature("markets  closed.")
    assert short.jaccard(signature("Markets opened")) == 0.0
    assert signature("").jaccard(short) == 0.0
    assert signature("") == signature("   ")


def test_word_order_matters_within_a_shingle() -> None:
    forward = shingle_hashes(["a", "b", "c"], 3)
    backward = shingle_hashes(["c", "b", "a"], 3)
    assert forward.tolist() != backward.tolist()


def test_signature_equals_datasketch_minhash_on_the_same_shingles() -> None:
    hashes = shingle_hashes(tokens(STORY))
    reference = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine64", hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(signature_of_shingles(hashes).hashvalues, reference.hashvalues)
