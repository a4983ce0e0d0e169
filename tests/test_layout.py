"""The house rules of the tree (bot/engine/__init__.py, README "Layout"): the engine is
pure, handlers never touch storage, nothing below the jobs imports them, nothing imports
the CLI, no module over 300 lines, and no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside `if TYPE_CHECKING:` (they never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """Every module `module` imports, at the top or inside functions, project or not."""
    tree = ast.parse(path.read_text(), str(path))
    skipped = _type_checking_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from bot import engine` imports the module bot.engine.
            found.update(
                f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known
            )
    return {name for name in found if name and name != "__future__"}


GRAPH = {module: imports_of(module, path, set(_sources())) for module, path in _sources().items()}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _offenders(source: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list:
    return sorted(
        (module, target)
        for module, targets in GRAPH.items()
        if _within(module, source)
        for target in targets
        if any(_within(target, f) for f in forbidden)
        and not any(_within(target, a) for a in allowed)
    )


def test_the_engine_imports_nothing_of_storage_slack_emag_web_or_jobs() -> None:
    outside = ("storage", "handlers", "bot", "sqlalchemy", "slack_bolt", "slack_sdk", "httpx")
    outside += ("fastapi", "starlette", "uvicorn", "alembic", "apscheduler", "psycopg")
    assert _offenders("bot.engine", outside, allowed=("bot.engine", "bot.errors")) == []


def test_handlers_never_import_storage() -> None:
    assert _offenders("handlers", ("storage",)) == []


def test_storage_imports_no_face_and_no_wing_above_it() -> None:
    above = ("handlers", "bot.jobs", "bot.web", "bot.cli", "bot.emag", "bot.intake")
    above += ("slack_bolt", "slack_sdk", "bot.service", "bot.runtime")
    assert _offenders("storage", above) == []


def test_emag_and_intake_import_no_face_and_no_slack() -> None:
    faces = ("handlers", "bot.jobs", "bot.web", "bot.cli", "bot.app", "slack_bolt", "slack_sdk")
    assert _offenders("bot.emag", faces) == []
    assert _offenders("bot.intake", (*faces, "bot.emag")) == []


def test_only_the_cli_draws_on_a_terminal() -> None:
    # Long work tells its progress through an observer (bot.emag.progress); the bars,
    # and rich with them, are the command line's.
    assert [
        (module, target)
        for module, targets in GRAPH.items()
        if not _within(module, "bot.cli")
        for target in targets
        if _within(target, "rich")
    ] == []


def test_nothing_below_the_jobs_imports_them() -> None:
    # The digest's plan is plain data the builders render: the one module of the wing
    # that the Slack surface may import, and it imports nothing of the jobs itself.
    faces = ("bot.jobs", "bot.cli", "bot.playground")
    below = [
        (module, target)
        for module, targets in GRAPH.items()
        if not any(_within(module, face) for face in faces)
        for target in targets
        if _within(target, "bot.jobs") and target != "bot.jobs.digest_plan"
    ]
    assert below == []
    plan_imports = GRAPH["bot.jobs.digest_plan"]
    assert [t for t in plan_imports if t.split(".")[0] in PACKAGES] == ["bot.engine.models"]


def test_nothing_imports_the_cli() -> None:
    assert [
        (module, target)
        for module, targets in GRAPH.items()
        if not _within(module, "bot.cli")
        for target in targets
        if _within(target, "bot.cli")
    ] == []


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in GRAPH:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    assert _circles() == []


def test_no_module_over_300_lines() -> None:
    sizes = {module: len(path.read_text().splitlines()) for module, path in _sources().items()}
    assert {module: size for module, size in sizes.items() if size > MAX_LINES} == {}


def test_the_walk_sees_a_circle_and_a_forbidden_import() -> None:
    # The checks above must be able to fail: a made-up edge back into the engine's
    # caller is a circle, and an engine module importing storage is reported.
    GRAPH["bot.engine.models"].add("bot.service")
    try:
        assert _circles()
        assert _offenders("bot.engine", ("bot",), allowed=("bot.engine",))
    finally:
        GRAPH["bot.engine.models"].discard("bot.service")
