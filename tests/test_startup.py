"""A crawl's start-up imports only what the crawl uses (issue 18: re-runs nearly free, and
memory within 1.3x bare Scrapy's).

Each check builds a feed's crawler with newsbot's settings in a fresh interpreter (this
one has imported everything already) and lists its extensions and the costly modules
loaded by then.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

COSTLY = (
    "aiohttp", "pypinyin", "redis", "scrapy_redis", "twisted.conch",
    "numpy.random",  # 2.8 MB of memory, once for MinHash's 128 fixed numbers
    "feedgen", "dateutil",  # 1.4 MB, for `newsbot export atom` alone
)  # fmt: skip

BUILD_CRAWLER = """
import json, sys
import newsbot.cli, newsbot.pipelines  # loaded by `newsbot crawl` and by the crawl
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
settings = Settings()
settings.setmodule("newsbot.settings")
values = settings.copy_to_dict()
values.update(json.loads(sys.argv[1]))
loader = load_object(settings["SPIDER_LOADER_CLASS"]).from_settings(settings)
crawler = get_crawler(loader.load("boc_news"), values)
print(json.dumps({
    "extensions": sorted(type(ext).__name__ for ext in crawler.extensions.middlewares),
    "loaded": sorted(name for name in json.loads(sys.argv[2]) if name in sys.modules),
}))
"""


def built(**settings: object) -> dict[str, list[str]]:
    """Extensions and costly modules of a crawler built with these settings."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD_CRAWLER, json.dumps(settings), json.dumps(COSTLY)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_plain_crawl_imports_no_switched_off_extension() -> None:
    crawler = built()
    assert crawler["loaded"] == []
    assert not {"RemoteControl", "TelnetConsole", "WorkerCoordinator"} & set(crawler["extensions"])
    assert {"ArticleOutcomes", "ClosingLine", "CrawlReport", "CoreStats"} <= set(
        crawler["extensions"]
    )


@pytest.mark.parametrize(
    ("switch", "extension", "module"),
    [
        ("REMOTE_CONTROL_ENABLED", "RemoteControl", "aiohttp"),
        ("TELNETCONSOLE_ENABLED", "TelnetConsole", "twisted.conch"),
    ],
)
def test_scrapys_switches_still_turn_their_extensions_on(
    switch: str, extension: str, module: str
) -> None:
    crawler = built(**{switch: True})
    assert extension in crawler["extensions"]
    assert module in crawler["loaded"]


def test_a_redis_url_turns_the_worker_coordinator_on() -> None:
    crawler = built(NEWSBOT_REDIS_URL="redis://127.0.0.1:9/0")  # nothing is asked of it yet
    assert "WorkerCoordinator" in crawler["extensions"]
    assert {"redis", "scrapy_redis"} <= set(crawler["loaded"])
