"""The learned block scorer: its features, its numpy tree walk, its file, and its switch in extract()."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from scrapers import block_model
from scrapers.block_features import FEATURES, N_FEATURES, Blocks, candidates, extract_blocks
from scrapers.block_model import MODEL_PATH, TreeModel
from scrapers.content import analyse, find_region, prune
from scrapers.extract import extract, parse

PAGES = Path(__file__).parent / "fixtures" / "pages"
WORDPRESS = PAGES / "wordpress-harbour-ferry.html"


def _stump(threshold: float = 0.5) -> TreeModel:
    """One tree: log_chars <= 3 gives -2, else +2 (a leaf points to itself)."""
    at = FEATURES.index("log_chars")
    return TreeModel(
        feature=np.asarray([at, 0, 0], dtype=np.int32),
        split=np.asarray([3.0, np.inf, np.inf]),
        left=np.asarray([1, 1, 2], dtype=np.int32),
        right=np.asarray([2, 1, 2], dtype=np.int32),
        value=np.asarray([0.0, -2.0, 2.0]),
        roots=np.asarray([0], dtype=np.int32),
        depth=1,
        base=0.0,
        threshold=threshold,
        features=FEATURES,
    )


@pytest.fixture
def restore_switch():
    enabled, recorder = block_model.ENABLED, block_model.RECORDER
    yield
    block_model.ENABLED, block_model.RECORDER = enabled, recorder
    block_model.use(None)


def test_tree_walk_follows_splits_and_sums_trees() -> None:
    model = _stump()
    x = np.zeros((3, N_FEATURES), dtype=np.float32)
    x[:, FEATURES.index("log_chars")] = [1.0, 3.0, 5.0]
    probs = model.predict(x)
    sig = [1 / (1 + math.exp(2)), 1 / (1 + math.exp(2)), 1 / (1 + math.exp(-2))]
    assert probs.tolist() == pytest.approx(sig)
    assert model.predict(np.zeros((0, N_FEATURES))).shape == (0,)


def test_json_round_trip_and_feature_check() -> None:
    model = _stump(0.3)
    again = TreeModel.from_json(json.loads(json.dumps(model.to_json())))
    x = np.random.default_rng(1).normal(3, 2, size=(20, N_FEATURES))
    assert again.predict(x).tolist() == pytest.approx(model.predict(x).tolist())
    assert again.threshold == 0.3
    stale = model.to_json() | {"features": ["something", "else"]}
    with pytest.raises(ValueError, match="another feature set"):
        TreeModel.from_json(stale)


def test_lightgbm_trees_walk_to_the_same_probabilities() -> None:
    import lightgbm as lgb  # a dev dependency: a missing one must fail here, not skip

    from bench.train_block_model import to_tree_model

    rng = np.random.default_rng(7)
    x = rng.normal(size=(600, N_FEATURES))
    y = (x[:, 0] + 0.5 * x[:, 3] - x[:, 10] * x[:, 2] > 0).astype(int)
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 7, "verbose": -1, "num_threads": 1},
        lgb.Dataset(x, label=y),
        num_boost_round=30,
    )
    model = to_tree_model(booster, 0.5)
    assert model.predict(x) == pytest.approx(booster.predict(x), abs=1e-6)


def _region(path: Path):
    root = parse(path.read_text("utf-8"))
    prune(root)
    analysis = analyse(root)
    region = find_region(analysis)
    assert region is not None
    return analysis, region


def test_features_cover_the_leaf_blocks_of_the_region() -> None:
    analysis, region = _region(WORDPRESS)
    blocks = extract_blocks(analysis, region)
    assert len(blocks.elements) == len(candidates(analysis, region)) >= 3
    assert blocks.matrix.shape == (len(blocks.elements), N_FEATURES)
    assert np.isfinite(blocks.matrix).all()
    for el in blocks.elements:  # leaves: no nested block carries text of its own
        assert region.element in el.iterancestors()
    paragraphs = [k for k, el in enumerate(blocks.elements) if el.tag == "p"]
    assert paragraphs and all(blocks.matrix[k, FEATURES.index("tag_p")] == 1 for k in paragraphs)
    first_rank = blocks.matrix[0, FEATURES.index("rank_share")]
    assert first_rank == 0 and blocks.matrix[-1, FEATURES.index("chars_after_share")] == 0


def test_switch_off_keep_all_and_dropping_blocks(restore_switch) -> None:
    html = WORDPRESS.read_text("utf-8")
    rules = extract(html).text
    seen: list[Blocks] = []
    block_model.ENABLED = True
    block_model.RECORDER = seen.append
    block_model.use(TreeModel.keep_all())
    assert extract(html).text == rules  # the hook runs and keeps everything
    assert seen and seen[0].texts
    # drop the short blocks only (log_chars <= 3: 19 characters or fewer)
    block_model.use(_stump(0.5))
    short = [t for b in seen for t, row in zip(b.texts, b.matrix, strict=True) if row[0] <= 3.0]
    text = extract(html).text
    long_ones = [t for b in seen for t, row in zip(b.texts, b.matrix, strict=True) if row[0] > 3.0]
    assert all(t in text for t in long_ones[:3])
    if short:
        assert not any(f"\n{t}\n" in f"\n{text}\n" for t in short)


def test_a_model_that_disagrees_with_the_whole_region_is_overruled(restore_switch) -> None:
    """Dropping most of the region means the model and the rules disagree on where the story is: the
    rules' region stays whole rather than the page coming out empty."""
    html = WORDPRESS.read_text("utf-8")
    rules = extract(html).text
    block_model.ENABLED = True
    block_model.use(replace(_stump(), threshold=1.5))  # no block reaches 1.5: every one would go
    assert extract(html).text == rules


