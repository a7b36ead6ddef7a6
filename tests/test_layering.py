"""Import layering: a newsbot module imports only from its own room or a lower one."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "newsbot"

#: Rank of each room, lowest first: a module may import from its own rank or a lower one.
ROOM_RANKS: dict[str, int] = {
    "core": 0,
    "config": 1,
    "store": 2,
    "publish": 2,
    "scrapy": 3,
    "ops": 4,
    "cli": 5,
}
#: Top-level modules and folders of ``newsbot`` that make up the Scrapy room.
SCRAPY_PARTS = frozenset(
    {
        "settings",
        "charset",
        "items",
        "spiderloader",
        "pipelines",
        "middlewares",
        "logformatter",
        "outcomes",
        "contracts",
        "closing",
        "collector",
        "optional",
        "crawlstate",
        "signals",
        "spiders",
        "browser",
        "distributed",
        "mirror",
    }
)
#: Packages core must not import: it stays runnable (and testable) without a crawler.
CORE_FORBIDDEN = frozenset({"scrapy", "twisted"})
#: (importer, imported) pairs allowed to break the order, each with its reason; none today.
#: An entry must go once its import is gone.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()


def module_name(path: Path) -> str:
    """Dotted name of a module file under the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> Iterator[str]:
    """Every module a file imports, wherever the import is (TYPE_CHECKING, functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if base == "newsbot":  # `from newsbot import items`: the names are modules
                yield from (f"newsbot.{alias.name}" for alias in node.names)
            else:
                yield base


def room(module: str) -> str | None:
    """The room of a newsbot module; None when it has none (the bare package holds no code)."""
    top = [*module.split("."), ""][1]
    if top in SCRAPY_PARTS:
        return "scrapy"
    return top if top in ROOM_RANKS else None


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def upward_imports() -> set[tuple[str, str]]:
    """(importer, imported) pairs where a module imports from a higher room."""
    found = set()
    for name, path in modules().items():
        own = room(name)
        for target in imported_modules(path):
            other = room(target) if target.split(".")[0] == "newsbot" else None
            if own and other and ROOM_RANKS[other] > ROOM_RANKS[own]:
                found.add((name, target))
    return found


def test_every_module_has_a_room() -> None:
    unplaced = [name for name in modules() if name != "newsbot" and room(name) is None]
    assert not unplaced, f"add these to a room in {Path(__file__).name}: {unplaced}"


def test_imports_only_go_down() -> None:
    assert sorted(upward_imports() - KNOWN_VIOLATIONS) == []


def test_known_violations_are_still_real() -> None:
    assert sorted(KNOWN_VIOLATIONS - upward_imports()) == [], "fixed: remove from the list"


def test_core_imports_no_crawler() -> None:
    found = [
        (name, target)
        for name, path in modules().items()
        if room(name) == "core"
        for target in imported_modules(path)
        if target.split(".")[0] in CORE_FORBIDDEN
    ]
    assert found == []
