"""Webhook mode: Telegram posts each update to an ASGI app served by uvicorn, behind a TLS-terminating proxy.

PTB's custom-webhook pattern (examples/customwebhookbot/starlettebot.py), with two differences:

- Each request is handled in place, with `Application.process_update`, and answered 200 only once
  its handling is done. Telegram keeps at most `max_connections` requests open, so that bounds
  the work in flight; a worker that stops mid-update has not said 200; the latency histogram
  measures whole handlings.
- An update is taken (its id written to processed_updates) in a short transaction of its own
  before it is handled, and one already taken is answered 200 and dropped: Telegram retries a
  delivery it got no 200 for, and any worker may get the retry. Taking it in the handlers'
  transactions is not possible (a handler runs several, and sends messages between them), and
  taking it after handling would let a retry that arrives while the first is still running be
  handled twice. The price: if a worker dies between taking an update and finishing it, Telegram's
  retry is dropped too. That update is lost, not repeated; every piece of user state is in the
  database, so the user's next tap or /quiz carries on.

Every worker may handle any update: no user state lives in a process (see bot/flood.py for the one
per-process counter). Routes: the webhook URL's path (POST, from Telegram), /healthz and /metrics
(for the machine's own monitoring; the proxy should forward only the webhook path).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import random
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.app import ALLOWED_UPDATES, build_application, running, utc_now
from bot.handlers import BotContext, Services
from bot.service import Clock
from bot.settings import Settings, load_settings
from db import updates

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 3.0  # seconds /healthz waits for the database
FORGET_EVERY = 3600.0  # seconds between purges of old update ids
GRACEFUL_SHUTDOWN = 10  # seconds a stopping worker gives the updates it is handling


class UpdateReceiver:
    """The webhook's endpoints, around one Application."""

    def __init__(self, application: Application, secret: str, clock: Clock) -> None:
        self.application, self.clock = application, clock
        self._secret = secret.encode()

    @property
    def services(self) -> Services:
        """The bot's services (set up in post_init, before the first request)."""
        return self.application.bot_data

    async def telegram(self, request: Request) -> Response:
        """POST from Telegram: check the secret, take the update once, handle it, then answer 200."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            metrics.REFUSED.inc()
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        started = time.perf_counter()
        async with self.services.quiz.db.transaction() as repo:
            first = await updates.take_update(repo.session, update.update_id, now=self.clock())
        if not first:
            metrics.DUPLICATES.inc()
            return Response()
        await self.application.process_update(update)
        kind = metrics.update_kind(update)
        metrics.HANDLING.labels(kind).observe(time.perf_counter() - started)
        metrics.UPDATES.labels(kind).inc()
        return Response()

    async def healthz(self, _request: Request) -> Response:
        """200 when the database answers, 503 when it does not."""
        if await database_answers(self.services.quiz.db.engine):
            return PlainTextResponse("ok\n")
        return PlainTextResponse("database unreachable\n", status_code=503)

    async def forget_old_updates(self, _context: BotContext) -> None:
        """The repeating job: forget update ids too old for Telegram to deliver again."""
        async with self.services.quiz.db.transaction() as repo:
            forgotten = await updates.forget_updates(repo.session, now=self.clock())
        if forgotten:
            log.info("forgot %d old update ids", forgotten)


async def database_answers(engine: AsyncEngine) -> bool:
    """Whether the database answers a query within HEALTH_TIMEOUT seconds."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means the same: not healthy
        log.warning("health check: database unreachable: %s", error)
        return False
    return True


async def metrics_page(_request: Request) -> Response:
    """Prometheus' text format."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


def create_app(
    settings: Settings,
    *,
    token: str | None = None,
    clock: Clock = utc_now,
    rng: Callable[[], random.Random] = random.Random,
) -> Starlette:
    """The ASGI app of one worker: on start-up it starts the bot and registers the webhook with Telegram."""
    webhook = settings.webhook()
    application = build_application(settings, token=token, clock=clock, rng=rng)
    receiver = UpdateReceiver(application, webhook.secret, clock)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with running(application):
            # Every worker sets the same URL and secret: harmless, and no worker depends on another.
            await application.bot.set_webhook(webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES)
            assert application.job_queue is not None
            application.job_queue.run_repeating(receiver.forget_old_updates, interval=FORGET_EVERY, first=FORGET_EVERY)
            yield

    return Starlette(
        routes=[
            Route(webhook.path, receiver.telegram, methods=["POST"]),
            Route("/healthz", receiver.healthz, methods=["GET"]),
            Route("/metrics", metrics_page, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """uvicorn's factory, called in each worker process: settings, logging and the app."""
    from bot.logs import configure_logging

    settings = load_settings()
    token = settings.token()
    configure_logging(settings.log_level, secrets=[token, settings.webhook().secret])
    return create_app(settings, token=token)


def listening_socket(host: str, port: int) -> socket.socket:
    """The workers' shared socket, bound here so that TCP_NODELAY is set on it.

    uvicorn binds the socket of several workers without TCP_NODELAY (asyncio sets it only on
    sockets made for a TCP protocol), and Nagle's algorithm then holds a response's last small
    write until the proxy acknowledges the first: about 40 ms added to many answers. Connections
    accepted on this socket inherit the option.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings) -> None:
    """Serve the webhook with `settings.workers` uvicorn processes on one port, until SIGINT or SIGTERM."""
    settings.webhook()  # refuse a bad URL or secret here, not once per worker
    owned_dir = None
    if settings.workers > 1 and not os.environ.get(metrics.MULTIPROCESS_DIR):
        owned_dir = os.environ[metrics.MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="quizbot-metrics-")
    listening = listening_socket(settings.webhook_listen, settings.webhook_port)
    try:
        uvicorn.run(
            f"{__name__}:app_from_environment",
            factory=True,
            fd=listening.fileno(),
            workers=settings.workers,
            log_config=None,  # our logging, which masks the token and secret
            access_log=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        )
    finally:
        listening.close()
        if owned_dir:
            shutil.rmtree(owned_dir, ignore_errors=True)
            del os.environ[metrics.MULTIPROCESS_DIR]
