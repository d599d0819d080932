"""Bytes to text for pages that arrive without a trustworthy HTTP charset.

Order matters: a byte-order mark is unambiguous, a charset the page declares in its own ``<meta>`` is the
author's intent (and right far more often than statistical guessing on short, markup-heavy documents), and
``charset-normalizer`` is the last resort for pages that declare nothing or declare something that does not
decode. Binary payloads (images, PDFs, archives) are refused here so later stages never parse noise.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

from scrapers.errors import ErrorKind, IngestError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of formats that are never HTML; cheaper and surer than any ratio of odd bytes.
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x00\x00\x01\x00",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"\x7fELF",
    b"MZ",
    b"wOFF",
    b"wOF2",
)

# The HTML spec's prescan looks at the first 1024 bytes; real pages often put the meta tag later, behind
# long comment banners or scripts, so look further while staying bounded.
_PRESCAN_BYTES = 16_384
MAX_BROKEN_UTF8 = 3
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)["']""", re.IGNORECASE)

# Labels that browsers map to a superset; decoding with the narrow codec would fail on real pages.
_ALIASES: dict[str, str] = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "x-user-defined": "cp1252",
}


def _codec_for(label: str) -> str | None:
    """Map a declared label to a Python codec, following browsers' superset choices; None if unknown."""
    name = label.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # A page cannot really be UTF-16 if it declares so in ASCII-compatible bytes; browsers use UTF-8.
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return "utf-8"
    return codec


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares about itself (XML declaration or ``<meta>``), as a codec name."""
    head = data[:_PRESCAN_BYTES]
    for pattern in (_XML_DECL, _META_CHARSET):
        match = pattern.search(head)
        if match:
            codec = _codec_for(match.group(1).decode("ascii", "ignore"))
            if codec:
                return codec
    return None


def looks_binary(data: bytes) -> bool:
    """True for payloads that are not text at all: known binary signatures or many control bytes."""
    if data.startswith(_BINARY_MAGIC):
        return True
    sample = data[:4096]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS[1:]):
        return False  # UTF-16/32 text is full of NULs by design
    # counted in C (what ``translate`` deletes): a generator over the bytes was ~2% of extract() per page
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > 0.05


_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13, 27))


def is_unusable(text: str) -> bool:
    """Decoded text that is mostly replacement characters or controls carries nothing to extract."""
    sample = text[:8192]
    if not sample.strip():
        return True
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return bad / len(sample) > 0.1


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, as a codec name; None when absent or unknown."""
    match = _CT_CHARSET.search(content_type or "")
    return _codec_for(match.group(1)) if match else None


