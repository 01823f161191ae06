"""Plain data records the emulator keeps: bot messages, calls, callback answers, stats."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = [
    "ApiCall",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "EmulatorStats",
    "StoredFile",
    "WebhookDelivery",
]


class Button(NamedTuple):
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None


class ApiCall(NamedTuple):
    """One Bot API request the bot made (``getUpdates`` is not logged)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the call was answered with ``ok: true``."""
        return self.status == 200


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's ``answerCallbackQuery`` for a tap."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0


@dataclass
class StoredFile:
    """A file known to the emulator (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    data: bytes | None
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        """Size in bytes (0 when only a URL is known)."""
        return len(self.data) if self.data is not None else 0


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook, the HTTP status it got (None: no answer) and how long
    the answer took."""

    update_id: int
    url: str
    status: int | None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class EmulatorStats:
    """Counters over all requests the emulator answered."""

    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    rate_limited: int = 0
    injected_failures: int = 0


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, in its current state (edits applied in place).

    ``text`` is what the user reads: the message text, or the caption of a photo/document,
    after ``parse_mode`` was applied. ``raw_text`` is what the bot sent.
    """

    message_id: int
    chat_id: int
    date: int
    kind: str  # "text" | "photo" | "document"
    text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    file: StoredFile | None = None
    photo_sizes: list[dict[str, Any]] = field(default_factory=list)
    edited: bool = False
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard as rows of (text, callback_data)."""
        if not self.reply_markup:
            return []
        return [
            [Button(str(b.get("text", "")), b.get("callback_data")) for b in row]
            for row in self.reply_markup.get("inline_keyboard", [])
        ]

    @property
    def flat_buttons(self) -> list[Button]:
        """All inline buttons, row by row."""
        return [button for row in self.buttons for button in row]

    @property
    def caption(self) -> str | None:
        """The caption of a photo or document, None for a text message."""
        return None if self.kind == "text" else self.text

    @property
    def photo(self) -> bytes | None:
        """Bytes of a sent photo."""
        return self.file.data if self.file and self.kind == "photo" else None

    @property
    def document(self) -> bytes | None:
        """Bytes of a sent document."""
        return self.file.data if self.file and self.kind == "document" else None

    def describe(self) -> str:
        """One human-readable line block for transcripts."""
        head = f"#{self.message_id}"
        if self.edited:
            head += " (edited)"
        if self.deleted:
            head += " (deleted)"
        body = self.text
        if self.kind == "photo":
            body = f"[photo {self.file.size if self.file else 0} bytes] {body}"
        elif self.kind == "document":
            name = self.file.file_name if self.file else None
            body = f"[document {name}] {body}"
        lines = [f"{head} bot: {body}"]
        for row in self.buttons:
            lines.append("    " + "  ".join(f"[{b.text} | {b.callback_data}]" for b in row))
        return "\n".join(lines)
