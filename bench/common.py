"""What the benchmarks share: the machine, scratch databases, worker processes and their CPU time."""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import statistics
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine() -> str:
    """One line about where the figures come from."""
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] if ordered else float("nan")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mib(pid: int | str = "self") -> float:
    """A process's peak resident memory."""
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def scratch_postgres() -> AsyncIterator[str]:
    """An empty PostgreSQL database on the local server, dropped afterwards."""
    url = make_url(POSTGRES_URL)
    admin = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database)
    name = f"quizbot_bench_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@dataclass
class Worker:
    """A bot worker process serving a webhook on a local port."""

    process: asyncio.subprocess.Process
    root: str
    log: Path

    @property
    def webhook(self) -> str:
        return f"{self.root}/telegram"

    async def wait_healthy(self, timeout: float = 60) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(int(timeout * 10)):
                if self.process.returncode is not None:
                    raise RuntimeError(f"worker stopped:\n{self.log.read_text()[-3000:]}")
                try:
                    if (await client.get(f"{self.root}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"worker never became healthy:\n{self.log.read_text()[-3000:]}")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), 30)


async def start_worker(env: dict[str, str], folder: Path, *args: str) -> Worker:
    """`python -m bench.worker ARGS` with `env` on top of this process's environment."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"worker-{port}.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.worker", "--port", str(port), *args,
        env={**os.environ, **env}, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"),
    )
    worker = Worker(process, f"http://127.0.0.1:{port}", log)
    await worker.wait_healthy()
    return worker
