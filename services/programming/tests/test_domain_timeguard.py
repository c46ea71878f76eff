"""Flash-safe time: paid windows chain; a job starts only with its estimate plus margin left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from programming.domain.timeguard import Window, check_job_fits, paid_until

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def window(start_minutes: float, end_minutes: float) -> Window:
    return Window(NOW + timedelta(minutes=start_minutes), NOW + timedelta(minutes=end_minutes))


def test_no_window_means_no_paid_time() -> None:
    assert paid_until([], now=NOW) is None


def test_future_window_alone_is_no_paid_time_now() -> None:
    assert paid_until([window(5, 60)], now=NOW) is None


def test_contiguous_windows_chain_into_one_stretch() -> None:
    windows = [window(-30, 10), window(10, 70), window(70, 130)]
    assert paid_until(windows, now=NOW) == NOW + timedelta(minutes=130)


def test_gap_ends_the_stretch() -> None:
    assert paid_until([window(-30, 10), window(11, 70)], now=NOW) == NOW + timedelta(minutes=10)


def test_overlapping_windows_chain_in_any_order() -> None:
    windows = [window(20, 90), window(-30, 30)]
    assert paid_until(windows, now=NOW) == NOW + timedelta(minutes=90)


def test_expired_window_is_ignored() -> None:
    assert paid_until([window(-60, 0)], now=NOW) is None


def test_job_fits_when_time_left_covers_estimate_and_margin() -> None:
    check = check_job_fits([window(-5, 10)], now=NOW, estimate_seconds=400, margin_seconds=120)
    assert check.allowed
    assert check.seconds_left == 600
    assert check.seconds_needed == 520


def test_job_does_not_fit_when_margin_is_missing() -> None:
    check = check_job_fits([window(-5, 8)], now=NOW, estimate_seconds=400, margin_seconds=120)
    assert not check.allowed


def test_buying_the_next_window_makes_the_job_fit() -> None:
    short = [window(-5, 8)]
    extended = [*short, window(8, 68)]
    assert not check_job_fits(short, now=NOW, estimate_seconds=400, margin_seconds=120).allowed
    assert check_job_fits(extended, now=NOW, estimate_seconds=400, margin_seconds=120).allowed
