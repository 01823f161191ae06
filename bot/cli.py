"""The `quizbot` command: run the bot, play with it in the terminal, manage the database and questions."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("quizbot")


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the user reads."""


REFUSED_TOKEN = "Telegram refused TELEGRAM_BOT_TOKEN: it was revoked or mistyped; copy it again from @BotFather"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    if args.command == "questions":
        from questions.cli import main as questions_main

        return questions_main(args.rest)
    try:
        settings = load_settings()
        return args.func(settings, args)
    except (SettingsError, StartupError) as error:
        print(f"quizbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="run the bot if a token is configured, else play in the terminal").set_defaults(
        func=start
    )
    run_parser = commands.add_parser("run", help="run the bot: long polling, or a webhook when WEBHOOK_URL is set")
    run_parser.add_argument(
        "--webhook", action="store_true", help="serve a webhook (WEBHOOK_URL, WEBHOOK_SECRET) with WORKERS processes"
    )
    run_parser.set_defaults(func=run)
    play_parser = commands.add_parser("play", help="chat with the bot in this terminal, offline")
    play_parser.add_argument("--language", choices=["ar", "en"], default="ar", help="your Telegram language")
    play_parser.add_argument("--user-id", type=int, default=1, help="your simulated Telegram user id")
    play_parser.set_defaults(func=play)
    db_parser = commands.add_parser("db", help="database schema")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="bring the schema up to date and load the questions").set_defaults(
        func=db_upgrade
    )
    questions_parser = commands.add_parser("questions", help="check, export or derive question sets", add_help=False)
    questions_parser.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def start(settings: Settings, args: argparse.Namespace) -> int:
    """`quizbot run` when a token is configured, `quizbot play` when none is."""
    if settings.has_token:
        return run(settings, args)
    print("No TELEGRAM_BOT_TOKEN configured: starting an offline chat in this terminal (quizbot play).")
    args.language, args.user_id = getattr(args, "language", "ar"), getattr(args, "user_id", 1)
    return play(settings, args)


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Long polling, or the webhook when asked or configured, until SIGINT or SIGTERM."""
    from telegram.error import InvalidToken

    from bot.app import ALLOWED_UPDATES, build_application
    from bot.logs import configure_logging

    token = settings.token()
    if getattr(args, "webhook", False) or settings.webhook_url:
        from bot.webhook import serve

        configure_logging(settings.log_level, secrets=[token, settings.webhook().secret])
        _prepare(settings)  # once, before the workers start
        serve(settings)
        return 0
    configure_logging(settings.log_level, secrets=[token])
    _prepare(settings)
    application = build_application(settings, token=token)
    try:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    except InvalidToken:  # PTB's message quotes the token: say it in our words instead
        raise StartupError(REFUSED_TOKEN) from None
    return 0


def play(settings: Settings, args: argparse.Namespace) -> int:
    """The real bot against an in-process Bot API emulator, chatting in this terminal."""
    from bot.emulator.play import play_in_terminal
    from bot.logs import configure_logging

    configure_logging("WARNING")
    _prepare(settings)
    asyncio.run(play_in_terminal(settings, user_id=args.user_id, language=args.language))
    return 0


def db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    """Bring the schema up to date and load the question sets."""
    report = _prepare(settings)
    print(
        f"database up to date; questions: {report.added} added, {report.updated} updated, "
        f"{report.retired} retired, {report.unchanged} unchanged"
    )
    return 0


def _prepare(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.app import prepare_database
    from db.engine import normalize_url
    from questions.bank import QuestionSetError

    try:
        return asyncio.run(prepare_database(settings))
    except QuestionSetError as error:
        raise StartupError(f"a question set is broken: {error}") from None
    except (OSError, SQLAlchemyError) as error:
        where = normalize_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StartupError(f"cannot use the database {where}: {reason}") from None


if __name__ == "__main__":
    raise SystemExit(main())
