"""Invitations and feeds parsed back with the icalendar package."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from qalibrate.notifications.calendar import Meeting, Person, feed, invitation

STAMP = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
MEETING = Meeting(
    uid="session-42@qalibrate.example",
    title="Customer support: calls, week 48",
    start=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),  # 10:00 in Stockholm
    minutes=60,
    time_zone="Europe/Stockholm",
    organizer=Person("Maria Lindqvist", "maria@example.com"),
    attendees=[
        Person("James Cole", "james@example.com"),
        Person("Ирина Волкова", "irina@example.com"),
    ],
    description="Score the six contacts before Wednesday.",
    location="Room Nordkap",
    url="https://qalibrate.example/sessions/42/",
)


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    return calendar, next(c for c in calendar.walk("VEVENT"))


def test_request_has_the_meeting_in_its_time_zone():
    calendar, event = event_of(invitation(MEETING, stamp=STAMP))
    assert calendar["METHOD"] == "REQUEST"
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert start.astimezone(ZoneInfo("Europe/Stockholm")).hour == 10
    assert start == MEETING.start
    assert event.decoded("DTEND") - start == timedelta(hours=1)
    assert str(event["UID"]) == "session-42@qalibrate.example"
    assert int(event["SEQUENCE"]) == 0
    assert [str(a) for a in event["ATTENDEE"]] == [
        "mailto:james@example.com",
        "mailto:irina@example.com",
    ]
    assert event["ATTENDEE"][1].params["CN"] == "Ирина Волкова"
    assert event["ATTENDEE"][0].params["RSVP"] == "TRUE"
    assert str(event["ORGANIZER"]) == "mailto:maria@example.com"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence():
    moved = Meeting(
        **{**MEETING.__dict__, "start": MEETING.start + timedelta(days=1), "sequence": 1}
    )
    _, first = event_of(invitation(MEETING, stamp=STAMP))
    _, second = event_of(invitation(moved, stamp=STAMP))
    assert first["UID"] == second["UID"]
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second.decoded("DTSTART") - first.decoded("DTSTART") == timedelta(days=1)


def test_cancel():
    calendar, event = event_of(invitation(MEETING, method="CANCEL", stamp=STAMP))
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    with pytest.raises(ValueError):
        invitation(MEETING, method="PUBLISH", stamp=STAMP)


def test_feed_lists_events_without_a_method():
    calendar = Calendar.from_ical(feed([MEETING], name="Qalibrate: Maria", stamp=STAMP))
    assert "METHOD" not in calendar
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [MEETING.title]
