"""The near-duplicate index shared by many workers on many machines, kept in Redis (or Valkey).

Layout, all under one prefix (default ``wirefeed:dedup``, written as a hash tag, see below):

- ``{prefix}:sigs``: one hash, field = key, value = ``Signature.to_bytes()`` (the verification data);
- ``{prefix}:b:<band>:<band key>``: one set per LSH bucket (``band_keys``), members = keys;
- ``{prefix}:meta``: the bucket layout (permutations, bands, rows), fixed by the first worker that uses the
  index, so that a later change of threshold never strands the buckets written under the old layout.

Atomicity: ``check_and_insert`` is one Lua script. Redis runs a script to completion before any other
command, so reading the candidate buckets, verifying them and inserting happen as one step for every
process on every machine: two workers holding copies of one story cannot both insert. Lua has no uint64
arithmetic, but it needs none: the estimated Jaccard is the count of equal 8-byte hash values divided by
the permutations, so the script compares byte strings and counts, and decides with the integer
``min_equal(threshold, num_perm)``, exactly as ``InProcessIndex`` decides (same candidates, same count).

Every key a script touches is passed in ``KEYS`` (Redis requires it for scripts in a cluster): the client
computes the bucket names of the new signature and, when the key is being replaced, of the signature it
read for that key; the script refuses with ``retry`` if the stored signature changed in between
(compare-and-set), and the client retries with fresh names. Candidates are fields of the one signature
hash, so reading them needs no undeclared key.

Redis Cluster: a script may only touch keys of one hash slot. The prefix is therefore written as a hash
tag (``{wirefeed:dedup}:...``), which puts the whole index in one slot, on one primary. That is the
conflict: LSH would like its bands spread over shards for memory and throughput, but check-and-insert must
see every band at once to be atomic. Spreading bands over slots would need a cross-slot protocol (a lock
key per story cluster, or a two-phase reserve/commit with expiring reservations) that gives up either
atomicity or simplicity. The choice here is one slot: measured at about 5 KiB per signature (1 KiB of
values, the rest the 32 bucket sets; ``bench/dedup_startup.py --redis``), a million stored articles fit in
about 5 GB of one node, news volume grows slowly, old articles can be removed once they can no longer be
republished, and replicas give availability. If one node ever is not enough, shard whole indexes instead
(for example one per language or per region of sources, each its own hash tag), keeping every
check-and-insert inside one slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from worker.dedup import (
    CANDIDATE_BAR,
    Candidate,
    Judge,
    Match,
    band_keys,
    lsh_params,
    min_equal,
    threshold_judge,
)
from worker.fingerprint import NUM_PERM, Signature

_SCRIPT = r"""
-- KEYS[1] = signature hash, KEYS[2 .. 1+nb] = buckets of the new signature,
-- KEYS[2+nb ..] = buckets of the signature the client read for this key (when replacing or removing).
-- ARGV: key, new signature, expected current signature ('' = absent), least equal count, bands, mode,
-- then (mode 'check') the candidate keys the client has already judged.
local sigs = KEYS[1]
local key, sig, expected = ARGV[1], ARGV[2], ARGV[3]
local need, nb, mode = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]

if mode ~= 'query' then
  local current = redis.call('HGET', sigs, key) or ''
  if current ~= expected then
    return {'retry'}
  end
end

if mode == 'remove' then
  if expected ~= '' then
    for i = 2, #KEYS do redis.call('SREM', KEYS[i], key) end
    redis.call('HDEL', sigs, key)
  end
  return {'removed'}
end