def decode_document(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page's bytes, or raise ``IngestError`` (EMPTY or ENCODING) when that is impossible.

    Witnesses in order: a byte-order mark, the HTTP header's charset, then (no header, or one that does
    not decode the bytes) strict UTF-8, the page's own declaration, and detection. A header naming a
    legacy single-byte charset loses to bytes that are valid UTF-8 with non-ASCII text: servers default
    to latin-1 far more often than a real latin-1 page happens to form valid UTF-8 sequences.
    """
    if not data or not data.strip():
        raise IngestError(ErrorKind.EMPTY, "no bytes to decode")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            if is_unusable(text):
                raise IngestError(ErrorKind.ENCODING, f"{codec} text after a byte-order mark is unusable")
            return Decoded(text, codec)
    warnings: list[str] = []
    header = _codec_for(http_charset) if http_charset else None
    if header and header != "utf-8":
        try:
            text = data.decode(header)
        except UnicodeDecodeError:
            warnings.append(f"charset {header} from the HTTP header does not decode the page")
        else:
            if data.isascii() or not _valid_utf8(data):
                return Decoded(text, header)
            warnings.append(f"charset {header} from the HTTP header overruled: the bytes are UTF-8")
    if looks_binary(data):
        raise IngestError(ErrorKind.ENCODING, "binary data, not text")

    # Bytes that decode as strict UTF-8 are UTF-8: legacy single-byte text almost never forms valid
    # multi-byte sequences by chance, while UTF-8 pages mislabelled as latin-1 are common.
    try:
        return Decoded(data.decode("utf-8"), "utf-8", tuple(warnings))
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    mixed = None if _declared_legacy_fits(data, declared) else _mixed_utf8(data)
    if mixed is not None:
        warnings.append("UTF-8 with windows-1252 pieces: each piece decoded in its own charset")
        return Decoded(mixed, "utf-8", tuple(warnings))
    if header == "utf-8":
        if declared is None:
            declared = "utf-8"
        else:
            warnings.append("charset utf-8 from the HTTP header does not decode the page")
    if declared == "utf-8":
        # Declared UTF-8 with a few broken bytes (a truncated download, one bad paste): keep the rest.
        # Many broken bytes mean the declaration is wrong (a latin-1 page in a UTF-8 template).
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= MAX_BROKEN_UTF8:
            return Decoded(text, "utf-8", tuple(warnings))
    elif declared:
        try:
            return Decoded(data.decode(declared), declared, tuple(warnings))
        except UnicodeDecodeError:
            warnings.append(f"charset {declared} declared by the page does not decode it")

    detected = _detected_codec(data[:262_144])
    codec = detected or declared or "cp1252"
    text = data.decode(codec, errors="replace")
    if is_unusable(text):
        raise IngestError(ErrorKind.ENCODING, "bytes decode to no usable text")
    warnings.append(f"charset detected as {codec}")
    return Decoded(text, codec, tuple(warnings))


def _detected_codec(sample: bytes) -> str | None:
    """charset-normalizer's reading, checked against the words it produces.

    On short pages its first choice among the single-byte codecs is often a coin toss: a French
    windows-1252 page came back as cp1257 ("aprčs", "Déją"), a Spanish one as cp1250 ("nińos", "żpero")
    and a Polish windows-1250 one as windows-1252 ("W³adze"), each with no measured chaos. So among its
    single-byte candidates about as free of chaos as its best, the reading whose words hold the fewest
    misfits wins (a sign or another script's letter after a letter, a letter outside the alphabet of
    every language that fits the rest), then the most coherent language, and on a tie windows-1252, the
    web's most common legacy charset. Multi-byte candidates keep charset-normalizer's order.
    """
    matches = list(from_bytes(sample))
    if not matches:
        return None
    first = _codec_for(matches[0].encoding) or "utf-8"
    if not _single_byte(first):
        return first
    calm = min(match.chaos for match in matches) + _CHAOS_SLACK
    ranked: list[tuple[int, float, bool, int, str]] = []
    for order, match in enumerate(matches):
        codec = _codec_for(match.encoding)
        if codec is None or match.chaos > calm or not _single_byte(codec):
            continue
        misfits = _misfits(sample[:_MISFIT_BYTES].decode(codec, errors="replace"))
        # coherence in hundredths: differences below that are noise on short pages
        ranked.append((misfits, -round(match.coherence, 2), codec != "cp1252", order, codec))
    return min(ranked)[-1] if ranked else first


_CHAOS_SLACK = 0.05
# Enough words to tell the readings apart; the whole sample would cost a tenth of a second a page.
_MISFIT_BYTES = 32_768


def _single_byte(codec: str) -> bool:
    """Whether every byte is one character in this codec (a legacy 8-bit charset)."""
    known = _SINGLE_BYTE.get(codec)
    if known is None:
        known = _SINGLE_BYTE[codec] = len(bytes(range(256)).decode(codec, "replace")) == 256
    return known


_SINGLE_BYTE: dict[str, bool] = {}

# Non-ASCII signs that do stand right after letters in real text; any other one ("W³adze", "s¹": a
# Polish page read as windows-1252) is a letter of another charset.
_SIGNS_BESIDE_LETTERS = frozenset("«»„“”‘’‚‹›–—…•·°€£¥§©®™¿¡\u00a0\u00ad")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_AFTER_LETTER = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f]")
# The accented letters of the languages written in the Latin script with a legacy single-byte charset.
# A right reading keeps to one of them; a wrong one mixes in letters none of them uses with the rest.
_ALPHABETS: tuple[frozenset[str], ...] = tuple(
    frozenset(letters)
    for letters in (
        "àâæçéèêëîïôœùûüÿ",  # French
        "áéíñóúü",  # Spanish
        "áâãàçéêíóôõúü",  # Portuguese
        "àèéìíîòóùú",  # Italian
        "àçéèíïòóúü",  # Catalan
        "äöüßéàè",  # German (with French loanwords)
        "áéèëïóöüê",  # Dutch
        "æøåéóêò",  # Danish, Norwegian
        "åäöé",  # Swedish
        "äöåšž",  # Finnish
        "áðéíóúýþæö",  # Icelandic
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "áéíóöőúüű",  # Hungarian
        "ăâîșşțţ",  # Romanian
        "čćđšž",  # Croatian, Bosnian, Serbian, Slovene
        "ąčęėįšųūž",  # Lithuanian
        "āčēģīķļņšūž",  # Latvian
        "äõöüšž",  # Estonian
        "çğıöşüâîû",  # Turkish
        "çë",  # Albanian
    )
)


def _misfits(text: str) -> int:
    """How many characters of a reading look like another charset's letters (see ``_detected_codec``)."""
    misfits = 0
    for match in _NON_ASCII_AFTER_LETTER.finditer(text):
        char = match.group()
        if not char.isalpha():
            misfits += char not in _SIGNS_BESIDE_LETTERS
        elif _script(char) != _script(text[match.start() - 1]):
            misfits += 1
    latin = Counter(
        char for char in _NON_ASCII.findall(text.lower()) if char.isalpha() and _script(char) == "LATIN"
    )
    if latin:
        misfits += min(sum(n for char, n in latin.items() if char not in abc) for abc in _ALPHABETS)
    return misfits


