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

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scrapers import boilerplate as bp
from scrapers.block_features import FEATURES, Blocks, extract_blocks
from scrapers.content import Analysis, Region

MODEL_PATH = Path(__file__).with_name("block_model.json")
# Off: the learned scorer did not beat the rules out of fold on both dev sets (see the README).
ENABLED = False
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

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Probability that each row's block belongs to the story."""
        rows = matrix.shape[0]
        if rows == 0 or self.roots.size == 0:
            return np.full(rows, 1.0 / (1.0 + np.exp(-self.base)))
        x = matrix.astype(np.float64, copy=False)
        node = np.broadcast_to(self.roots, (rows, self.roots.size)).copy()
        row_index = np.arange(rows)[:, None]
        for _ in range(self.depth):
            go_left = x[row_index, self.feature[node]] <= self.split[node]
            node = np.where(go_left, self.left[node], self.right[node])
        raw: np.ndarray = self.value[node].sum(axis=1) + self.base
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
    """Drop the region's leaf blocks the model scores below its threshold; returns how many went."""
    blocks = extract_blocks(analysis, region)
    if RECORDER is not None:
        RECORDER(blocks)
    current = model()
    if current is None or not blocks.elements:
        return 0
    keep = current.predict(blocks.matrix) >= current.threshold
    dropped = 0
    for el, kept in zip(blocks.elements, keep.tolist(), strict=True):
        if not kept:
            bp.drop(el)
            dropped += 1
    return dropped
