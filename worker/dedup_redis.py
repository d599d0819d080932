"""The near-duplicate index shared by many workers on many machines, kept in Redis (or Valkey).

Redis holds what finds candidates, not what verifies them: the judge's signatures are in the store
already (every article row keeps its own), so a candidate's signature is read from there, through the
``signatures`` callable the pipeline passes (``Store.signatures_of``). Layout version 3, all under one
prefix (default ``wirefeed:dedup``, written as a hash tag, see below), about 370 bytes per document:

- postings ``{prefix}:p:<xx>``: 256 hashes of 256 fields, 65,536 groups. A band key
  (``worker.dedup.band_keys``) names its group by its top 16 bits (hash, field); the posting is 5 bytes
  appended to the group: the next 18 bits of the key and a 22-bit document number. 64 bands make 320
  bytes a document. A match on 34 bits may be a near miss of the full key (one query in four at a
  million documents, each costing a read from the store and a second script call): the client confirms
  every candidate on its full band keys, as ``InProcessIndex`` does. Groups are hash fields rather than
  keys of their own (6 bytes of overhead instead of ~55), and are written whole with ``HSET``: ``APPEND``
  would leave each string up to twice its length;
- pages ``{prefix}:d:<x>``: 16 hashes of 256 fields, 4,096 pages. A key's page is the top 12 bits of its
  hash; the page keeps ``0xFE key 0xFF slot digest`` per document (UTF-8 never holds 0xFE or 0xFF, so one
  ``string.find`` locates a key or a slot), and the document number is page * 1,024 + slot, so one
  record maps the key to its number and back (up to 1,024 documents a page: ~3.8M a prefix; beyond that,
  shard by prefix, see below). The digest tells whether the signature the store has now is the one
  indexed, so a replaced key's postings go;
- fresh records ``{prefix}:fresh``: the signature of each document inserted in the last ``grace_s``
  seconds, for the candidates whose row another worker has not committed yet (and whose signature the
  store cannot give); older ones are dropped as new ones come. Without a ``signatures`` source (tests,
  a bare index) every record stays, as layout 2 kept them;
- ``{prefix}:meta``: the layout (version, permutations, bands, rows), fixed by the first worker that uses
  the index, so that a later change of threshold never strands the postings written under the old layout;
  an index of another layout version is refused with a clear error (``drop`` it and refill it with
  ``bulk_insert`` from the store). ``count`` is the number of documents.

Atomicity: ``check_and_insert`` is one Lua script per round. Redis runs a script to completion before any
other command, so reading the candidate postings and inserting happen as one step for every process on
every machine: two workers holding copies of one story cannot both insert. The script only reads and
writes postings and pages; the band keys, the counts of equal values and the judge run in Python, in the
same functions the in-process index calls (``worker/dedup.py``, "the band and verify logic"), so the two
indexes cannot drift apart. A round returns the candidates the client has not judged yet (number, key,
fresh record if any); the client reads the other signatures from the store, judges, and calls again with
their numbers, and the script inserts only when no new candidate appeared. Replacing or removing a key
needs its old postings: the script names the key's current number (compare-and-set), the client reads its
signature and runs the script again.

Redis Cluster: a script may only touch keys of one hash slot, and every key a script touches is passed in
``KEYS``. The prefix is therefore written as a hash tag (``{wirefeed:dedup}:...``), which puts the whole
index in one slot, on one primary. That is the conflict: LSH would like its bands spread over shards for
memory and throughput, but check-and-insert must see every band at once to be atomic. The choice here is
one slot, with memory bounded by the retention window (``WIREFEED_DEDUP_WINDOW_DAYS``, expired by
``wirefeed prune``); ``bench/dedup_scale.py`` measures the bytes per document. If one node ever is not
enough, shard whole indexes instead (one per language or region of sources, each its own hash tag).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
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

SignatureSource = Callable[[set[str]], Mapping[str, bytes]]
"""Stored signature bytes of the given keys (``Store.signatures_of``); keys it does not know are left out."""

_SCRIPT = r"""
-- KEYS: 1 meta hash, 2 fresh records (hash: doc -> 4-byte time .. signature), 3 fresh log (list), 4..19 the
-- 16 page hashes (doc -> key), 20.. posting group hashes.
-- ARGV: 1 mode, 2 key, 3 key's page, 4 expected current doc ('' = absent), 5 signature bytes to keep
-- ('' = none), 6 the signature's 4-byte digest, 7 grace seconds ('' = keep records), 8 '1' when the new
-- signature equals the current one, 9 nb, 10 ob, then nb + ob (KEYS index, field .. fingerprint) pairs,
-- new bands first, then the judged doc ids.
local meta, fresh, fresh_log = KEYS[1], KEYS[2], KEYS[3]
local mode, key, page, expected = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local record, digest, grace, same = ARGV[5], ARGV[6], ARGV[7], ARGV[8] == '1'
local nb, ob = tonumber(ARGV[9]), tonumber(ARGV[10])
local SLOTS, HIGH = 1024, 4194304  -- documents a page; a posting's doc field keeps 2 key bits above 2^22

