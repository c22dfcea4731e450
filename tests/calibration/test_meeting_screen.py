"""The meeting screen: the order to discuss, one contact at a time with its index, and an
anonymous display that names nobody (shuffled letters, no figures from the previous session)."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from qalibrate.accounts.models import Role, User
from qalibrate.agreement.session_figures import ContactSpread
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import CalibrationSession, Participant
from qalibrate.evaluations.services import AnswerInput
from qalibrate.reports.selectors import session_report
from tests.helpers import criteria, score_as

NAN = float("nan")
DEFAULT = (1 + 2 * (4 * 3 / 5 + 3) / 7) / 3 * 100  # yes, yes, 3, Correct: 84.76
TOP = 100.0


def spread(mean: float, width: float) -> ContactSpread:
    return ContactSpread(
        n=3, mean=mean, low=mean - width / 2, high=mean + width / 2, spread=width, sd=None
    )


# --- The order to discuss ------------------------------------------------------------------


def test_a_tie_on_the_reference_goes_to_the_wider_spread():
    spreads = [spread(17.75, 71), spread(25, 100), spread(90, 10), spread(92, 30), spread(60, 20)]
    references = [0.0, 0.0, 95.0, 95.0, 60.0]
    # Lowest reference 0: the spread of 100 before the 71; highest 95: the 30 before the 10.
    assert meeting_selectors.meeting_order(spreads, references) == [1, 3, 0, 4, 2]


def test_the_order_falls_back_to_the_mean_and_leaves_the_unscored_last():
    spreads = [None, spread(80, 10), spread(40, 5), None, spread(95, 0), spread(70, 40)]
    references = [NAN, NAN, NAN, NAN, NAN, 70.0]
    assert meeting_selectors.meeting_order(spreads, references) == [2, 4, 5, 1, 0, 3]
    assert meeting_selectors.meeting_order([], []) == []


@pytest.fixture
def tied(users, session, second_evaluator, third_evaluator):
    """Every contact's reference is the default answers' 84.8; c1 has the lower mean of the
    two contacts in dispute, c0 the wider spread."""
    Participant.objects.create(session=session, user=third_evaluator)
    lead, first, second = users[Role.QA_LEAD], users[Role.EVALUATOR], second_evaluator
    services.session_move(session=session, user=lead, action="open")
    c = [sc.contact for sc in session.session_contacts.all()]
    score_as(first, session, c[0])  # c0: 84.8, 92.4, 73.7: spread 18.7, mean 83.6
    score_as(second, session, c[0], need="4")
    score_as(third_evaluator, session, c[0], greet="no")
    score_as(first, session, c[1])  # c1: 84.8, 73.7, 77.1: spread 11.1, mean 78.5
    score_as(second, session, c[1], greet="no")
    score_as(third_evaluator, session, c[1], need="2")
    for contact in c[2:]:
        for who in (first, second, third_evaluator):
            score_as(who, session, contact)
    services.session_move(session=session, user=lead, action="reveal")
    session.refresh_from_db()
    return session


def test_the_discussion_takes_the_wider_spread_on_a_tied_reference(tied):
    contacts = [sc.contact for sc in tied.session_contacts.all()]
    result = meeting_selectors.discussion(tied)
    assert {round(row.reference_total, 2) for row in result.contacts} == {round(DEFAULT, 2)}
    # By the mean alone c1 (78.5) would open; on a tie the wider spread (c0) goes first.
    assert [row.contact for row in result.contacts] == [contacts[i] for i in (0, 1, 2, 3, 4, 5)]
    assert result.contacts[0].spread.spread > result.contacts[1].spread.spread


def test_the_order_stays_put_while_answers_are_agreed(users, revealed):
    before = [row.session_contact.pk for row in meeting_selectors.discussion(revealed).contacts]
    lowest = meeting_selectors.discussion(revealed).contacts[0].session_contact
    need = criteria(revealed.version)["Understands the need"]
    info = criteria(revealed.version)["Information is correct"]
    for criterion, value in ((need, "5"), (info, "Correct")):
        services.agreed_answer_set(
            session_contact=lowest,
            criterion=criterion,
            user=users[Role.QA_LEAD],
            answer=AnswerInput(value),
        )
    lowest.refresh_from_db()
    assert lowest.agreed_score == pytest.approx(TOP)  # now the highest agreed score
    assert [
        row.session_contact.pk for row in meeting_selectors.discussion(revealed).contacts
    ] == before


# --- Contact states ------------------------------------------------------------------------


def test_a_contact_is_agreed_once_every_disputed_criterion_is_decided(users, revealed):
    rows = {row.session_contact.pk: row for row in meeting_selectors.discussion(revealed).contacts}
    unanimous = [row for row in rows.values() if not row.disputed]
    assert unanimous and all(row.is_agreed for row in unanimous)  # nothing to agree on
    disputed = next(row for row in rows.values() if len(row.disputed) == 1)
    assert not disputed.is_agreed and disputed.to_agree == disputed.disputed  # prefilled only
    item = disputed.disputed[0]
    services.agreed_answer_set(
        session_contact=disputed.session_contact,
        criterion=item.criterion,
        user=users[Role.QA_LEAD],
        answer=AnswerInput(item.agreed.form_value),
    )
    again = next(
        row
        for row in meeting_selectors.discussion(revealed).contacts
        if row.session_contact == disputed.session_contact
    )
    assert again.is_agreed and not again.to_agree
    services.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done")
    revealed.refresh_from_db()
    assert all(row.is_agreed for row in meeting_selectors.discussion(revealed).contacts)


# --- Anonymous letters ---------------------------------------------------------------------


def letters(session_pk: int, evaluators) -> list[str]:
    labels = meeting_selectors.evaluator_labels(
        CalibrationSession(pk=session_pk), evaluators, anonymous=True
    )
    return [labels[u.pk] for u in evaluators]


def test_letters_are_shuffled_per_session_and_stable():
    evaluators = [User(pk=pk) for pk in range(1, 7)]
    named_order = [f"Evaluator {letter}" for letter in "ABCDEF"]
    per_session = {pk: letters(pk, evaluators) for pk in range(1, 21)}
    for pk, shown in per_session.items():
        assert sorted(shown) == named_order
        assert letters(pk, list(reversed(evaluators))) == list(reversed(shown))  # stable
    assert len({tuple(shown) for shown in per_session.values()}) > 10  # differ by session
    assert sum(shown == named_order for shown in per_session.values()) <= 1


def test_letters_depend_on_the_secret_key():
    evaluators = [User(pk=pk) for pk in range(1, 7)]
    with override_settings(SECRET_KEY="one secret " * 5):
        first = [letters(pk, evaluators) for pk in range(1, 6)]
    with override_settings(SECRET_KEY="another secret " * 5):
        second = [letters(pk, evaluators) for pk in range(1, 6)]
    assert first != second  # not to be worked out from the session's number


def test_the_same_letters_on_the_page_the_report_and_its_files(client, users, revealed):
    evaluators = [p.user for p in revealed.participants.filter(role="evaluator")]
    labels = meeting_selectors.evaluator_labels(revealed, evaluators, anonymous=True)
    by_letter = {label: pk for pk, label in labels.items()}
    result = meeting_selectors.discussion(revealed, anonymous=True)
    assert [row.label for row in result.evaluators] == sorted(labels.values())
    assert all(by_letter[row.label] == row.user.pk for row in result.evaluators)
    # The report files are drawn from the same rows.
    report = session_report(revealed, anonymous=True).discussion
    assert [row.label for row in report.evaluators] == sorted(labels.values())


# --- Nothing names a person in the anonymous display ----------------------------------------


def test_no_previous_session_figures_beside_a_letter(client, users, second_round):
    named = meeting_selectors.discussion_with_history(second_round)
    assert any(row.previous is not None for row in named.evaluators)
    anonymous = meeting_selectors.discussion_with_history(second_round, anonymous=True)
    assert anonymous.previous_session is not None  # the criteria still compare
    assert all(row.previous is None for row in anonymous.evaluators)
    assert any(row.previous is not None for row in anonymous.criteria)
    report = session_report(second_round, anonymous=True).discussion  # the files' rows too
    assert all(row.previous is None for row in report.evaluators)

    was = f"{DEFAULT / 6:.1f}"  # the first evaluator's mean deviation last time: 14.1
    client.force_login(users[Role.QA_LEAD])
    url = reverse("session_discussion", args=[second_round.pk])
    assert f"was {was}" in client.get(url).content.decode()
    assert "was " not in client.get(url + "?anonymous=1").content.decode()
    report_url = reverse("session_report", args=[second_round.pk])
    evaluators_table = re.compile(r"<h2>Evaluators</h2>.*?</table>", re.S)
    named_page = evaluators_table.search(client.get(report_url).content.decode()).group()
    assert "Previous session" in named_page and was in named_page
    shown = client.get(report_url + "?anonymous=1").content.decode()
    anonymous_part = evaluators_table.search(shown).group()
    assert "Previous session" not in anonymous_part and was not in anonymous_part
    assert str(users[Role.EVALUATOR]) not in anonymous_part


# --- The page: overview, one contact, all ----------------------------------------------------


def page(client, session, query=""):
    response = client.get(reverse("session_discussion", args=[session.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_lists_the_contacts_with_their_state(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    html = page(client, revealed)
    assert 'class="table compact totals-matrix"' in html
    assert "contact-result" not in html  # one contact at a time, or all to print
    index = html.split('id="contact-index"')[1].split("</nav>")[0]
    assert index.count('href="?contact=') == 7 and 'href="?contact=all"' in index
    rows = meeting_selectors.discussion(revealed).contacts
    assert index.count('class="open"') == sum(not row.is_agreed for row in rows) > 0
    assert index.count('class="agreed"') == sum(row.is_agreed for row in rows) > 0
    assert f"{rows[0].session_contact.agreed_score:.1f}" in index


def test_one_contact_at_a_time_with_previous_and_next(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    rows = meeting_selectors.discussion(revealed).contacts
    html = page(client, revealed, "?contact=1")
    assert html.count('class="card contact-result"') == 1
    assert f'id="contact-{rows[0].session_contact.pk}"' in html
    assert 'rel="next" href="?contact=2"' in html and 'rel="prev" href="?"' in html
    assert "Contact 1 of 6" in html and 'name="contact" value="1"' in html
    last = page(client, revealed, "?contact=6")
    assert 'rel="next"' not in last and 'rel="prev" href="?contact=5"' in last
    every = page(client, revealed, "?contact=all")
    assert every.count('class="card contact-result"') == 6 and 'rel="next"' not in every
    assert "contact-result" not in page(client, revealed, "?contact=99")  # the overview


def test_the_anonymous_display_keeps_its_place_and_names_nobody(
    client, users, revealed, second_evaluator, third_evaluator
):
    client.force_login(users[Role.QA_LEAD])
    html = page(client, revealed, "?anonymous=1&contact=2")
    assert 'rel="next" href="?anonymous=1&amp;contact=3"' in html
    assert 'href="?contact=2">Show names' in html
    assert 'name="anonymous" value="1"' in html
    scores_part = html.split('id="actions"')[0]
    for evaluator in (users[Role.EVALUATOR], second_evaluator, third_evaluator):
        assert str(evaluator) not in scores_part
    every = page(client, revealed, "?anonymous=1&contact=all").split('id="actions"')[0]
    assert "Evaluator A" in every and str(second_evaluator) not in every


def test_forms_return_to_the_contact_on_screen(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    row = meeting_selectors.discussion(revealed).contacts[2]
    url = reverse("session_notes", args=[revealed.pk, row.session_contact.pk])
    response = client.post(url, {"notes": "Fine", "contact": "3", "anonymous": "1"})
    assert response.url.endswith(f"?anonymous=1&contact=3#contact-{row.session_contact.pk}")
    item = row.disputed[0]
    agree = reverse("session_agree", args=[revealed.pk, row.session_contact.pk, item.criterion.pk])
    response = client.post(agree + "?contact=3", {"value": item.agreed.form_value})
    assert response.url.endswith(f"?contact=3#contact-{row.session_contact.pk}")


def test_agreeing_redraws_the_index_beside_the_contact(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    rows = meeting_selectors.discussion(revealed).contacts
    number, row = next((n, r) for n, r in enumerate(rows, 1) if len(r.disputed) == 1)
    item = row.disputed[0]
    agree = reverse("session_agree", args=[revealed.pk, row.session_contact.pk, item.criterion.pk])
    html = client.post(
        agree + f"?contact={number}", {"value": item.agreed.form_value}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.lstrip().startswith('<section class="card contact-result"')
    index = html.split('id="contact-index"')[1]
    assert 'hx-swap-oob="true"' in index
    entry = index.split(f'href="?contact={number}"')[0].rsplit("<li", 1)[1]
    assert 'class="agreed"' in entry
    assert f'href="?contact={number}" aria-current="page"' in index


def test_evaluators_follow_the_meeting_without_recording(client, users, revealed):
    client.force_login(users[Role.EVALUATOR])
    html = page(client, revealed, "?contact=1")
    assert 'id="contact-index"' in html and 'rel="next"' in html
    assert "agree-form" not in html and "notes-form" not in html
    client.force_login(users[Role.AGENT])
    url = reverse("session_discussion", args=[revealed.pk]) + "?contact=1"
    assert client.get(url).status_code == 403
