"""Names are never math text: matplotlib parses $...$ as math, so a user who named themselves
`$\\foo$` (anyone may set their own name) made the report page and its PDF fail for everyone.
Every chart draws what people typed as it is: the page and the PDF (read back with pypdf) show
the name, and each chart module draws such labels."""

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qalibrate.accounts.models import Agent, Role, Team
from qalibrate.history import charts as history_charts
from qalibrate.history import criterion_charts, evaluator_charts
from qalibrate.reports import charts
from qalibrate.reports.pdf import report_pdf
from qalibrate.reports.selectors import chart_texts, session_report

UNKNOWN = "$\\foo$"  # an unknown command: a ValueError where it is parsed as math
FRACTION = "Ann $x^2$ \\frac{a}{b}"
AGENT = "Bo $\\bar$"


@pytest.fixture
def named(revealed, users, second_evaluator, team):
    """The revealed session whose evaluators, an agent and the team are named as math."""
    first = users[Role.EVALUATOR]
    first.first_name, first.last_name = UNKNOWN, ""
    first.save(update_fields=["first_name", "last_name"])
    second_evaluator.first_name, second_evaluator.last_name = FRACTION, ""
    second_evaluator.save(update_fields=["first_name", "last_name"])
    contact = revealed.session_contacts.first().contact
    Agent.objects.filter(pk=contact.agent_id).update(full_name=AGENT)
    Team.objects.filter(pk=team.pk).update(name="$\\team$")
    return revealed


def test_the_report_page_shows_the_names_as_they_are(client, users, named):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("session_report", args=[named.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The charts' SVG keeps its text as text: the names are there as typed.
    svg = html[html.index("<svg") :]
    for name in (UNKNOWN, FRACTION, AGENT):
        assert name in svg


def test_the_report_pdf_shows_the_names(client, users, named):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("session_report_file", args=[named.pk, "pdf"]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert UNKNOWN in text and "$x^2$" in text and "\\frac{a}{b}" in text


def test_the_pdf_built_without_a_request_draws_them_too(named):
    assert report_pdf(session_report(named)).startswith(b"%PDF")


LABELS = [UNKNOWN, FRACTION, "$\\sqrt{$", "a $ b $ c"]


def test_every_chart_draws_math_like_labels_as_text():
    days = [date(2031, 1, 5), date(2031, 2, 5), date(2031, 3, 5), date(2031, 4, 5)]
    texts = chart_texts()
    figures = [
        charts.deviation_chart(LABELS, [1, 2, 3, None], [-1, 0, 1, None], tolerance=2, texts=texts),
        charts.spread_chart(
            LABELS, [10, 20, None, 5], [30, 40, None, 9], [20, None, 1, 2], texts=texts
        ),
        charts.heat_map(
            LABELS, LABELS[:2], [[1, -1], [2, None], [0, 0], [3, 4]], tolerance=2, texts=texts
        ),
        history_charts.trends_chart(
            days,
            LABELS,
            LABELS,
            [(0.5, True, 0.7, 0.6, 0.8)] * 4,
            texts={
                key: UNKNOWN
                for key in ("share", "target", "alpha", "alpha_axis", "interval", "reliable")
            },
        ),
        evaluator_charts.bias_chart(
            days,
            LABELS,
            [1, -1, 2, 0],
            [False, False, True, False],
            [None, 0.5, 1, 0],
            [2, 2, 2, 2],
            (days[1], 0.5, -0.5, 1.5),
            texts={key: FRACTION for key in ("bias", "shrunken", "tolerance", "pooled", "points")},
        ),
        criterion_charts.agreement_chart(
            days,
            [0.9, 0.5, None, 0.7],
            [0.8, 0.2, None, 0.6],
            [(days[1], UNKNOWN)],
            labels=dict(enumerate(LABELS)),
            flagged=[False, True, False, False],
            texts={
                key: FRACTION
                for key in ("agreement", "coefficient", "threshold", "flagged", "value")
            },
        ),
    ]
    for figure in figures:
        svg = charts.as_svg(figure)
        assert UNKNOWN in svg or FRACTION in svg
        assert charts.as_png(figure).startswith(b"\x89PNG")
