"""newsbot's own settings, read once per crawler into one object.

Every ``NEWSBOT_*`` setting is documented once, in ``newsbot/settings.py``. One rule
decides where a value comes from, for every setting alike:

1. a setting given on the command line (``scrapy crawl -s NAME=…``, ``newsbot crawl -s``)
   or by the spider;
2. else the environment variable of the same name (``NEWSBOT_MIRROR=…``), so that a shell
   or a test can point every command at a mirror or a feeds file;
3. else the project's ``settings.py`` (or Scrapy's default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

#: Settings priorities at or above this one beat the environment: Scrapy's "spider" (30)
#: and "cmdline" (40); "project" (settings.py, 20) and "default" (0) do not.
OVERRIDE_PRIORITY = 30
#: Older names of environment variables, still honoured (after the NEWSBOT_* name).
ENV_ALIASES = {"NEWSBOT_CHROMIUM_PATH": "CHROMIUM_PATH"}
#: Where the operators of a crawled site can read about the bot (NEWSBOT_CONTACT_URL).
DEFAULT_CONTACT_URL = "https://github.com/newsbot/newsbot"


def user_agent(contact_url: str) -> str:
    """The User-Agent naming newsbot and the URL its operators can be reached at."""
    return f"Mozilla/5.0 (compatible; newsbot/0.1; +{contact_url})"


class SettingsLike(Protocol):
    """What is read of Scrapy's ``BaseSettings`` (kept abstract: config knows no Scrapy)."""

    def get(self, name: str, default: Any = None) -> Any:
        """The value of a setting."""

    def getpriority(self, name: str) -> int | None:
        """The priority the setting was set with."""


def setting_value(
    settings: SettingsLike, name: str, environ: Mapping[str, str] | None = None
) -> Any:
    """The value of ``name`` by newsbot's one precedence rule (see the module docstring)."""
    environ = os.environ if environ is None else environ
    priority = settings.getpriority(name) or 0
    if priority < OVERRIDE_PRIORITY:
        for variable in (name, ENV_ALIASES.get(name)):
            if variable and environ.get(variable):
                return environ[variable]
    return settings.get(name)


def part_pattern(output: str, worker: str) -> str:
    """The output pattern of one worker's JSONL part: ``<day>.<worker>.jsonl`` for
    ``<day>.jsonl`` (``output`` itself without a worker)."""
    if not worker:
        return output
    stem, dot, suffix = output.rpartition(".")
    return f"{stem}.{worker}.{suffix}" if dot and "/" not in suffix else f"{output}.{worker}"


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True)
class NewsbotSettings:
    """The ``NEWSBOT_*`` settings of one crawler, resolved once."""

    feeds: str = "feeds.yaml"
    mirror: str = ""
    inner_download_handler: str = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
    output: str = "data/{feed}/{day}.jsonl"
    #: NEWSBOT_OUTPUT as given (``output`` is this worker's part of it).
    output_base: str = "data/{feed}/{day}.jsonl"
    state: str = ""
    fsync: bool = False
    dry_run: bool = False
    #: A full re-read: an empty in-memory state store; the state file and archive untouched.
    fresh: bool = False
    chromium_path: str = "/usr/bin/chromium"
    contact_url: str = DEFAULT_CONTACT_URL
    run_report: bool = True
    retry_backoff: float = 1.0
    retry_backoff_max: float = 30.0
    #: Distributed mode: the Redis holding the shared request queue and the state store.
    redis_url: str = ""
    #: This worker's name (its JSONL part, its in-flight requests in Redis); '' alone.
    worker: str = ""
    #: Seconds without a heartbeat after which a worker counts as dead (its requests requeued).
    worker_timeout: float = 10.0
    #: The cycle collector's young-generation threshold while a crawl runs (0: Python's).
    gc_threshold: int = 5000

    @property
    def persistent(self) -> bool:
        """Whether the state store is a file or a Redis (so runs are incremental and dedup
        across runs); never in a fresh re-read, which starts from an empty in-memory store."""
        if self.fresh:
            return False
        return bool(self.redis_url) or (bool(self.state) and self.state != ":memory:")

    @property
    def distributed(self) -> bool:
        """Whether the crawl shares its request queue through Redis with other workers:
        with NEWSBOT_REDIS_URL, but never in a dry run (which only looks) nor in a fresh
        re-read (a private one-off)."""
        return bool(self.redis_url) and not self.dry_run and not self.fresh

    @property
    def store_location(self) -> str:
        """Where the state store is: the Redis of NEWSBOT_REDIS_URL, else NEWSBOT_STATE."""
        return self.redis_url or self.state

    @classmethod
    def from_settings(
        cls, settings: SettingsLike, environ: Mapping[str, str] | None = None
    ) -> NewsbotSettings:
        """Read every NEWSBOT_* setting by the precedence rule."""

        def value(name: str, default: Any) -> Any:
            found = setting_value(settings, name, environ)
            return default if found is None else found

        defaults = cls()
        worker = str(value("NEWSBOT_WORKER", "") or "")
        output = str(value("NEWSBOT_OUTPUT", defaults.output))
        return cls(
            feeds=str(value("NEWSBOT_FEEDS", defaults.feeds) or defaults.feeds),
            mirror=str(value("NEWSBOT_MIRROR", "") or "").rstrip("/"),
            inner_download_handler=str(
                value("NEWSBOT_INNER_DOWNLOAD_HANDLER", defaults.inner_download_handler)
            ),
            output=part_pattern(output, worker),
            output_base=output,
            state=str(value("NEWSBOT_STATE", "") or ""),
            fsync=_flag(value("NEWSBOT_FSYNC", False)),
            dry_run=_flag(value("NEWSBOT_DRY_RUN", False)),
            fresh=_flag(value("NEWSBOT_FRESH", False)),
            chromium_path=str(
                value("NEWSBOT_CHROMIUM_PATH", defaults.chromium_path) or defaults.chromium_path
            ),
            contact_url=str(
                value("NEWSBOT_CONTACT_URL", defaults.contact_url) or defaults.contact_url
            ),
            run_report=_flag(value("NEWSBOT_RUN_REPORT", True)),
            retry_backoff=float(value("NEWSBOT_RETRY_BACKOFF", defaults.retry_backoff)),
            retry_backoff_max=float(value("NEWSBOT_RETRY_BACKOFF_MAX", defaults.retry_backoff_max)),
            redis_url=str(value("NEWSBOT_REDIS_URL", "") or ""),
            worker=worker,
            worker_timeout=float(value("NEWSBOT_WORKER_TIMEOUT", defaults.worker_timeout)),
            gc_threshold=int(value("NEWSBOT_GC_THRESHOLD", defaults.gc_threshold)),
        )
