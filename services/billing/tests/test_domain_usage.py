"""Pure rules of the usage reports and expiry warnings: periods, CSV cells, when to warn."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from billing.domain.expiry import compose_expiry_mail, warning_due
from billing.domain.usage import (
    GroupBy,
    PeriodError,
    UsageRow,
    check_period,
    csv_cell,
    fill_days,
    render_csv,
    used_seconds,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 89 1234", "'+49 89 1234"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Tina Tech", "Tina Tech"),
        ("", ""),
        (7, "7"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(value: str | int, expected: str) -> None:
    assert csv_cell(value) == expected


def test_a_day_report_as_csv_has_a_header_and_one_crlf_line_per_row() -> None:
    rows = [UsageRow(key="2026-11-04", air_searches=2, programming_jobs=1)]

    assert render_csv(rows, group_by=GroupBy.DAY) == (
        "key,air_searches,air_documents,programming_sessions,programming_jobs\r\n"
        "2026-11-04,2,0,0,1\r\n"
    )


def test_a_member_report_as_csv_quotes_names_and_reads_back_unchanged() -> None:
    rows = [UsageRow(key="u1", air_documents=1, member_name='Doe, "J"\nJr', member_email="")]

    text = render_csv(rows, group_by=GroupBy.MEMBER)

    assert list(csv.reader(io.StringIO(text)))[1] == ["u1", "0", "1", "0", "0", 'Doe, "J"\nJr', ""]


def test_a_period_of_one_day_and_of_366_days_is_accepted() -> None:
    check_period(date(2026, 1, 1), date(2026, 1, 1))
    check_period(date(2026, 1, 1), date(2027, 1, 1))


def test_a_reversed_period_names_from_and_a_long_one_names_to() -> None:
    with pytest.raises(PeriodError) as reversed_:
        check_period(date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(PeriodError) as long_:
        check_period(date(2026, 1, 1), date(2027, 1, 2))

    assert (reversed_.value.field, reversed_.value.code) == ("query.from", "period-reversed")
    assert (long_.value.field, long_.value.code) == ("query.to", "period-too-long")
    assert long_.value.params == {"days": 367, "max_days": 366}


def test_days_without_use_are_filled_with_zeros_in_order() -> None:
    filled = fill_days(
        [UsageRow(key="2026-03-01", air_searches=4)], date(2026, 2, 27), date(2026, 3, 1)
    )

    assert [(row.key, row.air_searches) for row in filled] == [
        ("2026-02-27", 0),
        ("2026-02-28", 0),
        ("2026-03-01", 4),
    ]


@pytest.mark.parametrize(
    ("end", "due"),
    [
        (None, False),  # no access now
        (NOW - timedelta(seconds=1), False),  # over already
        (NOW + timedelta(hours=24), True),  # exactly at the limit
        (NOW + timedelta(minutes=5), True),
        (NOW + timedelta(hours=24, seconds=1), False),
    ],
)
def test_a_warning_is_due_when_coverage_ends_within_the_hours_chosen(
    end: datetime | None, due: bool
) -> None:
    assert warning_due(end, now=NOW, hours_before=24) is due


def test_the_expiry_mail_names_the_scope_the_end_and_the_organisation() -> None:
    mail = compose_expiry_mail(
        scope="PROGRAMMING",
        ends_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
        organization_name="Kfz AG",
    )

    assert mail.subject == "Your AOS access to remote programming ends on 2026-12-04 09:30 UTC"
    assert "Kfz AG" in mail.body
    assert "2026-12-04 09:30 UTC" in mail.body


def test_the_expiry_mail_tells_the_end_in_utc_whatever_zone_it_is_given() -> None:
    berlin = timezone(timedelta(hours=1))

    mail = compose_expiry_mail(
        scope="AIR", ends_at=datetime(2026, 12, 4, 10, 30, tzinfo=berlin), organization_name="X"
    )

    assert mail.subject.endswith("ends on 2026-12-04 09:30 UTC")


def test_air_use_is_quarter_hours_capped_at_the_time_bought_programming_is_session_time() -> None:
    assert used_seconds("AIR", bought_seconds=3600, air_slots=3, session_seconds=0) == 2700
    assert used_seconds("AIR", bought_seconds=3600, air_slots=5, session_seconds=0) == 3600
    # Parallel sessions may add up to more than the window: reported as they are.
    assert (
        used_seconds("PROGRAMMING", bought_seconds=3600, air_slots=0, session_seconds=5000) == 5000
    )
