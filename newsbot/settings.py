"""Scrapy settings for newsbot.

Only what differs from Scrapy's defaults is set here; every ``NEWSBOT_*`` setting is
newsbot's own and documented where it is defined.
"""

from scrapy.settings import default_settings

from newsbot.config.runtime import DEFAULT_CONTACT_URL, user_agent
from newsbot.items import RECORD_FIELDS

BOT_NAME = "newsbot"

SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"

# Every block of feeds.yaml becomes a spider (see newsbot/spiderloader.py).
SPIDER_LOADER_CLASS = "newsbot.spiderloader.FeedSpiderLoader"
# newsbot's `scrapy crawl`/`parse`/`check` (newsbot/ops/commands/): Scrapy's, with spider
# arguments checked first (one line, exit 2); crawl adds `--fresh`, exit 1 for a failed
# feed and 74 for a crawl stopped by a write error; parse and check run without the
# state store.
COMMANDS_MODULE = "newsbot.ops.commands"

# --- newsbot ---------------------------------------------------------------
# Read once per crawler into newsbot.config.runtime.NewsbotSettings. For each one, a value
# given on the command line (-s) wins, then the environment variable of the same name,
# then the value here.
# Path of the feeds file. Relative paths are resolved against the directory holding
# scrapy.cfg (or the current directory).
NEWSBOT_FEEDS = "feeds.yaml"

# Base URL of an offline mirror (``newsbot mirror DIR``). When set, every request
# for https://HOST/PATH?QUERY is sent to ``{NEWSBOT_MIRROR}/HOST/PATH?QUERY`` while
# spiders, items and logs keep seeing the real URL. Download delays are dropped then.
NEWSBOT_MIRROR = ""

# The handler that really downloads (the mirror handler wraps it).
NEWSBOT_INNER_DOWNLOAD_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"

# Where records are written: one JSONL file per feed and crawl day (local date).
NEWSBOT_OUTPUT = "data/{feed}/{day}.jsonl"

# The state store (seen URLs, text fingerprints) that makes runs incremental and dedups
# across runs and feeds. Empty: an in-memory store, forgotten at the end of the run.
NEWSBOT_STATE = "data/_state/newsbot.sqlite3"

# Each `scrapy crawl` writes its run report (the one `newsbot crawl` writes, read by
# `newsbot status`) to <records root>/_runs: the folder of NEWSBOT_OUTPUT before its first
# {placeholder}, data/_runs by default. Not for a dry run, nor for a run without a
# persistent NEWSBOT_STATE (a one-off export). `newsbot crawl` turns it off and writes one
# report for all its feeds (newsbot.ops.crawlreport).
NEWSBOT_RUN_REPORT = True

# A full re-read (``newsbot crawl --fresh --out DIR``, ``scrapy crawl FEED --fresh -O
# out.jsonl`` or ``-s NEWSBOT_FRESH=1``): the run starts from an empty in-memory state
# store, so every article is fetched again; NEWSBOT_STATE and the archive (NEWSBOT_OUTPUT)
# are neither read nor written, and records go only to the feed exports.
NEWSBOT_FRESH = False

# Distributed mode (docs/distributed.md): a Redis URL such as redis://host:6379/0. The
# scheduler queue and request dupefilter of every feed go there (scrapy-redis), and so does
# the state store (NEWSBOT_STATE is not used then); `newsbot worker --redis URL` started N
# times, on one machine or several, shares the feeds' requests.
NEWSBOT_REDIS_URL = ""
# This worker's name in Redis and in its JSONL part (<day>.<worker>.jsonl); `newsbot worker`
# sets it (--worker-id, default <host>-<pid>). Empty: one process, one file per day.
NEWSBOT_WORKER = ""
# Seconds after its last heartbeat that a worker counts as dead: another worker then puts
# the requests it had taken back in the queue.
NEWSBOT_WORKER_TIMEOUT = 10.0

# fsync every written line (survives power loss, not only a killed process). Slower.
NEWSBOT_FSYNC = False

# Dry run (``newsbot crawl --dry-run``): list pages are read, article pages are not; each
# article URL that would be fetched is announced (newsbot.signals.article_would_fetch).
NEWSBOT_DRY_RUN = False

# Chromium for `render: true` feeds (scrapy-playwright); the environment variable
# CHROMIUM_PATH is honoured too. Debian's package: `apt-get install -y chromium`.
NEWSBOT_CHROMIUM_PATH = "/usr/bin/chromium"

# Where the operators of a crawled site can read about this bot and reach whoever runs
# it; it goes into the User-Agent (``+URL``). Point it at your own page when you deploy.
# Set with -s or the environment, the User-Agent follows (newsbot.spiders.base), unless
# USER_AGENT itself is given with -s.
NEWSBOT_CONTACT_URL = DEFAULT_CONTACT_URL

# --- politeness --------------------------------------------------------------
# Government and bank sites are small; stay gentle. Feeds may set their own `delay`.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Scrapy retries 500 502 503 504 522 524 408 429 (RETRY_HTTP_CODES), never a 404 or 410.
# Each retry waits first: NEWSBOT_RETRY_BACKOFF seconds, doubling with every further retry
# of the same request, at most NEWSBOT_RETRY_BACKOFF_MAX (newsbot.middlewares; 0: no wait).
NEWSBOT_RETRY_BACKOFF = 1.0
NEWSBOT_RETRY_BACKOFF_MAX = 30.0
# No news page is this big: a larger answer is refused unread (counted as lost/too-large),
# one above the warning size is logged. Scrapy's defaults are 1 GiB and 32 MiB.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A request that failed after its retries gets one ERROR line, with its feed and reason,
# from the spider's errback; Scrapy's own "Gave up retrying" line is DEBUG (a failure is
# logged once).
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
USER_AGENT = user_agent(NEWSBOT_CONTACT_URL)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# --- quiet ports -------------------------------------------------------------
# A crawl listens on no port unless asked for with `-s NAME=True`.
# Scrapy's Telnet console: a Python shell into the running crawler (ports 6023-6073).
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote-control HTTP server ("Remote control HTTP server listening on port").
REMOTE_CONTROL_ENABLED = False

