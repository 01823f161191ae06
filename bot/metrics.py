"""What the bot counts for Prometheus: updates by kind, handling time, reminders sent, failed requests.

With several worker processes on one machine (`quizbot run --webhook --workers N`), the CLI points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start; each then writes its numbers
there and /metrics, whichever worker answers, adds up all of them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError, TimedOut

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

UPDATES = Counter("quizbot_updates_total", "Updates handled, by kind", ["kind"])
DUPLICATES = Counter("quizbot_duplicate_updates_total", "Webhook updates delivered again and not handled twice")
REFUSED = Counter("quizbot_webhook_refused_total", "Webhook requests refused for a wrong or missing secret")
HANDLING = Histogram(
    "quizbot_handler_seconds",
    "Time from an update's arrival to the end of its handling, replies included",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REMINDERS_SENT = Counter("quizbot_reminders_sent_total", "Reminders sent by the sweep")
SEND_ERRORS = Counter("quizbot_send_errors_total", "Bot API requests Telegram refused or that failed, by code", ["code"])


def update_kind(update: Update) -> str:
    """A small fixed vocabulary for the `kind` label: command, message, callback_query or other."""
    if update.callback_query is not None:
        return "callback_query"
    message = update.message
    if message is None:
        return "other"
    if message.text and message.text.startswith("/"):
        return "command"
    return "message"


def error_code(error: TelegramError) -> str:
    """The HTTP status Telegram answered with, as PTB's exception tells it; timeout or network otherwise."""
    for kind, code in ((RetryAfter, "429"), (Forbidden, "403"), (BadRequest, "400"), (Conflict, "409")):
        if isinstance(error, kind):
            return code
    if isinstance(error, InvalidToken):
        return "401"
    return "timeout" if isinstance(error, TimedOut) else "network"


def count_send_error(_endpoint: str, error: TelegramError) -> None:
    """The rate limiter's on_error hook."""
    SEND_ERRORS.labels(error_code(error)).inc()


def count_reminders(sent: int) -> None:
    """Called by the sweep with how many reminders it sent."""
    REMINDERS_SENT.inc(sent)


def exposition() -> tuple[bytes, str]:
    """The /metrics body and its content type, added up over every worker when there are several."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
