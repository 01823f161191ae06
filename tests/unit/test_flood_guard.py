"""Per-user flood control: a burst, then a steady rate, one notice per flood, each user on their own."""

from __future__ import annotations

from bot.flood import NOTICE_EVERY, FloodGuard, Verdict


class Ticks:
    """A monotonic clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_rest_is_dropped_with_one_notice() -> None:
    guard = FloodGuard(60, burst=20, clock=Ticks())
    verdicts = [guard.admit(7) for _ in range(100)]
    assert verdicts[:20] == [Verdict.ADMIT] * 20
    assert verdicts[20] is Verdict.DROP_WITH_NOTICE
    assert set(verdicts[21:]) == {Verdict.DROP}
    assert guard.dropped == 80


def test_the_bucket_refills_at_the_rate_and_a_new_flood_gets_a_new_notice_only_after_a_while() -> None:
    clock = Ticks()
    guard = FloodGuard(60, burst=2, clock=clock)
    assert [guard.admit(7) for _ in range(3)] == [Verdict.ADMIT, Verdict.ADMIT, Verdict.DROP_WITH_NOTICE]
    clock.now += 1.0  # one a second
    assert [guard.admit(7) for _ in range(2)] == [Verdict.ADMIT, Verdict.DROP]
    clock.now += NOTICE_EVERY
    assert [guard.admit(7) for _ in range(3)] == [Verdict.ADMIT, Verdict.ADMIT, Verdict.DROP_WITH_NOTICE]


def test_one_users_flood_leaves_another_user_untouched() -> None:
    guard = FloodGuard(60, burst=5, clock=Ticks())
    for _ in range(500):
        guard.admit(1)
    assert [guard.admit(2) for _ in range(5)] == [Verdict.ADMIT] * 5


def test_the_default_burst_is_a_sixth_of_a_minute() -> None:
    assert FloodGuard(60).burst == 10
    assert FloodGuard(1).burst == 1
