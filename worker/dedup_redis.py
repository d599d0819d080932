"""The near-duplicate index shared by many workers on many machines, kept in Redis (or Valkey).

Layout, all under one prefix (default ``wirefeed:dedup``, written as a hash tag, see below):

- ``{prefix}:ids``: one hash, field = key, value = the document's compact id (a counter in ``meta``);
- ``{prefix}:docs``: one hash, field = id, value = the key (length-prefixed) and ``Signature.to_bytes()``,
  the verification data the judge needs;
- ``{prefix}:p:<group>``: 65,536 strings of postings. A band key (``worker.dedup.band_keys``) names its
  group by its top 16 bits; the posting is 8 bytes appended to the group, the next 32 bits of the key and
  the document id. A set per bucket (the first layout) cost ~110 bytes per posting, 64 postings a
  document; a posting here costs 8. A match on 48 bits may be a near miss of the full key: the client
  confirms every candidate on its full band keys, as ``InProcessIndex`` does;
- ``{prefix}:meta``: the layout (version, permutations, bands, rows), fixed by the first worker that uses
  the index, so that a later change of threshold never strands the postings written under the old layout.

Atomicity: ``check_and_insert`` is one Lua script per round. Redis runs a script to completion before any
other command, so reading the candidate postings and inserting happen as one step for every process on
every machine: two workers holding copies of one story cannot both insert. The script only reads and
writes postings; the band keys, the counts of equal values and the judge run in Python, in the same
functions the in-process index calls (``worker/dedup.py``, "the band and verify logic"), so the two
indexes cannot drift apart. A round returns the candidates the client has not judged yet; the client
judges them and calls again with their ids, and the script inserts only when no new candidate appeared.

Every key a script touches is passed in ``KEYS`` (Redis requires it for scripts in a cluster): the client
computes the group names of the new signature and, when the key is being replaced, of the record it
assumed for that key; the script refuses with ``retry`` and the current record if the stored one differs
(compare-and-set), and the client runs it again with the right groups.

Redis Cluster: a script may only touch keys of one hash slot. The prefix is therefore written as a hash
tag (``{wirefeed:dedup}:...``), which puts the whole index in one slot, on one primary. That is the
conflict: LSH would like its bands spread over shards for memory and throughput, but check-and-insert must
see every band at once to be atomic. The choice here is one slot, with memory bounded by the retention
window (``WIREFEED_DEDUP_WINDOW_DAYS``, expired by ``wirefeed prune``); ``bench/dedup_scale.py`` measures
the bytes per document. If one node ever is not enough, shard whole indexes instead (for example one per
language or per region of sources, each its own hash tag), keeping every check-and-insert in one slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from worker.dedup import (
    CANDIDATE_BAR,
    Candidate,
    Judge,
    Match,
    band_keys,
    decode_values,
    equal_counts,
    lsh_params,
    min_equal,
    signature_values,
    threshold_judge,
)
from worker.fingerprint import NUM_PERM, Signature

_SCRIPT = r"""
-- KEYS[1] = meta hash, KEYS[2] = key -> id hash, KEYS[3] = id -> record hash, KEYS[4 ..] = posting groups.
-- ARGV: key, new record ('' when removing), expected current record ('' = absent), mode, nb, ob, then nb
-- (group index into KEYS, 4-byte suffix) pairs of the new signature's bands, ob pairs of the old one's,
-- then (mode 'check') the candidate ids the client has already judged.
local meta, ids, docs = KEYS[1], KEYS[2], KEYS[3]
local key, record, expected, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nb, ob = tonumber(ARGV[5]), tonumber(ARGV[6])

local current_id = false
if mode ~= 'query' then
  current_id = redis.call('HGET', ids, key)
  local current = ''
  if current_id then current = redis.call('HGET', docs, current_id) or '' end
  if current ~= expected then
    return {'retry', current}
  end
end

local function id_bytes(id)
  return string.char(id % 256, math.floor(id / 256) % 256, math.floor(id / 65536) % 256,
    math.floor(id / 16777216) % 256)
end

