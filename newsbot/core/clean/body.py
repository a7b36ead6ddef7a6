"""An article body cleaned as the record holds it: sanitized, chrome stripped, its text
and the bylines lifted from the text's edges. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from newsbot.core.clean.bylines import Bylines, split_bylines
from newsbot.core.clean.sanitize import sanitize_html
from newsbot.core.clean.text import clean_body


def clean_content(
    content: str,
    url: str,
    title: str | None,
    boilerplate: Sequence[str] = (),
    cut_after: Sequence[str] = (),
) -> tuple[str, list[str], Bylines]:
    """The clean body HTML, its text lines (bylines removed) and those bylines."""
    html, text_lines = clean_body(  # one lxml parse for the stripping and the text
        sanitize_html(content, base_url=url),
        title=title,
        boilerplate=boilerplate,
        cut_after=cut_after,
    )
    lines, bylines = split_bylines(text_lines)
    return html, lines, bylines
