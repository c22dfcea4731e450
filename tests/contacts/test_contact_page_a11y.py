"""The contact page has its heading, and its transcript can be reached and scrolled by keyboard."""

import re

from django.core.files.base import ContentFile

from qalibrate.accounts.models import Role
from tests.factories import ContactFactory

TRANSCRIPT = [
    {"t": 0, "speaker": "agent", "text": "Thank you for calling."},
    {"t": 4, "speaker": "customer", "text": "I was charged twice."},
]


def test_the_contact_page_has_one_h1_naming_the_contact(client, users):
    contact = ContactFactory(channel="call", external_id="CALL-77", transcript=TRANSCRIPT)
    client.force_login(users[Role.EVALUATOR])
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S) == ["Call CALL-77"]


def test_a_transcript_without_recording_is_a_focusable_named_region(client, users):
    contact = ContactFactory(channel="call", transcript=TRANSCRIPT)
    client.force_login(users[Role.EVALUATOR])
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    region = re.search(r'<div class="transcript-scroll"([^>]*)>\s*<ol class="transcript">', html)
    assert region, "the scrolling transcript sits in its own region"
    attributes = region.group(1)
    assert 'tabindex="0"' in attributes and 'role="region"' in attributes
    label_id = re.search(r'aria-labelledby="([^"]+)"', attributes).group(1)
    assert re.search(rf'<h3[^>]*id="{label_id}"[^>]*>Transcript</h3>', html)


def test_with_a_recording_the_transcript_is_a_region_too(client, users, settings, tmp_path):
    contact = ContactFactory(channel="call", transcript=TRANSCRIPT)
    contact.media.save("call.ogg", ContentFile(b"OggS" + bytes(512)))
    client.force_login(users[Role.EVALUATOR])
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'class="transcript-scroll" tabindex="0" role="region"' in html
    assert 'data-seek="4"' in html