-- Postings are 8-byte records (suffix, id) appended to a group string; a match must sit on a record start.
local function records(blob, suffix)
  local at, out = 1, {}
  while true do
    local pos = string.find(blob, suffix, at, true)
    if not pos then return out end
    if (pos - 1) % 8 == 0 then out[#out + 1] = pos end
    at = pos + 1
  end
end

local function unindex(id)
  local tail = id_bytes(id)
  for b = nb, nb + ob - 1 do
    local group = KEYS[tonumber(ARGV[7 + 2 * b])]
    local blob = redis.call('GET', group)
    if blob then
      for _, pos in ipairs(records(blob, ARGV[8 + 2 * b] .. tail)) do
        if #blob == 8 then
          redis.call('DEL', group)
        else
          redis.call('SET', group, string.sub(blob, 1, pos - 1) .. string.sub(blob, pos + 8))
        end
        break
      end
    end
  end
end

if mode == 'remove' then
  if current_id then
    unindex(tonumber(current_id))
    redis.call('HDEL', ids, key)
    redis.call('HDEL', docs, current_id)
  end
  return {'removed'}
end

if mode == 'query' or mode == 'check' then
  local seen, found, blobs = {}, {}, {}
  for i = 7 + 2 * (nb + ob), #ARGV do seen[ARGV[i]] = true end
  for b = 0, nb - 1 do
    local group = KEYS[tonumber(ARGV[7 + 2 * b])]
    local blob = blobs[group]
    if blob == nil then
      blob = redis.call('GET', group) or ''
      blobs[group] = blob
    end
    for _, pos in ipairs(records(blob, ARGV[8 + 2 * b])) do
      local b1, b2, b3, b4 = string.byte(blob, pos + 4, pos + 7)
      local id = tostring(b1 + 256 * b2 + 65536 * b3 + 16777216 * b4)
      if not seen[id] then
        seen[id] = true
        local doc = redis.call('HGET', docs, id)
        if doc then
          found[#found + 1] = id
          found[#found + 1] = doc
        end
      end
    end
  end
  if mode == 'query' or #found > 0 then
    return {'candidates', found}
  end
end

-- insert (or a check that found no candidate it had not judged): replace what the key had, index the new
if current_id and expected == record then
  return {'inserted'}
end
local id
if current_id then
  id = tonumber(current_id)
  unindex(id)
else
  id = redis.call('HINCRBY', meta, 'next', 1)
end
redis.call('HSET', ids, key, id)
redis.call('HSET', docs, id, record)
local tail = id_bytes(id)
for b = 0, nb - 1 do
  redis.call('APPEND', KEYS[tonumber(ARGV[7 + 2 * b])], ARGV[8 + 2 * b] .. tail)
end
return {'inserted'}
"""

_LAYOUT_VERSION = 2
_GROUP_BITS = 16
"""Posting groups: 65,536 strings, so a million documents' 64 postings each make strings of ~8 KB."""
_MAX_ATTEMPTS = 50


class RedisIndex:
    """``DedupIndex`` on Redis: the decisions of ``InProcessIndex``, shared and atomic across processes."""

    def __init__(
        self, redis_client: Any, threshold: float, prefix: str = "wirefeed:dedup", num_perm: int = NUM_PERM
    ) -> None:
        pool_options = getattr(getattr(redis_client, "connection_pool", None), "connection_kwargs", {})
        if pool_options.get("decode_responses"):
            raise ValueError("RedisIndex needs a client with decode_responses=False: signatures are binary")
        self.redis = redis_client
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_equal = min_equal(threshold, num_perm)
        self.candidate_equal = min_equal(min(threshold, CANDIDATE_BAR), num_perm)
        self._default_judge = threshold_judge(threshold)
        tag = _tag(prefix)
        self._ids = entries_key(prefix)
        self._docs = f"{tag}:docs"
        self._group_prefix = f"{tag}:p:"
        self._meta = f"{tag}:meta"
        self.bands, self.rows = self._layout(*lsh_params(min(threshold, CANDIDATE_BAR), num_perm))
        self._script = redis_client.register_script(_SCRIPT)

    def _layout(self, bands: int, rows: int) -> tuple[int, int]:
        """Adopt the layout stored for this index, or store ours: one HSETNX field, the first writer wins."""
        self.redis.hsetnx(self._meta, "layout", f"{_LAYOUT_VERSION}:{self.num_perm}:{bands}:{rows}")
        parts = [int(part) for part in _text(self.redis.hget(self._meta, "layout")).split(":")]
        version, num_perm, bands, rows = parts if len(parts) == 4 else [1, *parts]
        if version != _LAYOUT_VERSION:
            raise ValueError(f"index {self._meta} has layout version {version}; rebuild it (bulk_insert)")
        if num_perm != self.num_perm:
            raise ValueError(
                f"index {self._meta} holds {num_perm}-permutation signatures, not {self.num_perm}"
            )
        return bands, rows

    def _postings(self, sig: Signature | None) -> tuple[list[str], list[bytes]]:
        """Group name and 4-byte key suffix of each band of ``sig`` (none for no signature)."""
        if sig is None:
            return [], []
        keys = band_keys(signature_values(sig), self.bands, self.rows)[0]
        groups = (keys >> np.uint64(64 - _GROUP_BITS)).tolist()
        suffixes = ((keys >> np.uint64(64 - _GROUP_BITS - 32)) & np.uint64(0xFFFFFFFF)).astype("<u4")
        return [f"{self._group_prefix}{group:04x}" for group in groups], [s.tobytes() for s in suffixes]

    def _check(self, sig: Signature) -> None:
        if sig.num_perm != self.num_perm:
            raise ValueError(f"signature has {sig.num_perm} permutations, the index expects {self.num_perm}")

    def _run(self, mode: str, key: str, sig: Signature | None, judged: tuple[str, ...] = ()) -> list[Any]:
        """Run the script; when the key's record is not the one assumed, run it again against the record the
        script returned (compare-and-set: the old postings to remove are computed here, from that record)."""
        record = _record(key, sig) if sig is not None else b""
        new_groups, new_suffixes = self._postings(sig)
        current = b""  # the common case: a new key; the script hands back the record if there is one
        for _ in range(_MAX_ATTEMPTS):
            old_groups, old_suffixes = self._postings(_parse(current)[1] if current else None)
            names = sorted(set(new_groups + old_groups))
            slot = {name: 4 + i for i, name in enumerate(names)}
            pairs: list[Any] = []
            for group, suffix in zip(new_groups + old_groups, new_suffixes + old_suffixes, strict=True):
                pairs += [slot[group], suffix]
            result = self._script(
                keys=[self._meta, self._ids, self._docs, *names],
                args=[key, record, current, mode, len(new_groups), len(old_groups), *pairs, *judged],
            )
            status = _text(result[0])
            if status != "retry":
                return [status, *result[1:]]
            current = bytes(result[1])
        raise RuntimeError(f"record of {key!r} kept changing during {mode}; gave up after {_MAX_ATTEMPTS}")

    def _candidates(self, sig: Signature, flat: list[Any], need: int) -> tuple[list[Candidate], list[str]]:
        """Verify what the script found (steps 3-4, as ``InProcessIndex`` does): the candidates with at
        least ``need`` equal values, and the ids of everything seen (so the script skips them next time)."""
        ids = [_text(flat[i]) for i in range(0, len(flat), 2)]
        if not ids:
            return [], ids
        parsed = [_parse(bytes(flat[i])) for i in range(1, len(flat), 2)]
        values = signature_values(sig)
        stored = np.stack([signature_values(other) for _, other in parsed])
        counts = equal_counts(values, stored)
        same_band = (
            band_keys(stored, self.bands, self.rows) == band_keys(values, self.bands, self.rows)
        ).any(axis=1)
        keep = (counts >= need) & same_band
        found = [
            Candidate(k, int(count), other)
            for (k, other), count, kept in zip(parsed, counts.tolist(), keep.tolist(), strict=True)
            if kept
        ]
        return found, ids

    def check_and_insert(self, key: str, sig: Signature, judge: Judge | None = None) -> Match | None:
        """The judge runs here, between script calls; the final call inserts only if no candidate appeared
        that the judge has not seen, so a copy stored meanwhile by another worker is still judged."""
        self._check(sig)
        judge = judge or self._default_judge
        candidates: list[Candidate] = []
        judged: list[str] = []
        match: Match | None = None
        for _ in range(_MAX_ATTEMPTS):
            result = self._run("check", key, sig, tuple(judged))
            if result[0] == "inserted":
                return match
            found, seen = self._candidates(sig, result[1], self.candidate_equal)
            judged += seen
            if not found:
                continue
            candidates += found
            match = judge(sig, candidates)
            if match is not None and match.joins:
                return match
        raise RuntimeError(f"candidates for {key!r} kept appearing; gave up after {_MAX_ATTEMPTS}")

    def insert(self, key: str, sig: Signature) -> None:
        self._check(sig)
        self._run("insert", key, sig)

    def remove(self, key: str) -> None:
        self._run("remove", key, None)

    def query(self, sig: Signature) -> list[Match]:
        self._check(sig)
        result = self._run("query", "", sig)
        found, _ = self._candidates(sig, result[1], self.min_equal)
        matches = [Match(c.key, c.equal / self.num_perm) for c in found]
        matches.sort(key=lambda match: (-match.similarity, match.key))
        return matches

    def bulk_insert(self, items: Iterable[tuple[str, bytes]], batch: int = 50_000) -> int:
        """Load stored (key, signature bytes) without the script: for filling an index from the store
        before workers use it (a new Redis, a restore). Not atomic against concurrent check-and-insert,
        and only for keys not yet in the index. A batch's postings go out as one APPEND per group."""
        count = 0
        chunk: list[tuple[str, bytes]] = []
        for key, data in items:
            chunk.append((key, bytes(data)))
            if len(chunk) == batch:
                count += self._load(chunk)
                chunk = []
        return count + (self._load(chunk) if chunk else 0)

    def _load(self, chunk: list[tuple[str, bytes]]) -> int:
        params = chunk[0][1][1:4]
        for _, data in chunk:
            if data is chunk[0][1] or data[1:4] != params:
                self._check(Signature.from_bytes(data))  # one decode per parameter set, not per row
        last = int(self.redis.hincrby(self._meta, "next", len(chunk)))
        ids = np.arange(last - len(chunk) + 1, last + 1, dtype=np.uint64)
        keys = band_keys(decode_values([data for _, data in chunk], self.num_perm), self.bands, self.rows)
        groups = (keys >> np.uint64(64 - _GROUP_BITS)).ravel()
        postings = ((keys >> np.uint64(64 - _GROUP_BITS - 32)) & np.uint64(0xFFFFFFFF)) | (ids[:, None] << 32)
        postings = postings.ravel().astype("<u8")
        order = np.argsort(groups, kind="stable")
        groups, postings = groups[order], postings[order]
        bounds = np.flatnonzero(np.diff(groups)) + 1
        pipe = self.redis.pipeline(transaction=False)
        for (key, data), doc in zip(chunk, ids.tolist(), strict=True):
            pipe.hset(self._ids, key, doc)
            pipe.hset(self._docs, doc, _record(key, data))
        for part in np.split(np.arange(groups.size), bounds):
            if part.size:
                pipe.append(f"{self._group_prefix}{int(groups[part[0]]):04x}", postings[part].tobytes())
        pipe.execute()
        return len(chunk)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self.redis.hexists(self._ids, key))

    def __len__(self) -> int:
        return int(self.redis.hlen(self._ids))

    def signatures(self) -> dict[str, Signature]:
        """Every stored signature, for audits and for rebuilding an in-process index from a shared one."""
        return dict(_parse(bytes(v)) for v in self.redis.hvals(self._docs))


def _tag(prefix: str) -> str:
    return prefix if prefix.startswith("{") else "{" + prefix + "}"


def entries_key(prefix: str = "wirefeed:dedup") -> str:
    """The hash holding one field per indexed key: its length is the index's size, for a metric that must
    not load the index (and must not know the rest of the layout)."""
    return f"{_tag(prefix)}:ids"


def _record(key: str, sig: Signature | bytes) -> bytes:
    """What the index keeps per document: its key (length-prefixed) and its signature as stored."""
    name = key.encode("utf-8")
    return len(name).to_bytes(2, "little") + name + (sig if isinstance(sig, bytes) else sig.to_bytes())


def _parse(record: bytes) -> tuple[str, Signature]:
    size = int.from_bytes(record[:2], "little")
    return record[2 : 2 + size].decode("utf-8"), Signature.from_bytes(record[2 + size :])


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
