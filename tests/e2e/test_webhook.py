"""Webhook mode: the emulator posts updates to the worker's ASGI app, which checks the secret and handles each once."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import prepare_database
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from bot.webhook import SECRET_HEADER, create_app, database_answers
from db.engine import create_engine
from db.models import ProcessedUpdate
from tests.e2e.quizzing import take_quiz

SECRET = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Worker:
    """One webhook worker serving on a local port."""

    url: str  # the webhook URL
    root: str  # where /healthz and /metrics are


@pytest.fixture
async def worker(emulator: BotApiEmulator, settings: Settings, clock) -> AsyncIterator[Worker]:  # type: ignore[no-untyped-def]
    """The bot as `quizbot run --webhook` serves it, on a loop the test owns."""
    await prepare_database(settings, clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY on it
    sock.bind(("127.0.0.1", 0))
    root = f"http://127.0.0.1:{sock.getsockname()[1]}"
    hooked = settings.model_copy(update={"webhook_url": f"{root}/telegram", "webhook_secret": SecretStr(SECRET)})
    app = create_app(hooked, token=emulator.token, clock=clock, rng=lambda: random.Random(1))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), "the worker did not start"
        await asyncio.sleep(0.01)
    yield Worker(f"{root}/telegram", root)
    server.should_exit = True
    await task


async def updates_taken(database_url: str) -> int:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(ProcessedUpdate))
    await engine.dispose()
    return int(count or 0)


async def scrape(worker: Worker) -> dict[str, float]:
    """Every sample on /metrics, keyed like `name{label="value"}`."""
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{worker.root}/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(page.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def a_start_update(update_id: int, user_id: int = 1001) -> dict:
    chat = {"id": user_id, "type": "private", "first_name": "Alice"}
    sender = {"id": user_id, "is_bot": False, "first_name": "Alice", "language_code": "en"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": sender, "text": "/start"}
    return {"update_id": update_id, "message": message | {"entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def test_the_worker_registers_its_webhook_and_users_take_the_quiz_through_it(emulator: BotApiEmulator, worker: Worker) -> None:
    assert emulator.webhook_url == worker.url
    [registered] = emulator.calls_of("setWebhook")
    assert registered.params["secret_token"] == SECRET
    alice = emulator.user(1001, "Alice", language_code="en")
    run = await take_quiz(alice, [True, True, False, True, True], language="en")
    assert "You scored 4/5" in run.final.text
    assert emulator.webhook_deliveries and {d.status for d in emulator.webhook_deliveries} == {200}


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}], ids=["missing", "wrong", "almost"])
async def test_a_missing_or_wrong_secret_gets_403_and_the_update_is_not_handled(
    emulator: BotApiEmulator, worker: Worker, database_url: str, headers: dict[str, str]
) -> None:
    before = len(emulator.calls)
    async with httpx.AsyncClient() as client:
        response = await client.post(worker.url, json=a_start_update(5), headers=headers)
    await emulator.wait_idle()
    assert response.status_code == 403
    assert emulator.calls[before:] == []  # nothing was sent
    assert await updates_taken(database_url) == 0  # and the update was not even remembered


async def test_an_update_delivered_twice_is_handled_once(emulator: BotApiEmulator, worker: Worker, database_url: str) -> None:
    alice = emulator.user(1001, "Alice", language_code="en")
    duplicates = (await scrape(worker)).get("quizbot_duplicate_updates_total{}", 0)
    first = emulator.push_update(a_start_update(77))
    await alice.wait_for(lambda messages: messages)
    emulator.push_update(first)  # Telegram retrying the same delivery
    await emulator.wait_idle()
    assert [d.status for d in emulator.webhook_deliveries if d.update_id == 77] == [200, 200]
    assert len(alice.messages) == 1 and "Hello Alice" in alice.messages[0].text
    assert await updates_taken(database_url) == 1
    assert (await scrape(worker))["quizbot_duplicate_updates_total{}"] == duplicates + 1


async def test_healthz_says_whether_the_database_answers(worker: Worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient() as client:
        health = await client.get(f"{worker.root}/healthz")
    assert (health.status_code, health.text) == (200, "ok\n")
    unreachable = create_engine("postgresql://nobody@127.0.0.1:1/none")
    assert not await database_answers(unreachable)
    await unreachable.dispose()


async def test_metrics_count_updates_by_kind_time_their_handling_and_count_refusals(emulator: BotApiEmulator, worker: Worker) -> None:
    before = await scrape(worker)
    alice = emulator.user(1001, "Alice", language_code="en")
    await take_quiz(alice, [True] * 5, language="en")  # /quiz, then five answers: taps or typed
    await alice.ask("hello")
    bob = emulator.user(1002, "Bob", language_code="en")
    bob.block()
    await bob.send("/start")  # the welcome is refused: 403
    await emulator.wait_idle()
    after = await scrape(worker)

    def grew(key: str, kinds: tuple[str, ...] = ("command", "message", "callback_query")) -> float:
        return sum(after.get(key.format(kind), 0) - before.get(key.format(kind), 0) for kind in kinds)

    assert grew('quizbot_updates_total{{kind="{}"}}', ("command",)) == 2  # /quiz and Bob's /start
    assert grew('quizbot_updates_total{{kind="{}"}}') == 8
    assert grew('quizbot_handler_seconds_count{{kind="{}"}}') == 8
    assert grew('quizbot_handler_seconds_sum{{kind="{}"}}') > 0
    assert grew('quizbot_send_errors_total{{code="{}"}}', ("403",)) == 1
    assert "quizbot_reminders_sent_total{}" in after
