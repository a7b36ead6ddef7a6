"""Pure dedup: canonical URLs, stable record ids, and MinHash signatures of article text.

Near-duplicates: MinHash (64 hash functions) over character 5-gram shingles of the text
with punctuation and spaces removed; candidates found by LSH (32 bands of 2 rows) and
confirmed when the estimated Jaccard similarity reaches :data:`DUPLICATE_THRESHOLD`.
The measurements behind these numbers are in docs/dedup.md.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from w3lib.url import canonicalize_url

#: Query parameters that only track the visitor, never select content.
TRACKING_PARAMS = frozenset(
    {"spm", "from", "fromid", "share_from", "share", "shareid", "isappinstalled", "scene",
     "clicktime", "enterid", "wfr", "fbclid", "gclid", "ref", "source", "timestamp", "req_trace"}
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}

SHINGLE_SIZE = 5
NUM_PERMUTATIONS = 64
BANDS = 32
ROWS_PER_BAND = NUM_PERMUTATIONS // BANDS
DUPLICATE_THRESHOLD = 0.5
# Multiply-shift hashing: h(x) = ((a * x + b) mod 2**64) >> 32 with odd 64-bit a, which
# numpy computes with wrapping uint64 arithmetic, no division. The a and b of the 64
# permutations are fixed, since stored signatures must stay comparable across runs:
# numpy.random.default_rng(20221125) drew them (a: odd, below 2**64; b: below 2**63), as
# tests/test_dedup.py checks, and they are written out so that a crawl does not import
# numpy.random (2.8 MB of its memory) for them.
# fmt: off
_A = np.array([
    0x7D140DB315C680F7, 0xFA504CFBBE4282F1, 0xF7D27CF0EAF74F49, 0x8D9741CC180B72A5,
    0x68C1374EBE8E68F9, 0xFDAB03FD84FA000B, 0xB7AEAC8F4A524FAF, 0x9D1394E0433078B1,
    0x9033458501E8F761, 0xF2739517F3283D2D, 0xB2215CCCDF04EEB5, 0x4424B80F928BA275,
    0x39EC943264E34895, 0xD5505B889476B2C5, 0x48695E0FC351E123, 0x220D4B2711A8D1D7,
    0xD8D87A6EFF533D3B, 0xD06DFFF74185B559, 0x91B431F4FE2D7507, 0x028F39BB02AAB1AB,
    0x2299E20EB722DE41, 0x64D2A375B8D2E3D9, 0x27E0375123583E85, 0xEFBF01121AB90FC7,
    0x942564CEE3364F93, 0x1072AF8894B183C5, 0x5BE84C3CC4F533EF, 0x7424797F832E61B1,
    0x7487740FC9880B95, 0x0361384BEF6F2BA7, 0x53A745C6C86761CD, 0x16837E6991298D9B,
    0xC013FE88E35C3455, 0x0BEF5B36EB9B21D5, 0x914B65A2736761D5, 0x059CA76BFA8F8147,
    0x758AECAA3356F90D, 0x13049772F0850DB1, 0x7B1073BFDB09D01B, 0x203F0546412F9B65,
    0xDE3AEC35C9BBD017, 0x04551A6042A7A69B, 0x574F0B699ED160C7, 0x25C43AF35B9AA8C3,
    0x86F9AD4F640FD7BB, 0x5C2926D31B2F1797, 0xF8AF04E6549BA9D1, 0xFD9ABE8FDFFBE0AF,
    0xE6119B0F5F1A212B, 0xBBA80C5E2529E033, 0xD228E7DFFEB543E5, 0x5FEB83C1B55703C7,
    0xB520D9A6D45E3C47, 0x448518FD7A99729F, 0x137573A607BD04FF, 0x83C6897D754A5127,
    0xF11FCDF534FACD65, 0xD652F1C97C0C8D71, 0x3D79B5FE2F5171DD, 0x504E9AAF2FB58C15,
    0xE47C02C2A37D3FED, 0xDA5BEFC69E732FC5, 0xBDBEE52CB0EB8093, 0x1A16A48F76F06995,
], dtype=np.uint64)
_B = np.array([
    0x165826BDD426A734, 0x29B664F10E38601B, 0x699DC8C4484EE9EB, 0x60395B8DEC90D8FF,
    0x4092A1E2932A71AE, 0x3F45B7020288E7EC, 0x53EAEC03A82A8F93, 0x3AEC77D96721CE2E,
    0x43D7AB65825A2A08, 0x1391285E647424AA, 0x39447B868D5C161C, 0x35804F0C0D0A9216,
    0x7899A5FB7ED5288D, 0x05370E853F409CFE, 0x6BE9DDF1B1C89ED0, 0x7A71B822FC37EA60,
    0x478DFAD1F5DADB3A, 0x266F76164A48EE4D, 0x227DF96FEEE64109, 0x4C1B95239756C226,
    0x137882F83B3DC759, 0x56991E1E20B2C4D4, 0x6111973C007F1932, 0x3D8A92C09A13012E,
    0x0852836B17F7B2E5, 0x6002D710BDC4CF36, 0x590F36179253DE43, 0x641778DC9EFFD8C2,
    0x4DAB4FBC926FA9F4, 0x15A4568D7AF8CAE3, 0x360E3DE0B7C4AC0F, 0x73A50F23BED46E2E,
    0x2C39FB7C61C87447, 0x4ED02B58F0F5DBBD, 0x53ECF0E230633975, 0x265AC3EBF5A4EC94,
    0x217E7EB862DF3B01, 0x7CFCDDF47434FB46, 0x69A65D761E33DB3C, 0x44E8147E73CD6B4B,
    0x0205065F78E65580, 0x2B2FF9174D76A991, 0x6432FB9BE03B6B79, 0x10948C7F7118A0AA,
    0x4FCF12FFC4EEAA2D, 0x0938382D72951A95, 0x525891E02AE65D67, 0x313BAD4FA99578D3,
    0x5E9D27317144D895, 0x104E1ED6AC51AD6C, 0x603B2AE1F7A01EDC, 0x165B4EC7386604AB,
    0x110FB3A9130F37D4, 0x4297D6075D8A36BB, 0x164241EB9FBCFFD1, 0x5AE00496B7FFB5F3,
    0x14CA9415EB5008A8, 0x63EDAA009B03E237, 0x6E50E0088C81DE0C, 0x46906706468752EB,
    0x78F1A7102D40518D, 0x69832EDBD3B04C0F, 0x30D5C08E93071253, 0x28C7985E0446FAB0,
], dtype=np.uint64)
# fmt: on
#: Permutations computed together in :func:`minhash` (a block of them × the shingles).
_PERMUTATION_BLOCK = 32


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith("utm_")


def canonical_url(url: str, host_aliases: Mapping[str, str] | None = None) -> str:
    """The URL a record is known by.

    Scheme and host case-folded, ``http`` and ``https`` treated as one, default ports,
    fragments and tracking parameters (``utm_*``, ``spm``, ``from``, …) dropped, the query
    sorted, and a host replaced by the host it aliases (mobile → desktop) when given.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = (host_aliases or {}).get(host, host)
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    rebuilt = urlunsplit(("https", host, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def record_id(url: str, host_aliases: Mapping[str, str] | None = None) -> str:
    """Stable 16-hex-digit id of a record: a hash of its canonical URL."""
    return canonical_record_id(canonical_url(url, host_aliases))


def canonical_record_id(canonical: str) -> str:
    """:func:`record_id` of a URL already made canonical."""
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def shingles(text: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """Distinct 64-bit hashes of the character ``size``-grams of the text's letters."""
    return np.unique(shingle_hashes(text, size))


def shingle_hashes(text: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """The 64-bit hash of every character ``size``-gram of the text's letters, in text
    order, repeats kept (a minimum over them is the minimum over the distinct ones)."""
    letters = text_letters(text)
    if not letters:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(letters.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < size:
        size = len(codes)
    hashed = np.zeros(len(codes) - size + 1, dtype=np.uint64)
    for offset in range(size):  # polynomial rolling hash, vectorized over positions
        hashed = hashed * np.uint64(1_000_003) + codes[offset : offset + len(hashed)]
    return hashed


def text_letters(text: str) -> str:
    """The NFKC form of the text without its non-word characters (``[\\W_]``), lower-cased:
    ``re.sub(r"[\\W_]+", "", unicodedata.normalize("NFKC", text)).lower()``, with the
    characters judged by a table of the Basic Multilingual Plane instead of a regex (half
    the time on Chinese text)."""
    normalized = unicodedata.normalize("NFKC", text)
    codes = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = _bmp_word_characters()[np.minimum(codes, 0xFFFF)]
    astral = codes > 0xFFFF
    if astral.any():
        keep[astral] = [chr(code).isalnum() for code in codes[astral].tolist()]
    kept: bytes = codes[keep].tobytes()
    return kept.decode("utf-32-le").lower()


@cache
def _bmp_word_characters() -> np.ndarray:
    """Whether each code point of U+0000–U+FFFF is a word character other than ``_``
    (``str.isalnum``, which is what the regex ``\\w`` tests besides ``_``)."""
    return np.fromiter((chr(code).isalnum() for code in range(0x10000)), bool, 0x10000)


def minhash(text: str) -> np.ndarray:
    """MinHash signature (NUM_PERMUTATIONS uint64 values) of a text. Repeated shingles
    are not removed first (no sort): they cannot change a minimum. The shift of
    multiply-shift hashing comes after the minimum (a monotonic function of it), and the
    permutations are taken in blocks small enough to stay in the CPU's cache."""
    hashed = shingle_hashes(text)
    if hashed.size == 0:
        return np.full(NUM_PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    folded = hashed ^ (hashed >> np.uint64(32))
    folded &= np.uint64(0xFFFFFFFF)
    signature = np.empty(NUM_PERMUTATIONS, dtype=np.uint64)
    block = np.empty((_PERMUTATION_BLOCK, folded.size), dtype=np.uint64)
    for start in range(0, NUM_PERMUTATIONS, _PERMUTATION_BLOCK):
        end = start + _PERMUTATION_BLOCK
        np.multiply.outer(_A[start:end], folded, out=block)  # wraps mod 2**64
        block += _B[start:end, None]
        block.min(axis=1, out=signature[start:end])
    signature >>= np.uint64(32)
    return signature


def band_keys(signature: np.ndarray) -> list[int]:
    """One 63-bit key per LSH band (similar texts share at least one with high probability).
    The last few signatures' keys are remembered: a lookup and the record that follows it
    ask for the same ones."""
    return list(_band_keys(signature.tobytes()))


@lru_cache(maxsize=16)
def _band_keys(raw: bytes) -> tuple[int, ...]:
    step = 8 * ROWS_PER_BAND
    return tuple(
        int.from_bytes(hashlib.blake2b(raw[at : at + step], digest_size=8).digest(), "big") >> 1
        for at in range(0, len(raw), step)
    )


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def jaccard(first_text: str, second_text: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for measurements)."""
    first, second = set(shingles(first_text).tolist()), set(shingles(second_text).tolist())
    union = first | second
    return len(first & second) / len(union) if union else 1.0
