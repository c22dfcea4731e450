from collections import Counter

import pytest
from django.core.management import call_command

from qalibrate.accounts.models import Agent, Role, Team, User
from qalibrate.contacts.models import Contact
from qalibrate.demo.builder import DEMO_PASSWORD, build_demo, load_recordings


@pytest.fixture
def demo(db):
    return build_demo()


def test_demo_is_a_believable_organisation(demo):
    assert Team.objects.count() == 3
    assert 25 <= Agent.objects.count() <= 35
    assert 200 <= Contact.objects.count() <= 500
    roles = Counter(User.objects.values_list("role", flat=True))
    assert all(roles[role] >= 1 for role in Role)
    assert {login[1] for login in demo.logins} == set(
        User.objects.values_list("username", flat=True)
    )
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())


def test_contacts_span_channels_languages_and_agents(demo):
    contacts = Contact.objects.all()
    assert set(contacts.values_list("channel", flat=True)) == {"call", "chat", "email", "ticket"}
    assert set(contacts.values_list("language", flat=True)) == {"en", "ru", "sv"}
    assert contacts.values("agent").distinct().count() == Agent.objects.count()
    for contact in contacts:
        assert contact.team_id == contact.agent.team_id
        assert contact.transcript, contact.external_id
        times = [turn["t"] for turn in contact.transcript]
        assert times == sorted(times)
        assert "{agent}" not in str(contact.transcript) and "{customer}" not in str(
            contact.transcript
        )


def test_some_calls_carry_a_real_recording(demo):
    recorded = Contact.objects.exclude(media="")
    assert recorded.count() == demo.recordings == len(load_recordings()) >= 6
    assert set(recorded.values_list("language", flat=True)) == {"en", "ru", "sv"}
    for contact in recorded:
        with contact.media.open("rb") as audio:
            assert audio.read(4) == b"OggS"
        assert contact.transcript[-1]["t"] < contact.duration_seconds


def test_demo_agents_with_a_login_see_their_own_contacts(demo):
    for user in User.objects.filter(role=Role.AGENT):
        visible = Contact.objects.visible_to(user)
        assert visible.exists()
        assert set(visible.values_list("agent__user", flat=True)) == {user.pk}


@pytest.mark.django_db(transaction=True)  # flush empties tables, outside a test transaction
def test_demo_is_the_same_every_time():
    first = build_demo(seed=7)
    signature = list(Contact.objects.order_by("external_id").values_list("external_id", "channel"))
    call_command("flush", interactive=False, verbosity=0)
    second = build_demo(seed=7)
    assert signature == list(
        Contact.objects.order_by("external_id").values_list("external_id", "channel")
    )
    assert first.contacts == second.contacts


def test_demo_command_loads_once(db, capsys):
    call_command("demo", no_serve=True)
    count = Contact.objects.count()
    out = capsys.readouterr().out
    assert "Demo logins (password for all: calibrate)" in out and "maria.lindqvist" in out
    call_command("demo", no_serve=True)
    assert Contact.objects.count() == count
    assert "already loaded" in capsys.readouterr().out


def test_demo_scorecards_have_history_and_review_comments(demo):
    from qalibrate.scorecards.models import ReviewComment, Scorecard
    from qalibrate.scorecards.services import open_comment_count

    call = Scorecard.objects.get(name="Inbound support call")
    assert [(v.number, v.status) for v in call.versions.order_by("number")] == [
        (1, "published"), (2, "published"), (3, "draft")
    ]  # fmt: skip
    assert call.versions.get(number=2).change_note
    assert open_comment_count(call.draft) == 2
    assert ReviewComment.objects.filter(resolved_at__isnull=False).count() == 1
    assert Scorecard.objects.get(name="Chat and e-mail").current_version.number == 1


def test_demo_evaluations_in_every_state(demo):
    from qalibrate.evaluations.models import Evaluation, EventKind

    evaluations = Evaluation.objects.filter(session__isnull=True)
    assert demo.evaluations == evaluations.count() >= 12
    assert evaluations.filter(status="draft").exists()
    assert evaluations.filter(status="submitted", released_at__isnull=False).exists()
    assert evaluations.filter(acknowledged_at__isnull=False).exists()
    assert evaluations.filter(events__kind=EventKind.REOPENED).exists()
    assert all(e.time_spent_seconds > 0 for e in evaluations)


def test_demo_sessions(demo):
    from qalibrate.calibration.models import CalibrationSession

    statuses = set(CalibrationSession.objects.values_list("status", flat=True))
    assert statuses == {"scoring", "draft"}
    scoring = CalibrationSession.objects.get(status="scoring")
    assert scoring.evaluations.filter(status="submitted").exists()
    assert scoring.evaluations.filter(status="draft").exists()
