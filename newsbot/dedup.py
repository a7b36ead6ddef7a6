"""Pure: canonical URLs and stable record ids."""

from __future__ import annotations

import hashlib

from w3lib.url import canonicalize_url


def canonical_url(url: str) -> str:
    """The URL a record is known by: scheme and host folded, query sorted, fragment dropped."""
    return canonicalize_url(url, keep_fragments=False)


def record_id(url: str) -> str:
    """Stable 16-hex-digit id of a record: a hash of its canonical URL."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]
