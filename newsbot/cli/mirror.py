"""``newsbot mirror`` and ``newsbot snapshot``: serve saved pages, save a page."""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path

from newsbot.core.codes import ExitCode
from newsbot.mirror import MIRROR_ENV, MirrorServer, save_page

#: Where the bundled offline pages live, relative to the project directory.
BUNDLED_MIRROR = Path("tests") / "sites"


def cmd_mirror(args: argparse.Namespace) -> int:
    """Serve a directory of saved pages in the foreground."""
    try:
        server = MirrorServer(args.directory, host=args.host, port=args.port)
    except (FileNotFoundError, OSError) as exc:
        print(f"newsbot mirror: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    # The first line is the contract tests and scripts read: the base URL.
    print(server.url, flush=True)
    print(
        f"serving {server.root}; set {MIRROR_ENV}={server.url} to route feeds here",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return ExitCode.OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Save a live page (or a local file's bytes) into the mirror layout."""
    if args.body:
        body = Path(args.body).read_bytes()
    else:
        request = urllib.request.Request(args.url, headers={"User-Agent": "Mozilla/5.0 newsbot"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
        except OSError as exc:
            print(f"newsbot snapshot: cannot fetch {args.url}: {exc}", file=sys.stderr)
            return ExitCode.FAILED
    print(save_page(args.dir, args.url, body))
    return ExitCode.OK


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``mirror`` and ``snapshot`` commands."""
    mirror = sub.add_parser("mirror", help="serve a directory of saved pages")
    mirror.add_argument("directory")
    mirror.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    mirror.add_argument("--host", default="127.0.0.1")
    mirror.set_defaults(func=cmd_mirror)

    snapshot = sub.add_parser("snapshot", help="save a page into the mirror layout")
    snapshot.add_argument("url")
    snapshot.add_argument("--dir", default=str(BUNDLED_MIRROR), help="mirror directory")
    snapshot.add_argument("--body", help="save this file's bytes instead of fetching the URL")
    snapshot.set_defaults(func=cmd_snapshot)
