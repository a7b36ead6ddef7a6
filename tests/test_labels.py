"""Pinyin slugs with pypinyin's phrases loaded name by name: the same slugs as full pypinyin,
nothing imported until a slug is needed, little memory, and the whole dictionary when the
phrase file's layout is not the one looked up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

#: Every publisher named in feeds.yaml and the tests' fixtures, and polyphonic traps (some read
#: right only through phrases of three characters or more).
NAMES = [
    "中国工商银行", "中国人民银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "渤海银行",
    "测试银行", "渤海银行上海分行", "上海市分行", "工行三明分行", "江淮农商银行微信公众号",
    "上海证券报", "中国证券报", "证券时报", "证券时报网", "证券日报", "经济参考报", "重庆日报",
    "国际商报", "财联社", "新华财经", "金融时讯网", "江西金融在线", "21世纪经济报道",
    "中国证监会", "证监会", "国家金融监督管理总局", "江苏银保监局", "江苏金融监管局",
    "江苏监管局", "遵义监管分局", "省地方金融管理局", "东方财富研究中心", "办公厅",
    "重庆银行", "长沙银行", "中国银行行长", "朝阳", "单县", "乐山", "厦门", "银行业", "行长",
    "长春", "三百六十行", "万里长城", "ABC 重庆·长春", "",
]  # fmt: skip

#: Slugs from pypinyin imported as usual (whole phrase dictionary), and char by char.
FULL_PYPINYIN = """
import json, re, sys
from pypinyin import Style, lazy_pinyin
def slug(hans):
    return re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(hans, style=Style.NORMAL)).lower())
names = json.loads(sys.argv[1])
print(json.dumps({"full": {n: slug(n) for n in names}, "chars": {n: slug(list(n)) for n in names}}))
"""

#: Our slugs in a fresh process, and whether pypinyin's whole dictionary got loaded.
OURS = """
import json, logging, sys
from pathlib import Path
import newsbot.core.labels as labels
logging.basicConfig(format="%(levelname)s %(name)s %(message)s")
if sys.argv[2]:
    labels.PHRASES_JSON = Path(sys.argv[2])
slugs = {n: labels.pinyin_slug(n) for n in json.loads(sys.argv[1])}
print(json.dumps({"slugs": slugs, "full_dict": "pypinyin.phrases_dict" in sys.modules}))
"""

MEMORY = """
import json, os, resource, sys
import newsbot.pipelines
from newsbot.core.labels import pinyin_slug
def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
imported, before = "pypinyin" in sys.modules, peak()
slug = pinyin_slug("重庆银行")
from pypinyin.constants import PHRASES_DICT
print(json.dumps({"imported": imported, "slug": slug, "phrases": len(PHRASES_DICT),
                  "grew_mb": peak() - before, "env_left": "PYPINYIN_NO_PHRASES" in os.environ}))
"""


def run_python(code: str, *args: str) -> tuple[Any, str]:
    """Run ``code`` in a fresh interpreter: its last stdout line as JSON, and its stderr."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.splitlines()[-1]), done.stderr


@pytest.fixture(scope="module")
def full_pypinyin() -> dict[str, str]:
    """Full pypinyin's slugs of NAMES; the traps read differently char by char."""
    got, _ = run_python(FULL_PYPINYIN, json.dumps(NAMES))
    differ = {name for name in NAMES if got["full"][name] != got["chars"][name]}
    assert {"重庆银行", "长沙银行", "中国银行行长", "朝阳", "行长", "三百六十行"} <= differ
    return dict(got["full"])


def test_slugs_equal_full_pypinyin_without_its_dictionary(full_pypinyin: dict[str, str]) -> None:
    got, stderr = run_python(OURS, json.dumps(NAMES), "")
    assert got["slugs"] == full_pypinyin
    assert got["full_dict"] is False and "WARNING" not in stderr


def test_pinyin_costs_nothing_until_needed_and_little_after() -> None:
    got, _ = run_python(MEMORY)
    assert got["imported"] is False
    assert got["slug"] == "chongqingyinhang"
    assert got["phrases"] < 100
    assert got["grew_mb"] < 20
    assert got["env_left"] is False


@pytest.mark.parametrize("layout", ["one line", "missing"])
def test_unknown_layout_loads_the_whole_dictionary_and_warns_once(
    full_pypinyin: dict[str, str], tmp_path: Path, layout: str
) -> None:
    phrases = tmp_path / "phrases_dict.json"
    if layout == "one line":
        phrases.write_text(json.dumps({"银行": [["yín"], ["háng"]]}, ensure_ascii=False))
    got, stderr = run_python(OURS, json.dumps(NAMES), str(phrases))
    assert got["slugs"] == full_pypinyin
    assert got["full_dict"] is True
    warnings = [line for line in stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "loading all its phrases" in warnings[0], stderr
