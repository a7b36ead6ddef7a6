"""Which URLs point at the crawling machine's own networks (pure: no DNS lookup)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def private_address(url: str) -> str | None:
    """What kind of private address the URL's host is written as ("loopback",
    "link-local", "private", …), or None for a public one or a host name. Template
    placeholders (``{page}``) are allowed in the URL."""
    host = (urlsplit(url.replace("{", "").replace("}", "")).hostname or "").rstrip(".")
    if host.lower() in _LOCAL_NAMES or host.lower().endswith(".localhost"):
        return "loopback"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a host name: resolved only when crawled
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "private", "reserved", "multicast", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None
