"""Recordings in an S3-compatible object store (QALIBRATE_MEDIA_STORAGE=s3), against a real server
that speaks S3: moto's, started here as a process. A recording is stored through the model, served
whole and by byte range (the player seeks), and one missing from the storage answers 404, not 500;
on the local disk too."""

import os

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from qalibrate import config
from qalibrate.accounts.models import Role
from tests.factories import ContactFactory
from tests.s3server import s3_client, s3_settings, start_s3_server

BUCKET = "qalibrate-recordings"
RECORDING = b"OggS" + bytes(range(256)) * 400  # about 100 kB

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("QALIBRATE_DATABASE_URL")),
        reason="a process test: runs once per CI, on SQLite (the storage is the same on PostgreSQL)",
    ),
]


@pytest.fixture(scope="module")
def s3_endpoint():
    server, endpoint = start_s3_server()
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
def s3_media(s3_endpoint, settings, monkeypatch):
    """The default storage as the README's settings make it, pointing at the moto server."""
    for name, value in s3_settings(s3_endpoint, BUCKET).items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": config.media_storage()}
    return s3_client(s3_endpoint)


def test_a_recording_in_s3_is_served_whole_and_by_byte_range(client, users, s3_media, settings):
    contact = ContactFactory(agent=users[Role.AGENT].agent_profile)
    contact.media.save("call.ogg", ContentFile(RECORDING))
    stored = s3_media.get_object(Bucket=BUCKET, Key=contact.media.name)["Body"].read()
    assert stored == RECORDING
    assert not (settings.MEDIA_ROOT / contact.media.name).exists()

    client.force_login(users[Role.EVALUATOR])
    url = reverse("contact_media", args=[contact.pk])
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Content-Length"] == str(len(RECORDING))
    assert b"".join(whole.streaming_content) == RECORDING
    part = client.get(url, headers={"range": "bytes=70000-70099"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 70000-70099/{len(RECORDING)}"
    assert b"".join(part.streaming_content) == RECORDING[70000:70100]
    tail = client.get(url, headers={"range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == RECORDING[-10:]
    api = client.get(
        reverse("api:contact-recording", args=[contact.pk]), headers={"range": "bytes=0-3"}
    )
    assert api.status_code == 206 and b"".join(api.streaming_content) == b"OggS"


def test_a_second_upload_of_the_same_name_keeps_the_first(users, s3_media):
    agent = users[Role.AGENT].agent_profile
    first, second = ContactFactory(agent=agent), ContactFactory(agent=agent)
    first.media.save("same.ogg", ContentFile(b"first"))
    second.media.save("same.ogg", ContentFile(b"second"))
    assert first.media.name != second.media.name
    body = s3_media.get_object(Bucket=BUCKET, Key=first.media.name)["Body"].read()
    assert body == b"first"


def test_a_recording_missing_from_s3_answers_404(client, users, s3_media):
    contact = ContactFactory(agent=users[Role.AGENT].agent_profile)
    contact.media.save("lost.ogg", ContentFile(RECORDING))
    s3_media.delete_object(Bucket=BUCKET, Key=contact.media.name)
    client.force_login(users[Role.EVALUATOR])
    url = reverse("contact_media", args=[contact.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"range": "bytes=0-99"}).status_code == 404
    assert client.get(reverse("api:contact-recording", args=[contact.pk])).status_code == 404


def test_a_recording_missing_from_the_local_disk_answers_404(client, users, settings):
    contact = ContactFactory(agent=users[Role.AGENT].agent_profile)
    contact.media.save("lost.ogg", ContentFile(RECORDING))
    (settings.MEDIA_ROOT / contact.media.name).unlink()
    client.force_login(users[Role.EVALUATOR])
    url = reverse("contact_media", args=[contact.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"range": "bytes=0-99"}).status_code == 404
