"""newsbot's own signals (connect with ``crawler.signals.connect(handler, signal=…)``)."""

#: A dry run would have fetched this article: ``handler(url: str, feed: str)``.
article_would_fetch = object()

#: An article request ended without an item, for a reason the component that gave up on
#: it knows (newsbot.outcomes.ArticleOutcomes lists it as lost):
#: ``handler(url: str, reason: str, detail: str)``; ``url`` is the article's real link.
article_lost = object()
