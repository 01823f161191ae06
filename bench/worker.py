"""A webhook worker for the benchmarks: our bot as `quizbot run --webhook` serves it, or a bare PTB bot.

Ours runs with Telegram's sending limits lifted (the overall rate, a chat's burst, the per-user
flood guard): the benchmark measures how fast the bot handles updates, not Telegram's 30 messages
a second. Everything else is the production path: the same app, database, dedupe and limiter.

The bare bot follows the same webhook pattern (process_update in the request, 200 after it) and
only answers the callback query: no database, no rendering, one Bot API call per tap.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.settings import Settings, load_settings
from bot.webhook import create_app

UNLIMITED = {"messages_per_second": 1_000_000.0, "chat_burst": 1_000_000, "user_updates_per_minute": 0}


def ours(settings: Settings) -> Starlette:
    """Our worker, limits lifted."""
    return create_app(settings.model_copy(update=UNLIMITED))


def bare(settings: Settings) -> Starlette:
    """A PTB bot that answers every callback query and does nothing else."""
    application = (
        Application.builder()
        .token(settings.token())
        .base_url(settings.telegram_api_base_url)
        .updater(None)
        .concurrent_updates(True)
        .build()
    )

    async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    application.add_handler(CallbackQueryHandler(answer))
    hook = settings.webhook()

    async def telegram(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != hook.secret:
            return Response(status_code=403)
        await application.process_update(Update.de_json(await request.json(), application.bot))
        return Response()

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok\n")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with application:
            await application.start()
            await application.bot.set_webhook(hook.url, secret_token=hook.secret)
            yield
            await application.stop()

    routes = [Route(hook.path, telegram, methods=["POST"]), Route("/healthz", healthz)]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bare", action="store_true", help="the bare PTB bot instead of ours")
    args = parser.parse_args()
    settings = load_settings(webhook_url=f"http://127.0.0.1:{args.port}/telegram")
    app = bare(settings) if args.bare else ours(settings)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
