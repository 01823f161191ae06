"""The retry policy: what a failed Bot API call says about Telegram, and which calls may go twice."""

from __future__ import annotations

import httpx
import pytest

from bot.transport import Failure, backoff, failure_of, failure_of_status, safe_to_retry


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (httpx.ConnectError("refused"), Failure.NOT_SENT),
        (httpx.ConnectTimeout("slow handshake"), Failure.NOT_SENT),
        (httpx.PoolTimeout("no free connection"), Failure.NOT_SENT),
        (httpx.ReadTimeout("no answer"), Failure.UNANSWERED),
        (httpx.WriteTimeout("stuck writing"), Failure.UNANSWERED),
        (httpx.ReadError("connection reset by peer"), Failure.UNANSWERED),
        (httpx.RemoteProtocolError("server disconnected without sending a response"), Failure.UNANSWERED),
        (httpx.UnsupportedProtocol("ftp://"), None),
        (ValueError("not about the network"), None),
    ],
)
def test_an_http_error_tells_whether_telegram_saw_the_call(error: BaseException, failure: Failure | None) -> None:
    assert failure_of(error) is failure


@pytest.mark.parametrize(
    ("status", "failure"),
    [(200, None), (400, None), (403, None), (429, None), (500, Failure.REFUSED), (502, Failure.REFUSED),
     (503, Failure.REFUSED), (504, Failure.UNANSWERED)],
)
def test_a_status_tells_whether_telegram_refused_the_call(status: int, failure: Failure | None) -> None:
    assert failure_of_status(status) is failure


@pytest.mark.parametrize("endpoint", ["sendMessage", "sendPhoto", "sendDocument", "answerCallbackQuery", "copyMessage"])
def test_a_call_that_would_post_twice_is_retried_only_when_telegram_surely_did_not_act(endpoint: str) -> None:
    assert safe_to_retry(endpoint, Failure.NOT_SENT)
    assert safe_to_retry(endpoint, Failure.REFUSED)
    assert not safe_to_retry(endpoint, Failure.UNANSWERED)


@pytest.mark.parametrize("endpoint", ["getMe", "setMyCommands", "deleteWebhook", "editMessageText", "editMessageReplyMarkup"])
def test_a_call_that_does_the_same_twice_is_retried_even_unanswered(endpoint: str) -> None:
    assert all(safe_to_retry(endpoint, failure) for failure in Failure)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    assert [backoff(n, 0.0) for n in (1, 2, 3)] == [0.25, 0.5, 1.0]
    assert [backoff(n, 0.999999) for n in (1, 2, 3)] == pytest.approx([0.5, 1.0, 2.0], rel=1e-5)
    assert backoff(20, 0.999999) == pytest.approx(8.0, rel=1e-5)
