from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from qalibrate.accounts.models import Agent, Role, Team, User
from qalibrate.calibration.models import AgreedAnswer
from qalibrate.contacts.models import Contact
from qalibrate.demo.builder import DEMO_PASSWORD, build_demo, load_recordings
from qalibrate.evaluations.models import Evaluation

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db):
    return build_demo()


def test_demo_is_a_believable_organisation(demo):
    assert Team.objects.count() == 3
    assert 25 <= Agent.objects.count() <= 35
    assert 200 <= Contact.objects.count() <= 500
    roles = Counter(User.objects.values_list("role", flat=True))
    assert all(roles[role] >= 1 for role in Role)
    people = User.objects.filter(is_automatic=False)
    assert {login[1] for login in demo.logins} == set(people.values_list("username", flat=True))
    assert all(user.check_password(DEMO_PASSWORD) for user in people)
    # The automatic scorer scores through the API with a token: it has no password.
    (scorer,) = User.objects.filter(is_automatic=True)
    assert not scorer.has_usable_password()


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
    def signature():
        contacts = Contact.objects.order_by("external_id").values_list("external_id", "channel")
        scores = Evaluation.objects.filter(session__isnull=False).values_list(
            "session__title", "contact__external_id", "evaluator__username", "status", "score"
        )
        return list(contacts), sorted(scores, key=str)

    first = build_demo(seed=7)
    before = signature()
    call_command("flush", interactive=False, verbosity=0)
    second = build_demo(seed=7)
    assert before == signature()
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
        (1, "published"),
        (2, "published"),
        (3, "draft"),
    ]
    assert call.versions.get(number=2).change_note
    assert open_comment_count(call.draft) == 2
    assert ReviewComment.objects.filter(resolved_at__isnull=False).count() == 1
    assert Scorecard.objects.get(name="Chat and e-mail").current_version.number == 1


def test_demo_evaluations_in_every_state(demo):
    from qalibrate.evaluations.models import Evaluation, EventKind

    # Not counting those scored in a calibration session or agreed in one (official evaluations).
    evaluations = Evaluation.objects.filter(session__isnull=True, agreed_in__isnull=True)
    assert demo.evaluations == evaluations.count() >= 12
    assert evaluations.filter(status="draft").exists()
    assert evaluations.filter(status="submitted", released_at__isnull=False).exists()
    assert evaluations.filter(acknowledged_at__isnull=False).exists()
    assert evaluations.filter(events__kind=EventKind.REOPENED).exists()
    assert all(e.time_spent_seconds > 0 for e in evaluations)


def test_demo_sessions(demo):
    from qalibrate.calibration.models import CalibrationSession, SessionContact

    support = CalibrationSession.objects.filter(team__name="Customer support")
    statuses = Counter(support.values_list("status", flat=True))
    # Two completed by sessions.py after six of four months' history (qalibrate/demo/history.py).
    assert statuses == {"scoring": 1, "draft": 1, "completed": 8}
    # The other teams' open sessions fill the QA lead's home (qalibrate/demo/attention.py).
    others = CalibrationSession.objects.exclude(team__name="Customer support")
    assert Counter(others.values_list("status", flat=True)) == {
        "scoring": 1,
        "discussion": 1,
        "completed": 16,
    }
    assert demo.sessions == CalibrationSession.objects.count()
    scoring = support.get(status="scoring")
    assert scoring.evaluations.filter(status="submitted").exists()
    assert scoring.evaluations.filter(status="draft").exists()
    # No contact is in two sessions, nor scored outside its session but as a certification's
    # gold contact (qalibrate/demo/certification.py).
    held = list(SessionContact.objects.values_list("contact", flat=True))
    assert len(held) == len(set(held))
    assert not Evaluation.objects.filter(
        contact__in=held, session__isnull=True, agreed_in__isnull=True, gold_attempt__isnull=True
    ).exists()


def test_demo_completed_session_has_disagreements_and_results(demo):
    from qalibrate.calibration import meeting_selectors
    from qalibrate.calibration.answers import reference_answer
    from qalibrate.calibration.models import CalibrationSession
    from qalibrate.evaluations.models import Answer

    support = CalibrationSession.objects.filter(status="completed", team__name="Customer support")
    earlier, latest = list(support.order_by("-meeting_at")[:2])[::-1]
    now = timezone.now()
    assert latest.scoring_deadline < latest.meeting_at < latest.completed_at < now
    assert timedelta(days=14) <= latest.meeting_at - earlier.meeting_at <= timedelta(days=28)
    assert latest.team == earlier.team and latest.version == earlier.version
    assert meeting_selectors.previous_session(latest) == earlier

    assert latest.summary.startswith("6 contacts, 4 evaluators")
    assert latest.agreed_becomes_official and latest.share_with_agents
    assert {(f.kind, bool(f.note)) for f in latest.flags.all()} == {
        ("clarify", True),
        ("process", True),
    }
    actions = list(latest.actions.all())
    assert len(actions) == 3 and [a.status for a in actions].count("done") == 1
    assert all(a.due_date and a.owner.role in ("qa_lead", "evaluator") for a in actions)
    assert 2 <= latest.session_contacts.exclude(notes="").count() <= 3
    # The facilitator decided disputed answers with a reason, overruling the majority on some.
    decided = AgreedAnswer.objects.filter(session_contact__session=latest).exclude(reason="")
    assert decided.count() >= 3 and all(a.decided_by_id == latest.facilitator_id for a in decided)
    overruled = [
        a
        for a in decided.select_related("criterion", "session_contact")
        if a.form_value
        != reference_answer(
            latest,
            a.criterion,
            list(
                Answer.objects.filter(
                    evaluation__session=latest,
                    evaluation__status="submitted",
                    evaluation__contact=a.session_contact.contact_id,
                    criterion=a.criterion,
                ).select_related("evaluation")
            ),
        )
    ]
    assert len(overruled) >= 2
    official = Evaluation.objects.filter(agreed_in=latest)
    assert official.count() == latest.session_contacts.count() == 6
    assert all(e.status == "submitted" and e.score is not None for e in official)

    # Everyone submitted before the reveal, except one evaluator who left one contact a draft.
    assert latest.evaluations.count() == 6 * 4
    assert list(
        latest.evaluations.filter(status="draft").values_list("submitted_at", flat=True)
    ) == [None]
    revealed_at = latest.events.get(to_status="discussion").at
    assert not latest.evaluations.filter(submitted_at__gte=revealed_at).exists()

    result = meeting_selectors.discussion(latest)
    assert sorted(row.scored for row in result.evaluators) == [5, 6, 6, 6]
    deviations = [row.deviation for row in result.evaluators]
    outside = [d for d in deviations if not d.within_tolerance]
    assert outside and len(outside) < len(deviations)
    assert any(d.bias > 5 for d in outside) and any(d.bias < -5 for d in outside)
    assert result.calibrated is False
    assert sum(c.agreement is not None and c.agreement < 1 for c in result.criteria) >= 3
    assert any(c.agreement is not None and c.agreement < 0.8 for c in result.criteria)
    assert any(row.criteria[0].dispute > 0 for row in result.contacts)

    history = meeting_selectors.discussion_with_history(latest)
    assert history.previous_session == earlier
    assert all(row.previous is not None for row in history.evaluators)
    assert any(row.previous is not None for row in history.criteria)
    assert earlier.summary and earlier.flags.exists() and earlier.actions.exists()
