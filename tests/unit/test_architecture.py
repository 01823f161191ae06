"""The learning core stays pure: it never imports Telegram or the database."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "learning"
FORBIDDEN = ("telegram", "sqlalchemy", "db", "bot")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_the_learning_core_imports_neither_telegram_nor_the_database(module: Path) -> None:
    offending = {m for m in imported_modules(module) if m.split(".")[0] in FORBIDDEN}
    assert not offending, f"{module.name} imports {sorted(offending)}"


def test_the_check_sees_imports() -> None:
    sample = CORE.parent / "bot" / "handlers.py"
    assert "telegram" in imported_modules(sample)
