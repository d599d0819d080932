"""The near-duplicate index shared by many workers on many machines, kept in Redis (or Valkey).

Redis holds what finds candidates, not what verifies them: the judge's signatures are in the store
already (every article row keeps its own), so a candidate's signature is read from there, through the
``signatures`` callable the pipeline passes (``Store.signatures_of``). Layout version 4, all under one
prefix (default ``wirefeed:dedup``, written as a hash tag, see below), under 400 bytes per document from
10,000 to 1M documents, and an insert that costs the same at every size:

- postings ``{prefix}:p:<xx>``: 256 hashes whose fields grow in number with the index (linear hashing).
  A band key (``worker.dedup.band_keys``) gives a 34-bit code h: its top 16 bits L, then its next 18 R.
  With 2^j <= F < 2^(j+1) fields (F >= 256, in ``meta``), h lives in field h mod 2^(j+1), or h mod 2^j
  if that field is not split yet; field a is field a // 256 of hash a mod 256. Once the index holds more
  than ``PER_FIELD`` postings a field, each insert splits the next field in turn (its postings move on
  bit j of h), so a field stays ~2 KB and an insert rewrites 64 fields of that size whether the index
  holds 10,000 documents or a million (layout 3 had 65,536 fixed groups: 50 bytes each at 10,000
  documents, most of the memory in per-field overhead; 5 KB each at 1M, rewritten on every insert).
  A field is runs of postings, in order of their byte: below 65,536 fields L's high byte (which the
  address does not fix), from there on X, the 3 key bits below R (L is in the address; postings that
  were in a shallower field have no X and keep the byte 255, searched as well). A run is that byte, a
  count (<= 255), then 5-byte postings, R and a 22-bit document number (64 bands: 320 bytes a document,
  plus two bytes a run). A match on 34 bits (37 with X) may be a near miss of the full key, each costing
  a read from the store and a second script call (without X, one insert in four at 1M documents): the
  client confirms every candidate on its full band keys, as ``InProcessIndex`` does. Fields
  are hash fields rather than keys of their own, and are written whole with ``HSET``: ``APPEND`` would
  leave each string up to twice its length;
- pages ``{prefix}:d:<x>``: 8 hashes of 256 fields, 2,048 pages. A key's page is the top 11 bits of its
  hash and its slot the first free one from the next 11; the page keeps ``0xFE key 0xFF slot digest``
  per document (UTF-8 never holds 0xFE or 0xFF, so one ``string.find`` locates a key or a slot), and the
  document number is page * 2,048 + slot, so one record maps the key to its number and back (up to 2,048
  documents a page: ~3.8M a prefix; beyond that, shard by prefix, see below). The digest tells whether
  the signature the store has now is the one indexed, so a replaced key's postings go;
- fresh records ``{prefix}:fresh``: the signature of each document inserted in the last ``grace_s``
  seconds, for the candidates whose row another worker has not committed yet (and whose signature the
  store cannot give); older ones are dropped as new ones come. Without a ``signatures`` source (tests,
  a bare index) every record stays, as layout 2 kept them;
- ``{prefix}:meta``: the layout (version, permutations, bands, rows), fixed by the first worker that uses
  the index, so that a later change of threshold never strands the postings written under the old layout;
  an index of another layout version is refused with a clear error (``drop`` it and refill it with
  ``bulk_insert`` from the store). ``count`` is the number of documents, ``fields`` the number of
  posting fields (never fewer as documents are removed: memory stays that of the largest window).

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
-- KEYS: 1 meta hash, 2 fresh records (hash: doc -> 4-byte time .. signature), 3 fresh log (list), 4..11 the
-- 8 page hashes (doc -> key), 12..267 the 256 posting containers (field address mod 256).
-- ARGV: 1 mode, 2 key, 3 key's page, 4 expected current doc ('' = absent), 5 signature bytes to keep
-- ('' = none), 6 the signature's 4-byte digest, 7 grace seconds ('' = keep records), 8 '1' when the new
-- signature equals the current one, 9 the new bands and 10 the old ones (6 bytes each: the band's 34-bit
-- code h, little-endian, then its byte X), 11 the judged doc ids (','-separated), 12 postings a field holds on average,
-- 13 the key's first slot to try.
local meta, fresh, fresh_log = KEYS[1], KEYS[2], KEYS[3]
local mode, key, page, expected = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local record, digest, grace, same = ARGV[5], ARGV[6], ARGV[7], ARGV[8] == '1'
local new_bands, old_bands, judged, per_field = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local SLOTS, HIGH, RUN = 2048, 4194304, 255  -- documents a page; 2^22; postings a run holds at most
local DEEP, UNKNOWN = 65536, 255  -- fields from which runs are keyed by X; the run byte of an unknown X
local CONTAINERS = #KEYS - 255  -- the first of the 256 posting containers, the last keys
local MIN_FIELDS = 256

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
-- under 8) and a 4-byte digest of the indexed signature (bytes 0x40-0x7F), so neither pattern below can
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
-- The first free slot from the key's own start (a page is at most a quarter full below ~1M documents, so
-- one or two probes, whatever the page's length).
local function free_slot(blob, start)
  for i = 0, SLOTS - 1 do
    local s = (start + i) % SLOTS
    if not string.find(blob, '\255' .. le16(s), 1, true) then return s end
  end
  return nil
end

local function fresh_record(id)
  local value = redis.call('HGET', fresh, id)
  if value then return string.sub(value, 5) end
  return ''
end

-- Postings, linear hashing: a band's code h (16 bits L, then 18 bits R) lives in field h mod 2^(j+1), or
-- h mod 2^j when that field is not split yet (2^j <= fields < 2^(j+1), fields >= 256). Field a is field
-- floor(a / 256) of container a mod 256 (= L mod 256). A field is a list of runs: a byte, the high byte of
-- L (which the address does not fix below 2^16 fields), a count byte (<= 255), then that many 5-byte
-- postings: R's low 16 bits, then 22 bits of document and R's top 2 bits. Runs are kept in the order of
-- their byte, so a search stops at the first greater one; a match must start a posting.
local fields = tonumber(redis.call('HGET', meta, 'fields') or MIN_FIELDS)
local level = MIN_FIELDS
while level * 2 <= fields do level = level * 2 end

-- A band's container, field, run byte, posting prefix, R's top bits, and whether its field is deep (at
-- 2^16 fields or more: L is fixed by the address, and the run byte is X, 3 more bits of the key, or 255
-- for postings that came from a shallower field and never had their X).
local function band(spec, b)
  local h1, h2, h3, h4, h5, x = string.byte(spec, 6 * b + 1, 6 * b + 6)
  local h = h1 + 256 * h2 + 65536 * h3 + 16777216 * h4 + 4294967296 * h5
  local a = h % (2 * level)
  local depth = 2 * level
  if a >= fields then
    a = h % level
    depth = level
  elseif a < level and a >= fields - level then
    depth = level
  end
  local deep = depth >= DEEP
  return KEYS[CONTAINERS + a % 256], tostring(math.floor(a / 256)), deep and x or h2, string.char(h3, h4), h5, deep
end

local blobs = {}
local function load(hash, field)
  local name = hash .. '\0' .. field
  local blob = blobs[name]
  if blob == nil then
    blob = redis.call('HGET', hash, field) or ''
    blobs[name] = blob
  end
  return blob, name
end
local function store(hash, field, name, blob)
  blobs[name] = blob
  put(hash, field, blob)
end

-- Each posting of the runs of high byte k that starts with pattern: visit(pos, run start, count, run end)
-- until it returns true.
local function scan(blob, k, pattern, visit)
  local at, n = 1, #blob
  while at <= n do
    local kb, count = string.byte(blob, at, at + 1)
    local first, stop = at + 2, at + 1 + 5 * count
    if kb > k then return false end
    if kb == k then
      local p = first
      while true do
        local pos = string.find(blob, pattern, p, true)
        if not pos or pos > stop then break end
        if (pos - first) % 5 == 0 then
          if visit(pos, at, count, stop) then return true end
          p = pos + 5
        else
          p = pos + 1
        end
      end
    end
    at = stop + 1
  end
  return false
end

local function candidates()
  local seen, found, pages = {}, {}, {}
  for id in string.gmatch(judged, '%d+') do seen[id] = true end
  for b = 0, #new_bands / 6 - 1 do
    local hash, field, k, fp, high, deep = band(new_bands, b)
    local blob = load(hash, field)
    local function visit(pos)
      local x, y, z = string.byte(blob, pos + 2, pos + 4)
      if math.floor(z / 64) ~= high then return false end
      local doc = x + 256 * y + 65536 * (z % 64)
      local id = tostring(doc)
      if not seen[id] then
        seen[id] = true
        local p = math.floor(doc / SLOTS)
        if pages[p] == nil then pages[p] = page_blob(p) end
        local name = slot_key(pages[p], doc % SLOTS)
        if name then
          found[#found + 1] = id
          found[#found + 1] = name
          found[#found + 1] = fresh_record(id)
        end
      end
      return false
    end
    scan(blob, k, fp, visit)
    if deep then scan(blob, UNKNOWN, fp, visit) end
  end
  return found
end

local function add(doc)
  for b = 0, #new_bands / 6 - 1 do
    local hash, field, k, fp, high = band(new_bands, b)
    local posting = fp .. le24(doc + high * HIGH)
    local blob, name = load(hash, field)
    local at, n, done = 1, #blob, false
    while at <= n do
      local kb, count = string.byte(blob, at, at + 1)
      local stop = at + 1 + 5 * count
      if kb == k and count < RUN then
        blob = string.sub(blob, 1, at - 1) .. string.char(k, count + 1) .. posting .. string.sub(blob, at + 2)
        done = true
        break
      elseif kb > k then
        blob = string.sub(blob, 1, at - 1) .. string.char(k, 1) .. posting .. string.sub(blob, at)
        done = true
        break
      end
      at = stop + 1
    end
    if not done then blob = blob .. string.char(k, 1) .. posting end
    store(hash, field, name, blob)
  end
end

local function unindex(doc)
  for b = 0, #old_bands / 6 - 1 do
    local hash, field, k, fp, high, deep = band(old_bands, b)
    local blob, name = load(hash, field)
    local posting = fp .. le24(doc + high * HIGH)
    local function cut(pos, at, count, stop)
      if count == 1 then
        blob = string.sub(blob, 1, at - 1) .. string.sub(blob, stop + 1)
      else
        blob = string.sub(blob, 1, at) .. string.char(count - 1) .. string.sub(blob, at + 2, pos - 1)
          .. string.sub(blob, pos + 5)
      end
      store(hash, field, name, blob)
      return true
    end
    if not scan(blob, k, posting, cut) and deep then scan(blob, UNKNOWN, posting, cut) end
  end
  redis.call('HDEL', fresh, tostring(doc))
end

-- Split the next field (fields - 2^j) on bit j of h: runs move whole while that bit is in L, postings one
-- by one once it is in R. Amortised: each insert adds a document's postings, a split moves one field.
local function split()
  local s = fields - level
  local hash = KEYS[CONTAINERS + s % 256]
  local from, to = tostring(math.floor(s / 256)), tostring(math.floor((s + level) / 256))
  local blob, name = load(hash, from)
  local keep, move = {}, {}
  local at, n = 1, #blob
  while at <= n do
    local kb, count = string.byte(blob, at, at + 1)
    local stop = at + 1 + 5 * count
    if level < DEEP then
      local L = kb * 256 + s % 256
      local side = math.floor(L / level) % 2 == 1 and move or keep
      -- into deep fields, a run's byte becomes X: unknown for these postings
      local head = 2 * level == DEEP and string.char(UNKNOWN) or string.char(kb)
      side[#side + 1] = head .. string.sub(blob, at + 1, stop)
    else
      local stay, go, bit = {}, {}, level / 65536
      for pos = at + 2, stop, 5 do
        local r1, r2, _, _, z = string.byte(blob, pos, pos + 4)
        local part = math.floor((r1 + 256 * r2 + 65536 * math.floor(z / 64)) / bit) % 2 == 1 and go or stay
        part[#part + 1] = string.sub(blob, pos, pos + 4)
      end
      if #stay > 0 then keep[#keep + 1] = string.char(kb, #stay) .. table.concat(stay) end
      if #go > 0 then move[#move + 1] = string.char(kb, #go) .. table.concat(go) end
    end
    at = stop + 1
  end
  store(hash, from, name, table.concat(keep))
  store(hash, to, hash .. '\0' .. to, table.concat(move))
  fields = fields + 1
  if fields == 2 * level then level = 2 * level end
end

local function grow(count)
  local before = fields
  while count * (#new_bands / 6) > fields * per_field do split() end
  if fields ~= before then redis.call('HSET', meta, 'fields', fields) end
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
local doc, count
if current then
  doc = current
  unindex(doc)
  redis.call('HSET', page_hash(page), string.char(page % 256), string.sub(pblob, 1, lo - 1) .. '\254' .. key
    .. '\255' .. le16(doc % SLOTS) .. digest .. string.sub(pblob, hi + 1))
  count = tonumber(redis.call('HGET', meta, 'count') or 0)
else
  local slot = free_slot(pblob, tonumber(ARGV[13]))
  if not slot then return redis.error_reply('dedup index page ' .. page .. ' is full') end
  doc = page * SLOTS + slot
  redis.call('HSET', page_hash(page), string.char(page % 256), pblob .. '\254' .. key .. '\255' .. le16(slot) .. digest)
  count = redis.call('HINCRBY', meta, 'count', 1)
end
add(doc)
grow(count)
keep_record(doc)
return {'inserted'}
"""

