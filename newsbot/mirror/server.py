"""The mirror server: a threading HTTP/1.1 server answering ``/HOST/PATH?QUERY`` from a
directory laid out by :mod:`newsbot.mirror.layout`, with simulated redirects, anti-bot
challenges and faults (truncated bodies, hangs, error statuses, resets, padded bodies;
each for every request of a path or only its first N) per host (see docs/mirror.md)."""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any

from newsbot.mirror.layout import (
    CHALLENGE_RULE,
    FAULT_RULE,
    HEADER_RULE,
    REDIRECT_RULE,
    guess_content_type,
    mirror_relpath,
    with_charset,
)

logger = logging.getLogger(__name__)


#: The request log's columns, each served at its path: the request lines answered, the
#: User-Agent each came with, the connection (client "host:port") it came on (as many
#: distinct ones as connections the clients opened), and when it came (time.monotonic():
#: CLOCK_MONOTONIC, one clock for every process of the machine).
LOG_COLUMNS = {
    "/_mirror/requests": 0,
    "/_mirror/user-agents": 1,
    "/_mirror/connections": 2,
    "/_mirror/times": 3,
}


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
        column = LOG_COLUMNS.get(self.path)
        if column is not None:  # the request log itself: never logged, never a page
            self._send(HTTPStatus.OK, "application/json", self.server.log_json(column), True)
            return
        self.server.record(
            f"{self.command} {self.path}", self.headers.get("User-Agent", ""), self.client_address
        )
        try:
            relpath = mirror_relpath("http://" + self.path.lstrip("/"))
        except (ValueError, UnicodeDecodeError):
            self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"bad mirror path\n", send_body)
            return
        host = relpath.parts[0]
        path = self.path.lstrip("/")[len(host) :] or "/"
        fault = self.server.fault_for(host, path)
        if "hang" in fault:  # a server that stalls before it answers
            time.sleep(float(fault["hang"]))
        if fault.get("reset"):
            self._reset()
            return
        if "status" in fault:
            status = HTTPStatus(int(fault["status"]))
            self._send(status, "text/plain", b"mirror fault\n", send_body)
            return
        self._serve(host, path, relpath, send_body, fault)

    def _reset(self) -> None:
        """Close the connection abruptly, answering nothing: with SO_LINGER 0 the kernel
        sends a TCP reset (a server or middlebox that dropped the connection)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _serve(
        self, host: str, path: str, relpath: PurePosixPath, send_body: bool, fault: dict[str, Any]
    ) -> None:
        """A redirect, the challenge, or the saved page (its body padded by ``pad`` bytes,
        or cut after ``truncate`` bytes, if the fault says so)."""
        location = self.server.redirect_for(host, path)
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
        file = file.resolve()
        # Never a file outside the mirror, whatever a symlink inside it points at.
        if not file.is_relative_to(self.server.root) or not file.is_file():
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not in mirror\n", send_body)
            return
        body = file.read_bytes()
        content_type = guess_content_type(file.name, body)
        if "pad" in fault:  # a huge page: the saved one and then N bytes of blanks
            body += b" " * int(fault["pad"])
        rule = self.server.header_for(host, path)
        if rule is not None:
            content_type = with_charset(content_type, rule)
        self._send(HTTPStatus.OK, content_type, body, send_body, fault.get("truncate"))

    def _send(
        self,
        status: HTTPStatus,
        content_type: str,
        body: bytes,
        send_body: bool,
        truncate: int | None = None,
    ) -> None:
        """Answer ``body`` in full, or only its first ``truncate`` bytes under the full
        Content-Length and then close the connection, as a server that died mid-answer."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body if truncate is None else body[: int(truncate)])
        if truncate is not None:
            self.close_connection = True

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
        #: Each request answered: its request line, User-Agent, client ("host:port"), time.
        self._log: list[tuple[str, str, str, float]] = []
        self._log_lock = threading.Lock()
        #: Rule files read, by path: (modification time, contents); re-read when changed.
        self._rules: dict[Path, tuple[int, Any]] = {}
        #: Requests of each (host, path) that had a fault limited by ``times``.
        self._fault_counts: dict[tuple[str, str], int] = {}
        super().__init__((host, port), MirrorRequestHandler)

    def host_rule(self, host: str, name: str) -> Any:
        """The JSON of ``<host>/<name>`` (a rule file), or None if the host has none; read
        once, and again only when the file changes (tests edit rules between crawls)."""
        path = self.root / host / name
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:  # no such rule for this host
            return None
        cached = self._rules.get(path)
        if cached is None or cached[0] != mtime:
            cached = self._rules[path] = (mtime, json.loads(path.read_text(encoding="utf-8")))
        return cached[1]

    def redirect_for(self, host: str, path: str) -> str | None:
        """Where ``path`` (as requested, with its query) of ``host`` has moved, if the host
        has a ``_redirects.json`` naming it."""
        rules: dict[str, str] = self.host_rule(host, REDIRECT_RULE) or {}
        return rules.get(path)

    def fault_for(self, host: str, path: str) -> dict[str, Any]:
        """The fault to simulate for ``path`` (as requested, with its query) of ``host``,
        from the host's ``_faults.json``; {} for none. A fault with ``times: N`` applies
        to the first N requests of the path only (counted here), then the page is served."""
        rules: dict[str, dict[str, Any]] = self.host_rule(host, FAULT_RULE) or {}
        fault = rules.get(path, {})
        if "times" in fault:
            with self._log_lock:
                seen = self._fault_counts.get((host, path), 0)
                self._fault_counts[(host, path)] = seen + 1
            if seen >= int(fault["times"]):
                return {}
        return fault

    def header_for(self, host: str, path: str) -> str | None:
        """The Content-Type rule for ``path`` (as requested, with its query) of ``host``,
        from the host's ``_headers.json``; None to serve the guessed Content-Type."""
        rules: dict[str, str] = self.host_rule(host, HEADER_RULE) or {}
        return rules.get(path)

    def challenge_for(self, host: str, cookie_header: str) -> bytes | None:
        """The anti-bot challenge page to serve instead of content, if the host has one
        (``<host>/_challenge.json``) and the request lacks the cookie that passes it."""
        rule: dict[str, str] | None = self.host_rule(host, CHALLENGE_RULE)
        if rule is None:
            return None
        cookies = SimpleCookie()
        cookies.load(cookie_header)
        passed = cookies.get(rule["cookie"])
        if passed is not None and passed.value == rule["value"]:
            return None
        page = (self.root / host / rule["page"]).resolve()
        if not page.is_relative_to(self.root):
            raise ValueError(f"{host}/{CHALLENGE_RULE}: page {rule['page']!r} is outside")
        return page.read_bytes()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def record(self, line: str, user_agent: str, client: tuple[str, int]) -> None:
        """Log a request line, the User-Agent it came with, the client address (the
        connection) it came on, and when it came."""
        with self._log_lock:
            self._log.append((line, user_agent, f"{client[0]}:{client[1]}", time.monotonic()))

    def log_json(self, column: int) -> bytes:
        """One column of the request log (see :data:`LOG_COLUMNS`), in order, as JSON."""
        with self._log_lock:
            return json.dumps([entry[column] for entry in self._log]).encode()


def start_mirror_thread(root: str | Path, port: int = 0) -> MirrorServer:
    """Start a mirror server in a daemon thread (for the demo); stop it with ``shutdown()``."""
    server = MirrorServer(root, port=port)
    threading.Thread(target=server.serve_forever, name="newsbot-mirror", daemon=True).start()
    return server
