"""The feeds.yaml models: one pydantic model per block, every value validated on load.

A feed is one source. ``flow`` says how its pages are reached:

* ``html``: HTML list pages (``start_urls``, paged) → HTML article pages;
* ``json``: a JSON list API (paged by ``{page}``) → HTML article pages (``article``) or a
  JSON article API (``article_api``).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from newsbot.config.checks import (
    check_regex,
    check_selector,
    check_url,
    declared_urls,
    template_fields,
)
from newsbot.core.addresses import private_address

FEED_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
#: Placeholders allowed in ``categories`` / ``tags`` templates.
LABEL_PLACEHOLDERS = frozenset({"source", "source_pinyin", "feed"})
#: Article fields a JSON API may fill.
API_FIELDS = frozenset({"title", "date", "body", "source", "author", "editor"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldRule(_Model):
    """Where one field is on a page: a selector, optionally narrowed by a regex group."""

    selector: str = Field(description="CSS selector (XPath when it starts with / or ().")
    re: str | None = Field(None, description="Regex applied to the matched text; group 1 wins.")

    @field_validator("selector")
    @classmethod
    def _valid_selector(cls, value: str) -> str:
        return check_selector(value)

    @field_validator("re")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        return check_regex(value)


def _coerce_rule(value: Any) -> Any:
    return {"selector": value} if isinstance(value, str) else value


Rule = Annotated[FieldRule, Field(description="A selector string, or {selector, re}.")]


class ArticleRules(_Model):
    """Selectors for the fields of an HTML article page."""

    title: Rule
    body: Rule
    date: Rule | None = None
    source: Rule | None = None
    author: Rule | None = None
    editor: Rule | None = None
    remove: list[str] = Field(
        default_factory=list, description="Selectors of elements cut out of the body."
    )

    @field_validator("title", "body", "date", "source", "author", "editor", mode="before")
    @classmethod
    def _string_is_selector(cls, value: Any) -> Any:
        return _coerce_rule(value)

    @field_validator("remove")
    @classmethod
    def _valid_selectors(cls, value: list[str]) -> list[str]:
        return [check_selector(selector) for selector in value]


class HtmlListRules(_Model):
    """How to read an HTML list page: article links and the next page. Without
    ``links`` and ``link_pattern`` the article links are found generically, without
    ``next_page`` the next page too (docs/extraction.md, "List pages without selectors")."""

    links: str | None = Field(
        None,
        description="Selector of article links (<a> elements or href values); without it "
        "(and without link_pattern) the page's main list is found generically.",
    )
    link_pattern: str | None = Field(
        None,
        description="Regex an article link's absolute URL must match: alone, over every "
        "link of the page; with `links`, over the links it selects.",
    )
    next_page: str | None = Field(
        None, description="Selector of the next-page link; without it, found generically."
    )
    dates: str | None = Field(
        None,
        description="Selector of each link's date on the list page, one per link in the "
        "same order (needs `links`); with `since`, older links are not followed and paging "
        "stops.",
    )

    @field_validator("links", "next_page", "dates")
    @classmethod
    def _valid_selector(cls, value: str | None) -> str | None:
        return None if value is None else check_selector(value)

    @field_validator("link_pattern")
    @classmethod
    def _valid_pattern(cls, value: str | None) -> str | None:
        return check_regex(value)

    @model_validator(mode="after")
    def _dates_need_links(self) -> HtmlListRules:
        if self.dates is not None and self.links is None:
            raise ValueError("`dates` pairs each date with a link of `links`: give `links` too")
        return self


#: Resource types a rendered page may refuse to load, and those refused by default.
ResourceType = Literal["image", "font", "media", "stylesheet"]
DEFAULT_BLOCKED: tuple[ResourceType, ...] = ("image", "font", "media")


class BrowserOptions(_Model):
    """How a ``render: true`` feed's pages are loaded in Chromium."""

    wait_for: str | None = Field(None, description="Selector an article page waits for.")
    list_wait_for: str | None = Field(None, description="Selector a list page waits for.")
    network_idle: bool = Field(False, description="Wait until the network is idle.")
    block: list[ResourceType] = Field(
        default_factory=lambda: list(DEFAULT_BLOCKED),
        description="Resource types never loaded.",
    )
    timeout: float = Field(30, gt=0, le=300, description="Navigation timeout (s).")
    max_pages: int = Field(4, ge=1, le=32, description="Pages open at once per context.")

    @field_validator("wait_for", "list_wait_for")
    @classmethod
    def _valid_selector(cls, value: str | None) -> str | None:
        return None if value is None else check_selector(value)


