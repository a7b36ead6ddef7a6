"""An article body cleaned as the record holds it: sanitized, chrome stripped, its text
and the bylines lifted from the text's edges. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from newsbot.core.clean.bylines import Bylines, split_bylines
from newsbot.core.clean.sanitize import sanitize_tree
from newsbot.core.clean.text import clean_body_tree


def clean_content(
    content: str,
    url: str,
    title: str | None,
    boilerplate: Sequence[str] = (),
    cut_after: Sequence[str] = (),
) -> tuple[str, list[str], Bylines]:
    """The clean body HTML, its text lines (bylines removed) and those bylines."""
    root = sanitize_tree(content, base_url=url)  # one lxml parse for all three steps
    html, text_lines = (
        ("", []) if root is None else clean_body_tree(root, title, boilerplate, cut_after)
    )
    lines, bylines = split_bylines(text_lines)
    return html, lines, bylines