def test_blocks_beside_the_region_are_brought_in_when_scored_high(restore_switch) -> None:
    html = (PAGES / "plain-table-layout-de.html").read_text("utf-8")
    rules = extract(html).text
    assert "Flohmarkt" in html and "Flohmarkt" not in rules
    block_model.ENABLED = True
    block_model.use(replace(TreeModel.keep_all(), add_threshold=0.0))  # keep all, add every neighbour
    text = extract(html).text
    assert "Flohmarkt" in text
    assert text.startswith(rules.split("\n\n")[0][:40]) or rules.split("\n\n")[0] in text
    block_model.use(TreeModel.keep_all())  # the default add threshold brings in nothing
    assert extract(html).text == rules


def test_shipped_model_is_small_and_matches_the_features() -> None:
    assert MODEL_PATH.exists()  # shipped as package data, even while the switch is off
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = block_model.load()
    assert model.features == FEATURES
    analysis, region = _region(WORDPRESS)
    probs = model.predict(extract_blocks(analysis, region).matrix)
    assert ((probs >= 0) & (probs <= 1)).all()


def test_regions_of_too_many_blocks_are_left_to_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapers import block_features

    analysis, region = _region(WORDPRESS)
    assert len(extract_blocks(analysis, region).elements) >= 3
    monkeypatch.setattr(block_features, "MAX_BLOCKS", 2)
    assert extract_blocks(analysis, region).elements == []


def test_training_labels_follow_each_sets_metric() -> None:
    """dev2: half a block's 4-token shingles in the labelled body; dev: a block touching only "with"
    segments is story, only "without" ones not, both or neither unknown (left out of training)."""
    from bench.extraction_eval import shingles
    from bench.train_block_model import label_dev, label_dev2

    body = "The ferry will run every hour from May. The council voted on Tuesday to fund it."
    grams = set(shingles(body))
    flat = f" {' '.join(body.replace('.', '').split())} "
    assert label_dev2("The council voted on Tuesday to fund it.", grams, flat) == 1
    assert label_dev2("Share this story on Facebook and Twitter", grams, flat) == 0
    assert label_dev2("The ferry", grams, flat) == 1 and label_dev2("Advertisement", grams, flat) == 0
    with_, without = ["The council voted on Tuesday"], ["Read more: sports"]
    assert label_dev("The council voted on Tuesday to fund it.", with_, without) == 1
    assert label_dev("Read more: sports", with_, without) == 0
    assert label_dev("Weather tomorrow", with_, without) == -1
