"""The learned block scorer: keep or drop each leaf block inside the region the rules chose.

A gradient-boosted tree ensemble (trained by ``bench/train_block_model.py`` with LightGBM on both labelled
dev sets, host folds held out) is shipped as plain arrays in ``block_model.json`` and evaluated here with
numpy alone: the product needs no LightGBM, and one page costs one vectorised walk of every tree at
once over that page's feature matrix (see ``TreeModel.predict``).

It is behind a switch (``ENABLED``) so that extraction without it still works and the evaluation can
compare both in one run; the trainer also uses ``RECORDER`` to read the blocks the rules left, the same
ones the model later judges.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scrapers import boilerplate as bp
from scrapers.block_features import FEATURES, Blocks, extract_blocks
from scrapers.content import Analysis, Region

_BEFORE = FEATURES.index("before_region")
MODEL_PATH = Path(__file__).with_name("block_model.json")
# Off: the learned scorer did not beat the rules out of fold on both dev sets (see the README).
ENABLED = False
# The model may thin the rules' region, not overrule it: when it would drop more than half the region's
# text, the two disagree about where the story is, and the rules' region is kept whole.
MIN_KEPT_SHARE = 0.5
# Called with every region's blocks before the model judges them (the trainer's labelling pass).
RECORDER: Callable[[Blocks], None] | None = None


@dataclass(frozen=True, slots=True)
class TreeModel:
    """All trees' nodes in flat arrays; a leaf points to itself, so extra steps leave it in place."""

    feature: np.ndarray  # int32 per node: the feature a split reads (0 at a leaf)
    split: np.ndarray  # float64 per node: go left when the value is <= this (+inf at a leaf)
    left: np.ndarray  # int32 per node
    right: np.ndarray  # int32 per node
    value: np.ndarray  # float64 per node: the leaf's output (0 at a split)
    roots: np.ndarray  # int32 per tree
    depth: int  # the deepest leaf: this many steps reach every leaf
    base: float  # raw score added to the trees' sum
    threshold: float  # keep a block whose probability is at least this
    features: tuple[str, ...]
    add_threshold: float = 2.0  # bring in a block beside the region from this probability (2: never)
    child: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # both children of node n at 2n (right) and 2n+1 (left): one gather per step picks the branch
        object.__setattr__(self, "child", np.stack([self.right, self.left], axis=1).ravel())

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Probability that each row's block belongs to the story.

        Every tree is walked for every row at once, one level per step: rows x trees gathers, never a
        Python loop over trees or rows.
        """
        rows, columns = matrix.shape
        if rows == 0 or self.roots.size == 0:
            return np.full(rows, 1.0 / (1.0 + np.exp(-self.base)))
        x = np.ascontiguousarray(matrix, dtype=np.float64).ravel()
        offsets = (np.arange(rows) * columns)[:, None]
        node = np.tile(self.roots, (rows, 1))
        for _ in range(self.depth):
            go_left = x.take(offsets + self.feature.take(node)) <= self.split.take(node)
            node = self.child.take(node * 2 + go_left)
        raw: np.ndarray = self.value.take(node).sum(axis=1) + self.base
        probs: np.ndarray = 1.0 / (1.0 + np.exp(-raw))
        return probs

    @classmethod
    def keep_all(cls) -> TreeModel:
        """A model without trees that keeps every block: the rules alone, with the hook still run."""
        empty = np.zeros(0, dtype=np.int32)
        return cls(empty, np.zeros(0), empty, empty, np.zeros(0), empty, 0, 0.0, 0.0, FEATURES)

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(self.features),
            "threshold": self.threshold,
            "add_threshold": self.add_threshold,
            "base": self.base,
            "depth": self.depth,
            "roots": self.roots.tolist(),
            "feature": self.feature.tolist(),
            "split": [s if np.isfinite(s) else None for s in self.split.tolist()],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": [round(v, 7) for v in self.value.tolist()],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> TreeModel:
        """A model from its JSON form; ValueError if it was trained on other features than these."""
        features = tuple(str(f) for f in _list(data, "features"))
        if features != FEATURES:
            raise ValueError("block model was trained on another feature set: retrain it")
        split = [np.inf if s is None else float(str(s)) for s in _list(data, "split")]
        return cls(
            feature=np.asarray(_list(data, "feature"), dtype=np.int32),
            split=np.asarray(split, dtype=np.float64),
            left=np.asarray(_list(data, "left"), dtype=np.int32),
            right=np.asarray(_list(data, "right"), dtype=np.int32),
            value=np.asarray(_list(data, "value"), dtype=np.float64),
            roots=np.asarray(_list(data, "roots"), dtype=np.int32),
            depth=int(str(data["depth"])),
            base=float(str(data["base"])),
            threshold=float(str(data["threshold"])),
            features=features,
            add_threshold=float(str(data.get("add_threshold", 2.0))),
        )


def _list(data: dict[str, object], key: str) -> list[object]:
    value = data[key]
    if not isinstance(value, list):
        raise ValueError(f"block model field {key!r} is not a list")
    return value


_MODEL: TreeModel | None = None


def load(path: Path = MODEL_PATH) -> TreeModel:
    """Read a model file (once per process for the shipped one: see ``model``)."""
    return TreeModel.from_json(json.loads(path.read_text("utf-8")))


def model() -> TreeModel | None:
    """The model in use: the one ``use`` set, else the shipped file, read once; None without a file."""
    global _MODEL
    if _MODEL is None and MODEL_PATH.exists():
        _MODEL = load()
    return _MODEL


def use(new: TreeModel | None) -> None:
    """Judge with ``new`` from now on (the trainer swaps in each fold's model); None: the shipped file."""
    global _MODEL
    _MODEL = new


def apply(analysis: Analysis, region: Region) -> int:
    """Drop the region's leaf blocks the model scores below its threshold, and bring in the blocks beside
    it that it scores at or above its add threshold; returns how many blocks changed."""
    blocks = extract_blocks(analysis, region)
    current = model()
    beside = extract_blocks(analysis, region, outside=True)
    if RECORDER is not None:
        RECORDER(blocks)
        RECORDER(beside)
    if current is None:
        return 0
    changed = 0
    if blocks.elements:
        keep = current.predict(blocks.matrix) >= current.threshold
        if _kept_share(blocks, keep) >= MIN_KEPT_SHARE:
            for el, kept in zip(blocks.elements, keep.tolist(), strict=True):
                if not kept:
                    bp.drop(el)
                    changed += 1
    if beside.elements and current.add_threshold <= 1.0:
        add = current.predict(beside.matrix) >= current.add_threshold
        changed += _bring_in(region, beside, add.tolist())
    return changed


def _kept_share(blocks: Blocks, keep: np.ndarray) -> float:
    total = sum(len(t) for t in blocks.texts)
    return (
        sum(len(t) for t, k in zip(blocks.texts, keep.tolist(), strict=True) if k) / total if total else 1.0
    )


def _bring_in(region: Region, beside: Blocks, add: list[bool]) -> int:
    """Copy the chosen blocks into the region, before or after its own content as they stand on the page.

    Copies, so the page's own tree (and the analysis' indices into it) stays as it was.
    """
    at = 0
    added = 0
    for el, chosen, row in zip(beside.elements, add, beside.matrix, strict=True):
        if not chosen:
            continue
        clone = copy.deepcopy(el)
        clone.tail = None
        if row[_BEFORE]:
            region.element.insert(at, clone)
            at += 1
        else:
            region.element.append(clone)
        added += 1
    return added
