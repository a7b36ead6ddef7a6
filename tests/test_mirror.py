"""The offline mirror: URL → file mapping, the server, and the snapshot helper."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

import pytest

from newsbot.mirror import guess_content_type, mirror_relpath, mirror_url, save_page
from tests.conftest import Mirror, run_command, start_mirror, stop


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Finance.EastMoney.com/a/1.html", "finance.eastmoney.com/a/1.html"),
        ("http://www.pbc.gov.cn/a/113456/", "www.pbc.gov.cn/a/113456/index.html"),
        ("https://x.cn", "x.cn/index.html"),
        ("https://x.cn/api?b=2&a=1", "x.cn/api@a=1&b=2"),
        ("https://x.cn/api?u=a/b", "x.cn/api@u=a%2Fb"),
        ("http://www.icbc.com.cn/icbc/%E5%B7%A5%E8%A1%8C/a.htm", "www.icbc.com.cn/icbc/工行/a.htm"),
        ("http://x.cn:8080/a", "x.cn:8080/a"),
        ("https://x.cn:443/a", "x.cn/a"),
    ],
)  # fmt: skip
def test_mirror_relpath(url: str, expected: str) -> None:
    assert mirror_relpath(url) == PurePosixPath(expected)


def test_mirror_relpath_refuses_to_escape() -> None:
    with pytest.raises(ValueError, match="escapes"):
        mirror_relpath("https://x.cn/a/%2E%2E/%2E%2E/etc/passwd")


def test_mirror_url_keeps_path_and_query() -> None:
    assert (
        mirror_url("http://127.0.0.1:9/", "https://x.cn/a/b.do?id=NW1&x=%E4")
        == "http://127.0.0.1:9/x.cn/a/b.do?id=NW1&x=%E4"
    )


def test_content_types() -> None:
    assert guess_content_type("a.json", b"{}") == "application/json; charset=utf-8"
    assert guess_content_type("SelectByDocId@docId=1", b' {"a": 1}') == (
        "application/json; charset=utf-8"
    )
    assert guess_content_type("x.htm@page=2", b"<html>") == "text/html; charset=utf-8"
    gbk_page = b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    assert guess_content_type("a.shtml", gbk_page) == "text/html; charset=gb2312"
    assert guess_content_type("logo.png", b"\x89PNG") == "image/png"


def fetch(url: str, data: bytes | None = None, method: str = "GET") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture
def tiny_mirror(tmp_path: Path) -> Mirror:
    save_page(tmp_path, "https://bank.example.cn/news/", "<p>首页</p>".encode())
    save_page(tmp_path, "https://api.example.cn/list?page=2&size=10", b'{"rows": [1]}')
    gbk = '<meta charset="gbk"><p>银行新闻</p>'.encode("gbk")
    save_page(tmp_path, "https://bank.example.cn/gbk.html", gbk)
    server = start_mirror(tmp_path)
    yield server
    stop(server.process)


def test_server_answers_by_host_path_and_sorted_query(tiny_mirror: Mirror) -> None:
    base = tiny_mirror.url
    status, ctype, body = fetch(f"{base}/api.example.cn/list?size=10&page=2")
    assert (status, ctype, json.loads(body)) == (
        200,
        "application/json; charset=utf-8",
        {"rows": [1]},
    )
    status, ctype, body = fetch(f"{base}/bank.example.cn/news/")
    assert (status, ctype, body.decode()) == (200, "text/html; charset=utf-8", "<p>首页</p>")
    status, ctype, body = fetch(f"{base}/bank.example.cn/gbk.html")
    assert ctype == "text/html; charset=gbk" and body.decode("gbk").endswith("<p>银行新闻</p>")
    assert fetch(f"{base}/bank.example.cn/missing.html")[0] == 404
    assert fetch(f"{base}/api.example.cn/list?size=10&page=2", data=b"q=1", method="POST")[0] == 200
    assert fetch(f"{base}/bank.example.cn/news/", method="HEAD")[:2] == (
        200,
        "text/html; charset=utf-8",
    )
    assert "POST /api.example.cn/list?size=10&page=2" in tiny_mirror.requests()


def test_faults_truncate_hang_or_fail_a_path_of_a_host(tiny_mirror: Mirror, tmp_path: Path) -> None:
    import http.client
    import time

    base = f"{tiny_mirror.url}/bank.example.cn"
    page = "<p>首页</p>".encode()
    faults = {"/news/": {"truncate": 4}, "/gbk.html": {"hang": 0.5}, "/x?a=1": {"status": 503}}
    (tmp_path / "bank.example.cn" / "_faults.json").write_text(json.dumps(faults))
    with urllib.request.urlopen(f"{base}/news/", timeout=10) as response:
        assert response.headers["Content-Length"] == str(len(page))
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
    assert cut.value.partial == page[:4]
    started = time.monotonic()
    assert fetch(f"{base}/gbk.html")[0] == 200
    assert time.monotonic() - started >= 0.5
    assert fetch(f"{base}/x?a=1")[:2] == (503, "text/plain")
    assert fetch(f"{base}/x?a=2")[0] == 404  # rules match the path as requested, query too


def test_server_logs_when_each_request_came(tiny_mirror: Mirror) -> None:
    # The benchmarks time a crawl from its first request to its last (start-up apart).
    import itertools
    import time

    started = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process
    for _ in range(3):
        assert fetch(f"{tiny_mirror.url}/bank.example.cn/news/")[0] == 200
        time.sleep(0.05)
    finished = time.monotonic()
    times = tiny_mirror.request_times()
    assert len(times) == len(tiny_mirror.requests()) == 3
    assert started <= times[0] and times[-1] <= finished
    assert all(later - earlier >= 0.05 for earlier, later in itertools.pairwise(times))


def test_server_survives_concurrent_clients(tiny_mirror: Mirror) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(
            pool.map(lambda _: fetch(f"{tiny_mirror.url}/bank.example.cn/news/")[0], range(200))
        )
    assert statuses == [200] * 200


def test_snapshot_saves_a_page_into_the_layout(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>快讯</p>", encoding="utf-8")
    result = run_command(
        ["newsbot", "snapshot", "https://Www.Example.cn/a/b.do?z=1&id=7", "--dir",
         str(tmp_path / "sites"), "--body", str(page)]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    saved = tmp_path / "sites" / "www.example.cn" / "a" / "b.do@id=7&z=1"
    assert result.stdout.strip() == str(saved)
    assert saved.read_text(encoding="utf-8") == "<p>快讯</p>"


def test_mirror_command_fails_clearly_on_a_missing_directory(tmp_path: Path) -> None:
    result = run_command(["newsbot", "mirror", str(tmp_path / "nope")])
    assert result.returncode == 1
    assert "mirror directory does not exist" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://../outside.txt",
        "http://..:80/outside.txt",
        "http://./outside.txt",
        "http://x.cn/../../outside.txt",
        "http://x.cn/%2e%2e/%2e%2e/outside.txt",
        "http://x.cn/a\\..\\..\\outside.txt",
        "http://x.cn/a%5C..%5Coutside.txt",
        "http://x.cn/a%00.html",
        "http://x.cn\\..\\outside.txt",
        "http://bad_host!/a.html",
    ],
)
def test_mirror_relpath_rejects_hostile_urls(url: str) -> None:
    with pytest.raises(ValueError):
        mirror_relpath(url)


def raw_get(base: str, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as given (no client-side normalisation)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", parts.netloc)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_server_never_serves_a_file_outside_its_folder(tmp_path: Path) -> None:
    root = tmp_path / "mirror"
    save_page(root, "https://x.cn/in.html", b"inside")
    secret = b"SECRET outside the mirror"
    (tmp_path / "outside.txt").write_bytes(secret)
    (root / "x.cn" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (root / "x.cn" / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    server = start_mirror(root)
    try:
        assert raw_get(server.url, "/x.cn/in.html") == (200, b"inside")
        for path in [
            "/../outside.txt",
            "/..:80/outside.txt",
            "/x.cn/../../outside.txt",
            "/%2e%2e/outside.txt",
            "/x.cn/%2e%2e/%2e%2e/outside.txt",
            "/x.cn/%2E%2E/%2E%2E/outside.txt",
            "/x.cn/link.txt",
            "/x.cn/dirlink/outside.txt",
            "/x.cn/..\\..\\outside.txt",
            "/..\\outside.txt",
            "/x.cn/%5C..%5C..%5Coutside.txt",
        ]:
            status, body = raw_get(server.url, path)
            assert status in (400, 404), (path, status)
            assert secret not in body, path
    finally:
        stop(server.process)
