"""What ``newsbot crawl`` was asked to do, and the Scrapy settings that follow from it."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
    #: Print the summary only when a feed is not ok (for cron, which mails any output).
    quiet: bool = False
    #: The progress line; None: only when stderr is a terminal.
    progress: bool | None = None
    #: Scrapy settings given as NAME=VALUE (like ``scrapy crawl -s``).
    overrides: Sequence[str] = ()
    command: list[str] = field(default_factory=list)

    @property
    def runs_dir(self) -> Path:
        """Where run reports are written."""
        return self.out / "_runs"


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
    settings.set("NEWSBOT_STATE", str(options.out / "_state" / "newsbot.sqlite3"), "cmdline")
    settings.set("NEWSBOT_DRY_RUN", options.dry_run, priority="cmdline")
    # the runner writes one report for all the feeds of the run
    settings.set("NEWSBOT_RUN_REPORT", False, priority="cmdline")
    # newsbot installs its own handlers (stderr and the rotating file, at their levels);
    # LOG_LEVEL is the lower of the two so that the file sees what it should.
    levels = [log_level(options.log_level)]
    if options.log_file is not None:
        levels.append(log_level(options.log_file_level))
    settings.set("LOG_LEVEL", logging.getLevelName(min(levels)), priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    return settings


def log_level(name: str) -> int:
    """The logging level called ``name`` (ValueError if there is none)."""
    level = logging.getLevelName(name.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {name!r}")
    return level
