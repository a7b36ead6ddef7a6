"""The offline mirror: saved pages laid out as ``<host>/<path>``, a server for them, and the
download handler that routes every request to it while Scrapy keeps seeing real URLs.

A request for ``https://HOST/PATH?QUERY`` goes to the mirror as ``GET /HOST/PATH?QUERY``;
the server maps that to a file with :func:`mirror_relpath` (see docs/mirror.md).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MIRROR_ENV = "NEWSBOT_MIRROR"
#: Per-host rule file of a simulated anti-bot challenge (see docs/mirror.md).
CHALLENGE_RULE = "_challenge.json"
#: Per-host rule file of redirects: {"/old/path?query": "/new/path"} (see docs/mirror.md).
REDIRECT_RULE = "_redirects.json"
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


def mirror_relpath(url: str) -> PurePosixPath:
    """The file, relative to the mirror directory, that stands for ``url``.

    ``https://Host/a/b.html`` → ``host/a/b.html``; a path ending in ``/`` gets ``index.html``;
    the path is percent-decoded (UTF-8); a query string is appended after ``@`` with its
    parameters sorted (``/api?b=2&a=1`` → ``api@a=1&b=2``), ``/`` in it written ``%2F``.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    path = unquote(parts.path or "/", encoding="utf-8", errors="strict")
    if path.endswith("/"):
        path += "index.html"
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
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


def save_page(root: str | Path, url: str, body: bytes) -> Path:
    """Save a fetched page into the mirror layout under ``root``; return the file written."""
    target = Path(root) / mirror_relpath(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return target


class MirrorRequestHandler(BaseHTTPRequestHandler):
    """Answers ``/HOST/PATH?QUERY`` from the mirror directory (GET, HEAD and POST alike)."""

    protocol_version = "HTTP/1.1"
    server: MirrorServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        if self.path == "/_mirror/requests":
            self._send(HTTPStatus.OK, "application/json", self.server.request_log_json(), True)
            return
        self.server.record(f"{self.command} {self.path}")
        try:
            relpath = mirror_relpath("http://" + self.path.lstrip("/"))
        except (ValueError, UnicodeDecodeError):
            self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"bad mirror path\n", send_body)
            return
        host = relpath.parts[0]
        location = self.server.redirect_for(host, self.path.lstrip("/")[len(host) :] or "/")
        if location is not None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        challenge = self.server.challenge_for(host, self.headers.get("Cookie", ""))
        if challenge is not None:
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", challenge, send_body)
            return
        file = self.server.root / relpath
        if not file.exists() and "@" in relpath.name:
            # A static page ignores its query string (a JS shell reading location.search).
            file = file.with_name(relpath.name.split("@", 1)[0])
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not in mirror\n", send_body)
            return
        body = file.read_bytes()
        self._send(HTTPStatus.OK, guess_content_type(file.name, body), body, send_body)

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("mirror: " + format, *args)


class MirrorServer(ThreadingHTTPServer):
    """A threading HTTP/1.1 server with a deep accept queue (the stdlib default stalls)."""

    request_queue_size = 1024
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"mirror directory does not exist: {self.root}")
        self._log: list[str] = []
        self._log_lock = threading.Lock()
        super().__init__((host, port), MirrorRequestHandler)

    def redirect_for(self, host: str, path: str) -> str | None:
        """Where ``path`` (as requested, with its query) of ``host`` has moved, if the host
        has a ``_redirects.json`` naming it."""
        rule_file = self.root / host / REDIRECT_RULE
        if not rule_file.is_file():
            return None
        rules = json.loads(rule_file.read_text(encoding="utf-8"))
        return rules.get(path)

    def challenge_for(self, host: str, cookie_header: str) -> bytes | None:
        """The anti-bot challenge page to serve instead of content, if the host has one
        (``<host>/_challenge.json``) and the request lacks the cookie that passes it."""
        rule_file = self.root / host / CHALLENGE_RULE
        if not rule_file.is_file():
            return None
        rule = json.loads(rule_file.read_text(encoding="utf-8"))
        cookies = SimpleCookie()
        cookies.load(cookie_header)
        passed = cookies.get(rule["cookie"])
        if passed is not None and passed.value == rule["value"]:
            return None
        return (self.root / host / rule["page"]).read_bytes()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def record(self, line: str) -> None:
        with self._log_lock:
            self._log.append(line)

    def request_log_json(self) -> bytes:
        with self._log_lock:
            return json.dumps(self._log).encode()


def start_mirror_thread(root: str | Path, port: int = 0) -> MirrorServer:
    """Start a mirror server in a daemon thread (for the demo); stop it with ``shutdown()``."""
    server = MirrorServer(root, port=port)
    threading.Thread(target=server.serve_forever, name="newsbot-mirror", daemon=True).start()
    return server


def mirror_base(settings: BaseSettings) -> str:
    """The configured mirror base URL (setting first, then the environment), or ''."""
    value = settings.get("NEWSBOT_MIRROR") or os.environ.get(MIRROR_ENV, "")
    return str(value).rstrip("/")


class MirrorDownloadHandler:
    """Download handler that, when a mirror is configured, fetches every request from it.

    The real handler (``NEWSBOT_INNER_DOWNLOAD_HANDLER``) does the download; the response
    gets the real URL back, so spiders, items, cookies, redirects and logs never see the
    mirror.
    """

    lazy = False
    _announced: ClassVar[set[str]] = set()

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.mirror = mirror_base(crawler.settings)
        inner_cls = load_object(crawler.settings["NEWSBOT_INNER_DOWNLOAD_HANDLER"])
        self.inner = build_from_crawler(inner_cls, crawler)
        if self.mirror and self.mirror not in self._announced:
            self._announced.add(self.mirror)
            logger.info("Offline mirror on: every request is served by %s", self.mirror)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorDownloadHandler:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            # Chromium keeps the real URL (newsbot.browser routes its requests to the mirror).
            from newsbot.browser import download_rendered

            return await download_rendered(self.inner, request, self.crawler)
        if not self.mirror:
            return await self.inner.download_request(request)
        mirrored = request.replace(url=mirror_url(self.mirror, request.url))
        response = await self.inner.download_request(mirrored)
        return response.replace(url=request.url)

    async def close(self) -> None:
        await self.inner.close()
