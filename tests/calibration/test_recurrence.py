"""Recurrence of calibration series: weekly, monthly on the n-th weekday, quarterly; across
daylight-saving changes and month ends. Expected dates checked against a calendar."""

from datetime import UTC, date, datetime, time

import pytest

from qalibrate.calibration.recurrence import Cadence, meetings, scoring_deadline

STOCKHOLM = "Europe/Stockholm"
START = datetime(2026, 1, 1, tzinfo=UTC)


def local(moments):
    return [
        (m.date().isoformat(), m.strftime("%H:%M"), m.utcoffset().seconds // 3600) for m in moments
    ]


def test_every_second_tuesday():
    found = meetings(
        Cadence("weekly", weekday=1, interval=2),
        first_day=date(2026, 1, 6),
        at=time(10),
        time_zone=STOCKHOLM,
        after=START,
        count=3,
    )
    assert local(found) == [
        ("2026-01-06", "10:00", 1),
        ("2026-01-20", "10:00", 1),
        ("2026-02-03", "10:00", 1),
    ]


def test_the_wall_clock_time_holds_across_the_spring_change():
    # Sweden moves to summer time on Sunday 29 March 2026: 10:00 stays 10:00, UTC moves.
    found = meetings(
        Cadence("weekly", weekday=3),
        first_day=date(2026, 3, 19),
        at=time(10),
        time_zone=STOCKHOLM,
        after=START,
        count=3,
    )
    assert local(found) == [
        ("2026-03-19", "10:00", 1),
        ("2026-03-26", "10:00", 1),
        ("2026-04-02", "10:00", 2),
    ]
    assert [m.astimezone(UTC).hour for m in found] == [9, 9, 8]


def test_autumn_change_and_a_time_in_the_gap():
    # Summer time ends on 25 October 2026 (03:00 → 02:00); a 02:30 meeting on 29 March 2026
    # does not exist and moves to 03:30 (the gap), on 25 October it is the first 02:30.
    spring = meetings(
        Cadence("monthly", weekday=6, nth=-1),
        first_day=date(2026, 3, 1),
        at=time(2, 30),
        time_zone=STOCKHOLM,
        after=START,
        count=1,
    )
    assert local(spring) == [("2026-03-29", "03:30", 2)]
    autumn = meetings(
        Cadence("monthly", weekday=6, nth=-1),
        first_day=date(2026, 10, 1),
        at=time(2, 30),
        time_zone=STOCKHOLM,
        after=START,
        count=1,
    )
    assert local(autumn) == [("2026-10-25", "02:30", 2)]


def test_monthly_on_the_second_wednesday_and_the_last_friday():
    second_wednesday = meetings(
        Cadence("monthly", weekday=2, nth=2),
        first_day=date(2026, 1, 1),
        at=time(9),
        time_zone="UTC",
        after=START,
        count=4,
    )
    assert [m.date() for m in second_wednesday] == [
        date(2026, 1, 14),
        date(2026, 2, 11),
        date(2026, 3, 11),
        date(2026, 4, 8),
    ]
    last_friday = meetings(
        Cadence("monthly", weekday=4, nth=-1),
        first_day=date(2026, 1, 1),
        at=time(9),
        time_zone="UTC",
        after=START,
        count=3,
    )
    assert [m.date() for m in last_friday] == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
    ]


def test_quarterly_on_the_first_monday():
    found = meetings(
        Cadence("quarterly", weekday=0),
        first_day=date(2026, 1, 1),
        at=time(13),
        time_zone="Europe/Moscow",
        after=START,
        count=4,
    )
    assert [m.date() for m in found] == [
        date(2026, 1, 5),
        date(2026, 4, 6),
        date(2026, 7, 6),
        date(2026, 10, 5),
    ]
    assert all(m.utcoffset().seconds == 3 * 3600 for m in found)  # Moscow: no DST


def test_only_meetings_after_the_given_moment():
    after = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm: that one is not after
    found = meetings(
        Cadence("weekly", weekday=1, interval=2),
        first_day=date(2026, 1, 6),
        at=time(10),
        time_zone=STOCKHOLM,
        after=after,
        count=1,
    )
    assert local(found) == [("2026-02-03", "10:00", 1)]


def test_deadline_keeps_the_wall_time_across_the_change():
    meeting = meetings(
        Cadence("weekly", weekday=0),
        first_day=date(2026, 3, 30),
        at=time(10),
        time_zone=STOCKHOLM,
        after=START,
        count=1,
    )[0]
    deadline = scoring_deadline(meeting, days_before=2)
    assert local([deadline]) == [("2026-03-28", "10:00", 1)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "daily", "weekday": 0},
        {"kind": "weekly", "weekday": 7},
        {"kind": "weekly", "weekday": 0, "interval": 0},
        {"kind": "monthly", "weekday": 0, "nth": 5},
    ],
)
def test_impossible_cadences_are_refused(kwargs):
    with pytest.raises(ValueError):
        Cadence(**kwargs)
