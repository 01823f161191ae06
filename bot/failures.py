"""What kind of failure an error is, so the error handler says the right thing (or nothing)."""

from __future__ import annotations

import socket
from enum import StrEnum

from sqlalchemy import exc as sa
from telegram.error import BadRequest, Forbidden, NetworkError


class FailureKind(StrEnum):
    """Who failed, as far as the user is concerned."""

    DATABASE = "database"  # unreachable, locked or restarting: the user can simply try again
    TELEGRAM = "telegram"  # Telegram could not be reached: an apology would travel the same broken road
    BLOCKED = "blocked"  # the user blocked the bot: nothing can be sent
    BUG = "bug"  # anything else


# Errors the database's code raises for a bug in ours (a broken constraint, a wrong query): not worth retrying.
_DATABASE_BUGS = (sa.IntegrityError, sa.DataError, sa.ProgrammingError, sa.NotSupportedError)


def kind_of(error: BaseException | None) -> FailureKind:
    """The kind of failure `error` is."""
    if isinstance(error, Forbidden):
        return FailureKind.BLOCKED
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):  # PTB files BadRequest under it
        return FailureKind.TELEGRAM  # TimedOut too: PTB wraps every HTTP failure in these
    if isinstance(error, sa.DBAPIError) and not isinstance(error, _DATABASE_BUGS):
        return FailureKind.DATABASE  # OperationalError ("database is locked"), InterfaceError, lost connections
    if isinstance(error, sa.TimeoutError | sa.DisconnectionError):  # no pooled connection came free
        return FailureKind.DATABASE
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return FailureKind.DATABASE  # asyncpg raises these raw when the server cannot be reached at all
    return FailureKind.BUG
