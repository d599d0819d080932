"""The in-process dedup index written to one file and mapped back, so a worker's join costs no sort.

A join from SQL reads every stored signature and sorts 64 band keys per row (tens of seconds at a million
rows); the index it ends with is a handful of flat arrays (``IndexArrays``). This module writes them to
one file and maps them back read-only (``mmap``): loading is a checksum pass over the file and one
Python string per key, and the operating system shares the pages between workers on one machine.

Layout: 8 magic bytes, the header's length and checksum (little-endian uint32 and uint64), the header (JSON: the
caller's ``meta``, and per section its offset, length, dtype, shape and checksum: XXH3, 64 bits), then each section at a
64-byte boundary. A file that is short, altered or of another layout raises ``SnapshotMismatch``, which
the caller treats as "no snapshot": it rebuilds from the store. The file is written beside its final
name and renamed over it, so a reader never sees half a file and a worker that mapped the old one keeps
reading the old one.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import xxhash

from worker.dedup import IndexArrays, PackedBlobs

MAGIC = b"WFDEDUP\x02"
LAYOUT_VERSION = 2
_PREFIX = struct.Struct("<IQ")  # header length, header checksum
_ALIGN = 64
_STEP = 1 << 26  # checksum 64 MB at a time: one pass over mapped pages, no copy


class SnapshotMismatch(Exception):
    """The snapshot cannot stand for the store: missing, short, corrupt, or made for something else."""


def write_snapshot(path: Path, arrays: IndexArrays, meta: dict[str, Any]) -> int:
    """Write ``arrays`` and ``meta`` to ``path`` atomically; returns the file's size in bytes."""
    if any("\0" in key for key in arrays.keys):
        raise ValueError("an index key holds a NUL character; a snapshot separates keys with it")
    lengths = arrays.blobs.lengths()
    offsets = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    sections: list[tuple[str, Iterable[bytes] | np.ndarray, str, list[int]]] = [
        ("keys", ["\0".join(arrays.keys).encode()], "u1", []),
        ("stamps", arrays.stamps.astype("<f8"), "<f8", [len(arrays.keys)]),
        ("tags", arrays.tags.astype("<i8"), "<i8", [len(arrays.keys)]),
        ("values", np.ascontiguousarray(arrays.values, dtype="<u4"), "<u4", list(arrays.values.shape)),
        ("packed", np.ascontiguousarray(arrays.packed, dtype="<u8"), "<u8", [arrays.packed.shape[0]]),
        ("starts", arrays.starts, arrays.starts.dtype.newbyteorder("<").str, [arrays.starts.shape[0]]),
        ("blob_offsets", offsets, "<i8", [offsets.shape[0]]),
        ("blobs", arrays.blobs.chunks(), "u1", []),
    ]
    header: dict[str, Any] = {
        "layout": LAYOUT_VERSION,
        "meta": meta,
        "index": {
            "num_perm": arrays.num_perm,
            "bands": arrays.bands,
            "rows": arrays.rows,
            "shingle_size": arrays.shingle_size,
            "count": len(arrays.keys),
        },
        "sections": {},
    }
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as out:
            body = _write_body(out, sections, header)
            _write_header(out, header)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return body


def _write_body(
    out: BinaryIO, sections: list[tuple[str, Any, str, list[int]]], header: dict[str, Any]
) -> int:
    """Sections after room for the header (written last, once every offset and checksum is known)."""
    room = 64 * 1024 + 64 * len(json.dumps(header["meta"]))
    position = _aligned(len(MAGIC) + _PREFIX.size + room)
    out.seek(position)
    for name, data, dtype, shape in sections:
        start, digest = position, xxhash.xxh3_64()
        if isinstance(data, np.ndarray):
            data = [np.ascontiguousarray(data).reshape(-1).view(np.uint8).data]
        for part in data:
            out.write(part)
            digest.update(part)
            position += len(part)
        header["sections"][name] = {
            "offset": start,
            "length": position - start,
            "dtype": dtype,
            "shape": shape,
        }
        header["sections"][name]["xxh3"] = digest.intdigest()
        padding = _aligned(position) - position
        out.write(b"\0" * padding)
        position += padding
    header["room"] = room
    return position


