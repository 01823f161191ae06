"""Which errors mean "the database is away, try again", which mean Telegram is, and which are bugs."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc as sa
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.failures import FailureKind, kind_of


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (sa.OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked")), FailureKind.DATABASE),
        (sa.InterfaceError("SELECT 1", {}, Exception("connection is closed")), FailureKind.DATABASE),
        (sa.DBAPIError("SELECT 1", {}, Exception('database "q" is not currently accepting connections')), FailureKind.DATABASE),
        (sa.TimeoutError("QueuePool limit reached"), FailureKind.DATABASE),
        (ConnectionRefusedError(111, "Connect call failed"), FailureKind.DATABASE),
        (sa.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), FailureKind.BUG),
        (TimedOut(), FailureKind.TELEGRAM),
        (NetworkError("Bad Gateway"), FailureKind.TELEGRAM),
        (Forbidden("bot was blocked by the user"), FailureKind.BLOCKED),
        (BadRequest("message text is empty"), FailureKind.BUG),
        (KeyError("q-999"), FailureKind.BUG),
        (None, FailureKind.BUG),
    ],
)
def test_each_error_has_its_kind(error: BaseException | None, kind: FailureKind) -> None:
    assert kind_of(error) is kind
