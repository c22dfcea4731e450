"""Calendar invitations for calibration sessions (RFC 5545 / iTIP), built with icalendar.

An invitation has a UID that never changes for a session, so calendar programs update the
same event when it is rescheduled (a higher SEQUENCE) and remove it on METHOD:CANCEL. Times
carry the session's time zone with its VTIMEZONE, so the meeting lands at the right hour for
every attendee whatever their own zone.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Qalibrate//Calibration sessions//EN"


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def address(self, **params) -> vCalAddress:
        address = vCalAddress(f"mailto:{self.email}")
        address.params["CN"] = vText(self.name)
        address.params.update(params)
        return address


@dataclass(frozen=True)
class Meeting:
    uid: str
    title: str
    start: datetime  # aware
    minutes: int
    time_zone: str
    organizer: Person
    attendees: list[Person] = field(default_factory=list)
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0  # bumped on every reschedule


def invitation(meeting: Meeting, *, method: str = "REQUEST", stamp: datetime) -> bytes:
    """The .ics for an invitation (REQUEST) or its cancellation (CANCEL)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported method {method!r}")
    zone = ZoneInfo(meeting.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence + (1 if method == "CANCEL" else 0))
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", (meeting.start + timedelta(minutes=meeting.minutes)).astimezone(zone))
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if meeting.description:
        event.add("description", meeting.description)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.url:
        event.add("url", meeting.url)
    event.add("organizer", meeting.organizer.address())
    for person in meeting.attendees:
        event.add(
            "attendee",
            person.address(ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
        )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed(events: list[Meeting], *, name: str, stamp: datetime) -> bytes:
    """A subscription calendar (no METHOD) with the user's upcoming sessions."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for meeting in events:
        event = Event()
        event.add("uid", meeting.uid)
        event.add("sequence", meeting.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.start.astimezone(ZoneInfo(meeting.time_zone)))
        event.add(
            "dtend",
            (meeting.start + timedelta(minutes=meeting.minutes)).astimezone(
                ZoneInfo(meeting.time_zone)
            ),
        )
        event.add("summary", meeting.title)
        if meeting.location:
            event.add("location", meeting.location)
        if meeting.url:
            event.add("url", meeting.url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
