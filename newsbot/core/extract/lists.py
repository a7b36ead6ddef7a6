"""A list page and a feed's list rules in, article links and the next page out. Pure.

Each part uses the feed's rule when it has one and the generic finder
(:mod:`.generic_links`) when not: ``links`` (a selector), else ``link_pattern`` (a regex
on absolute URLs, over every link of the page), else the main list found generically;
both ``links`` and ``link_pattern``: the selector's links that match the pattern.
``next_page`` (a selector), else the generic next-page link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from parsel import Selector

from newsbot.core.extract.generic_links import FoundLinks, find_article_links, find_next_page
from newsbot.core.extract.selectors import extract_links


class ListRulesLike(Protocol):
    """A list page's rules (what :class:`newsbot.config.HtmlListRules` provides)."""

    @property
    def links(self) -> str | None: ...

    @property
    def link_pattern(self) -> str | None: ...

    @property
    def next_page(self) -> str | None: ...


@dataclass(frozen=True)
class ListPage:
    """What one list page gives."""

    links: list[str]
    #: The rule or heuristic that found the links.
    how: str
    next_page: str | None = None
    #: The rule or heuristic that found the next page.
    next_how: str = ""


def article_links(page: Selector, url: str, rules: ListRulesLike | None) -> FoundLinks:
    """The article links of a list page, by the rules it has (module docstring)."""
    selector = rules.links if rules is not None else None
    pattern = rules.link_pattern if rules is not None else None
    if selector:
        links = extract_links(page, selector, url)
        how = f"list.links {selector!r}"
    elif pattern:
        links = extract_links(page, "a[href]", url)
        how = "every link of the page"
    else:
        return find_article_links(page.root, url)
    if pattern:
        matcher = re.compile(pattern)
        links = [link for link in links if matcher.search(link)]
        how += f", list.link_pattern {pattern!r}"
    return FoundLinks(links, how)


def next_list_page(page: Selector, url: str, rules: ListRulesLike | None) -> tuple[str | None, str]:
    """The next list page's URL (or None) and the rule or heuristic that found it."""
    selector = rules.next_page if rules is not None else None
    if selector:
        following = extract_links(page, selector, url)
        return (following[0] if following else None), f"list.next_page {selector!r}"
    return find_next_page(page.root, url), "heuristic: 下一页 / 下页 / > / rel=next"


def read_list_page(page: Selector, url: str, rules: ListRulesLike | None) -> ListPage:
    """Article links and next page of one list page."""
    found = article_links(page, url, rules)
    following, next_how = next_list_page(page, url, rules)
    return ListPage(found.links, found.how, following, next_how)
