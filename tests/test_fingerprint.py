"""Fingerprints on wire-like text: the normal form, the exact key, the MinHash behaviour dedup relies on."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from worker import fingerprint, fingerprint_v2
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

SIGNATURES = Path(__file__).parent / "fixtures" / "signatures"

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
# sha256 prefix of the format-2 MinHash values of STORY, unchanged since format version 1.
PINNED_VALUES_V2 = "12ed60bec88a81b8"
# sha256 prefixes of the whole format-2 bytes (values, sizes, salient and lead sketches), as releases before
# format 3 stored them (also kept whole under tests/fixtures/signatures/), on wire English and on
# mixed-script, typographic text that takes the Unicode paths.
MIXED = (
    "Le maire de Zürich a annoncé « un plan » de 12,5 millions \u2014 lundi. "
    "東京都の知事は会見で述べた。 Shares of \u0132ssel Holdings rose 3.2% after the "
    "\ufb01rst-quarter results, said Anna \u0141ukasz.\n\n"
) * 3
PINNED_BYTES_V2 = {STORY: "a49df97628672f60", MIXED: "d1af3c5d6f0fcb04"}
# The same for format 3 (one-permutation MinHash): a change here strands every row stored since.
PINNED_VALUES = "dd6cf56fe0236700"
PINNED_BYTES = {STORY: "6b4ece0962c7048b", MIXED: "6f734f7a8cba0ae3"}
STORED_V2 = {STORY: "story.v2.hex", MIXED: "mixed.v2.hex"}


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
    assert data[0] == 3 and len(data) == 4 + 8 * NUM_PERM + 8 + 4 * (len(sig.salient) + len(sig.lead))
    again = Signature.from_bytes(data)
    assert again == sig and again.hashvalues.dtype == np.uint64
    assert again.jaccard(sig) == 1.0
    assert again.size == sig.size == len(shingle_hashes(tokens(STORY)))
    assert np.array_equal(again.salient, sig.salient) and np.array_equal(again.lead, sig.lead)


def test_signatures_made_or_read_in_place_are_frozen_and_keep_their_bytes() -> None:
    """The fast paths (a new signature's arrays frozen in place; stored bytes read as views of themselves)
    give what the general constructor gives: read-only arrays of the stored dtypes, the same bytes back,
    and a copy of a mutable buffer, so later writes into that buffer change no signature."""
    sig = signature(STORY)
    data = sig.to_bytes()
    for array in (sig.hashvalues, sig.salient, sig.lead):
        assert array is not None and not array.flags.writeable
    buffer = bytearray(data)
    for source in (data, buffer, memoryview(buffer)):
        again = Signature.from_bytes(source)
        assert again.to_bytes() == data and again == sig
        assert again.hashvalues.dtype == np.uint64 and again.salient is not None
        assert again.salient.dtype == again.lead.dtype == np.uint32
        for array in (again.hashvalues, again.salient, again.lead):
            assert not array.flags.writeable
    kept = Signature.from_bytes(buffer)
    buffer[4:12] = bytes(8)
    assert kept.to_bytes() == data and kept == sig
    assert Signature.from_bytes(bytes(buffer)) != sig


def test_version_1_signatures_stored_before_clusters_still_read() -> None:
    sig = signature(STORY)
    old = bytes([1]) + sig.to_bytes()[1 : 4 + 8 * NUM_PERM]
    again = Signature.from_bytes(old)
    assert again == sig and again.size is None and again.salient is None
    assert again.to_bytes() == old


def test_signature_bytes_are_stable_across_processes_and_versions() -> None:
    """Pinned bytes: a change here strands every stored signature, so it must be a new format version."""
    import subprocess
    import sys
    import tempfile

    code = (
        "from worker.fingerprint import signature; import sys; "
        "sys.stdout.write(signature(open(sys.argv[1], encoding='utf-8').read()).to_bytes().hex())"
    )
    for text in (STORY, MIXED):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
            handle.write(text)
        other = subprocess.run(
            [sys.executable, "-c", code, handle.name],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": "12345", "PATH": ""},
        ).stdout
        assert other == signature(text).to_bytes().hex()
    values = signature(STORY).hashvalues.astype("<u8").tobytes()
    assert hashlib.sha256(values).hexdigest()[:16] == PINNED_VALUES
    for text, pinned in PINNED_BYTES.items():
        assert hashlib.sha256(signature(text).to_bytes()).hexdigest()[:16] == pinned


def test_format_2_rows_stored_by_older_releases_still_read_and_round_trip() -> None:
    for text, name in STORED_V2.items():
        data = bytes.fromhex((SIGNATURES / name).read_text().strip())
        assert hashlib.sha256(data).hexdigest()[:16] == PINNED_BYTES_V2[text]
        old = Signature.from_bytes(data)
        assert old.version == 2 and old.to_bytes() == data  # written back as it was read
        new = signature(text)
        # Only the values changed between the formats: sizes and sketches are the same bytes.
        assert data[4 + 8 * NUM_PERM :] == new.to_bytes()[4 + 8 * NUM_PERM :]
        # Different hash families: a format-2 row never looks like a copy of a format-3 one.
        assert old.equal_count(new) == 0


def test_the_frozen_format_2_computation_still_gives_the_stored_bytes() -> None:
    """What migration 0005's downgrade writes back must be exactly what older releases stored."""
    for text, name in STORED_V2.items():
        assert fingerprint_v2.signature(text).to_bytes().hex() == (SIGNATURES / name).read_text().strip()
    values = fingerprint_v2.signature(STORY).hashvalues.astype("<u8").tobytes()
    assert hashlib.sha256(values).hexdigest()[:16] == PINNED_VALUES_V2


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


def test_format_2_values_equal_datasketch_minhash_on_the_same_shingles() -> None:
    hashes = shingle_hashes(tokens(STORY))
    reference = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine64", hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(fingerprint_v2.minhash_values(hashes), reference.hashvalues)


def _shingle_sets(rng: np.random.Generator, size: int, shared: float) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of ``size`` random 64-bit shingle hashes sharing a ``shared`` part of each."""
    common = int(size * shared)
    pool = rng.integers(0, 2**63, size=2 * size, dtype=np.int64).astype(np.uint64)
    return pool[:size], np.concatenate([pool[:common], pool[size : 2 * size - common]])


@pytest.mark.parametrize("size", [8, 40, 128, 450, 3000])
def test_one_permutation_estimate_is_unbiased_at_every_text_length(size: int) -> None:
    """Each position agrees with probability equal to the Jaccard similarity, as with 128 independent
    permutations: with bins to spare (short texts, densified) as well as with many shingles per bin. The
    mean over 300 pairs is within 0.02 of the exact value (its standard error is under 0.005)."""
    rng = np.random.default_rng(size)
    for shared in (0.3, 0.6, 0.9):
        estimates, exact = [], []
        for _ in range(300):
            a, b = _shingle_sets(rng, size, shared)
            estimates.append(signature_of_shingles(a).jaccard(signature_of_shingles(b)))
            common = int(size * shared)  # random 64-bit draws: distinct, so the sets are exactly sized
            exact.append(common / (2 * size - common))
        assert abs(np.mean(estimates) - np.mean(exact)) < 0.02, (size, shared)


def test_densified_values_are_full_and_tied_to_the_text() -> None:
    """A text with fewer shingles than bins still fills every position, from its own shingles only."""
    one = signature_of_shingles(np.array([12345], dtype=np.uint64))
    assert len(set(one.hashvalues.tolist())) == 1  # one shingle: every bin borrows it
    shingles = np.arange(1, 10, dtype=np.uint64)
    minima: dict[int, int] = {}
    for mixed in fingerprint.fmix64(shingles).tolist():
        slot = ((mixed >> 32) * NUM_PERM) >> 32  # the bin the top bits choose
        minima[slot] = min(mixed, minima.get(slot, mixed))
    few = signature_of_shingles(shingles)
    assert set(few.hashvalues.tolist()) == set(minima.values())  # each bin's least, nothing else
    assert all(few.hashvalues[slot] == least for slot, least in minima.items())


def test_signatures_are_the_same_from_many_threads_and_after_the_cache_restarts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chunk cache is shared by a worker's threads and restarted when full; neither may change a
    signature."""
    texts = [STORY, MIXED] + [STORY.replace("four", f"{n} new") + f" Extra {n}." for n in range(40)]
    expected = [signature(text).to_bytes() for text in texts]
    monkeypatch.setattr(fingerprint, "_chunks", fingerprint._Chunks())
    monkeypatch.setattr(fingerprint, "_TOKEN_CACHE_LIMIT", 50)
    results: dict[int, list[bytes]] = {}

    def work(worker: int) -> None:
        order = texts[worker:] + texts[:worker]
        results[worker] = [signature(text).to_bytes() for text in order]

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker, got in results.items():
        assert got == expected[worker:] + expected[:worker]


# Chunks that take every path of the chunk table: plain, typographic, figures inside words, names after
# sentence ends and opening quotes, CJK, ligatures and compatibility forms NFKC rewrites, zero-width
# characters that leave a chunk with no word, a backtick, and chunks that are only punctuation.
ODD_TEXTS = [
    STORY,
    MIXED,
    "`Quoted` 1,200 3.5% ab12cd 12-13 \u201cHello\u201d \u2014 Dr. O\u2019Neil met \u00c9lodie in \u6771\u4eac.",
    "\u200b \u00ad\u200b ... -- \u2026 \u00bd \u00b2 \uff21\uff22 \ufb01ne \u0132 \u2033 \u00ab Zoë \u00bb",
    "SHOUTING HEADLINE\n\nThe lead line follows here with enough words to read as a lead paragraph, it does.",
    "",
    "one",
]


def _reference_row(chunk: str) -> tuple[list[str], list[str], int, str]:
    """A chunk's words, figures, flags and name as the chunk table first computed them, one at a time."""
    folded = chunk.lower() if chunk.isascii() else fingerprint.fold(chunk)
    words = (fingerprint._ASCII_TOKEN if folded.isascii() else fingerprint._TOKEN).findall(folded)
    capital = chunk[0].isupper()
    flags = (1 if capital else 0) | (2 if chunk[-1] in fingerprint._SENTENCE_END else 0)
    return words, fingerprint._NUMBER.findall(chunk), flags, chunk.strip(fingerprint._PUNCTUATION).casefold()


def test_the_chunk_table_reads_many_chunks_at_once_as_it_read_each_alone() -> None:
    """The table reads all unseen chunks in one pass; each row must be what reading it alone gave."""
    table = fingerprint._Chunks()
    chunks = list(dict.fromkeys(c for text in ODD_TEXTS for c in unicodedata.normalize("NFKC", text).split()))
    ids = table.lookup(chunks)
    for chunk, row_id in zip(chunks, ids.tolist(), strict=True):
        words, figures, flags, name = _reference_row(chunk)
        start, count, fig_start, fig_count, got_flags = table.rows[row_id].tolist()
        assert table.words[start : start + count].tolist() == fingerprint.token_hashes(words).tolist(), chunk
        assert table.numbers[fig_start : fig_start + fig_count].tolist() == (
            fingerprint.token_hashes(figures).tolist()
        ), chunk
        assert got_flags == flags, chunk
        if flags & 1:
            assert int(table.capitals[row_id]) == fingerprint._token_hash(name), chunk


def test_fingerprints_of_a_batch_equal_each_text_fingerprinted_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch path shares the normal form and the chunk lookup; its values must be exactly the
    one-text functions', from a fresh chunk table and from a warm one."""
    texts = [text for text in ODD_TEXTS if text.strip()] + [STORY.replace("four", "4`s") + " Extra."]
    expected = [(content_hash(text), signature(text).to_bytes()) for text in texts]
    for table in (fingerprint._Chunks(), fingerprint._chunks):
        monkeypatch.setattr(fingerprint, "_chunks", table)
        got = [(chash, sig.to_bytes()) for chash, sig in fingerprint.fingerprints(texts)]
        assert got == expected
        many = texts * (1 + fingerprint._FEW // len(texts))  # past the few texts taken one by one
        got = [(chash, sig.to_bytes()) for chash, sig in fingerprint.fingerprints(many)]
        assert got == expected * (1 + fingerprint._FEW // len(texts))
    assert fingerprint.fingerprints([]) == []


def test_a_lookup_that_misses_some_chunks_gives_every_chunk_its_own_id() -> None:
    """A running worker's batches mix chunks the table holds with new ones (repeated within the batch
    too): only the misses are read again, and every position must still get its own chunk's id."""
    table = fingerprint._Chunks()
    chunks = list(dict.fromkeys(c for text in ODD_TEXTS for c in unicodedata.normalize("NFKC", text).split()))
    known = chunks[::2]
    table.lookup(known)
    batch = [chunks[i % len(chunks)] for i in range(3 * len(chunks))][::-1]
    ids = table.lookup(batch)
    assert len(table) == len(chunks)
    one_by_one = {chunk: int(table.lookup([chunk])[0]) for chunk in chunks}
    assert len(table) == len(chunks)  # nothing added twice
    assert ids.tolist() == [one_by_one[chunk] for chunk in batch]
    assert {one_by_one[chunk] for chunk in known} == set(range(len(known)))  # held before, kept
    assert len(set(one_by_one.values())) == len(chunks)


def test_one_text_takes_the_tables_own_ids_through_its_dict_and_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A single text (``signature``, a crawled page) looks its chunks up in a dict instead of the byte
    scan: every chunk must get the id the byte path gives it, whichever path met it first, and the
    signature the byte path gives, also when the dict starts over (here every few texts) and with the
    whitespace NFKC keeps (U+0085, U+2028), which ``str.split`` and the scan must both cut at."""
    texts = [unicodedata.normalize("NFKC", text) for text in ODD_TEXTS]
    texts += ["Odd\u0085spaces\u2028split Here and\u2029there \u1680 too.", STORY.replace("four", "five")]
    monkeypatch.setattr(fingerprint, "_BY_TEXT_LIMIT", 12)
    most = max(len(text.split()) for text in texts)
    for first_by_bytes in (False, True):
        table = fingerprint._Chunks()
        monkeypatch.setattr(fingerprint, "_chunks", table)
        if first_by_bytes:
            table.lookup([chunk for text in texts for chunk in text.split()][::-1])
        for text in texts * 2:
            ids = table.ids_of_text(text)
            assert ids.tolist() == table.lookup(text.split()).tolist(), text
            assert len(table.by_text) <= 12 + most  # bounded: past the limit it starts over
        assert table.ids_of_text(texts[-1]).tolist() == table.lookup(texts[-1].split()).tolist()  # a hit
        alone = [fingerprint.signature(text).to_bytes() for text in texts]
        many = texts * (1 + fingerprint._FEW // len(texts))
        assert [sig.to_bytes() for _, sig in fingerprint.fingerprints(many)][: len(texts)] == alone
    assert table.ids_of_text("").tolist() == []


def test_a_fresh_ingest_command_never_imports_datasketch() -> None:
    """datasketch pulls in scipy, over a second of a fresh process. Every command's schema check reads the
    migration scripts, and migration 0005 imports format 2 (``fingerprint_v2``): that import alone must not
    bring datasketch in, nor must anything else a pushed item goes through."""
    code = (
        "import sys\n"
        "import worker.cli, worker.pipeline, worker.fingerprint_v2\n"
        "from worker.fingerprint import fingerprints\n"
        "fingerprints(['A short story about nothing at all, told twice.'])\n"
        "assert not {'datasketch', 'scipy'} & set(sys.modules), sorted({'datasketch', 'scipy'} & set(sys.modules))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


def test_the_judges_second_read_of_a_batch_text_equals_the_byte_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The story judge reads the words of the item it judges again (``TextProbe``); a text of the last
    batch ``fingerprints`` read is taken from that batch's arrays (``_RecentBatch``). Its words, salient
    tokens and chunk word counts must be the byte path's, for texts with and without figures, capitalised
    names at a sentence's start and inside it, texts too short for a shingle, Unicode and odd spaces; a
    text the batch did not read (a head cut from one, a stored text) still takes the byte path."""
    texts = [unicodedata.normalize("NFKC", text) for text in ODD_TEXTS]
    texts += [STORY, MIXED.strip(), "Too short.", "Shares rose 3.2% at Acme Corp on Monday, Reuters said."]
    texts += [STORY.replace("four", "five").replace("Tuesday", "Friday 12 May")]
    texts = list(dict.fromkeys(unicodedata.normalize("NFKC", text) for text in texts if text.strip()))
    assert len(texts) >= fingerprint._FEW  # the batch path, which leaves its arrays behind
    monkeypatch.setattr(fingerprint, "_recent", None)
    alone = {text: fingerprint._stream(text) for text in texts}  # byte path: nothing recent yet
    fingerprint.fingerprints(texts)
    assert fingerprint._recent is not None
    for text in texts:
        assert fingerprint._recent.stream_of(text) is not None, text
        from_batch, by_bytes = fingerprint._stream(text), alone[text]
        assert from_batch.words.tolist() == by_bytes.words.tolist(), text
        assert from_batch.salient.tolist() == by_bytes.salient.tolist(), text
        assert from_batch.chunk_words.tolist() == by_bytes.chunk_words.tolist(), text
    head = STORY[:300]
    assert fingerprint._recent.stream_of(head) is None
    expected = fingerprint.token_hashes(tokens(head)).tolist()
    assert fingerprint._stream(head).words.tolist() == expected


CASE_TEXTS = [
    "\u201cΟΔΟΣ\u201d closed, said Σίσυφος \u2014 STRAẞE and Straße, İstanbul and ſtop, \u13a0\uab70 \u00b4x\u00b4",
    "Zoë\u2019s `café` \u2026 \u00c9LODIE met \u0130smail; \u0149 and \ufb01ne \u212a \u00b5 \u1e9e \u2033",
    "Hidden\u00ad soft hyphen and \u200b zero width \u201cquotes\u201d in an otherwise plain ÉTÉ story.",
    "Plain ASCII `text` with a backtick and CAPITALS only.",
]


def test_the_batch_hashes_non_ascii_bytes_as_the_text_hash_folds_the_text() -> None:
    """The batch folds a non-ASCII text's UTF-8 bytes (ASCII lower-cased, its few other characters
    replaced whole) instead of the decoded text: every case, typography and invisible character must
    give ``content_hash``'s value, including characters whose folding is longer (ß, İ) or context-free
    where lower-casing is not (a final sigma)."""
    for text in CASE_TEXTS:
        normal = unicodedata.normalize("NFKC", text)
        joined = " ".join(normal.split()).encode("utf-8")
        assert fingerprint._hash_of_utf8(normal, joined) == content_hash(text), text
    batch = CASE_TEXTS * (1 + fingerprint._FEW // len(CASE_TEXTS))
    assert [chash for chash, _ in fingerprint.fingerprints(batch)] == [content_hash(t) for t in batch]
