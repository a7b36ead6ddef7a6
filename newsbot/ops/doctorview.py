"""``newsbot doctor``'s reports as text: one block per page."""

from __future__ import annotations

from typing import Any

#: Characters of a text line shown (first and last lines of the body).
SHOWN = 70
_FIELDS = ("title", "source", "author", "editor")


def clip(text: str | None, width: int = SHOWN) -> str:
    """A value on one line, cut to ``width`` characters ("–" for nothing)."""
    if not text:
        return "–"
    line = " ".join(str(text).split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _text_lines(view: dict[str, Any]) -> list[str]:
    lines = view["text"].split("\n") if view["text"] else []
    size = len(view["text"].replace("\n", ""))
    shown = [
        f"    text     {view['paragraphs']} paragraphs, {view['links']} links, {size} characters"
    ]
    if lines:
        shown.append(f"      first  {clip(lines[0])}")
    if len(lines) > 1:
        shown.append(f"      last   {clip(lines[-1])}")
    return shown


def _fields(view: dict[str, Any]) -> list[str]:
    raw = f" (printed {view['date_raw']!r})" if view.get("date_raw") else ""
    if view.get("date_origin") and view["date_origin"] != "printed":
        raw = f" (from the {view['date_origin']}: {view['date_raw']!r})"
    lines = [f"    title    {clip(view['title'])}", f"    date     {view['date'] or '–'}{raw}"]
    lines += [f"    {name:<8} {clip(view[name])}" for name in _FIELDS[1:]]
    return lines + _text_lines(view)


def article_lines(report: dict[str, Any]) -> list[str]:
    """The block of one article page: the record, each rule, the generic extractor,
    warnings."""
    feed = f"feed {report['feed']}" if report["feed"] else "no feed: the generic extractor"
    lines = [f"== {report['target']}", f"   {feed}; via {report['via']}; {report['ms']} ms"]
    lines.append("  record" + ("" if report["feed"] else " (generic)"))
    lines += _fields(report)
    if report["rules"] is not None:
        lines.append("  rules")
        for name, result in report["rules"].items():
            value = result["value"]
            if name == "body" and value:
                value = f"{len(value.splitlines())} paragraphs: {value.splitlines()[0]}"
            lines.append(f"    {name:<8} {result['rule']} → {clip(value, 50)}")
    if report["feed"]:
        lines.append("  generic extractor")
        lines += _fields(report["generic"])
    if report["fallbacks"]:
        lines.append(f"  fallbacks: {', '.join(report['fallbacks'])} (from the generic extractor)")
    lines += _warning_lines(report["warnings"])
    return lines


def _warning_lines(warnings: list[str]) -> list[str]:
    if not warnings:
        return ["  no warnings"]
    return ["  warnings", *(f"    - {warning}" for warning in warnings)]


def list_lines(report: dict[str, Any]) -> list[str]:
    """The block of one list page: its article links with the rule or heuristic that found
    them, the next page, and what the generic finder gets when rules did."""
    feed = f"feed {report['feed']}" if report["feed"] else "no feed"
    lines = [f"== {report['target']}", f"   {feed}; via {report['via']}; {report['ms']} ms"]
    lines.append(f"  {len(report['links'])} article links by {report['how']}")
    lines += [f"    {link}" for link in report["links"]]
    lines.append(f"  next page by {report['next_how']}: {report['next_page'] or '– (none)'}")
    generic = report["generic"]
    if not report["how"].startswith("heuristic"):
        same = "the same links" if generic["links"] == report["links"] else "different links"
        lines.append(f"  without rules: {len(generic['links'])} links ({same}), {generic['how']}")
    lines += _warning_lines(report["warnings"])
    return lines