_LAYOUT_VERSION = 4
_SLOTS = 2048  # documents a page; the document number is page * _SLOTS + slot: 22 bits of a posting
_PAGES = 2048
_POSTING = 5
_CONTAINERS = (
    256  # posting hashes; also the least number of fields (a field's address mod 256 names its hash)
)
PER_FIELD = 400
"""Postings a field holds on average before the next one splits: ~2 KB fields. Larger fields cost more to
rewrite on every insert, smaller ones more per-field overhead in Redis (~90 bytes each)."""
_RUN = 255  # postings a run holds at most (its count is one byte)
_DEEP = 65536  # fields from which a field's runs are keyed by X (the address fixes L)
_UNKNOWN = 255  # a deep run's byte for postings whose X was never known (inserted into a shallower field)
FRESH_GRACE_S = 900
"""Seconds a fresh signature stays in Redis: far beyond a batch's commit (``Pipeline.BATCH_SECONDS``) and
the pipeline's wait for another worker's commit, after which the store has the row."""
_MAX_ATTEMPTS = 50


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
        self._containers = [f"{tag}:p:{i:02x}" for i in range(_CONTAINERS)]
        self._keys = [name.encode() for name in (*self._fixed, *self._containers)]  # every call's KEYS
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
    def _postings(self, sig: Signature | None) -> bytes:
        """Each band's 34-bit code (the key's top 16 bits, then its next 18) as 5 little-endian bytes and
        its byte X; the script places and finds it (empty for no signature)."""
        if sig is None:
            return b""
        keys = band_keys(signature_values(sig), self.bands, self.rows)[0]
        spec = np.empty((keys.size, _POSTING + 1), dtype=np.uint8)
        spec[:, :_POSTING] = _codes(keys).astype("<u8").view(np.uint8).reshape(-1, 8)[:, :_POSTING]
        spec[:, _POSTING] = _extra(keys)
        return spec.tobytes()

    def _call(self, mode: str, key: str, state: _State, judged: tuple[str, ...]) -> list[Any]:
        kept = state.record if self._keep else b""
        args = [
            mode,
            _name(key),
            _page(key)[0],
            state.expected,
            kept,
            state.digest,
            self._grace,
            "1" if state.same else "",
            state.new,
            state.old,
            ",".join(judged),
            PER_FIELD,
            _page(key)[1],
        ]
        result = self._script(keys=self._keys, args=args)
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
            state.old = self._postings(Signature.from_bytes(stored)) if stored and not state.same else b""
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
        check-and-insert; keys already in the index are skipped. Pages and fields are read once, laid out
        again in memory for the number of fields the new size needs (as the script's splits would), and
        written back whole, one ``HSET`` per hash (no ``APPEND`` slack)."""
        pages = {
            int.from_bytes(field, "little") + 256 * i: bytes(blob)
            for i, name in enumerate(self._fixed[3:])
            for field, blob in self.redis.hgetall(name).items()
        }
        loader = _Loader(pages)
        chunk: list[tuple[str, bytes]] = []
        for key, data in items:
            chunk.append((key, bytes(data)))
            if len(chunk) == batch:
                self._load_chunk(chunk, loader)
                chunk = []
        if chunk:
            self._load_chunk(chunk, loader)
        if loader.added:
            self._write(loader)
        return loader.added

    def _load_chunk(self, chunk: list[tuple[str, bytes]], loader: _Loader) -> None:
        params = chunk[0][1][1:4]
        for _, data in chunk:
            if data is chunk[0][1] or data[1:4] != params:
                self._check(Signature.from_bytes(data))  # one decode per parameter set, not per row
        new = [(doc, key, data) for key, data in chunk if (doc := loader.place(key, data)) is not None]
        if not new:
            return
        if self._source is None:
            loader.records += [(doc, data) for doc, _, data in new]
        keys = band_keys(decode_values([data for _, _, data in new], self.num_perm), self.bands, self.rows)
        code = _codes(keys).ravel()
        extra = _extra(keys).ravel()
        docs = np.repeat(np.array([number for number, _, _ in new], dtype=np.uint32), self.bands)
        container = (code & np.uint64(_CONTAINERS - 1)).astype(np.uint8)
        order = np.argsort(container, kind="stable")
        bounds = np.searchsorted(container[order], np.arange(1, _CONTAINERS)).tolist()
        for number, part in enumerate(np.split(order, bounds)):
            if part.size:
                loader.codes[number].append(code[part])
                loader.docs[number].append(docs[part])
                loader.extras[number].append(extra[part])

    def _write(self, loader: _Loader) -> None:
        """One container at a time (an address mod 256 names its container, so each is laid out alone):
        memory stays at the new postings plus one container's fields."""
        new = sum(part.size for parts in loader.codes for part in parts)
        known = int(self.redis.hget(self._meta, "fields") or _CONTAINERS)
        existing = int(self.redis.hget(self._meta, "count") or 0) * self.bands
        fields = max(known, _CONTAINERS, -(-(existing + new) // PER_FIELD))
        for container, name in enumerate(self._containers):
            codes, docs, extras = loader.codes[container], loader.docs[container], loader.extras[container]
            stored = self.redis.hgetall(name)
            for field, blob in stored.items():
                h, doc, extra = _decode_field(int(field) * _CONTAINERS + container, bytes(blob), known)
                codes.append(h)
                docs.append(doc)
                extras.append(extra)
            if not codes:
                continue
            joined = (np.concatenate(codes), np.concatenate(docs), np.concatenate(extras))
            mapping = _layout(*joined, fields).get(container, {})
            loader.codes[container], loader.docs[container], loader.extras[container] = [], [], []
            pipe = self.redis.pipeline(transaction=False)
            gone = set(stored) - set(mapping)
            if gone:
                pipe.hdel(name, *gone)
            pipe.hset(name, mapping=mapping)
            pipe.execute()
        pipe = self.redis.pipeline(transaction=False)
        for page in loader.parts:
            pipe.hset(self._fixed[3 + page // 256], bytes([page % 256]), loader.page(page))
        for start in range(0, len(loader.records), 10_000):
            stamp = b"\0\0\0\0"
            pipe.hset(
                self._fixed[1],
                mapping={str(doc): stamp + data for doc, data in loader.records[start : start + 10_000]},
            )
        pipe.hincrby(self._meta, "count", loader.added)
        pipe.hset(self._meta, "fields", fields)
        pipe.execute()

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        page, _ = _page(key)
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

    def __init__(self, record: bytes, new: bytes) -> None:
        self.record = record
        self.digest = _digest(record)
        self.new = new
        self.old = b""
        self.expected = ""
        self.same = False


class _Loader:
    """Pages as a bulk load extends them: each new key gets the smallest free slot of its page."""

    def __init__(self, pages: dict[int, bytes]) -> None:
        self.pages = pages
        self.names = {page: {_name(key) for key, _ in _records(blob)} for page, blob in pages.items()}
        self.used = {page: {slot for _, slot in _records(blob)} for page, blob in pages.items()}
        self.parts: dict[int, list[bytes]] = {}  # records added to each page, joined when written
        self.records: list[tuple[int, bytes]] = []
        # each new posting's band code and document, by container, in load order
        self.codes: list[list[np.ndarray]] = [[] for _ in range(_CONTAINERS)]
        self.docs: list[list[np.ndarray]] = [[] for _ in range(_CONTAINERS)]
        self.extras: list[list[np.ndarray]] = [[] for _ in range(_CONTAINERS)]
        self.added = 0

    def place(self, key: str, data: bytes) -> int | None:
        """The new document's number, or None for a key already in the index: the slot the script would
        give it (the first free one from the key's start)."""
        page, slot = _page(key)
        name = _name(key)
        names = self.names.setdefault(page, set())
        if name in names:
            return None
        used = self.used.setdefault(page, set())
        if len(used) >= _SLOTS:
            raise RuntimeError(f"dedup index page {page} is full ({_SLOTS} documents)")
        while slot in used:
            slot = (slot + 1) % _SLOTS
        used.add(slot)
        names.add(name)
        self.parts.setdefault(page, []).append(
            b"\xfe" + name + b"\xff" + slot.to_bytes(2, "little") + _digest(data)
        )
        self.added += 1
        return page * _SLOTS + slot

    def page(self, page: int) -> bytes:
        return self.pages.get(page, b"") + b"".join(self.parts[page])


def _codes(keys: np.ndarray) -> np.ndarray:
    """A band key's 34-bit code h: its top 16 bits L (low in h), then its next 18 bits R (what a posting
    keeps, besides the field's address and its run's byte)."""
    return (keys >> np.uint64(48)) | (((keys >> np.uint64(30)) & np.uint64(0x3FFFF)) << np.uint64(16))


def _extra(keys: np.ndarray) -> np.ndarray:
    """X, the 3 bits of a band key below R, as a deep field's run byte (255 stands for "unknown"). Three
    bits make near misses 8 times rarer for 8 runs a field (~2 bytes a document); each more bit halves
    them again but doubles the runs a field holds, which a search walks one by one."""
    extra: np.ndarray = (keys >> np.uint64(27)) & np.uint64(0x7)
    return extra.astype(np.uint8)


def _address(code: np.ndarray, fields: int) -> np.ndarray:
    """Linear hashing, as the script places a code: h mod 2^(j+1), or h mod 2^j for a field not split yet."""
    level = 1 << (fields.bit_length() - 1)
    address = code % np.uint64(2 * level)
    return np.where(address >= fields, code % np.uint64(level), address)


def _deep(address: np.ndarray | int, fields: int) -> np.ndarray:
    """Whether a field is at 2^16 fields or deeper (split already, or new): its runs are keyed by X."""
    level = 1 << (fields.bit_length() - 1)
    split = (np.asarray(address) < fields - level) | (np.asarray(address) >= level)
    deep: np.ndarray = np.where(split, 2 * level, level) >= _DEEP
    return deep


def _layout(
    code: np.ndarray, doc: np.ndarray, extra: np.ndarray, fields: int
) -> dict[int, dict[bytes, bytes]]:
    """Every field's bytes for these postings, by container: runs in order of their byte (L's high byte,
    or X in a deep field), each that byte, a count (<= 255) and the 5-byte postings (R's low 16 bits,
    then document | R >> 16 << 22)."""
    address = _address(code, fields)
    run_byte = np.where(_deep(address, fields), extra, (code >> np.uint64(8)) & np.uint64(0xFF))
    run_key = address * np.uint64(256) + run_byte.astype(np.uint64)
    order = np.argsort(run_key, kind="stable")
    run_key, code, doc = run_key[order], code[order], doc[order]
    del order
    n = code.size
    starts = np.flatnonzero(np.r_[True, run_key[1:] != run_key[:-1]])
    lengths = np.diff(np.r_[starts, n])
    within = np.arange(n) - np.repeat(starts, lengths)
    blocks_before = np.cumsum(np.r_[0, -(-lengths[:-1] // _RUN)])
    block = np.repeat(blocks_before, lengths) + within // _RUN
    first = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    counts = np.diff(np.r_[first, n])
    out = np.empty(_POSTING * n + 2 * first.size, dtype=np.uint8)
    heads = _POSTING * first + 2 * np.arange(first.size)
    out[heads] = (run_key[first] & np.uint64(0xFF)).astype(np.uint8)
    out[heads + 1] = counts.astype(np.uint8)
    rest = code >> np.uint64(16)
    value = (rest & np.uint64(0xFFFF)) | (
        (doc.astype(np.uint64) | ((rest >> np.uint64(16)) << np.uint64(22))) << np.uint64(16)
    )
    packed = value.astype("<u8").view(np.uint8).reshape(-1, 8)
    offsets = _POSTING * np.arange(n) + 2 * (block + 1)
    for column in range(_POSTING):
        out[offsets + column] = packed[:, column]
    field_of_block = (run_key[first] >> np.uint64(8)).astype(np.int64)
    field_starts = np.flatnonzero(np.r_[True, field_of_block[1:] != field_of_block[:-1]])
    bounds = np.r_[heads[field_starts], out.size].tolist()
    data = out.tobytes()
    layout: dict[int, dict[bytes, bytes]] = {}
    for i, address_value in enumerate(field_of_block[field_starts].tolist()):
        name = str(address_value // _CONTAINERS).encode()
        layout.setdefault(address_value % _CONTAINERS, {})[name] = data[bounds[i] : bounds[i + 1]]
    return layout


def _decode_field(address: int, blob: bytes, fields: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (code, document, X or 255) of each posting of a field at ``address``: its runs read in order."""
    codes, docs, extras = [], [], []
    deep = bool(_deep(address, fields))
    at = 0
    while at < len(blob):
        high, count = blob[at], blob[at + 1]
        extras.append(np.full(count, high if deep else _UNKNOWN, dtype=np.uint8))
        if deep:
            high = (address % 65536) >> 8
        raw = np.frombuffer(blob[at + 2 : at + 2 + _POSTING * count], dtype=np.uint8).reshape(count, _POSTING)
        wide = np.zeros((count, 8), dtype=np.uint8)
        wide[:, :_POSTING] = raw
        value = wide.view("<u8").ravel()
        low = address % _CONTAINERS + 256 * high
        rest = (value & np.uint64(0xFFFF)) | ((value >> np.uint64(38)) << np.uint64(16))
        codes.append(np.uint64(low) | (rest << np.uint64(16)))
        docs.append(((value >> np.uint64(16)) & np.uint64(0x3FFFFF)).astype(np.uint32))
        at += 2 + _POSTING * count
    if not codes:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.uint8)
    return np.concatenate(codes), np.concatenate(docs), np.concatenate(extras)


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


def _page(key: str) -> tuple[int, int]:
    """The key's page and the first slot it tries there: the top 11 bits of a 64-bit hash of it, and the
    next 11 (slots taken from a start of the key's own keep a page's probes short, never a scan of it)."""
    value = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")
    return value >> 53, (value >> 42) & (_SLOTS - 1)


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
