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
_rng = np.random.default_rng(20221125)  # fixed: signatures must be stable across runs
# Multiply-shift hashing: h(x) = ((a * x + b) mod 2**64) >> 32 with odd 64-bit a, which
# numpy computes with wrapping uint64 arithmetic, no division.
_A = _rng.integers(0, 1 << 63, NUM_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, NUM_PERMUTATIONS, dtype=np.uint64)
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
