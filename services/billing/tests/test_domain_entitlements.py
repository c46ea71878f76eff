from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from billing.domain.entitlements import Window, chain_end, next_window

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOUR = 3600


def test_first_window_starts_now_and_lasts_the_duration() -> None:
    window = next_window(now=NOW, latest_valid_until=None, duration_seconds=HOUR)
    assert window == Window(NOW, NOW + timedelta(hours=1))


def test_window_chains_onto_the_end_of_a_running_window_without_gap() -> None:
    running_until = NOW + timedelta(minutes=20)
    window = next_window(now=NOW, latest_valid_until=running_until, duration_seconds=HOUR)
    assert window.valid_from == running_until
    assert window.valid_until == running_until + timedelta(hours=1)


def test_window_after_an_expired_window_starts_now() -> None:
    window = next_window(now=NOW, latest_valid_until=NOW - timedelta(days=3), duration_seconds=HOUR)
    assert window.valid_from == NOW


def test_window_after_a_window_ending_exactly_now_starts_now() -> None:
    window = next_window(now=NOW, latest_valid_until=NOW, duration_seconds=HOUR)
    assert window.valid_from == NOW


def test_repeated_purchases_form_a_chain_without_gap_or_overlap() -> None:
    windows: list[Window] = []
    now = NOW
    for minutes_later, duration in [(0, HOUR), (5, 86400), (30, HOUR), (90, 604800)]:
        now = NOW + timedelta(minutes=minutes_later)
        latest = max((w.valid_until for w in windows), default=None)
        windows.append(next_window(now=now, latest_valid_until=latest, duration_seconds=duration))
    for earlier, later in pairwise(windows):
        assert later.valid_from == earlier.valid_until
    assert windows[-1].valid_until == NOW + timedelta(seconds=HOUR + 86400 + HOUR + 604800)


def test_next_window_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_window(now=datetime(2025, 1, 1), latest_valid_until=None, duration_seconds=HOUR)


def test_next_window_refuses_a_non_positive_duration() -> None:
    with pytest.raises(ValueError, match="positive"):
        next_window(now=NOW, latest_valid_until=None, duration_seconds=0)


def test_window_is_active_from_its_start_until_just_before_its_end() -> None:
    window = Window(NOW, NOW + timedelta(hours=1))
    assert window.is_active(NOW)
    assert window.is_active(NOW + timedelta(minutes=59, seconds=59))
    assert not window.is_active(NOW + timedelta(hours=1))
    assert not window.is_active(NOW - timedelta(seconds=1))


def test_seconds_left_counts_down_to_the_end() -> None:
    window = Window(NOW, NOW + timedelta(hours=1))
    assert window.seconds_left(NOW + timedelta(minutes=15)) == 45 * 60


def test_seconds_left_is_zero_for_a_past_window() -> None:
    window = Window(NOW - timedelta(hours=2), NOW - timedelta(hours=1))
    assert window.seconds_left(NOW) == 0


def test_seconds_left_of_a_queued_window_is_its_full_duration() -> None:
    window = Window(NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    assert window.seconds_left(NOW) == HOUR


def test_chain_end_follows_adjacent_windows_from_the_one_covering_now() -> None:
    windows = [
        Window(NOW - timedelta(hours=5), NOW - timedelta(hours=4)),
        Window(NOW - timedelta(minutes=30), NOW + timedelta(minutes=30)),
        Window(NOW + timedelta(minutes=30), NOW + timedelta(hours=2)),
        Window(NOW + timedelta(hours=3), NOW + timedelta(hours=4)),  # after a gap
    ]
    assert chain_end(windows, now=NOW) == NOW + timedelta(hours=2)


def test_chain_end_is_none_when_no_window_covers_now() -> None:
    windows = [Window(NOW - timedelta(hours=2), NOW - timedelta(hours=1))]
    assert chain_end(windows, now=NOW) is None
    assert chain_end([], now=NOW) is None
