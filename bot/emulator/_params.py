"""Decode Bot API request parameters the way the Bot API server accepts them.

Clients may send a query string, ``application/x-www-form-urlencoded``, ``multipart/form-data``
(with file parts) or ``application/json``. In the form encodings every value is a string and
nested objects (``reply_markup``, ``commands``...) are JSON-encoded strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["ApiError", "UploadedFile", "Params", "decode_body"]


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional response parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    """A 400 error with the usual "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None


_JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "reply_parameters",
    "allowed_updates",
    "link_preview_options",
    "media",
}
_INT_FIELDS = {
    "message_id",
    "offset",
    "limit",
    "cache_time",
    "reply_to_message_id",
    "message_thread_id",
    "max_connections",
    "from_chat_id",
    "user_id",
    "duration",
}
_BOOL_FIELDS = {
    "show_alert",
    "disable_notification",
    "protect_content",
    "drop_pending_updates",
    "disable_web_page_preview",
    "allow_sending_without_reply",
    "has_spoiler",
    "disable_content_type_detection",
    "show_caption_above_media",
}


def _parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = headers.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, data, headers.get_content_type())
        else:
            fields[name] = data.decode("utf-8")
    return fields, files


def _coerce(name: str, value: Any) -> Any:
    """Turn a form string into the JSON value the Bot API would read from it."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {name} JSON object") from exc
    if name in _INT_FIELDS or name == "chat_id":
        try:
            return int(value)
        except ValueError:
            if name == "chat_id":
                return value  # "@channelusername"
            raise bad_request(f"invalid {name} specified") from None
    if name == "timeout":
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            raise bad_request("invalid timeout specified") from None
    if name in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value


def decode_body(
    content_type: str, body: bytes, query: list[tuple[str, str]]
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Decode a request into (parameters, uploaded files)."""
    raw: dict[str, Any] = dict(query)
    files: dict[str, UploadedFile] = {}
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json" and body.strip():
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise bad_request("can't parse JSON") from exc
        if not isinstance(data, dict):
            raise bad_request("JSON object expected")
        raw.update(data)
    elif mime == "multipart/form-data":
        headers = BytesHeaderParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode())
        boundary = headers.get_param("boundary")
        if not isinstance(boundary, str):
            raise bad_request("multipart boundary not found")
        form, files = _parse_multipart(body, boundary)
        raw.update(form)
    elif body:
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {key: _coerce(key, value) for key, value in raw.items()}, files


class Params:
    """Typed access to the decoded parameters of one call."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        self.values = values
        self.files = files

    def get(self, name: str, default: Any = None) -> Any:
        """The raw decoded value, or ``default``."""
        value = self.values.get(name)
        return default if value is None else value

    def require(self, name: str) -> Any:
        """The value; a missing one is a 400 like Telegram's."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty" if name == "text" else f"{name} is required")
        return value

    def int(self, name: str, default: int | None = None) -> int | None:
        """The value as int."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def float(self, name: str, default: float | None = None) -> float | None:
        """The value as float."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        """The value as bool (absent means False)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def str(self, name: str) -> str | None:
        """The value as str, or None."""
        value = self.values.get(name)
        return None if value is None else str(value)
