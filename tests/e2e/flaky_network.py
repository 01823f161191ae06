"""A TCP proxy between the bot and the Bot API emulator that breaks the network on cue.

It passes HTTP/1.1 requests through one at a time per connection, and can:
- reset the connection on a chosen call before passing it on (Telegram never sees it, the bot
  cannot know that), or after Telegram answered (Telegram acted on it, the bot never hears so);
- refuse every connection for a while (an outage: nothing reaches Telegram).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass
from typing import Self
from urllib.parse import parse_qs


@dataclass
class _Cut:
    endpoint: str
    before: bool  # True: reset before Telegram sees the call; False: after it answered
    chat_id: int | None
    times: int


class FlakyNetwork:
    """A proxy to `upstream_port` on loopback; use `base_url` and `base_file_url` as the bot's Bot API URLs."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.resets = 0
        self._cuts: list[_Cut] = []
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Self:
        await self._listen()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._close_all()

    @property
    def base_url(self) -> str:
        """The bot's TELEGRAM_API_BASE_URL through this proxy."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The bot's TELEGRAM_API_FILE_BASE_URL through this proxy."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def cut(self, endpoint: str, *, before: bool, chat_id: int | None = None, times: int = 1) -> None:
        """Reset the connection on the next `times` calls of `endpoint` (in `chat_id`), before or after Telegram."""
        self._cuts.append(_Cut(endpoint.lower(), before, chat_id, times))

    async def outage(self, seconds: float) -> None:
        """Drop every connection and refuse new ones for `seconds`."""
        self._close_all()
        await asyncio.sleep(seconds)
        await self._listen()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    def _close_all(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            _reset(writer)
        self._open.clear()

    def _take(self, endpoint: str, chat_id: int | None) -> _Cut | None:
        for cut in self._cuts:
            if cut.times > 0 and cut.endpoint == endpoint.lower() and cut.chat_id in (None, chat_id):
                cut.times -= 1
                return cut
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            while (request := await _read_message(reader)) is not None:
                head, body = request
                endpoint, chat_id = _call_of(head, body)
                cut = self._take(endpoint, chat_id)
                if cut is not None and cut.before:
                    self.resets += 1
                    _reset(writer)
                    return
                up_writer.write(head + body)
                await up_writer.drain()
                response = await _read_message(up_reader)
                if response is None:
                    return
                if cut is not None:
                    self.resets += 1
                    _reset(writer)
                    return
                writer.write(b"".join(response))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._open.discard(writer)
            up_writer.close()
            with contextlib.suppress(Exception):
                writer.close()


async def _read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message (head, body); None when the connection ended between messages."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head, await reader.readexactly(length)


def _call_of(head: bytes, body: bytes) -> tuple[str, int | None]:
    """The Bot API method of a request, and its chat_id if it has one."""
    path = head.split(b" ", 2)[1].decode()
    values = parse_qs(body.decode(errors="replace")) if b"application/x-www-form-urlencoded" in head.lower() else {}
    chat = values.get("chat_id", [None])[0]
    return path.rsplit("/", 1)[-1].split("?")[0], int(chat) if chat and chat.lstrip("-").isdigit() else None


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset, as a dropped connection looks to the other side."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