local function le16(n) return string.char(n % 256, math.floor(n / 256)) end
local function le24(n)
  return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536))
end
local function page_hash(p) return KEYS[4 + math.floor(p / 256)] end
local function page_blob(p) return redis.call('HGET', page_hash(p), string.char(p % 256)) or '' end
local function put(hash, field, blob)
  if #blob == 0 then redis.call('HDEL', hash, field) else redis.call('HSET', hash, field, blob) end
end

-- A page record is 0xFE, the key (UTF-8: never 0xFE or 0xFF), 0xFF, the 2-byte slot (its high byte is
-- under 16) and a 4-byte digest of the indexed signature (bytes 0x40-0x7F), so neither pattern below can
-- match anywhere but at a record's own markers.
local function key_slot(blob, k)
  local pos = string.find(blob, '\254' .. k .. '\255', 1, true)
  if not pos then return nil end
  local lo, hi = string.byte(blob, pos + #k + 2, pos + #k + 3)
  return lo + 256 * hi, pos, pos + #k + 7, string.sub(blob, pos + #k + 4, pos + #k + 7)
end
local function slot_key(blob, slot)
  local pos = string.find(blob, '\255' .. le16(slot), 1, true)
  if not pos then return nil end
  local start = pos - 1
  while string.byte(blob, start) ~= 254 do start = start - 1 end
  return string.sub(blob, start + 1, pos - 1)
end
local function free_slot(blob)
  local used = {}
  for lo, hi in string.gmatch(blob, '\255(.)(.)') do used[string.byte(lo) + 256 * string.byte(hi)] = true end
  for s = 0, SLOTS - 1 do if not used[s] then return s end end
  return nil
end

local function fresh_record(id)
  local value = redis.call('HGET', fresh, id)
  if value then return string.sub(value, 5) end
  return ''
end

-- Postings: 5-byte records (16 key bits, then 22 bits of doc and 2 more key bits) in a group; a match
-- must start a record.
local blobs = {}
local function group(b)
  local hash, spec = KEYS[tonumber(ARGV[11 + 2 * b])], ARGV[12 + 2 * b]
  local field = string.sub(spec, 1, 1)
  local name = hash .. '\0' .. field
  local blob = blobs[name]
  if blob == nil then
    blob = redis.call('HGET', hash, field) or ''
    blobs[name] = blob
  end
  return hash, field, name, blob, string.sub(spec, 2, 3), string.byte(spec, 4)
end

local function candidates()
  local seen, found, pages = {}, {}, {}
  for i = 11 + 2 * (nb + ob), #ARGV do seen[ARGV[i]] = true end
  for b = 0, nb - 1 do
    local _, _, _, blob, fp, high = group(b)
    local at = 1
    while true do
      local pos = string.find(blob, fp, at, true)
      if not pos then break end
      local x, y, z = string.byte(blob, pos + 2, pos + 4)
      if (pos - 1) % 5 == 0 and math.floor(z / 64) == high then
        local doc = x + 256 * y + 65536 * (z % 64)
        local id = tostring(doc)
        if not seen[id] then
          seen[id] = true
          local p = math.floor(doc / SLOTS)
          if pages[p] == nil then pages[p] = page_blob(p) end
          local k = slot_key(pages[p], doc % SLOTS)
          if k then
            found[#found + 1] = id
            found[#found + 1] = k
            found[#found + 1] = fresh_record(id)
          end
        end
        at = pos + 5
      else
        at = pos + 1
      end
    end
  end
  return found
end

local function unindex(doc)
  for b = nb, nb + ob - 1 do
    local hash, field, name, blob, fp, high = group(b)
    local at = 1
    while true do
      local pos = string.find(blob, fp .. le24(doc + high * HIGH), at, true)
      if not pos then break end
      if (pos - 1) % 5 == 0 then
        blob = string.sub(blob, 1, pos - 1) .. string.sub(blob, pos + 5)
        blobs[name] = blob
        put(hash, field, blob)
        break
      end
      at = pos + 1
    end
  end
  redis.call('HDEL', fresh, tostring(doc))
end

local function keep_record(doc)
  if record == '' then return end
  local now = tonumber(redis.call('TIME')[1])
  redis.call('HSET', fresh, tostring(doc), string.char(now % 256, math.floor(now / 256) % 256,
    math.floor(now / 65536) % 256, math.floor(now / 16777216) % 256) .. record)
  if grace == '' then return end
  redis.call('RPUSH', fresh_log, tostring(doc) .. ':' .. tostring(now))
  -- forget the records older than the grace (their rows are committed): at most a few per call
  for _ = 1, 4 do
    local head = redis.call('LINDEX', fresh_log, 0)
    if not head then return end
    local id, t = string.match(head, '(%d+):(%d+)')
    if tonumber(t) >= now - tonumber(grace) then return end
    redis.call('LPOP', fresh_log)
    local value = redis.call('HGET', fresh, id)
    if value then
      local a, b, c, d = string.byte(value, 1, 4)
      if a + 256 * b + 65536 * c + 16777216 * d == tonumber(t) then redis.call('HDEL', fresh, id) end
    end
  end
end

local current, cur, lo, hi, indexed = nil, '', nil, nil, ''
local pblob = ''
if mode ~= 'query' then
  pblob = page_blob(page)
  local slot
  slot, lo, hi, indexed = key_slot(pblob, key)
  if slot then
    current = page * SLOTS + slot
    cur = tostring(current)
  end
  if cur ~= expected then
    return {'retry', cur, current and fresh_record(cur) or '', indexed or ''}
  end
end

if mode == 'remove' then
  if current then
    unindex(current)
    put(page_hash(page), string.char(page % 256), string.sub(pblob, 1, lo - 1) .. string.sub(pblob, hi + 1))
    redis.call('HINCRBY', meta, 'count', -1)
  end
  return {'removed'}
end

if mode == 'query' or mode == 'check' then
  local found = candidates()
  if mode == 'query' or #found > 0 then return {'candidates', found} end
end

if current and same then return {'inserted'} end
local doc
if current then
  doc = current
  unindex(doc)
  redis.call('HSET', page_hash(page), string.char(page % 256), string.sub(pblob, 1, lo - 1) .. '\254' .. key
    .. '\255' .. le16(doc % SLOTS) .. digest .. string.sub(pblob, hi + 1))
else
  local slot = free_slot(pblob)
  if not slot then return redis.error_reply('dedup index page ' .. page .. ' is full') end
  doc = page * SLOTS + slot
  redis.call('HSET', page_hash(page), string.char(page % 256), pblob .. '\254' .. key .. '\255' .. le16(slot) .. digest)
  redis.call('HINCRBY', meta, 'count', 1)
end
for b = 0, nb - 1 do
  local hash, field, name, blob, fp, high = group(b)
  blob = blob .. fp .. le24(doc + high * HIGH)
  blobs[name] = blob
  redis.call('HSET', hash, field, blob)
end
keep_record(doc)
return {'inserted'}
"""

_LAYOUT_VERSION = 3
_SLOTS = 1024  # documents a page; the document number is page * _SLOTS + slot: 22 bits of a posting
_PAGES = 4096
_POSTING = 5
FRESH_GRACE_S = 900
"""Seconds a fresh signature stays in Redis: far beyond a batch's commit (``Pipeline.BATCH_SECONDS``) and
the pipeline's wait for another worker's commit, after which the store has the row."""
_MAX_ATTEMPTS = 50
_FIXED_KEYS = 3 + _PAGES // 256


class LayoutError(ValueError):
    """The Redis index was written by another layout of this module, or for other signatures."""


class RedisIndex:
    """``DedupIndex`` on Redis: the decisions of ``InProcessIndex``, shared and atomic across processes.

    ``signatures``: where the signatures of candidates older than ``grace_s`` are read (the store); None
    keeps every signature in Redis (about 1.4 KB more a document).
    """

    def __init__(
        self,
        redis_client: Any,
        threshold: float,
        prefix: str = "wirefeed:dedup",
        num_perm: int = NUM_PERM,
        *,
        signatures: SignatureSource | None = None,
        grace_s: float = FRESH_GRACE_S,
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
        self._source: SignatureSource | None = None
        self._grace, self._keep = "", True  # without a source every signature stays in Redis
        self._grace_s = grace_s
        if signatures is not None:
            self.read_signatures_from(signatures)
        self._tag = tag = _tag(prefix)
        self._meta = f"{tag}:meta"
        self._fixed = [self._meta, f"{tag}:fresh", f"{tag}:fresh:log"]
        self._fixed += [f"{tag}:d:{i:x}" for i in range(_PAGES // 256)]
        self.bands, self.rows = self._layout(*lsh_params(min(threshold, CANDIDATE_BAR), num_perm))
        self._script = redis_client.register_script(_SCRIPT)

    def _layout(self, bands: int, rows: int) -> tuple[int, int]:
        """Adopt the layout stored for this index, or store ours: one HSETNX field, the first writer wins."""
        self.redis.hsetnx(self._meta, "layout", f"{_LAYOUT_VERSION}:{self.num_perm}:{bands}:{rows}")
        parts = [int(part) for part in _text(self.redis.hget(self._meta, "layout")).split(":")]
        version, num_perm, bands, rows = parts if len(parts) == 4 else [1, *parts]
        if version != _LAYOUT_VERSION:
            raise LayoutError(
                f"the dedup index {self._tag} in Redis has layout version {version}, this wirefeed reads "
                f"version {_LAYOUT_VERSION}: drop it (worker.dedup_redis.drop_index) "
                "and refill it from the store (RedisIndex.bulk_insert), or give this wirefeed another prefix"
            )
        if num_perm != self.num_perm:
            raise LayoutError(
                f"index {self._meta} holds {num_perm}-permutation signatures, not {self.num_perm}"
            )
        return bands, rows

    def drop(self) -> int:
        """Delete every key of this index (to rebuild it); returns how many went."""
        return drop_index(self.redis, self._tag)

    # -- what the script is told -----------------------------------------------------------------------
    def _postings(self, sig: Signature | None) -> list[tuple[str, bytes]]:
        """Group hash and (field, fingerprint) of each band of ``sig`` (none for no signature)."""
        if sig is None:
            return []
        keys = band_keys(signature_values(sig), self.bands, self.rows)[0]
        groups = (keys >> np.uint64(48)).tolist()
        prints = ((keys >> np.uint64(30)) & np.uint64(0x3FFFF)).tolist()
        return [
            (
                f"{self._tag}:p:{group >> 8:02x}",
                bytes([group & 0xFF]) + (fp & 0xFFFF).to_bytes(2, "little") + bytes([fp >> 16]),
            )
            for group, fp in zip(groups, prints, strict=True)
        ]

    def _call(self, mode: str, key: str, state: _State, judged: tuple[str, ...]) -> list[Any]:
        names = sorted({name for name, _ in state.new + state.old})
        slot = {name: 1 + len(self._fixed) + i for i, name in enumerate(names)}
        pairs: list[Any] = []
        for name, spec in state.new + state.old:
            pairs += [slot[name], spec]
        kept = state.record if self._keep else b""
        head = [
            mode,
            _name(key),
            _page(key),
            state.expected,
            kept,
            state.digest,
            self._grace,
            "1" if state.same else "",
        ]
        result = self._script(
            keys=[*self._fixed, *names], args=[*head, len(state.new), len(state.old), *pairs, *judged]
        )
        return [_text(result[0]), *result[1:]]

    def _run(self, mode: str, key: str, sig: Signature | None, judged: tuple[str, ...] = ()) -> list[Any]:
        """Run the script; when the key's current document is not the one assumed, run it again with that
        document's postings (compare-and-set: the old postings are computed here, from its signature)."""
        state = _State(sig.to_bytes() if sig is not None else b"", self._postings(sig))
        for _ in range(_MAX_ATTEMPTS):
            result = self._call(mode, key, state, judged)
            if result[0] != "retry":
                return result
            state.expected = _text(result[1])
            stored = bytes(result[2])
            if state.expected and not stored:  # the store's, if it is still the one indexed
                stored = self._load({key}).get(key, b"")
                stored = stored if _digest(stored) == bytes(result[3]) else b""
            state.same = bool(stored) and stored == state.record
            # No signature anywhere (a writer died before its commit): its postings stay, as near misses
            # that the client's check on the full band keys turns away.
            state.old = self._postings(Signature.from_bytes(stored)) if stored and not state.same else []
        raise RuntimeError(f"record of {key!r} kept changing during {mode}; gave up after {_MAX_ATTEMPTS}")

    def read_signatures_from(self, signatures: SignatureSource, grace_s: float | None = None) -> None:
        """Verify against the store from now on (the pipeline and ``prune`` hand theirs over), and keep
        fresh signatures in Redis for ``grace_s`` seconds only; an index given its source keeps it."""
        if self._source is not None:
            return
        grace_s = self._grace_s if grace_s is None else grace_s
        self._source = signatures
        self._grace = str(int(grace_s))
        self._keep = grace_s > 0

    def _load(self, keys: set[str]) -> Mapping[str, bytes]:
        if not keys:
            return {}
        if self._source is None:
            raise RuntimeError(
                f"the dedup index {self._tag} keeps signatures in the store, not in Redis: this RedisIndex "
                "needs signatures= (Store.signatures_of) to verify its candidates"
            )
        return self._source(keys)

    def _candidates(self, sig: Signature, flat: list[Any], need: int) -> tuple[list[Candidate], list[str]]:
        """Verify what the script found (steps 3-4, as ``InProcessIndex`` does): the candidates with at
        least ``need`` equal values, and the numbers of everything seen (so the script skips them next
        time). A candidate with no fresh record is read from the store; one the store does not have
        either (a writer that died before its commit) is no stored story, and is skipped."""
        ids = [_text(flat[i]) for i in range(0, len(flat), 3)]
        if not ids:
            return [], ids
        keys = [_key(bytes(flat[i])) for i in range(1, len(flat), 3)]
        records = [bytes(flat[i]) for i in range(2, len(flat), 3)]
        missing = {key for key, record in zip(keys, records, strict=True) if not record}
        loaded = self._load(missing)
        pairs = [(key, record or loaded.get(key, b"")) for key, record in zip(keys, records, strict=True)]
        pairs = [(key, record) for key, record in pairs if record]
        if not pairs:
            return [], ids
        parsed = [(key, Signature.from_bytes(record)) for key, record in pairs]
        values = signature_values(sig)
        stored = decode_values([record for _, record in pairs], self.num_perm)
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

    def _check(self, sig: Signature) -> None:
        if sig.num_perm != self.num_perm:
            raise ValueError(f"signature has {sig.num_perm} permutations, the index expects {self.num_perm}")

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

    # -- filling and reading the whole index -----------------------------------------------------------
    def bulk_insert(self, items: Iterable[tuple[str, bytes]], batch: int = 50_000) -> int:
        """Load stored (key, signature bytes) without the script: for filling an index from the store
        before workers use it (a new Redis, a restore, a layout change). Not atomic against concurrent
        check-and-insert; keys already in the index are skipped. Pages and groups are read once, extended
        in memory and written back whole, one ``HSET`` per hash (no ``APPEND`` slack)."""
        pages = {
            int.from_bytes(field, "little") + 256 * i: bytes(blob)
            for i, name in enumerate(self._fixed[3:])
            for field, blob in self.redis.hgetall(name).items()
        }
        loader = _Loader(pages)
        groups: dict[int, list[bytes]] = {}
        chunk: list[tuple[str, bytes]] = []
        for key, data in items:
            chunk.append((key, bytes(data)))
            if len(chunk) == batch:
                self._load_chunk(chunk, loader, groups)
                chunk = []
        if chunk:
            self._load_chunk(chunk, loader, groups)
        self._write(loader, groups)
        return loader.added

    def _load_chunk(
        self, chunk: list[tuple[str, bytes]], loader: _Loader, groups: dict[int, list[bytes]]
    ) -> None:
        params = chunk[0][1][1:4]
        for _, data in chunk:
            if data is chunk[0][1] or data[1:4] != params:
                self._check(Signature.from_bytes(data))  # one decode per parameter set, not per row
        new = [(doc, key, data) for key, data in chunk if (doc := loader.place(key, data)) is not None]
        if not new:
            return
        if self._source is None:
            loader.records += [(doc, data) for doc, _, data in new]
        docs = np.array([doc for doc, _, _ in new], dtype=np.uint64)
        keys = band_keys(decode_values([data for _, _, data in new], self.num_perm), self.bands, self.rows)
        group = (keys >> np.uint64(48)).ravel()
        prints = (keys >> np.uint64(30)) & np.uint64(0x3FFFF)
        doc_field = docs[:, None] | ((prints >> np.uint64(16)) << np.uint64(22))
        postings = (prints & np.uint64(0xFFFF)) | (doc_field << np.uint64(16))
        packed = postings.ravel().astype("<u8").view(np.uint8).reshape(-1, 8)[:, :_POSTING]
        order = np.argsort(group, kind="stable")
        group, packed = group[order], packed[order]
        bounds = np.flatnonzero(np.diff(group)) + 1
        for part in np.split(np.arange(group.size), bounds):
            if part.size:
                groups.setdefault(int(group[part[0]]), []).append(packed[part].tobytes())

    def _write(self, loader: _Loader, groups: dict[int, list[bytes]]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        by_hash: dict[int, dict[bytes, bytes]] = {}
        for number, pieces in groups.items():
            by_hash.setdefault(number >> 8, {})[bytes([number & 0xFF])] = b"".join(pieces)
        for high, fields in by_hash.items():
            name = f"{self._tag}:p:{high:02x}"
            existing = self.redis.hmget(name, list(fields))
            merged = {
                f: (bytes(old) if old else b"") + blob
                for (f, blob), old in zip(fields.items(), existing, strict=True)
            }
            pipe.hset(name, mapping=merged)
        for page in loader.changed:
            pipe.hset(self._fixed[3 + page // 256], bytes([page % 256]), loader.pages[page])
        for start in range(0, len(loader.records), 10_000):
            stamp = b"\0\0\0\0"
            pipe.hset(
                self._fixed[1],
                mapping={str(doc): stamp + data for doc, data in loader.records[start : start + 10_000]},
            )
        pipe.hincrby(self._meta, "count", loader.added)
        pipe.execute()

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        page = _page(key)
        blob = self.redis.hget(self._fixed[3 + page // 256], bytes([page % 256])) or b""
        return b"\xfe" + _name(key) + b"\xff" in bytes(blob)

    def __len__(self) -> int:
        return int(self.redis.hget(self._meta, "count") or 0)

    def signatures(self) -> dict[str, Signature]:
        """Every indexed signature (fresh records, else the store's), for audits and for rebuilding an
        in-process index from a shared one."""
        docs: dict[str, str] = {}
        for i, name in enumerate(self._fixed[3:]):
            for field, blob in self.redis.hgetall(name).items():
                page = 256 * i + field[0]
                for key, slot in _records(bytes(blob)):
                    docs[str(page * _SLOTS + slot)] = key
        fresh = {_text(doc): bytes(value)[4:] for doc, value in self.redis.hgetall(self._fixed[1]).items()}
        found = {key: fresh[doc] for doc, key in docs.items() if doc in fresh}
        found.update(self._load({key for key in docs.values() if key not in found}))
        return {key: Signature.from_bytes(data) for key, data in found.items() if key in docs.values()}


class _State:
    """What one script call assumes about the key: its current document, and the postings to write."""

    def __init__(self, record: bytes, new: list[tuple[str, bytes]]) -> None:
        self.record = record
        self.digest = _digest(record)
        self.new = new
        self.old: list[tuple[str, bytes]] = []
        self.expected = ""
        self.same = False


class _Loader:
    """Pages as a bulk load extends them: each new key gets the smallest free slot of its page."""

    def __init__(self, pages: dict[int, bytes]) -> None:
        self.pages = pages
        self.used = {page: {slot for _, slot in _records(blob)} for page, blob in pages.items()}
        self.free = dict.fromkeys(pages, 0)
        self.changed: set[int] = set()
        self.records: list[tuple[int, bytes]] = []
        self.added = 0
        self._parts: dict[int, list[bytes]] = {}

    def place(self, key: str, data: bytes) -> int | None:
        """The new document's number, or None for a key already in the index."""
        page = _page(key)
        name = _name(key)
        blob = self.pages.get(page, b"")
        if b"\xfe" + name + b"\xff" in blob:
            return None
        used = self.used.setdefault(page, set())
        slot = self.free.get(page, 0)
        while slot in used:
            slot += 1
        if slot >= _SLOTS:
            raise RuntimeError(f"dedup index page {page} is full ({_SLOTS} documents)")
        used.add(slot)
        self.free[page] = slot + 1
        self.pages[page] = blob + b"\xfe" + name + b"\xff" + slot.to_bytes(2, "little") + _digest(data)
        self.changed.add(page)
        self.added += 1
        return page * _SLOTS + slot


def _records(blob: bytes) -> list[tuple[str, int]]:
    """(key, slot) of each record of a page, read in order (a slot's bytes may be 0xFE or 0xFF)."""
    out = []
    start = 0
    while start < len(blob):
        end = blob.index(b"\xff", start)
        out.append((_key(blob[start + 1 : end]), int.from_bytes(blob[end + 1 : end + 3], "little")))
        start = end + 7
    return out


def _digest(record: bytes) -> bytes:
    """24 bits of a signature's hash as 4 bytes of 0x40-0x7F (never a page marker nor a slot's high byte):
    whether the signature the store has now is the one the index holds postings of."""
    value = int.from_bytes(hashlib.blake2b(record, digest_size=3).digest(), "little")
    return bytes(0x40 | (value >> (6 * i)) & 0x3F for i in range(4))


_SCHEMES = (
    (b"https://www.", b"\xfb"),
    (b"http://www.", b"\xfa"),
    (b"https://", b"\xfd"),
    (b"http://", b"\xfc"),
)
"""URL beginnings a page writes as one byte: bytes 0xFA-0xFD never occur in UTF-8 (nor are they markers)."""


def _name(key: str) -> bytes:
    """The key as a page keeps it: UTF-8, its scheme (and ``www.``) one byte, 7-11 bytes a URL saved."""
    raw = key.encode("utf-8")
    for prefix, code in _SCHEMES:
        if raw.startswith(prefix):
            return code + raw[len(prefix) :]
    return raw


def _key(name: bytes) -> str:
    for prefix, code in _SCHEMES:
        if name[:1] == code:
            return (prefix + name[1:]).decode("utf-8")
    return name.decode("utf-8")


def _page(key: str) -> int:
    """The key's page: the top 12 bits of a 64-bit hash of it."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - 12)


def drop_index(client: Any, prefix: str = "wirefeed:dedup") -> int:
    """Delete every key of the index at ``prefix``, whatever its layout (one of another version cannot be
    opened): the way to rebuild it, then ``RedisIndex.bulk_insert`` from the store."""
    names = list(client.scan_iter(match=f"{_escape(_tag(prefix))}:*", count=1000))
    for start in range(0, len(names), 1000):
        client.delete(*names[start : start + 1000])
    return len(names)


def _tag(prefix: str) -> str:
    return prefix if prefix.startswith("{") else "{" + prefix + "}"


def _escape(pattern: str) -> str:
    """``pattern`` for SCAN MATCH, its glob characters taken literally (a hash tag has braces, not globs)."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in pattern)


def index_size(client: Any, prefix: str = "wirefeed:dedup") -> int:
    """The number of documents in the shared index, without loading it (for metrics)."""
    return int(client.hget(f"{_tag(prefix)}:meta", "count") or 0)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
