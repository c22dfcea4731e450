"""The OpenAPI schema is valid, and the documentation pages load everything from this server."""

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from django.core.management import call_command

PATHS = {
    "/api/v1/me/",
    "/api/v1/users/",
    "/api/v1/teams/",
    "/api/v1/scorecards/",
    "/api/v1/scorecards/{id}/",
    "/api/v1/scorecard-versions/{id}/",
    "/api/v1/scorecard-versions/{id}/export/",
    "/api/v1/contacts/",
    "/api/v1/contacts/{id}/",
    "/api/v1/contacts/{id}/recording/",
    "/api/v1/contacts/bulk/",
    "/api/v1/evaluations/",
    "/api/v1/evaluations/{id}/",
    "/api/v1/evaluations/{id}/submit/",
    "/api/v1/sessions/",
    "/api/v1/sessions/{id}/",
    "/api/v1/sessions/{id}/open/",
    "/api/v1/sessions/{id}/reveal/",
    "/api/v1/sessions/{id}/cancel/",
    "/api/v1/sessions/{id}/participants/",
    "/api/v1/sessions/{id}/contacts/",
    "/api/v1/sessions/{id}/reschedule/",
    "/api/v1/sessions/{id}/complete/",
    "/api/v1/sessions/{id}/report/",
    "/api/v1/sessions/{id}/agreed-answers/",
    "/api/v1/sessions/{id}/notes/",
    "/api/v1/sessions/{id}/flags/",
    "/api/v1/scorecards/import/",
    "/api/v1/actions/",
    "/api/v1/actions/{id}/",
    "/api/v1/series/",
    "/api/v1/series/{id}/",
    "/api/v1/audit-events/",
    "/api/v1/audit-events/{id}/",
    "/api/v1/notifications/",
    "/api/v1/notifications/read/",
    "/api/v1/history/criteria/{key}/",
    "/api/v1/history/trends/",
    "/api/v1/history/evaluators/{id}/",
    "/api/v1/history/rulings/",
    "/api/v1/history/problems/",
    "/api/v1/certifications/",
    "/api/v1/certifications/{id}/",
    "/api/v1/scoring-pairs/",
    "/api/v1/scoring-pairs/{id}/",
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{id}/",
    "/api/v1/webhooks/{id}/ping/",
    "/api/v1/webhooks/{id}/secret/",
    "/api/v1/webhook-deliveries/",
    "/api/v1/webhook-deliveries/{id}/",
    "/api/v1/webhook-deliveries/{id}/retry/",
}


def test_the_schema_validates_without_a_warning(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == PATHS
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }


def test_the_schema_is_served_as_yaml_and_json(client):
    as_yaml = client.get("/api/schema/")
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.content)["info"]["title"] == "Qalibrate API"
    as_json = client.get("/api/schema/?format=json")
    assert set(json.loads(as_json.content)["paths"]) == PATHS


class References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("page", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_load_only_from_this_server(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    parser = References()
    parser.feed(html)
    assert parser.urls, "the page loads its scripts"
    for url in parser.urls:
        # Swagger UI's start-up script is the page's own ?script (no inline script, for the CSP).
        assert url.startswith(("/static/drf_spectacular_sidecar/", f"{page}?script")), url
        assert client.get(url).status_code == 200, url
    # No address of another server anywhere in the page, scripts included.
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.\w+", html)
    assert "fonts.googleapis" not in html and "cdn" not in html.lower()


def test_swagger_does_not_call_the_online_validator(client):
    script = client.get("/api/docs/?script=").content.decode()
    assert '"validatorUrl": null' in script


def test_the_preferences_page_links_to_the_docs(client, users):
    from qalibrate.accounts.models import Role

    client.force_login(users[Role.EVALUATOR])
    assert 'href="/api/docs/"' in client.get("/accounts/preferences/").content.decode()