class FeedBase(_Model):
    """What every feed has, whatever its flow."""

    name: str = Field(pattern=FEED_NAME_PATTERN, description="Spider name: `scrapy crawl NAME`.")
    kind: Literal["portal", "bank", "regulator"]
    description: str = ""
    layout: str = "post"
    categories: str = Field(description="Slug, or a template using {source_pinyin}, {feed}.")
    tags: str = Field(description="Tag, or a template using {source}.")
    source: str | None = Field(None, description="Publisher when the page does not name one.")
    max_pages: int = Field(1, ge=1, le=1000, description="List pages read per run.")
    since: date | None = Field(None, description="Articles older than this are not followed.")
    delay: float | None = Field(None, ge=0, description="Download delay for this feed (s).")
    render: bool = Field(False, description="Fetch pages with Chromium (scrapy-playwright).")
    browser: BrowserOptions = Field(
        default_factory=BrowserOptions, description="Chromium options of a render feed."
    )
    headers: dict[str, str] = Field(default_factory=dict)
    boilerplate: list[str] = Field(
        default_factory=list, description="Regexes of whole-element texts to drop from bodies."
    )
    cut_after: list[str] = Field(
        default_factory=list, description="Regexes of texts after which the body ends."
    )
    include: list[str] = Field(
        default_factory=list, description="Keep only articles whose title or text has one."
    )
    exclude: list[str] = Field(
        default_factory=list, description="Drop articles whose title or text has one."
    )
    on_duplicate: Literal["mark", "drop"] = Field(
        "mark", description="A near-duplicate of an earlier record: mark duplicate_of, or drop."
    )
    host_aliases: dict[str, str] = Field(
        default_factory=dict, description="Host → the host it mirrors (m.x.cn: www.x.cn)."
    )
    allow_private: str | None = Field(
        None, description="Why this feed may crawl loopback, link-local or private addresses."
    )
    check_url: str | None = Field(
        None,
        description="One article URL `scrapy check` reads with the article callback "
        "(parse_article; for an article_api feed, the article API URL). It must answer on "
        "the site and in the mirror.",
    )

    @model_validator(mode="after")
    def _public_addresses(self) -> FeedBase:
        if self.allow_private:
            return self
        for url in declared_urls(self):
            kind = private_address(url)
            if kind is not None:
                raise ValueError(
                    f"{url!r} is a {kind} address; a feed crawls public sites only, unless "
                    "it says why with `allow_private: <reason>`"
                )
        return self

    @field_validator("check_url")
    @classmethod
    def _valid_check_url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("boilerplate", "cut_after")
    @classmethod
    def _valid_regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            check_regex(pattern)
        return value

    @field_validator("categories", "tags")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        unknown = template_fields(value) - LABEL_PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown)}; use {sorted(LABEL_PLACEHOLDERS)}"
            )
        return value


class HtmlFeed(FeedBase):
    """HTML list pages → HTML article pages."""

    flow: Literal["html"]
    # builtins.list: inside this class, ``list`` is the list-page rules field. Each URL is
    # checked on its own, so that a bad one is reported at its own line.
    start_urls: builtins.list[Annotated[str, AfterValidator(check_url)]] = Field(min_length=1)
    list: HtmlListRules = Field(
        default_factory=HtmlListRules,
        description="How to read the list pages; without it, the article links and the next "
        "page are found generically.",
    )
    article: ArticleRules | None = Field(
        None,
        description="Selectors of the article page's fields; without them the generic "
        "extractor reads the page (docs/extraction.md), and a rule that matches nothing "
        "falls back to it for that field.",
    )


class ListApi(_Model):
    """A paged JSON list API and how its rows become article links."""

    url: str = Field(description="URL template; {page} is the page number.")
    first_page: int = Field(1, ge=0)
    items: str = Field(description="Dotted path to the list of rows, e.g. data.list.")
    link: str = Field(description="Article URL template using row keys, e.g. {code}.")
    fields: dict[str, str] = Field(
        default_factory=dict, description="Article field → dotted path in the row."
    )
    where: dict[str, list[str]] = Field(
        default_factory=dict, description="Keep rows whose key has one of these values."
    )

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        if "page" not in template_fields(value):
            raise ValueError("the list API URL needs a {page} placeholder")
        check_url(value.replace("{page}", "1"))
        return value

    @field_validator("link")
    @classmethod
    def _valid_link(cls, value: str) -> str:
        template_fields(value)
        return value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_field_names(value)

    @field_validator("where", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
        return value


class ArticleApi(_Model):
    """A JSON article API: one request per row, fields read by dotted paths."""

    url: str = Field(description="URL template using row keys, e.g. ...?docId={docId}.")
    fields: dict[str, str] = Field(description="Article field → dotted path in the response.")

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        if "body" not in value:
            raise ValueError("article_api.fields needs 'body'")
        return _check_field_names(value)


def _check_field_names(value: dict[str, str]) -> dict[str, str]:
    unknown = set(value) - API_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; use {sorted(API_FIELDS)}")
    return value


class JsonFeed(FeedBase):
    """JSON list API → HTML article pages or a JSON article API."""

    flow: Literal["json"]
    list_api: ListApi
    article: ArticleRules | None = None
    article_api: ArticleApi | None = None

    @model_validator(mode="after")
    def _one_article_reader(self) -> JsonFeed:
        if self.article is not None and self.article_api is not None:
            raise ValueError(
                "give at most one of 'article' (HTML) or 'article_api' (JSON); "
                "with neither, the generic extractor reads the HTML article pages"
            )
        return self


Feed = Annotated[HtmlFeed | JsonFeed, Field(discriminator="flow")]
