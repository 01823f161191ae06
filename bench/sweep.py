"""The reminder sweep at scale: its queries against a database of many users, and the send rate it holds.

    python -m bench.sweep                                   # SQLite and PostgreSQL, 10,000 and 100,000 users
    python -m bench.sweep --backend postgresql --users 1000000 --no-send    # a million users

For each backend and size, a scratch database is made with the real migrations and question sets,
then filled in the database itself (a recursive CTE on SQLite, generate_series on PostgreSQL):

- users: `--due` of them with a reminder due in the last ten minutes (a backlog the sweep must
  drain); 5% who blocked the bot and 5% with reminders paused, neither with a reminder time (as
  db.reminders leaves them); 5% with reminders off; the rest due at some time in the next 24 hours.
  Every time zone is one where it is now midday, so no reminder falls in the quiet hours;
- cards: `--cards` per user (of the 77 questions), a quarter of them due;
- quizzes: one finished daily quiz per user, yesterday's.

Then, each repeated `--repeat` times and timed:

- claim: the sweep's one claiming statement for a batch of 100 (the sweep's batch), in a
  transaction rolled back afterwards, so every repeat sees the same rows;
- idle claim: the same statement a minute where nothing new is due: what the sweep costs every
  minute of every day;
- reads per user: what the sweep reads for each claimed user (cards due, today's quiz).

Then, at the largest size unless --no-send, the real sweep (the handler the job queue runs, in the
real application with its send limiter at the default 25 messages a second) drains the backlog
against the emulator, which answers 429 past 30 a second overall or one a second per chat, as
Telegram does. Reported: the rate held from first to last reminder, the 429s, and the memory the
sweep added to this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.common import machine, median, percentile, scratch_postgres
from bot import handlers
from bot.app import build_application, prepare_database, running
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from db import reminders as store
from db.engine import create_engine
from db.models import User
from db.repository import Database

BATCH = 100
RATE = 25.0


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float

    def __str__(self) -> str:
        return f"{self.median_ms:.2f} / {self.p95_ms:.2f}"


@dataclass(frozen=True)
class Size:
    """What one backend at one size measured."""

    backend: str
    users: int
    cards: int
    fill_seconds: float
    database_mib: float
    claim: Timing
    idle: Timing
    reads: Timing
    rss_mib: float


@dataclass(frozen=True)
class Sending:
    """What the real sweep did against the emulator."""

    sent: int
    seconds: float
    rate: float
    rate_limited: int
    failed: int
    memory_mib: float


def midday_zone(now: datetime) -> str:
    """An IANA zone where it is about midday now: no reminder falls in the quiet hours."""
    offset = (12 - now.hour + 12) % 24 - 12  # -12..+11 hours from UTC
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # IANA's Etc zones count the other way


def rss_mib(field: str = "VmRSS") -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def reset_peak_rss() -> None:
    """Start VmHWM (the peak) afresh from the current resident size."""
    Path("/proc/self/clear_refs").write_text("5")


def fill_statements(dialect: str) -> list[str]:
    """The statements that fill users, cards and quizzes; parameters :n, :cards, :due, :now, :zone, :total."""
    if dialect == "postgresql":
        numbers = "generate_series(CAST(1 AS bigint), CAST(:n AS bigint)) AS s(n)"
        at = "(CAST(:now AS timestamptz) + make_interval(secs => {}))".format
        day = "(CAST(:now AS timestamptz) - interval '1 day')::date"
        prefix, true, false = "", "true", "false"
    else:
        numbers = "seq"
        at = "(strftime('%Y-%m-%d %H:%M:%S', :now, ({}) || ' seconds') || '.000000')".format
        day = "date(:now, '-1 day')"
        prefix, true, false = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :n) ", "1", "0"
    kind = "CASE WHEN n <= :due THEN 0 ELSE 1 + n % 20 END"  # 0 due now, 1 blocked, 2 paused, 3 off, else later
    users = f"""
        {prefix}INSERT INTO users (id, chat_id, first_name, language, language_chosen, timezone, timezone_asked,
            reminder_minute, next_reminder_at, ignored_reminders, reminders_paused, active, created_at, last_seen_at)
        SELECT n, n, 'User ' || n, CASE WHEN n % 4 = 0 THEN 'en' ELSE 'ar' END, {true}, :zone, {true},
            CASE {kind} WHEN 3 THEN NULL ELSE 720 END,
            CASE {kind}
                WHEN 0 THEN {at("-(n % 600)")}
                WHEN 1 THEN NULL
                WHEN 2 THEN NULL
                WHEN 3 THEN NULL
                ELSE {at("60 + (n * 7919) % 86400")}
            END,
            0, CASE {kind} WHEN 2 THEN {true} ELSE {false} END, CASE {kind} WHEN 1 THEN {false} ELSE {true} END,
            {at("-2592000")}, {at("-86400")}
        FROM {numbers}"""
    cards = f"""
        {prefix}INSERT INTO cards (user_id, question_id, state, step, stability, difficulty, due, last_review)
        SELECT n, q.id, 2, NULL, 5.0, 5.0, {at("(n * 31 + q.k * 17) % 1728000 - 432000")}, {at("-259200")}
        FROM {numbers} JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM questions) AS q
            ON (q.k + n) % :total < :cards"""
    quizzes = f"""
        {prefix}INSERT INTO quizzes (user_id, kind, day, size, created_at, finished_at)
        SELECT n, 'daily', {day}, 5, {at("-86400")}, {at("-86000")} FROM {numbers}"""
    return [users, cards, quizzes]


async def fill(engine: AsyncEngine, *, users: int, cards: int, due: int, now: datetime) -> None:
    """Fill the scratch database in the database itself; ANALYZE afterwards, as autovacuum would."""
    naive = now.astimezone(UTC).replace(tzinfo=None)
    async with engine.begin() as connection:
        total = await connection.scalar(select(func.count()).select_from(text("questions")))
        stamp = naive.isoformat(sep=" ") if engine.dialect.name == "postgresql" else naive.strftime("%Y-%m-%d %H:%M:%S")
        values = {"n": users, "cards": cards, "due": due, "now": stamp, "zone": midday_zone(now), "total": total}
        if engine.dialect.name == "postgresql":
            values["now"] = naive.replace(tzinfo=UTC)
        for statement in fill_statements(engine.dialect.name):
            await connection.execute(text(statement), values)
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def timed(repeat: int, action: Callable[[], Awaitable[object]]) -> Timing:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await action()
        times.append((time.perf_counter() - began) * 1000)
    return Timing(median(times), percentile(times, 0.95))


async def database_mib(engine: AsyncEngine, url: str) -> float:
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            return float(await connection.scalar(text("SELECT pg_database_size(current_database())"))) / 2**20
    path = Path(url.split(":///", 1)[1])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


async def measure_queries(engine: AsyncEngine, *, repeat: int, now: datetime) -> tuple[Timing, Timing, Timing, list[int]]:
    """Claim, idle claim and per-user reads, each in a transaction rolled back."""
    database = Database(engine)

    async def claim(at: datetime) -> list[store.Claim]:
        async with engine.connect() as connection, connection.begin() as transaction:
            try:
                return await store.claim_due_reminders(AsyncSession(bind=connection), now=at, limit=BATCH)
            finally:
                await transaction.rollback()  # every repeat sees the same rows

    claims = await claim(now)
    if len(claims) != BATCH:
        raise RuntimeError(f"expected a batch of {BATCH} due, claimed {len(claims)}: make --due larger")
    claimed = [c.user_id for c in claims]
    busy = await timed(repeat, lambda: claim(now))
    # A minute where nothing new is due: the due users' times are all later than now - 11 minutes.
    idle = await timed(repeat, lambda: claim(now - timedelta(minutes=11)))

    async def reads() -> None:
        async with database.transaction() as repo:
            for user_id in claimed:
                await repo.due_count(user_id, now)
                await repo.daily_quiz(user_id, now.date())

    per_batch = await timed(max(3, repeat // 5), reads)
    return busy, idle, Timing(per_batch.median_ms / BATCH, per_batch.p95_ms / BATCH), claimed


async def measure_sending(url: str, due: int) -> Sending:
    """The real sweep, in the real application, drains the backlog against the emulator."""
    async with BotApiEmulator() as emulator:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=url,
            telegram_api_base_url=emulator.base_url,
            telegram_api_file_base_url=emulator.base_file_url,
            reminder_sweep_seconds=0,
            messages_per_second=RATE,
            log_level="WARNING",
        )
        for user_id in range(1, due + 1):  # the users due now, with their chats
            emulator.user(user_id, f"User {user_id}")
        application = build_application(settings, token=emulator.token)
        async with running(application):
            emulator.enforce_rate_limits(per_chat_per_second=1, global_per_second=30)
            samples: list[tuple[float, int]] = []

            async def sample() -> None:
                while True:
                    samples.append((time.perf_counter(), emulator.stats.requests["sendMessage"]))
                    await asyncio.sleep(0.01)

            sampler = asyncio.create_task(sample())
            reset_peak_rss()
            before = rss_mib()
            began = time.perf_counter()
            await handlers.sweep_reminders(handlers.BotContext(application))
            seconds = time.perf_counter() - began
            memory = rss_mib("VmHWM") - before
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
            samples.append((time.perf_counter(), emulator.stats.requests["sendMessage"]))
            sent = samples[-1][1]
            first = next(t for t, count in samples if count >= 1)
            last = next(t for t, count in samples if count >= sent)
            failed = due - sent
            return Sending(sent, seconds, (sent - 1) / (last - first), emulator.stats.rate_limited, failed, memory)


@contextlib.asynccontextmanager
async def scratch(backend: str) -> AsyncIterator[str]:
    if backend == "postgresql":
        async with scratch_postgres() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"


async def one_size(backend: str, users: int, args: argparse.Namespace, send: bool) -> tuple[Size, Sending | None]:
    async with scratch(backend) as url:
        await prepare_database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        engine = create_engine(url)
        try:
            now = datetime.now(UTC)
            began = time.perf_counter()
            await fill(engine, users=users, cards=args.cards, due=args.due, now=now)
            filled = time.perf_counter() - began
            size_mib = await database_mib(engine, url)
            busy, idle, reads, _ = await measure_queries(engine, repeat=args.repeat, now=datetime.now(UTC))
            async with engine.connect() as connection:
                counted = await connection.scalar(select(func.count()).select_from(User))
            assert counted == users
        finally:
            await engine.dispose()
        size = Size(backend, users, args.cards, filled, size_mib, busy, idle, reads, rss_mib("VmRSS"))
        sending = await measure_sending(url, args.due) if send else None
        return size, sending


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    print(f"{args.cards} cards a user; {args.due} reminders due when the sweep starts; batches of {BATCH}; "
          f"{args.repeat} repeats; times in ms, median / p95\n")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    sizes = sorted(args.users)
    print("| backend | users | cards | fill s | database MiB | claim 100 ms | idle claim ms | reads per user ms | process RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    results: dict[str, list[Size]] = {}
    sendings: dict[str, Sending] = {}
    for backend in backends:
        for users in sizes:
            size, sending = await one_size(backend, users, args, send=args.send and users == sizes[-1])
            results.setdefault(backend, []).append(size)
            if sending:
                sendings[backend] = sending
            print(
                f"| {backend} | {users:,} | {users * args.cards:,} | {size.fill_seconds:.1f} | {size.database_mib:.0f} | "
                f"{size.claim} | {size.idle} | {size.reads} | {size.rss_mib:.0f} |",
                flush=True,
            )
    if len(sizes) > 1:
        print()
        for backend, rows in results.items():
            small, large = rows[0], rows[-1]
            print(
                f"{backend}, {small.users:,} → {large.users:,} users ({large.users / small.users:.0f}x): claim "
                f"{large.claim.median_ms / small.claim.median_ms:.2f}x, idle claim {large.idle.median_ms / small.idle.median_ms:.2f}x, "
                f"reads per user {large.reads.median_ms / small.reads.median_ms:.2f}x"
            )
    if sendings:
        print("\n| backend | reminders sent | seconds | rate held /s | vs 25/s | 429s | not sent | memory added MiB |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for backend, s in sendings.items():
            print(
                f"| {backend} | {s.sent} | {s.seconds:.1f} | {s.rate:.2f} | {(s.rate / RATE - 1) * 100:+.1f}% | "
                f"{s.rate_limited} | {s.failed} | {s.memory_mib:.1f} |"
            )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000], help="sizes to measure")
    parser.add_argument("--cards", type=int, default=10, help="cards per user")
    parser.add_argument("--due", type=int, default=500, help="reminders due when the sweep starts")
    parser.add_argument("--repeat", type=int, default=30, help="times each query is timed")
    parser.add_argument("--no-send", dest="send", action="store_false", help="skip sending through the emulator")
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
