import re

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.evaluations import services
from qalibrate.evaluations.models import Evaluation
from tests.factories import ContactFactory, UserFactory, build_scorecard
from tests.helpers import criteria, score_as


@pytest.fixture
def contact(users):
    return ContactFactory(agent=users[Role.AGENT].agent_profile)


def fields(version) -> dict[str, str]:
    c = criteria(version)
    return {
        f"c{c['Greets with own name'].pk}": "yes",
        f"c{c['Greets with own name'].pk}_comment": "Nice",
        f"c{c['Greets with own name'].pk}_t": "12",
        f"c{c['Verifies identity'].pk}": "yes",
        f"c{c['Understands the need'].pk}": "3",
        f"c{c['Information is correct'].pk}": "na",
    }


def start(client, contact, version) -> Evaluation:
    response = client.post(reverse("evaluation_start", args=[contact.pk]), {"version": version.pk})
    assert response.status_code == 302
    return Evaluation.objects.latest("pk")


def test_evaluator_scores_a_contact(client, users, contact, version):
    client.force_login(users[Role.EVALUATOR])
    evaluation = start(client, contact, version)
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert 'id="evaluation-form"' in page and "Verifies identity" in page

    save = reverse("evaluation_save", args=[evaluation.pk])
    response = client.post(save, fields(version) | {"revision": 0, "seconds_spent": 40})
    data = response.json()
    assert data["ok"] and data["revision"] == 1 and data["score"] == 73.3
    assert data["message"].startswith("Saved at ")
    stale = client.post(save, fields(version) | {"revision": 0})
    assert stale.status_code == 409 and "another window" in stale.json()["error"]
    bad = client.post(
        save,
        fields(version)
        | {
            "revision": 1,
            f"c{criteria(version)['Understands the need'].pk}": "77",
        },
    )
    assert bad.status_code == 400 and "77 is not a possible answer" in bad.json()["error"]

    response = client.post(
        reverse("evaluation_submit", args=[evaluation.pk]),
        fields(version) | {"revision": 1, "seconds_spent": 5},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert not evaluation.is_draft and evaluation.time_spent_seconds == 45
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert 'id="evaluation-form"' not in page and "73.3" in page
    assert "Critical: the whole evaluation scores 0" not in page


def test_submit_with_missing_answers_keeps_them_and_says_what_is_missing(
    client, users, contact, version
):
    client.force_login(users[Role.EVALUATOR])
    evaluation = start(client, contact, version)
    partial = {k: v for k, v in fields(version).items() if "Verif" not in k}
    verifies = criteria(version)["Verifies identity"]
    del partial[f"c{verifies.pk}"]
    response = client.post(
        reverse("evaluation_submit", args=[evaluation.pk]), partial | {"revision": 0}
    )
    assert response.status_code == 400
    assert "Answer “Verifies identity”." in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.is_draft and evaluation.answers.filter(value="yes").exists()


@pytest.mark.parametrize("role", [Role.QA_LEAD, Role.ADMIN, Role.AGENT])
def test_nobody_else_sees_an_evaluators_draft(client, users, contact, version, role):
    draft = services.evaluation_start(
        contact=contact, evaluator=users[Role.EVALUATOR], version=version
    )
    other_evaluator = UserFactory(role=Role.EVALUATOR)
    for viewer in (users[role], other_evaluator):
        client.force_login(viewer)
        assert client.get(reverse("evaluation_detail", args=[draft.pk])).status_code == 404
        assert client.post(reverse("evaluation_save", args=[draft.pk]), {}).status_code == 404
        assert draft.pk not in [
            e.pk for e in client.get(reverse("evaluation_list")).context["evaluations"]
        ]


def test_agents_cannot_start_evaluations(client, users, contact, version):
    client.force_login(users[Role.AGENT])
    response = client.post(reverse("evaluation_start", args=[contact.pk]), {"version": version.pk})
    assert response.status_code == 403


def test_draft_versions_cannot_be_used(client, users, contact):
    draft = build_scorecard(users[Role.QA_LEAD], name="Unpublished").draft
    client.force_login(users[Role.EVALUATOR])
    assert (
        client.post(
            reverse("evaluation_start", args=[contact.pk]), {"version": draft.pk}
        ).status_code
        == 404
    )


def test_reopen_release_and_acknowledge_through_the_pages(client, users, contact, version):
    evaluator, lead, agent = users[Role.EVALUATOR], users[Role.QA_LEAD], users[Role.AGENT]
    client.force_login(evaluator)
    evaluation = start(client, contact, version)
    client.post(
        reverse("evaluation_submit", args=[evaluation.pk]), fields(version) | {"revision": 0}
    )

    reopen = reverse("evaluation_reopen", args=[evaluation.pk])
    assert client.post(reopen, {"reason": "x"}).status_code == 403
    evaluation.refresh_from_db()
    assert not evaluation.is_draft

    client.force_login(agent)
    assert client.get(reverse("evaluation_detail", args=[evaluation.pk])).status_code == 404

    client.force_login(lead)
    client.post(reverse("evaluation_release", args=[evaluation.pk]))
    client.force_login(agent)
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "I have read this" in page and "Nice" in page
    assert evaluator.get_full_name() not in page  # the agent sees the feedback, not who scored
    client.post(reverse("evaluation_acknowledge", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert evaluation.acknowledged_at

    client.force_login(lead)
    client.post(
        reverse("evaluation_reopen", args=[evaluation.pk]), {"reason": "Listen again at 2:10"}
    )
    evaluation.refresh_from_db()
    assert evaluation.is_draft and evaluation.released_at is None
    client.force_login(evaluator)
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert 'id="evaluation-form"' in page


def test_a_failed_critical_criterion_is_pointed_out(client, users, contact, version):
    client.force_login(users[Role.EVALUATOR])
    evaluation = start(client, contact, version)
    verifies = criteria(version)["Verifies identity"]
    answers = fields(version) | {f"c{verifies.pk}": "no", "revision": 0}
    client.post(reverse("evaluation_submit", args=[evaluation.pk]), answers)
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "Critical: the whole evaluation scores 0" in page
    evaluation.refresh_from_db()
    assert evaluation.score == 0


def test_the_screen_reads_its_own_saved_answers_back_in_its_field_names(
    client, users, contact, version
):
    client.force_login(users[Role.EVALUATOR])
    evaluation = start(client, contact, version)
    save = reverse("evaluation_save", args=[evaluation.pk])
    assert client.post(save, fields(version) | {"revision": 0, "summary": "Good"}).json()["ok"]

    response = client.get(reverse("evaluation_answers", args=[evaluation.pk]))
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["revision"] == 1
    assert {k: data["values"][k] for k in fields(version)} == fields(version) | {
        k: "12.0" for k in fields(version) if k.endswith("_t")
    }
    assert data["values"]["summary"] == "Good"
    # The same names the screen's form posts, no more and no fewer.
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    screen = page[
        page.index('id="evaluation-form"') : page.index(
            "</form>", page.index('id="evaluation-form"')
        )
    ]
    names = set(re.findall(r'name="([^"]+)"', screen)) - {
        "csrfmiddlewaretoken",
        "revision",
        "seconds_spent",
    }
    assert set(data["values"]) == names
    # Posted back as they are, they change nothing.
    again = client.post(save, data["values"] | {"revision": 1}).json()
    assert again["ok"] and again["score"] == 73.3
    answer = evaluation.answers.get(criterion__text="Greets with own name")
    assert (answer.value, answer.comment, answer.media_timestamp) == ("yes", "Nice", 12)


@pytest.mark.parametrize("role", [Role.QA_LEAD, Role.ADMIN, Role.AGENT])
def test_only_the_evaluator_reads_the_answers_back(client, users, contact, version, role):
    evaluation = services.evaluation_start(
        contact=contact, evaluator=users[Role.EVALUATOR], version=version
    )
    url = reverse("evaluation_answers", args=[evaluation.pk])
    assert client.get(url).status_code == 302  # to the login page
    for viewer in (users[role], UserFactory(role=Role.EVALUATOR)):
        client.force_login(viewer)
        assert client.get(url).status_code == 404
    # Once submitted, QA staff see the evaluation, but its answers stay the evaluator's to read.
    client.force_login(users[Role.EVALUATOR])
    assert client.post(url).status_code == 405
    client.post(reverse("evaluation_submit", args=[evaluation.pk]), fields(version))
    evaluation.refresh_from_db()
    assert not evaluation.is_draft
    client.force_login(users[role])
    expected = 404 if role == Role.AGENT else 403
    assert client.get(url).status_code == expected
    client.force_login(users[Role.EVALUATOR])
    assert client.get(url).json()["values"][next(iter(fields(version)))] == "yes"


def test_a_moment_in_the_recording_survives_a_screen_in_russian(client, users, contact, version):
    evaluator = users[Role.EVALUATOR]
    evaluator.language = "ru"
    evaluator.save()
    client.force_login(evaluator)
    evaluation = start(client, contact, version)
    greets = criteria(version)["Greets with own name"]
    save = reverse("evaluation_save", args=[evaluation.pk])
    client.post(save, fields(version) | {"revision": 0, f"c{greets.pk}_t": "12.5"})
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    assert 'lang="ru"' in page.content.decode()
    # Not "12,5": the browser posts the field back as it is.
    assert f'name="c{greets.pk}_t" value="12.5"' in page.content.decode()


def test_the_list_pages_by_cursor_through_every_evaluation(client, users, version):
    evaluator = users[Role.EVALUATOR]
    made = {
        services.evaluation_start(
            contact=ContactFactory(agent=users[Role.AGENT].agent_profile),
            evaluator=evaluator,
            version=version,
        ).pk
        for _ in range(55)
    }
    client.force_login(evaluator)
    first = client.get(reverse("evaluation_list"))
    assert len(first.context["evaluations"]) == 50 and "Older" in first.content.decode()
    second = client.get(reverse("evaluation_list"), {"older": first.context["page"].older})
    assert len(second.context["evaluations"]) == 5 and "Newer" in second.content.decode()
    listed = [e.pk for page in (first, second) for e in page.context["evaluations"]]
    assert set(listed) == made and len(listed) == 55


def test_an_automatic_scorers_evaluations_are_marked(client, users, contact, version):
    robot = UserFactory(role=Role.EVALUATOR, is_automatic=True)
    robot.teams.add(contact.team)
    evaluation = score_as(robot, None, contact, version=version)
    person = score_as(users[Role.EVALUATOR], None, contact, version=version)
    client.force_login(users[Role.QA_LEAD])
    listed = client.get(reverse("evaluation_list")).content.decode()
    assert listed.count('class="badge automatic"') == 1
    shown = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert 'class="badge automatic"' in shown
    other = client.get(reverse("evaluation_detail", args=[person.pk])).content.decode()
    assert 'class="badge automatic"' not in other
