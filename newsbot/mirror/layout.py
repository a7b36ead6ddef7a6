"""The offline mirror's layout: which file under the mirror directory stands for a real
URL, and what Content-Type it is served with. Pure (see docs/mirror.md)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

MIRROR_ENV = "NEWSBOT_MIRROR"
#: Per-host rule file of a simulated anti-bot challenge (see docs/mirror.md).
CHALLENGE_RULE = "_challenge.json"
#: Per-host rule file of redirects: {"/old/path?query": "/new/path"} (see docs/mirror.md).
REDIRECT_RULE = "_redirects.json"
#: Per-host rule file of faults: {"/path?query": {"truncate": N} | {"hang": S} | {"status": C}}.
FAULT_RULE = "_faults.json"
#: Per-host rule file of served Content-Types: {"/path?query": "gbk" | "none" |
#: "text/html; charset=big5"}: a charset for the guessed type, none for no charset, or
#: a whole Content-Type (to serve mislabelled pages; see docs/mirror.md).
HEADER_RULE = "_headers.json"
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".json": "application/json",
    ".js": "application/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: A hostname: dot-separated labels of letters, digits and inner hyphens.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def mirror_relpath(url: str) -> PurePosixPath:
    """The file, relative to the mirror directory, that stands for ``url``.

    ``https://Host/a/b.html`` → ``host/a/b.html``; a path ending in ``/`` gets ``index.html``;
    the path is percent-decoded (UTF-8); a query string is appended after ``@`` with its
    parameters sorted (``/api?b=2&a=1`` → ``api@a=1&b=2``), ``/`` in it written ``%2F``.
    ValueError for a URL that could name a file outside the mirror: a host that is not a
    hostname (optionally ``:port``), ``.``/``..`` segments, backslashes or NUL.
    """
    if "\\" in url or "\x00" in url:
        raise ValueError(f"URL escapes the mirror (backslash or NUL): {url!r}")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if not _HOSTNAME.fullmatch(host):
        raise ValueError(f"URL host is not a hostname: {url!r}")
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    path = unquote(parts.path or "/", encoding="utf-8", errors="strict")
    if path.endswith("/"):
        path += "index.html"
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in (".", "..") or "\\" in segment or "\x00" in segment for segment in segments):
        raise ValueError(f"URL path escapes the mirror: {url!r}")
    name = "/".join([host, *segments])
    if parts.query:
        query = "&".join(sorted(parts.query.split("&")))
        name += "@" + query.replace("/", "%2F")
    return PurePosixPath(name)


def mirror_url(base: str, url: str) -> str:
    """The mirror URL a real URL is fetched from: ``{base}/HOST/PATH?QUERY``."""
    parts = urlsplit(url)
    target = f"{base.rstrip('/')}/{parts.netloc}{parts.path or '/'}"
    return f"{target}?{parts.query}" if parts.query else target


def guess_content_type(name: str, body: bytes) -> str:
    """Content-Type for a mirror file: by extension, else by sniffing; charset as declared."""
    suffix = PurePosixPath(name.split("@", 1)[0]).suffix.lower()
    content_type = CONTENT_TYPES.get(suffix)
    if content_type is None:
        head = body.lstrip()[:1]
        content_type = {b"{": "application/json", b"[": "application/json", b"<": "text/html"}.get(
            head, "application/octet-stream"
        )
    if content_type == "text/html":
        match = _META_CHARSET.search(body[:4096])
        charset = match.group(1).decode("ascii").lower() if match else "utf-8"
        return f"text/html; charset={charset}"
    if content_type in ("application/json", "application/javascript", "text/plain", "text/css"):
        return f"{content_type}; charset=utf-8"
    return content_type


def with_charset(content_type: str, rule: str) -> str:
    """A Content-Type after a ``_headers.json`` rule: a whole Content-Type (has a ``/``)
    replaces it; ``none`` drops its charset; any other word is the charset to declare."""
    if "/" in rule:
        return rule
    media = content_type.split(";", 1)[0].strip()
    return media if rule.lower() == "none" else f"{media}; charset={rule}"


def save_page(root: str | Path, url: str, body: bytes) -> Path:
    """Save a fetched page into the mirror layout under ``root``; return the file written."""
    target = Path(root) / mirror_relpath(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return target
