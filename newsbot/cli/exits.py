"""Exit codes of the ``newsbot`` command."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl is running; cron will try again later