# --- download path -----------------------------------------------------------
DOWNLOAD_HANDLERS = {
    "http": "newsbot.mirror.handler.MirrorDownloadHandler",
    "https": "newsbot.mirror.handler.MirrorDownloadHandler",
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- items -------------------------------------------------------------------
# validate -> clean -> normalize date -> filter -> dedup + write; each drop is counted
# as newsbot/dropped/<reason>.
# Below RedirectMiddleware (600): sees the 3xx answers to article links (newsbot.middlewares).
# A <meta http-equiv=refresh> is followed only from the page's <head> (one in an article's
# body is content, not navigation): newsbot's subclass takes the place of Scrapy's.
DOWNLOADER_MIDDLEWARES = {
    # Each text response is decoded in the charset its bytes are in, whatever its header
    # or <meta> claims (newsbot.charset): after HttpCompressionMiddleware (590) has
    # unpacked the body, before anything reads it (the head meta refresh, 580).
    "newsbot.charset.CharsetMiddleware": 585,
    "newsbot.middlewares.RedirectMemoryMiddleware": 650,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsbot.middlewares.HeadMetaRefreshMiddleware": 580,
    # After RetryMiddleware (550) has scheduled a retry, before the download: the wait.
    "newsbot.middlewares.RetryBackoffMiddleware": 560,
}
# Incremental crawling: known article links are not requested, paging stops at an archived
# list page (off without a persistent NEWSBOT_STATE); a dry run announces articles instead
# of requesting them. Both sit next to the spider, before Scrapy's own spider middlewares.
SPIDER_MIDDLEWARES = {
    # Nearest the spider: frees each page's tree when its callback is done with it.
    "newsbot.middlewares.ReleasePageMiddleware": 990,
    "newsbot.middlewares.IncrementalMiddleware": 950,
    "newsbot.middlewares.DryRunMiddleware": 940,
    # Outermost (nearest the engine), so it sees every exception of a callback or spider
    # middleware that nothing else handled: counted as newsbot/failed/extract, one log
    # line, and the crawl goes on (newsbot.outcomes).
    "newsbot.outcomes.ExtractFailureMiddleware": 10,
}
# Follows every article request to its outcome (written, dropped, failed, filtered) and
# lists the lost ones in the run report (newsbot.outcomes). Every crawl ends with one line
# per feed: new records, known ones skipped, unreachable sites (newsbot.closing). Last, the
# run report of a `scrapy crawl` (NEWSBOT_RUN_REPORT; newsbot.ops.crawlreport).
EXTENSIONS = {
    "newsbot.outcomes.ArticleOutcomes": 500,
    "newsbot.closing.ClosingLine": 510,
    "newsbot.ops.crawlreport.CrawlReport": 900,
    # The cycle collector's young threshold while a crawl runs (newsbot.collector).
    "newsbot.collector.CollectorTuning": 100,
    # Distributed mode only: when the shared queue is done (newsbot.distributed.coordinator).
    # It, Scrapy's remote control and its Telnet console are off unless switched on, and
    # their modules are imported only then (newsbot.optional): ~0.5 s of every start-up.
    "newsbot.optional.WorkerCoordinator": 520,
    "newsbot.optional.RemoteControl": 0,
    "newsbot.optional.TelnetConsole": 0,
}
# Scrapy's list without the two the lines above stand in for: Scrapy imports every class
# named in EXTENSIONS_BASE or EXTENSIONS, even one set to None.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path.rpartition(".")[2] not in ("RemoteControl", "TelnetConsole")
}

# Scrapy 2.19 starts CONCURRENT_ITEMS (100) worker tasks for each response's items. An
# article page gives one item and every pipeline here is synchronous, so one is enough:
# the 99 idle workers per page cost ~15 % of a crawl's CPU (docs/benchmarks.md).
CONCURRENT_ITEMS = 1
# The cycle collector's young-generation threshold while a crawl runs (Python's: 700),
# since reference counting frees nearly all of a crawl's garbage (newsbot.collector);
# 0 leaves the collector alone.
NEWSBOT_GC_THRESHOLD = 5000

ITEM_PIPELINES = {
    "newsbot.pipelines.ValidatePipeline": 100,
    "newsbot.pipelines.CleanPipeline": 200,
    "newsbot.pipelines.DatePipeline": 300,
    "newsbot.pipelines.FilterPipeline": 400,
    "newsbot.pipelines.ArchivePipeline": 500,
}
# `-O out.jsonl` exports the same records as NEWSBOT_OUTPUT, in the same field order.
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(RECORD_FIELDS)

LOG_LEVEL = "INFO"
LOG_FORMATTER = "newsbot.logformatter.NewsbotLogFormatter"

# `scrapy check`: the sample URLs come from each feed (its first list page, its
# check_url); the contracts are in the callbacks' docstrings (newsbot/contracts.py).
SPIDER_CONTRACTS = {
    "newsbot.contracts.FeedListContract": 10,
    "newsbot.contracts.FeedArticleContract": 10,
    "newsbot.contracts.ArticleContract": 10,
}
