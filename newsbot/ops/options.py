"""What ``newsbot crawl`` was asked to do, and the Scrapy settings that follow from it."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.core.dates import SHANGHAI
from newsbot.items import RECORD_FIELDS
from newsbot.store.jsonl import check_pattern

if TYPE_CHECKING:
    from scrapy.settings import Settings

#: Records go to ``<out>/<pattern>``; ``{feed}``, ``{day}`` and ``{month}`` are filled in.
DEFAULT_PATTERN = "{feed}/{day}.jsonl"
#: The rotating log: this many bytes per file, this many old files kept.
LOG_FILE_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUPS = 5


@dataclass
class RunOptions:
    """What ``newsbot crawl`` was asked to do."""

    feeds: Sequence[str] = ()
    #: The feeds file (``--feeds``); None: the NEWSBOT_FEEDS setting.
    feeds_file: Path | None = None
    out: Path = Path("data")
    pattern: str = DEFAULT_PATTERN
    log_level: str = "WARNING"
    #: The rotating log file; None: no log file.
    log_file: Path | None = None
    log_file_level: str = "INFO"
    #: The rotating log: bytes per file, old files kept.
    log_file_bytes: int = LOG_FILE_BYTES
    log_file_backups: int = LOG_FILE_BACKUPS
    dry_run: bool = False
    #: A full re-read into ``out``: an empty in-memory state store, records written by
    #: Scrapy's feed exports; no other folder's state or archive is read or written.
    fresh: bool = False
    #: Print the summary only when a feed is not ok (for cron, which mails any output).
    quiet: bool = False
    #: The progress line; None: only when stderr is a terminal.
    progress: bool | None = None
    #: Scrapy settings given as NAME=VALUE (like ``scrapy crawl -s``).
    overrides: Sequence[str] = ()
    command: list[str] = field(default_factory=list)
    #: Distributed mode: the Redis of the shared queue and state store ('' for none).
    redis: str = ""
    #: This worker's name (its JSONL part ``<day>.<worker>.jsonl``); '' for one process.
    worker: str = ""

    @property
    def runs_dir(self) -> Path:
        """Where run reports are written."""
        return self.out / "_runs"

    @property
    def state_file(self) -> Path:
        """The state store of runs into ``out``."""
        return self.out / "_state" / "newsbot.sqlite3"


def output_problem(options: RunOptions) -> str | None:
    """Why a run cannot write its output root or its log file's folder (or, for a fresh
    re-read, why that root is no separate folder), or None."""
    if options.fresh and options.state_file.exists():
        return (
            f"--fresh re-reads everything into a separate folder, but {options.out} holds "
            f"an archive ({options.state_file}); give --out a new folder"
        )
    folders = [options.out]
    if options.log_file is not None:
        folders.append(options.log_file.parent)
    for folder in folders:
        reason = unwritable(folder)
        if reason is not None:
            return f"cannot write to {folder}: {reason}"
    return None


def unwritable(folder: Path) -> str | None:
    """Why records cannot be written under ``folder`` (created if missing, then probed
    with a file created and removed there), or None when they can."""
    if folder.exists() and not folder.is_dir():
        return "a file is there, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".newsbot-probe-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def project_settings() -> Settings:
    """The Scrapy settings of this project (newsbot.settings and scrapy.cfg)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


def crawl_settings(options: RunOptions) -> Settings:
    """The project settings with the run's output, state, logging and overrides."""
    settings = project_settings()
    for override in options.overrides:
        name, sep, value = override.partition("=")
        if not sep or not name:
            raise ValueError(f"setting {override!r} is not NAME=VALUE")
        settings.set(name, value, priority="cmdline")
    if options.feeds_file is not None:
        settings.set("NEWSBOT_FEEDS", str(options.feeds_file), priority="cmdline")
    pattern = Path(options.pattern)
    output = pattern if pattern.is_absolute() else options.out / pattern
    check_pattern(str(output))
    settings.set("NEWSBOT_OUTPUT", str(output), priority="cmdline")
    settings.set("NEWSBOT_STATE", str(options.state_file), "cmdline")
    settings.set("NEWSBOT_DRY_RUN", options.dry_run, priority="cmdline")
    if options.redis:
        settings.set("NEWSBOT_REDIS_URL", options.redis, priority="cmdline")
    if options.worker:
        settings.set("NEWSBOT_WORKER", options.worker, priority="cmdline")
    # the runner writes one report for all the feeds of the run
    settings.set("NEWSBOT_RUN_REPORT", False, priority="cmdline")
    if options.fresh:
        fresh_settings(settings, options)
    # newsbot installs its own handlers (stderr and the rotating file, at their levels);
    # LOG_LEVEL is the lower of the two so that the file sees what it should.
    levels = [log_level(options.log_level)]
    if options.log_file is not None:
        levels.append(log_level(options.log_file_level))
    settings.set("LOG_LEVEL", logging.getLevelName(min(levels)), priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    return settings


def fresh_settings(settings: Settings, options: RunOptions) -> None:
    """A fresh re-read: an empty in-memory state store, and each feed's records exported
    by Scrapy to ``output`` (replaced at each fresh run), never into an archive."""
    settings.set("NEWSBOT_FRESH", True, priority="cmdline")
    if options.dry_run:
        return  # lists what a fresh run would fetch; writes nothing
    uri = str(fresh_output(options, "{feed}").resolve()).replace("%", "%%")
    uri = uri.replace("{feed}", "%(name)s")  # Scrapy fills in the spider's name
    feed_export = {"format": "jsonlines", "encoding": "utf-8", "overwrite": True,
                   "fields": list(RECORD_FIELDS)}  # fmt: skip
    settings.set("FEEDS", {uri: feed_export}, priority="cmdline")


def fresh_output(options: RunOptions, feed: str) -> Path:
    """Where a fresh re-read writes ``feed``'s records."""
    pattern = Path(options.pattern)
    output = pattern if pattern.is_absolute() else options.out / pattern
    day = datetime.now(SHANGHAI).strftime("%Y-%m-%d")
    return Path(str(output).format(feed=feed, day=day, month=day[:7]))


def log_level(name: str) -> int:
    """The logging level called ``name`` (ValueError if there is none)."""
    level = logging.getLevelName(name.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {name!r}")
    return level
