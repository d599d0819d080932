"""The story judge's work shared across one item's candidates and rules, without changing an answer.

- ``members`` is ``np.isin`` by a binary search: the same booleans on any arrays (duplicates, empty,
  mixed widths), so the lead readings built on it cannot move.
- An item's verdict against a stored signature is worked out once: the rules ask again for the verdict
  on the story's representative, which the story judge gave as one of its candidates (most joining
  items), and a copy stored under two keys is one stored signature. Checked by counting the pairs
  ``judge`` is asked, and against a fresh ``judge`` on every pair.
- The new item's lead is found in its text once however many candidates ask (``TextProbe.lead_at``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from worker import pipeline as pipeline_module
from worker import relation, rules
from worker.fingerprint import Signature, signature
from worker.pipeline import Outcome, Pipeline
from worker.relation import TextProbe, judge, judged, members
from worker.store import Store

WIRE = Path(__file__).parent / "fixtures" / "wire"


def _story(name: str) -> str:
    return (WIRE / f"{name}.txt").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("seed", range(6))
def test_members_answers_as_isin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(200):
        span = int(rng.integers(1, 80))
        values = rng.integers(0, span, int(rng.integers(0, 300))).astype(np.uint32)
        wanted = rng.integers(0, span, int(rng.integers(0, 24))).astype(np.uint32)
        assert np.array_equal(members(values, wanted), np.isin(values, wanted))
        ordered = np.unique(wanted)  # as TextProbe.tops is made
        assert np.array_equal(members(values, ordered, wanted_sorted=True), np.isin(values, wanted))
        assert np.array_equal(members(wanted, values), np.isin(wanted, values))
    wide = rng.integers(0, 2**63, 50, dtype=np.uint64)
    assert np.array_equal(members(wide, wide[::3]), np.isin(wide, wide[::3]))
    assert members(np.empty(0, np.uint32), wide).shape == (0,)


def _counting(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[int, bytes, int]]:
    asked: Counter[tuple[int, bytes, int]] = Counter()
    original = relation.judge

    def counted(new: Signature, old: Signature, equal: int, *args: Any, **kwargs: Any) -> Any:
        asked[(id(new), old.to_bytes(), equal)] += 1
        return original(new, old, equal, *args, **kwargs)

    for module in (relation, rules, pipeline_module):  # wherever a caller reads the name ``judge``
        if hasattr(module, "judge"):
            monkeypatch.setattr(module, "judge", counted)
    return asked


def test_the_rules_reuse_the_story_judges_verdict_on_the_representative(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trim of a stored story: the story judge judges it against the story (its one candidate), and
    the rules then ask for its verdict against the story's representative, the same stored signature.
    Before, ``judge`` ran twice on that pair."""
    strike = _story("port-strike")
    trim = "\n\n".join(strike.split("\n\n")[:-2])
    pipeline = Pipeline(store)
    first = pipeline.ingest_item({"url": "https://a.example/strike", "title": "t", "text": strike})
    assert first.outcome is Outcome.STORED
    asked = _counting(monkeypatch)
    decision = pipeline.ingest_item({"url": "https://b.example/trim", "title": "t", "text": trim})
    assert decision.outcome is Outcome.DUPLICATE
    assert asked and max(asked.values()) == 1, asked


def test_a_kept_verdict_is_the_verdict_judge_gives() -> None:
    """Each pair of the wire fixtures, judged through the probe's memory twice (the second answer is the
    kept one) and by a fresh ``judge`` with a fresh probe: the same verdicts."""
    texts = {path.stem: path.read_text(encoding="utf-8").strip() for path in sorted(WIRE.glob("*.txt"))}
    texts["trim"] = "\n\n".join(texts["port-strike"].split("\n\n")[:-2])
    texts["noted"] = "Editor's note: corrects the day.\n\n" + texts["port-strike"]
    sigs = {name: signature(text) for name, text in texts.items()}
    judged_any = 0
    for name, text in texts.items():
        probe, new = TextProbe(text), sigs[name]
        for other, old in sigs.items():
            if other == name:
                continue
            equal = new.equal_count(old)
            first = judged(new, old, equal, 0.5, probe)
            assert judged(new, Signature.from_bytes(old.to_bytes()), equal, 0.5, probe) == first
            assert first == judge(new, old, equal, 0.5, TextProbe(text))
            judged_any += first is not None
    assert judged_any >= 4  # the trims and the noted copy relate to the story, both ways


def test_the_new_items_lead_is_found_once_for_all_its_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    strike = _story("port-strike")
    noted = "Editor's note: this story was updated.\n\n" + strike
    new = signature(noted)
    olds = [signature(strike), signature("\n\n".join(strike.split("\n\n")[:-1])), signature(strike[40:])]
    probe = TextProbe(noted)
    found: list[int | None] = []
    reads = Counter[int]()
    original = TextProbe._lead_at

    def counted(self: TextProbe, sig: Signature) -> int | None:
        reads[id(sig)] += 1
        return original(self, sig)

    monkeypatch.setattr(TextProbe, "_lead_at", counted)
    for old in olds:
        found.append(probe.lead_at(new))
        probe.window_at(old)
    assert reads[id(new)] == 1 and len(set(found)) == 1
    assert found[0] == original(TextProbe(noted), new)
