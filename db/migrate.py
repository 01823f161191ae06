"""Alembic, configured from code: no alembic.ini to keep in step with the settings."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """The Alembic configuration for this project's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine_or_url: AsyncEngine | str | URL, revision: str = "head") -> None:
    """Bring the schema up to `revision`."""
    await _run(engine_or_url, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine_or_url: AsyncEngine | str | URL, revision: str = "base") -> None:
    """Take the schema down to `revision`."""
    await _run(engine_or_url, lambda cfg: command.downgrade(cfg, revision))


async def _run(engine_or_url: AsyncEngine | str | URL, action) -> None:  # type: ignore[no-untyped-def]
    owned = not isinstance(engine_or_url, AsyncEngine)
    engine = create_engine(engine_or_url) if owned else engine_or_url
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_with_connection, action)
    finally:
        if owned:
            await engine.dispose()


def _with_connection(connection, action) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config()
    config.attributes["connection"] = connection
    action(config)