if mode == 'query' or mode == 'check' then
  -- Signatures of format 1 and 2 hold their values at the same offsets: compare shingle size and
  -- permutations (bytes 2-4), not the version byte.
  local params = string.sub(sig, 2, 4)
  local nperm = string.byte(sig, 3) + 256 * string.byte(sig, 4)
  local body = 4 + 8 * nperm
  local seen, found = {}, {}
  for i = 7, #ARGV do seen[ARGV[i]] = true end
  for i = 2, nb + 1 do
    for _, candidate in ipairs(redis.call('SMEMBERS', KEYS[i])) do
      if not seen[candidate] then
        seen[candidate] = true
        local other = redis.call('HGET', sigs, candidate)
        if other and #other >= body and string.sub(other, 2, 4) == params then
          local count = 0
          for p = 0, nperm - 1 do
            local at = 5 + p * 8
            if string.sub(sig, at, at + 7) == string.sub(other, at, at + 7) then count = count + 1 end
          end
          if count >= need then
            found[#found + 1] = candidate
            found[#found + 1] = count
            found[#found + 1] = other
          end
        end
      end
    end
  end
  if mode == 'query' or #found > 0 then
    return {'candidates', found}
  end
end

-- insert (or a check that found no candidate it had not judged): replace whatever the key had, then
-- index the new signature
if expected == sig then
  return {'inserted'}
end
if expected ~= '' then
  for i = nb + 2, #KEYS do redis.call('SREM', KEYS[i], key) end
end
redis.call('HSET', sigs, key, sig)
for i = 2, nb + 1 do redis.call('SADD', KEYS[i], key) end
return {'inserted'}
"""

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
        tag = prefix if prefix.startswith("{") else "{" + prefix + "}"
        self._sigs = f"{tag}:sigs"
        self._bucket_prefix = f"{tag}:b:"
        self._meta = f"{tag}:meta"
        self.bands, self.rows = self._layout(*lsh_params(min(threshold, CANDIDATE_BAR), num_perm))
        self._script = redis_client.register_script(_SCRIPT)

    def _layout(self, bands: int, rows: int) -> tuple[int, int]:
        """Adopt the layout stored for this index, or store ours: one HSETNX field, the first writer wins."""
        self.redis.hsetnx(self._meta, "layout", f"{self.num_perm}:{bands}:{rows}")
        stored = _text(self.redis.hget(self._meta, "layout"))
        num_perm, bands, rows = (int(part) for part in stored.split(":"))
        if num_perm != self.num_perm:
            raise ValueError(
                f"index {self._meta} holds {num_perm}-permutation signatures, not {self.num_perm}"
            )
        return bands, rows

    def _buckets(self, sig: Signature) -> list[str]:
        """Bucket names from the same band keys the in-process index sorts, one per band."""
        keys = band_keys(sig.hashvalues[None, :], self.bands, self.rows)[0].tolist()
        return [f"{self._bucket_prefix}{band}:{key:016x}" for band, key in enumerate(keys)]

    def _check(self, sig: Signature) -> None:
        if sig.num_perm != self.num_perm:
            raise ValueError(f"signature has {sig.num_perm} permutations, the index expects {self.num_perm}")

    def _run(self, mode: str, key: str, sig: Signature | None, judged: tuple[str, ...] = ()) -> list[Any]:
        """Run the script, re-reading the key's current signature whenever another writer changed it first."""
        new = sig.to_bytes() if sig is not None else b""
        new_buckets = self._buckets(sig) if sig is not None else []
        for _ in range(_MAX_ATTEMPTS):
            current = self.redis.hget(self._sigs, key) or b""
            old_buckets = self._buckets(Signature.from_bytes(current)) if current else []
            result = self._script(
                keys=[self._sigs, *new_buckets, *old_buckets],
                args=[key, new, current, self.candidate_equal, len(new_buckets), mode, *judged],
            )
            status = result[0].decode() if isinstance(result[0], bytes) else result[0]
            if status != "retry":
                return [status, *result[1:]]
        raise RuntimeError(f"signature of {key!r} kept changing during {mode}; gave up after {_MAX_ATTEMPTS}")

    def check_and_insert(self, key: str, sig: Signature, judge: Judge | None = None) -> Match | None:
        """The judge runs here, between script calls; the final call inserts only if no candidate appeared
        that the judge has not seen, so a copy stored meanwhile by another worker is still judged."""
        self._check(sig)
        judge = judge or self._default_judge
        candidates: list[Candidate] = []
        match: Match | None = None
        for _ in range(_MAX_ATTEMPTS):
            result = self._run("check", key, sig, tuple(c.key for c in candidates))
            if result[0] == "inserted":
                return match
            flat = result[1]
            candidates += [
                Candidate(_text(flat[i]), int(flat[i + 1]), Signature.from_bytes(flat[i + 2]))
                for i in range(0, len(flat), 3)
            ]
            match = judge(sig, candidates)
            if match is not None and match.joins:
                return match
        raise RuntimeError(f"candidates for {key!r} kept appearing; gave up after {_MAX_ATTEMPTS}")

    def insert(self, key: str, sig: Signature) -> None:
        self._check(sig)
        self._run("insert", key, sig)

    def bulk_insert(self, items: Iterable[tuple[str, bytes]], batch: int = 1000) -> int:
        """Load stored (key, signature bytes) without the script: for filling an index from the store
        before workers use it (a new Redis, a restore). Not atomic against concurrent check-and-insert,
        and it does not unindex a key's previous signature: only for keys not yet in the index."""
        count = 0
        pipe = self.redis.pipeline(transaction=False)
        for key, data in items:
            sig = Signature.from_bytes(bytes(data))
            self._check(sig)
            pipe.hset(self._sigs, key, bytes(data))
            for bucket in self._buckets(sig):
                pipe.sadd(bucket, key)
            count += 1
            if count % batch == 0:
                pipe.execute()
        pipe.execute()
        return count

    def remove(self, key: str) -> None:
        self._run("remove", key, None)

    def query(self, sig: Signature) -> list[Match]:
        self._check(sig)
        result = self._script(
            keys=[self._sigs, *self._buckets(sig)],
            args=["", sig.to_bytes(), "", self.min_equal, self.bands, "query"],
        )
        flat = result[1]
        matches = [Match(_text(flat[i]), int(flat[i + 1]) / self.num_perm) for i in range(0, len(flat), 3)]
        matches.sort(key=lambda match: (-match.similarity, match.key))
        return matches

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self.redis.hexists(self._sigs, key))

    def __len__(self) -> int:
        return int(self.redis.hlen(self._sigs))

    def signatures(self) -> dict[str, Signature]:
        """Every stored signature, for audits and for rebuilding an in-process index from a shared one."""
        return {_text(k): Signature.from_bytes(v) for k, v in self.redis.hgetall(self._sigs).items()}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
