"""Failures in words: why a request failed (a short reason, the name of a stat) and what
happened (a detail for the log and the run report), mirror URLs put back to real ones,
and which drops are losses. Pure: the Scrapy side passes exception class names and
messages, never exceptions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from http import HTTPStatus

from newsbot.core.codes import EXPECTED_DROPS, LostReason

#: Exception classes (by name, anywhere in the class's MRO) → the reason they stand for.
_REASON_BY_TYPE = {
    "DownloadTimeoutError": LostReason.TIMEOUT,
    "TimeoutError": LostReason.TIMEOUT,  # Twisted's, and the browser handler's bounded wait
    "ResponseDataLossError": LostReason.TRUNCATED,
    "ConnectionLost": LostReason.CONNECTION_LOST,
    "ConnectionDone": LostReason.CONNECTION_LOST,
    "ConnectionResetError": LostReason.CONNECTION_LOST,
    "HttpError": LostReason.HTTP_ERROR,
}
#: IgnoreRequest tells why in its message only: words of the message → the reason.
_IGNORED_BECAUSE = (
    ("max redirections", LostReason.REDIRECT_LOOP),
    ("robots.txt", LostReason.ROBOTS_TXT),
    ("offsite", LostReason.OFFSITE),
)
#: Words of a download failure's message telling that the connection was lost or reset
#: (Scrapy wraps Twisted's ConnectionLost in a DownloadFailedError).
_CONNECTION_LOST = ("ConnectionLost", "ConnectionDone", "ConnectionResetError", "ConnectionAborted")
#: Twisted's repr of a wrapped failure, as Scrapy's messages carry it.
_FAILURE_REPR = re.compile(r"\[?<twisted\.python\.failure\.Failure (?:[\w]+\.)*(\w+): (.*?)>\]?")
#: What an exception that has no message means (Scrapy raises some bare).
_BARE = {"ResponseDataLossError": "the body ended before its Content-Length"}
#: Characters that end a sentence rather than a URL in a message.
_TRAILING = ".,;:!?)]}'\""


def fetch_reason(type_names: Sequence[str], message: str) -> LostReason:
    """The reason a request failed, from its exception's class names (the class first,
    then its bases) and its message."""
    for name in type_names:
        if name in _REASON_BY_TYPE:
            return _REASON_BY_TYPE[name]
        if name == "DownloadCancelledError" and "max size" in message:
            return LostReason.TOO_LARGE
        if name == "DownloadFailedError" and any(word in message for word in _CONNECTION_LOST):
            return LostReason.CONNECTION_LOST
        if name == "IgnoreRequest":
            lowered = message.lower()
            return next(
                (reason for words, reason in _IGNORED_BECAUSE if words in lowered),
                LostReason.FETCH_ERROR,
            )
    return LostReason.FETCH_ERROR


def backoff_delay(retry: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``retry`` (1, 2, …): ``base``, then doubling,
    never more than ``cap``; 0 for a first attempt or ``base`` 0."""
    if retry <= 0 or base <= 0:
        return 0.0
    return float(min(cap, base * 2 ** (retry - 1)))


def describe(type_name: str, message: str, status: int | None = None) -> str:
    """One line saying what failed: ``Type: message`` for an exception (a bare one by what
    it means), ``HTTP 404 Not Found`` for an HTTP error answer."""
    if status is not None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:  # a status no RFC names, e.g. 599
            phrase = ""
        return f"HTTP {status} {phrase}".rstrip()
    text = " ".join(message.split()) or _BARE.get(type_name, "no message")
    text = _FAILURE_REPR.sub(r"\1: \2", text)
    return f"{type_name}: {text}"


def unmirror(text: str, mirror: str, url: str) -> str:
    """``text`` with every URL on the offline mirror (``{mirror}/HOST/PATH``) replaced by
    ``url``, the real URL of the request the text is about; unchanged without a mirror."""
    if not mirror:
        return text

    def real(match: re.Match[str]) -> str:
        found = match.group(0)
        kept = found.rstrip(_TRAILING)
        return url + found[len(kept) :]

    return re.sub(re.escape(mirror.rstrip("/")) + r"/[^\s<>]*", real, text)


def redirect_loop(chain: Sequence[str]) -> str:
    """The detail of a redirect loop: ``redirect loop: a → b → a``."""
    return "redirect loop: " + " → ".join(chain)


def offsite(url: str, hosts: Sequence[str], redirected: bool) -> str:
    """The detail of a request outside the feed's hosts (Scrapy filters it)."""
    what = "redirected off-site to" if redirected else "off-site link"
    return f"{what} {url} (the feed's hosts: {', '.join(hosts)})"


def is_loss(reason: str) -> bool:
    """Whether an article dropped for ``reason`` is lost, not the pipelines doing their job
    (a duplicate, a filtered or too old article is no loss)."""
    return reason not in EXPECTED_DROPS  # StrEnum members compare equal to their text
