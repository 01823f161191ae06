"""Update handling, measured: simulated users answer quizzes as fast as the bot replies, through the emulator.

    python -m bench.updates            # bare PTB bot, ours on SQLite, ours on PostgreSQL; one worker each
    python -m bench.updates --scale    # ours on PostgreSQL with 1, then 2 workers

The emulator and the simulated users run in this process; each bot worker is a process of its own
(bench/worker.py: the webhook app, Telegram's sending limits lifted). Users loop without pause:
the daily quiz, then practice rounds, tapping the first option or typing a word. An answer counts
once the bot's next question (or score) has arrived. Figures come from a window after a warm-up:

- answers/s: answers completed in the window, all workers together;
- CPU: each process's CPU seconds in the window over the window's length (1.0 = one core busy);
  answers per worker CPU-second is what one process would do with a core of its own;
- latency p50/p99: how long the worker took to answer the webhook POST, that is, to handle the
  update (process_update runs before the 200), at full load (queueing included) and at light load
  (one user, by default: the handling alone).

The machine is shared by everything above, PostgreSQL included: on 2 cores, the emulator and the
users take one core's worth, so read "per CPU-second" for what a worker can do, and answers/s for
what this machine did.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from bot.app import prepare_database
from bot.emulator import BotApiEmulator, SimulatedChat, SimulatedUser
from bot.emulator.models import BotMessage
from bot.settings import Settings
from bench.common import Worker, cpu_seconds, machine, percentile, scratch_postgres, start_worker

TYPED_HINT = "✍️"  # in the text of a question that takes a typed answer (English)
PATIENCE = 60.0


@dataclass(frozen=True)
class Window:
    """What one measured window saw."""

    answers_per_second: float
    worker_cpu: float  # cores' worth, all workers together
    per_cpu_second: float
    p50_ms: float
    p99_ms: float
    load_cpu: float  # this process: the emulator and the users
    postgres_cpu: float


HEADER = (
    "| scenario | workers | answers/s | worker CPU | answers per worker CPU-s | emulator+users CPU | PostgreSQL CPU "
    "| p50 / p99 ms, full load | p50 / p99 ms, light load |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def row(name: str, workers: int, full: Window, light: Window) -> str:
    """A table row: throughput and CPU at full load, latency at both loads."""
    return (
        f"| {name} | {workers} | {full.answers_per_second:.0f} | {full.worker_cpu:.2f} | {full.per_cpu_second:.0f} | "
        f"{full.load_cpu:.2f} | {full.postgres_cpu:.2f} | {full.p50_ms:.1f} / {full.p99_ms:.1f} | "
        f"{light.p50_ms:.1f} / {light.p99_ms:.1f} |"
    )


def is_step(message: BotMessage) -> bool:
    """A question to answer, or a score with its 🔁 Practice round button."""
    data = [b.callback_data or "" for b in message.flat_buttons]
    return any(d.startswith("a:") or d == "do:practice" for d in data) or TYPED_HINT in message.text


def next_step(chat: SimulatedChat, seen: int) -> BotMessage | None:
    """The oldest step the bot sent after message `seen`; looks at new messages only."""
    new = []
    for message in reversed(chat.bot_messages.values()):
        if message.message_id <= seen:
            break
        new.append(message)
    return next((m for m in reversed(new) if is_step(m) and not m.deleted), None)


async def learner(user: SimulatedUser, done: list[float]) -> None:
    """Answer, forever: the daily quiz, then practice rounds."""
    loop = asyncio.get_running_loop()
    await user.send("/quiz")
    seen, answered = 0, False
    while True:
        step = await user.wait_for(lambda _, after=seen: next_step(user.chat, after), PATIENCE, this_chat_only=True)
        seen = step.message_id
        if answered:
            done.append(loop.time())
        buttons = [b.callback_data or "" for b in step.flat_buttons]
        answered = "do:practice" not in buttons
        if not answered:
            await user.tap(step, "do:practice", timeout=PATIENCE)
        elif buttons:
            await user.tap(step, 0, timeout=PATIENCE)
        else:
            await user.send("no idea")


async def tapper(user: SimulatedUser, done: list[float]) -> None:
    """Tap a button, forever; the bare bot answers the callback and nothing else."""
    loop = asyncio.get_running_loop()
    while True:
        await user.tap_data(1, "x", timeout=PATIENCE)
        done.append(loop.time())


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL server process on this machine."""
    total = 0.0
    for status in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if status.read_text().strip() == "postgres":
                total += cpu_seconds(int(status.parent.name))
    return total


@contextlib.asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    if kind == "postgresql":
        async with scratch_postgres() as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{folder / 'bench.db'}"


async def keep_collections_short() -> None:
    """The emulator keeps every call it answers: move them out of the collector's sight now and then,
    or full collections over hundreds of thousands of objects stall the users and the emulator."""
    while True:
        await asyncio.sleep(1)
        gc.freeze()


