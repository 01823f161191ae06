"""Starts `quizbot run` processes fast, for tests that kill the bot many times.

Importing the bot takes about a second; this process does it once, then forks a child per `start`
that runs the real `quizbot run` (bot.cli.main) with this process's environment. The children are
real processes: a test kills them with SIGKILL at any moment.

Commands, one per line on stdin; each answer is one line on stdout:
    start       fork a bot; answers its pid
    reap PID    wait for that bot to end; answers its wait status
"""

from __future__ import annotations

import os
import sys

import bot.app  # imported once here, so children start at once
import bot.cli


def _run_bot() -> None:
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)  # stdout carries answers to the test: the bot writes to stderr only
    code = 1
    try:
        code = bot.cli.main(["run"])
    finally:
        os._exit(code)


def main() -> None:
    """Serve commands until stdin closes."""
    while line := sys.stdin.readline():
        command, *args = line.split()
        if command == "start":
            pid = os.fork()
            if pid == 0:
                _run_bot()
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            print(status, flush=True)


if __name__ == "__main__":
    main()
