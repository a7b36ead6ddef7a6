"""Attribute values a browser would act on: URLs (``href``, ``src``) and ``style``.

Both are read the way a browser reads them before they are judged, and judged against an
allow-list: a URL keeps only an allowed scheme (or none, a relative one); a style keeps
only declarations that cannot load or run anything.
"""

from __future__ import annotations

import re

#: URL schemes a kept link or image may use; a relative URL has none and is kept.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})
#: Attributes holding a URL (``data-src``/``data-original``: lazy images, become ``src``).
URL_ATTRIBUTES = frozenset({"href", "src", "data-src", "data-original"})

_URL_EDGE = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_BREAKS = re.compile(r"[\t\n\r]")
_URL_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

#: What no kept style may hold once comments, escapes and spaces are gone: script
#: (``expression()``, ``javascript:``), bindings (``behavior``, ``-moz-binding``) or any
#: load (``url()``, ``image-set()``, ``@import``).
_STYLE_DANGER = re.compile(
    r"expression|javascript|vbscript|behaviou?r|binding|url\(|image\(|image-set|@import|"
    r"script|\\"
)
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
_CSS_SPACE = re.compile(r"[\x00-\x20\x7f]+")
_DECLARATION = re.compile(r"^\s*-?[a-zA-Z][a-zA-Z\-]*\s*:[^:]*$")


def clean_url(value: str) -> str:
    """A URL attribute as a browser reads it: leading and trailing controls and spaces cut,
    tabs and line breaks removed (so ``java\tscript:`` is seen for what it is), any other
    control character percent-encoded (lxml cannot hold them, and they are never meant)."""
    value = _URL_BREAKS.sub("", _URL_EDGE.sub("", value))
    return _URL_CONTROLS.sub(lambda match: f"%{ord(match.group()):02X}", value)


def safe_url(value: str) -> str | None:
    """The URL cleaned as a browser reads it, or None when its scheme is not allowed
    (``javascript:``, ``vbscript:``, ``data:`` and every other one outside URL_SCHEMES)."""
    url = clean_url(value)
    scheme = _SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in URL_SCHEMES:
        return None
    return url


def _dangerous(css: str) -> bool:
    flat = _CSS_SPACE.sub("", _CSS_COMMENT.sub("", css)).lower()
    return bool(_STYLE_DANGER.search(flat)) or "/*" in css


def safe_style(value: str) -> str | None:
    """A ``style`` value unchanged when every declaration is harmless; else only its
    harmless ``property: value`` declarations (None when none is left)."""
    if not _dangerous(value):
        return value
    kept = [
        declaration.strip()
        for declaration in value.split(";")
        if _DECLARATION.match(declaration) and not _dangerous(declaration)
    ]
    style = ";".join(kept)
    return style if style and not _dangerous(style) else None


def filter_attribute(tag: str, name: str, value: str) -> str | None:
    """The value to keep for an allowed attribute (nh3's ``attribute_filter``), or None."""
    if name in URL_ATTRIBUTES:
        return safe_url(value)
    if name == "style":
        return safe_style(value)
    return value