async def measure(emulator: BotApiEmulator, workers: list[Worker], done: list[float], seconds: float, postgres: bool) -> Window:
    """Watch the running load for `seconds`."""
    loop = asyncio.get_running_loop()
    begin, first_delivery = loop.time(), len(emulator.webhook_deliveries)
    cpu_before = sum(cpu_seconds(w.process.pid) for w in workers)
    load_before, pg_before = time.process_time(), postgres_cpu()
    await asyncio.sleep(seconds)
    end, last_delivery = loop.time(), len(emulator.webhook_deliveries)
    cpu_used = sum(cpu_seconds(w.process.pid) for w in workers) - cpu_before
    load_used, pg_used = time.process_time() - load_before, postgres_cpu() - pg_before
    window = end - begin
    answers = sum(begin <= at < end for at in done)
    latencies = [d.seconds * 1000 for d in emulator.webhook_deliveries[first_delivery:last_delivery]]
    return Window(
        answers / window,
        cpu_used / window,
        answers / cpu_used if cpu_used else float("nan"),
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        load_used / window,
        pg_used / window if postgres else 0.0,
    )


async def scenario(
    *, bare: bool, backend: str, workers: int, light: int, full: int, seconds: float, warmup: float
) -> tuple[Window, Window]:
    """Run one configuration: `light` users, then `full` users; measure each after a warm-up."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as scratch:
        folder = Path(scratch)
        async with BotApiEmulator() as emulator, database(backend, folder) as url:
            if not bare:
                await prepare_database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
            env = {
                "TELEGRAM_BOT_TOKEN": emulator.token,
                "TELEGRAM_API_BASE_URL": emulator.base_url,
                "TELEGRAM_API_FILE_BASE_URL": emulator.base_file_url,
                "DATABASE_URL": url,
                "WEBHOOK_SECRET": secrets.token_urlsafe(32),
                "REMINDER_SWEEP_SECONDS": "0",
                "LOG_LEVEL": "WARNING",
            }
            started = [await start_worker(env, folder, *(["--bare"] if bare else [])) for _ in range(workers)]
            emulator.balance_webhook([w.webhook for w in started])
            done: list[float] = []
            tasks: list[asyncio.Task[None]] = []

            def add_users(count: int) -> None:
                for n in range(len(tasks), count):
                    user = emulator.user(10_000 + n, f"User {n}", language_code="en")
                    tasks.append(asyncio.create_task((tapper if bare else learner)(user, done)))

            try:
                windows = []
                for count in (light, full):
                    add_users(count)
                    await asyncio.sleep(warmup)
                    windows.append(await measure(emulator, started, done, seconds, backend == "postgresql"))
                for task in tasks:
                    if task.done() and task.exception():
                        raise task.exception()  # type: ignore[misc]
            finally:
                while pending := [task for task in tasks if not task.done()]:
                    for task in pending:  # again until they stop: a cancellation can be lost in a wait
                        task.cancel()
                    await asyncio.wait(pending, timeout=1)
                for worker in started:
                    await worker.stop()
    return windows[0], windows[1]


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    print(
        f"full load: {args.users} simulated users; light load: {args.light}; "
        f"{args.warmup:.0f} s warm-up, then {args.seconds:.0f} s measured, at each load\n"
    )
    plans = (
        [("ours, PostgreSQL", False, "postgresql", n) for n in (1, 2)]
        if args.scale
        else [("bare PTB bot", True, "sqlite", 1), ("ours, SQLite", False, "sqlite", 1), ("ours, PostgreSQL", False, "postgresql", 1)]
    )
    print(HEADER, flush=True)
    results = []
    freezer = asyncio.create_task(keep_collections_short())
    for name, bare, backend, workers in plans:
        async with asyncio.timeout(2 * (args.warmup + args.seconds) + 180):  # stops by itself, whatever happens
            light, full = await scenario(
                bare=bare, backend=backend, workers=workers, light=args.light, full=args.users, seconds=args.seconds, warmup=args.warmup
            )
        results.append((name, full))
        print(row(name, workers, full, light), flush=True)
    freezer.cancel()
    print()
    if args.scale:
        (_, one), (_, two) = results
        print(f"2 workers / 1 worker: {two.answers_per_second / one.answers_per_second:.2f}x the answers per second")
    else:
        reference = results[0][1].per_cpu_second
        for name, full in results[1:]:
            print(f"{name}: the bare bot handles {reference / full.per_cpu_second:.1f}x as many updates per CPU-second")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=60, help="simulated users answering at once at full load")
    parser.add_argument("--light", type=int, default=1, help="simulated users at light load, for latency")
    parser.add_argument("--seconds", type=float, default=15, help="length of each measured window")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before each window")
    parser.add_argument("--scale", action="store_true", help="PostgreSQL with 1 and 2 workers")
    args = parser.parse_args()
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