def _script(char: str) -> str:
    if char.isascii():
        return "LATIN"
    return unicodedata.name(char, "?").split(" ", 1)[0]


def decode_html(data: bytes) -> str:
    """The page's text when no HTTP header speaks for it (files, stored pages, pushed HTML)."""
    return decode_document(data).text


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _cp1252_piece(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    piece = error.object[error.start : error.end]
    return bytes(piece).decode("cp1252", errors="replace"), error.end


CP1252_PIECES = "wirefeed-cp1252-piece"  # a codec error handler: a byte that is not UTF-8 read as cp1252
codecs.register_error(CP1252_PIECES, _cp1252_piece)


def _mixed_utf8(data: bytes) -> str | None:
    """The text of a UTF-8 page with windows-1252 pieces pasted in (a CMS template in UTF-8, an old
    article body in cp1252), or None when the page is not that. Decoding it whole in either charset
    garbles the other part. Well-formed multi-byte UTF-8 sequences almost never occur by chance in
    legacy text, so a few of them, not outnumbered four to one by bytes that are not UTF-8, make the page
    UTF-8, and each stray byte is read as windows-1252 (what BeautifulSoup's ``detwingle`` does)."""
    sample = data[:262_144]
    multibyte = len(_UTF8_MULTIBYTE.findall(sample))
    if multibyte < 3:
        return None
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    if broken <= 0 or multibyte * 4 < broken:
        return None
    # Double-byte legacy text (GBK, Big5, Shift_JIS, EUC-KR) pairs some of its bytes into well-formed UTF-8
    # by chance, enough to pass the count above, but its stray bytes come in runs; cp1252 pieces in
    # Western text are mostly single letters between ASCII ones ("déjà", "„schön“").
    in_runs = sum(len(run) for run in _BROKEN_RUN.findall(text))
    if in_runs * 2 > broken:
        return None
    return data.decode("utf-8", errors=CP1252_PIECES)


_BROKEN_RUN = re.compile("\ufffd{2,}")


def _declared_legacy_fits(data: bytes, declared: str | None) -> bool:
    """Whether the page declares a charset other than UTF-8 that reads every byte of it: then the page
    is taken at its word (a GB2312 page is not a UTF-8 page with stray bytes)."""
    if declared is None or declared == "utf-8":
        return False
    try:
        data.decode(declared)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
