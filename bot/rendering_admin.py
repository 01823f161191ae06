"""How the admin pages look: the overview, reloading questions, and a broadcast's preview and report.

Telegram HTML parse mode, except the broadcast itself, which goes out as the plain text the admin wrote.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.rendering import Reply
from db.admin import Overview
from db.repository import SyncReport

if TYPE_CHECKING:
    from bot.admin import BroadcastReport


def _line(language: str, key: str, **values: object) -> str:
    return escape(t(language, key, **values))


def overview(language: str, counts: Overview, questions: int) -> Reply:
    """/admin: the bot at a glance, and what else admins can do."""
    lines = [
        f"<b>{_line(language, 'admin_title')}</b>",
        _line(language, "admin_users", users=counts.users, active=counts.active, recent=counts.seen_since),
        _line(language, "admin_answers_today", answers=counts.answers_since),
        _line(language, "admin_questions", questions=questions),
        "",
        _line(language, "admin_help"),
    ]
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(language, "admin_button_refresh"), callback_data="adm:refresh"),
                InlineKeyboardButton(t(language, "admin_button_reload"), callback_data="adm:reload"),
            ]
        ]
    )
    return Reply("\n".join(lines), buttons)


def reloaded(language: str, report: SyncReport, questions: int) -> Reply:
    """The question sets were loaded again."""
    return Reply(
        _line(
            language,
            "admin_reloaded",
            added=report.added,
            updated=report.updated,
            retired=report.retired,
            unchanged=report.unchanged,
            questions=questions,
        )
    )


def reload_failed(language: str, error: str) -> Reply:
    """A question set is broken: nothing was reloaded."""
    return Reply(_line(language, "admin_reload_failed", error=error))


def broadcast_empty(language: str) -> Reply:
    """/admin broadcast without a message."""
    return Reply(_line(language, "admin_broadcast_empty"))


def broadcast_intro(language: str, audience: int) -> Reply:
    """Said before the preview: what the buttons under it will do."""
    return Reply(_line(language, "admin_broadcast_intro", count=audience))


def broadcast_buttons(language: str, audience: int) -> InlineKeyboardMarkup:
    """Send and Cancel, under the preview."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(language, "admin_broadcast_send", count=audience), callback_data="adm:send"),
                InlineKeyboardButton(t(language, "admin_broadcast_cancel"), callback_data="adm:cancel"),
            ]
        ]
    )


def broadcast_sending(language: str) -> str:
    """The toast when Send is tapped."""
    return t(language, "admin_broadcast_sending")


def broadcast_cancelled(language: str) -> str:
    """The toast when Cancel is tapped."""
    return t(language, "admin_broadcast_cancelled")


def broadcast_closed(language: str) -> str:
    """The toast for a tap on a preview already sent or cancelled."""
    return t(language, "admin_broadcast_closed")


def broadcast_done(language: str, report: BroadcastReport) -> Reply:
    """How the broadcast went."""
    return Reply(
        _line(language, "admin_broadcast_done", sent=report.sent, blocked=report.blocked, failed=report.failed)
    )
