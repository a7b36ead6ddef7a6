"""newsbot's own signals (connect with ``crawler.signals.connect(handler, signal=…)``)."""

#: A dry run would have fetched this article: ``handler(url: str, feed: str)``.
article_would_fetch = object()