def _write_header(out: BinaryIO, header: dict[str, Any]) -> None:
    encoded = json.dumps(header, sort_keys=True).encode()
    if len(encoded) > header["room"]:
        raise ValueError("snapshot header larger than the room left for it")
    out.seek(0)
    out.write(MAGIC + _PREFIX.pack(len(encoded), xxhash.xxh3_64_intdigest(encoded)) + encoded)


def _aligned(position: int) -> int:
    return -(-position // _ALIGN) * _ALIGN


def read_header(path: Path) -> dict[str, Any]:
    """The snapshot's header (meta, index parameters, sections), checked, without reading the sections."""
    try:
        with open(path, "rb") as file:
            start = file.read(len(MAGIC) + _PREFIX.size)
            if len(start) < len(MAGIC) + _PREFIX.size or not start.startswith(MAGIC):
                raise SnapshotMismatch(f"{path}: not a dedup index snapshot of layout {LAYOUT_VERSION}")
            length, digest = _PREFIX.unpack_from(start, len(MAGIC))
            encoded = file.read(length)
            size = os.fstat(file.fileno()).st_size
    except OSError as error:
        raise SnapshotMismatch(f"{path}: {error.strerror or error}") from None
    if len(encoded) != length or xxhash.xxh3_64_intdigest(encoded) != digest:
        raise SnapshotMismatch(f"{path}: header damaged")
    header: dict[str, Any] = json.loads(encoded)
    end = max((s["offset"] + s["length"] for s in header["sections"].values()), default=0)
    if header.get("layout") != LAYOUT_VERSION or size < end:
        raise SnapshotMismatch(f"{path}: truncated ({size:,} of {end:,} bytes) or of another layout")
    return header


def read_snapshot(path: Path, *, verify: bool = True) -> tuple[IndexArrays, dict[str, Any]]:
    """The arrays a snapshot holds, mapped read-only, and its meta; every section's checksum is checked
    first (``verify``), so a flipped bit never becomes a wrong answer."""
    header = read_header(path)
    try:
        with open(path, "rb") as file:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as error:  # replaced meanwhile by an empty file, or unreadable
        raise SnapshotMismatch(f"{path}: {error}") from None
    view = memoryview(mapped)
    sections: dict[str, Any] = {}
    for name, section in header["sections"].items():
        raw = view[section["offset"] : section["offset"] + section["length"]]
        if verify and _digest(raw) != section["xxh3"]:
            raise SnapshotMismatch(f"{path}: section {name} damaged")
        sections[name] = raw
    index = header["index"]
    count = int(index["count"])
    offsets = _array(sections, header, "blob_offsets")
    keys = bytes(sections["keys"]).decode().split("\0") if count else []
    if len(keys) != count or offsets.shape[0] != count + 1:
        raise SnapshotMismatch(f"{path}: {len(keys)} keys for {count} rows")
    arrays = IndexArrays(
        keys=keys,
        stamps=_array(sections, header, "stamps"),
        tags=_array(sections, header, "tags"),
        values=_array(sections, header, "values"),
        packed=_array(sections, header, "packed"),
        starts=_array(sections, header, "starts"),
        blobs=PackedBlobs(sections["blobs"], offsets[:-1], offsets[1:]),
        shingle_size=index["shingle_size"],
        num_perm=int(index["num_perm"]),
        bands=int(index["bands"]),
        rows=int(index["rows"]),
    )
    return arrays, header["meta"]


def _array(sections: dict[str, Any], header: dict[str, Any], name: str) -> np.ndarray:
    spec = header["sections"][name]
    found = np.frombuffer(sections[name], dtype=np.dtype(spec["dtype"]))
    return found.reshape(spec["shape"]) if spec["shape"] else found


def _digest(raw: memoryview) -> int:
    digest = xxhash.xxh3_64()
    for start in range(0, len(raw), _STEP):
        digest.update(raw[start : start + _STEP])
    return digest.intdigest()
